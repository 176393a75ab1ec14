import { graphql } from '../graphql';

export const RequestFields = graphql(`
  fragment RequestFields on DataSubjectRequest {
    id
    type
    status
    version
    receivedAt
    verifiedAt
    acknowledgeBy
    acknowledgedAt
    dueAt
    extendedDueAt
    extensionReason
    extensionNotice {
      letter
      sentAt
      sentBy
    }
    effectiveDueAt
    jurisdiction
    channel
    holdReason
    verificationMethod
    verificationEvidenceRef
    controllerIds
    createdBy
    deadlineStanding
    acknowledgementStanding
    allowedEvents
    viewerSeesWholeRequest
    possibleDuplicateOf
    discoveryComplete
    sourceOutcomes {
      sourceId
      status
      errorCode
      records
    }
    corrections {
      field
      reason
    }
    records {
      sourceId
      recordId
      recordType
      relationship
      parentRecordId
      band
      score
      reviewState
      actedOn
      controllerId
      categories
      explanation
      source {
        id
        name
        kind
        retention {
          summary
          statutory
          basis
        }
      }
    }
    decisions {
      sourceId
      recordId
      action
      basis
      retainUntil
      reason
      needsController
      proposedAction
      followUpAction
      needsReview
      rules
      overridden
      computedAction
      overrideReason
      overriddenBy
    }
    controllerInstructions {
      sourceId
      controllerId
      decision
      reference
      actor
      at
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
    timeline {
      kind
      at
      actor
      actorKind
      what
      from
      to
      reason
      outcome
      auditSeq
    }
    accessPackage {
      downloadUrl
      downloadAllowed
      expiresAt
      downloadedAt
      sha256
      sizeBytes
      createdAt
      destroyedAt
      destroyedReason
      revocationReason
      files {
        path
        bytes
      }
    }
    returnedPackages {
      controllerId
      downloadUrl
      expiresAt
      sha256
      sizeBytes
      destroyedAt
      destroyedReason
      revocationReason
    }
    response {
      complete
      late
      respondedAt
      dueAt
      totals
      letter
      sources {
        sourceId
        sourceName
        sourceKind
        released {
          recordId
          recordType
          action
          reason
          basis
          retainUntil
          state
        }
        corrected {
          recordId
          recordType
          action
          reason
          basis
          retainUntil
          state
        }
        erased {
          recordId
          recordType
          action
          reason
          basis
          retainUntil
          state
        }
        restricted {
          recordId
          recordType
          action
          reason
          basis
          retainUntil
          state
        }
        retained {
          recordId
          recordType
          action
          reason
          basis
          retainUntil
          state
        }
        notHeld {
          recordId
        }
        notDone {
          recordId
          recordType
          action
          reason
          basis
          retainUntil
          state
        }
      }
    }
  }
`);

export const RequestQuery = graphql(
  `
    query RequestPage($id: ID!) {
      request(id: $id) {
        ...RequestFields
      }
      sources {
        id
        name
        kind
      }
    }
  `,
  [RequestFields],
);

export const VerifyIdentity = graphql(
  `
    mutation VerifyIdentity($id: ID!, $input: IdentityVerificationInput!) {
      verifyIdentity(requestId: $id, input: $input) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const ConfirmMatches = graphql(
  `
    mutation ConfirmMatches($id: ID!, $records: [RecordRefInput!]!) {
      confirmMatches(requestId: $id, records: $records) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const RejectMatches = graphql(
  `
    mutation RejectMatches($id: ID!, $records: [RecordRefInput!]!) {
      rejectMatches(requestId: $id, records: $records) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const RecordInstruction = graphql(
  `
    mutation RecordInstruction($id: ID!, $input: ControllerInstructionInput!) {
      recordControllerInstruction(requestId: $id, input: $input) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const ExecuteRequest = graphql(
  `
    mutation ExecuteRequest($id: ID!) {
      executeRequest(requestId: $id) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const RetryFailed = graphql(
  `
    mutation RetryFailed($id: ID!) {
      retryFailedTasks(requestId: $id) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const OverrideDecision = graphql(
  `
    mutation OverrideDecision($id: ID!, $input: OverrideDecisionInput!) {
      overrideDecision(requestId: $id, input: $input) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const Acknowledge = graphql(
  `
    mutation Acknowledge($id: ID!) {
      acknowledgeRequest(requestId: $id) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const ExtensionNoticeSent = graphql(
  `
    mutation ExtensionNoticeSent($id: ID!) {
      recordExtensionNoticeSent(requestId: $id) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const Extend = graphql(
  `
    mutation Extend($id: ID!, $reason: String!, $months: Int) {
      extendDeadline(requestId: $id, reason: $reason, months: $months) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const Cancel = graphql(
  `
    mutation Cancel($id: ID!, $reason: String!) {
      cancelRequest(requestId: $id, reason: $reason) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const Reject = graphql(
  `
    mutation Reject($id: ID!, $reason: String!) {
      rejectRequest(requestId: $id, reason: $reason) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const Hold = graphql(
  `
    mutation Hold($id: ID!, $reason: String!) {
      holdRequest(requestId: $id, reason: $reason) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const Resume = graphql(
  `
    mutation Resume($id: ID!) {
      resumeRequest(requestId: $id) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const RenewLink = graphql(
  `
    mutation RenewLink($id: ID!, $controllerId: String) {
      renewAccessPackageLink(requestId: $id, controllerId: $controllerId) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
export const RevokePackage = graphql(
  `
    mutation RevokePackage($id: ID!, $controllerId: String, $reason: String!) {
      revokeAccessPackage(requestId: $id, controllerId: $controllerId, reason: $reason) {
        ...RequestFields
      }
    }
  `,
  [RequestFields],
);
