// R9: the retention screens' GraphQL documents (counts, dates, record ids and reasons: no
// record values).
import { graphql } from '../graphql';

export const RunSummaryFragment = graphql(`
  fragment RetentionRunSummary on RetentionRunView {
    id
    status
    asOf
    automatic
    preparedBy
    approvedBy
    approvedAt
    cancelledBy
    supersededBy
    finishedAt
    createdAt
    sources {
      sourceId
      listable
      error
      toDestroy {
        recordType
        action
        count
      }
      kept {
        reason
        count
      }
      oldest
      sampleRecordIds
    }
    outcome {
      destroyed
      failed
      heldSincePreview
      reasons
    }
  }
`);

export const RetentionRunsQuery = graphql(
  `
    query RetentionRuns($first: Int, $before: ID) {
      retentionRuns(first: $first, before: $before) {
        ...RetentionRunSummary
      }
    }
  `,
  [RunSummaryFragment],
);

export const RetentionRunQuery = graphql(
  `
    query RetentionRun($id: ID!) {
      retentionRun(id: $id) {
        ...RetentionRunSummary
        items(first: 200, withKept: true) {
          sourceId
          recordId
          recordType
          retentionStart
          action
          keptReason
          keptDetail
        }
        tasks {
          id
          sourceId
          recordId
          action
          status
          attempts
          lastError
          outcome
          finishedAt
        }
      }
    }
  `,
  [RunSummaryFragment],
);

export const RetentionSourcesQuery = graphql(`
  query RetentionSources {
    sources {
      id
      name
      status
    }
  }
`);

export const PrepareRetentionRunMutation = graphql(
  `
    mutation PrepareRetentionRun($sourceIds: [ID!]) {
      prepareRetentionRun(sourceIds: $sourceIds) {
        ...RetentionRunSummary
      }
    }
  `,
  [RunSummaryFragment],
);

export const ApproveRetentionRunMutation = graphql(
  `
    mutation ApproveRetentionRun($id: ID!) {
      approveRetentionRun(id: $id) {
        ...RetentionRunSummary
      }
    }
  `,
  [RunSummaryFragment],
);

export const CancelRetentionRunMutation = graphql(
  `
    mutation CancelRetentionRun($id: ID!) {
      cancelRetentionRun(id: $id) {
        ...RetentionRunSummary
      }
    }
  `,
  [RunSummaryFragment],
);
