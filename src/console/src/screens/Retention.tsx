// R9: retention runs. Everyone with retention:read sees the runs (what each preview would
// destroy, what it keeps and why, how execution went); a HANDLER (retention:approve)
// prepares a preview, approves or cancels it. Ids, counts, dates and reasons only: the
// API gives no record values, and none goes into the address or the browser's storage.
import { useEffect, useState } from 'react';
import { Badge, Button, Card, Checkbox, Code, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import type { ResultOf } from '../graphql';
import { ApiError } from '../errors';
import { ScrollTable } from '../components/ScrollTable';
import { formatDate, humanise } from '../components/format';
import { useSession } from '../session';
import * as Docs from './retention-documents';

type Run = ResultOf<typeof Docs.RunSummaryFragment>;

const POLL_MS = 1500;

const STATUS_COLOR: Record<string, string> = {
  PREVIEWED: 'blue',
  EXECUTING: 'yellow',
  COMPLETED: 'green',
  PARTIALLY_COMPLETED: 'orange',
  CANCELLED: 'gray',
  SUPERSEDED: 'gray',
};

/** Refetches every POLL_MS while `active` (a run is executing): progress without a reload. */
function usePolling(active: boolean, refetch: () => void): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(refetch, POLL_MS);
    return () => clearInterval(timer);
  }, [active, refetch]);
}

/**
 * Approve and Cancel, held by the screen rather than the run's card: after either, success or
 * not, the runs are read again (a run superseded meanwhile shows its new status), and the
 * error, with its code, stays on screen although the run's buttons are gone.
 */
function useRunActions(refresh: () => void) {
  const [approved, approve] = useMutation(Docs.ApproveRetentionRunMutation);
  const [cancelled, cancel] = useMutation(Docs.CancelRetentionRunMutation);
  const [last, setLast] = useState<'approve' | 'cancel' | null>(null);
  return {
    busy: approved.fetching || cancelled.fetching,
    error: last === 'approve' ? approved.error : last === 'cancel' ? cancelled.error : undefined,
    async approve(id: string) {
      setLast('approve');
      await approve({ id });
      refresh();
    },
    async cancel(id: string) {
      setLast('cancel');
      await cancel({ id });
      refresh();
    },
  };
}

type RunActionsState = ReturnType<typeof useRunActions>;

/**
 * Approve and Cancel on a PREVIEWED run, for retention:approve only. Approving destroys
 * records for good, so it takes a second, explicit click.
 */
function RunActions({ run, actions }: { run: Run; actions: RunActionsState }) {
  const { can } = useSession();
  const [confirming, setConfirming] = useState(false);
  if (!can('retention:approve') || run.status !== 'PREVIEWED') return null;
  if (confirming) {
    return (
      <Group>
        <Text size="sm">The records listed for destruction are destroyed for good.</Text>
        <Button
          size="xs"
          color="red"
          aria-label={`Confirm: destroy the records of retention run ${run.id}`}
          disabled={actions.busy}
          onClick={() => void actions.approve(run.id)}
        >
          Destroy them
        </Button>
        <Button size="xs" variant="default" aria-label={`Do not approve retention run ${run.id}`} disabled={actions.busy} onClick={() => setConfirming(false)}>
          Not now
        </Button>
      </Group>
    );
  }
  return (
    <Group>
      <Button size="xs" color="red" aria-label={`Approve retention run ${run.id}`} disabled={actions.busy} onClick={() => setConfirming(true)}>
        Approve
      </Button>
      <Button size="xs" variant="default" aria-label={`Cancel retention run ${run.id}`} disabled={actions.busy} onClick={() => void actions.cancel(run.id)}>
        Cancel
      </Button>
    </Group>
  );
}

/** Per source: what the run destroys (per record type and action), the oldest date, what it keeps and why, sample ids. */
function SourcesTable({ run }: { run: Run }) {
  return (
    <ScrollTable label={`Sources of retention run ${run.id}`}>
      <Table fz="sm" striped data-testid="retention-sources">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Source</Table.Th>
            <Table.Th scope="col">To destroy</Table.Th>
            <Table.Th scope="col">Oldest</Table.Th>
            <Table.Th scope="col">Kept, and why</Table.Th>
            <Table.Th scope="col">Sample record ids</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {run.sources.map((s) => (
            <Table.Tr key={s.sourceId} data-testid="retention-source" data-source={s.sourceId}>
              <Table.Td>
                <Code>{s.sourceId}</Code>
                {!s.listable && (
                  <Text size="xs" c="red">
                    Not listed: {s.error ?? 'the source cannot list its records past retention'}
                  </Text>
                )}
              </Table.Td>
              <Table.Td data-testid="to-destroy">
                {s.toDestroy.length === 0
                  ? 'nothing'
                  : s.toDestroy.map((c) => (
                      <div key={`${c.recordType}-${c.action}`}>
                        {c.count} {c.recordType} ({humanise(c.action)})
                      </div>
                    ))}
              </Table.Td>
              <Table.Td>{formatDate(s.oldest)}</Table.Td>
              <Table.Td data-testid="kept">
                {s.kept.length === 0
                  ? '—'
                  : s.kept.map((k) => (
                      <div key={k.reason}>
                        {k.count} {humanise(k.reason)}
                      </div>
                    ))}
              </Table.Td>
              <Table.Td>{s.sampleRecordIds.join(', ') || '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

function total(run: Run): number {
  return run.sources.reduce((sum, s) => sum + s.toDestroy.reduce((n, c) => n + c.count, 0), 0);
}

/** One run: status, who and when, the sources table, the outcome, and its actions. */
function RunCard({ run, actions, linkDetail }: { run: Run; actions: RunActionsState; linkDetail: boolean }) {
  return (
    <Card withBorder data-testid="retention-run" data-run={run.id} data-status={run.status}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h4">
            Run <Code>{run.id}</Code>{' '}
            <Badge color={STATUS_COLOR[run.status] ?? 'gray'} data-testid="run-status">
              {humanise(run.status)}
            </Badge>
          </Title>
          {linkDetail && (
            <Button component={Link} to={`/retention/${run.id}`} size="xs" variant="default" aria-label={`Details of retention run ${run.id}`}>
              Details
            </Button>
          )}
        </Group>
        <Text size="sm">
          Created {formatDate(run.createdAt, true)} by <Code>{run.preparedBy}</Code>
          {run.automatic ? ' (automatic: the source’s policy destroys without approval)' : ''} · as of {formatDate(run.asOf, true)} ·{' '}
          <span data-testid="run-total">{total(run)}</span> records to destroy in {run.sources.length} sources
        </Text>
        {run.approvedBy && (
          <Text size="sm">
            Approved by <Code>{run.approvedBy}</Code> {formatDate(run.approvedAt, true)}
          </Text>
        )}
        {run.cancelledBy && (
          <Text size="sm">
            Cancelled by <Code>{run.cancelledBy}</Code>
          </Text>
        )}
        {run.supersededBy && (
          <Text size="sm" data-testid="superseded-by">
            Superseded by a newer preview of the same sources:{' '}
            <Link to={`/retention/${run.supersededBy}`}>
              <Code>{run.supersededBy}</Code>
            </Link>
          </Text>
        )}
        {run.outcome && (
          <Text size="sm" data-testid="run-outcome">
            Destroyed and verified: {run.outcome.destroyed} · failed: {run.outcome.failed} · held since the preview: {run.outcome.heldSincePreview}
            {run.finishedAt ? ` · finished ${formatDate(run.finishedAt, true)}` : ''}
            {run.outcome.reasons.length > 0 ? ` · not complete: ${run.outcome.reasons.join('; ')}` : ''}
          </Text>
        )}
        <SourcesTable run={run} />
        <RunActions run={run} actions={actions} />
      </Stack>
    </Card>
  );
}

/** Prepare a preview of every active source, or of the ones ticked. */
function PrepareRun({ onDone }: { onDone: () => void }) {
  const [{ data }] = useQuery({ query: Docs.RetentionSourcesQuery });
  const [chosen, setChosen] = useState<string[]>([]);
  const [prepared, prepare] = useMutation(Docs.PrepareRetentionRunMutation);
  const active = data?.sources.filter((s) => s.status === 'ACTIVE') ?? [];
  return (
    <Card withBorder component="section" aria-label="Prepare a retention preview">
      <Stack gap="xs">
        <Title order={3} size="h4">
          Prepare a preview
        </Title>
        <Text size="sm" c="dimmed">
          Lists what is past retention now; nothing is destroyed until the preview is approved. An earlier preview of the same sources that nobody approved is
          superseded.
        </Text>
        <Checkbox.Group label="Sources (none ticked: every active source)" value={chosen} onChange={setChosen}>
          <Group mt={4}>
            {active.map((s) => (
              <Checkbox key={s.id} value={s.id} label={s.name} />
            ))}
          </Group>
        </Checkbox.Group>
        <ApiError error={prepared.error} title="The preview was not prepared" />
        <Button
          w="fit-content"
          loading={prepared.fetching}
          onClick={async () => {
            if (!(await prepare(chosen.length > 0 ? { sourceIds: chosen } : {})).error) onDone();
          }}
        >
          Prepare preview
        </Button>
      </Stack>
    </Card>
  );
}

/** Runs per page; one more is asked for, to know whether older ones exist. */
const PAGE = 20;

export default function Retention() {
  const { can } = useSession();
  // The last run of each page shown so far: the cursor of the page after it (null: the newest).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const [{ data, fetching, error }, reload] = useQuery({ query: Docs.RetentionRunsQuery, variables: { first: PAGE + 1, before } });
  const [refresh] = useState(() => () => reload({ requestPolicy: 'network-only' }));
  const actions = useRunActions(refresh);
  const runs = (data?.retentionRuns ?? []).slice(0, PAGE);
  const older = (data?.retentionRuns.length ?? 0) > PAGE;
  usePolling(
    runs.some((r) => r.status === 'EXECUTING'),
    refresh,
  );
  return (
    <Stack>
      <Title order={2}>Retention</Title>
      <Text size="sm" c="dimmed">
        Retention runs (R9), newest first: what each preview destroys per source and record type, what it keeps and why, and how execution went.
      </Text>
      {can('retention:approve') && (
        <PrepareRun
          onDone={() => {
            // The new preview is the newest run: back to the first page to show it.
            setCursors([null]);
            refresh();
          }}
        />
      )}
      <ApiError error={error} />
      <ApiError error={actions.error} title="The run did not change" />
      {fetching && !data && <Loader aria-label="Loading retention runs" />}
      {data && runs.length === 0 && <Text>No retention run yet.</Text>}
      {data && (
        <Stack data-testid="retention-runs">
          {runs.map((run) => (
            <RunCard key={run.id} run={run} actions={actions} linkDetail />
          ))}
        </Stack>
      )}
      <Group>
        <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer runs
        </Button>
        <Button variant="default" disabled={!older} onClick={() => setCursors([...cursors, runs[runs.length - 1]!.id])}>
          Older runs
        </Button>
      </Group>
    </Stack>
  );
}

const ACTIVE_TASK = new Set(['QUEUED', 'RUNNING', 'RETRYING', 'REOPENED']);

/** One run: its summary, its records (to destroy and kept) and its tasks' progress. */
export function RetentionRunPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reload] = useQuery({ query: Docs.RetentionRunQuery, variables: { id } });
  const [refresh] = useState(() => () => reload({ requestPolicy: 'network-only' }));
  const actions = useRunActions(refresh);
  const run = data?.retentionRun;
  usePolling(run?.status === 'EXECUTING', refresh);
  if (!data && fetching) return <Loader aria-label="Loading the retention run" />;
  if (!run) return <ApiError error={error ?? new Error('No answer')} title="The retention run could not be read" />;
  const byStatus = new Map<string, number>();
  for (const t of run.tasks) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
  const destroy = run.items.filter((i) => i.action);
  const kept = run.items.filter((i) => i.keptReason);
  return (
    <Stack>
      <Group>
        <Button component={Link} to="/retention" size="xs" variant="default">
          All retention runs
        </Button>
      </Group>
      <Title order={2}>Retention run</Title>
      <ApiError error={error} />
      <ApiError error={actions.error} title="The run did not change" />
      <RunCard run={run} actions={actions} linkDetail={false} />
      <Title order={3} size="h4">
        Tasks
      </Title>
      <Text size="sm" data-testid="task-progress">
        {run.tasks.length === 0
          ? 'No task yet (tasks are queued when the run is approved).'
          : `${run.tasks.length} tasks: ${[...byStatus].map(([s, n]) => `${n} ${humanise(s)}`).join(', ')}${
              run.tasks.some((t) => ACTIVE_TASK.has(t.status)) ? ' (still running)' : ''
            }`}
      </Text>
      {run.tasks.length > 0 && (
        <ScrollTable label="Tasks of the retention run">
          <Table fz="sm" striped data-testid="retention-tasks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Source</Table.Th>
                <Table.Th scope="col">Record</Table.Th>
                <Table.Th scope="col">Action</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Attempts</Table.Th>
                <Table.Th scope="col">Outcome</Table.Th>
                <Table.Th scope="col">Finished</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {run.tasks.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Code>{t.sourceId}</Code>
                  </Table.Td>
                  <Table.Td>{t.recordId}</Table.Td>
                  <Table.Td>{humanise(t.action)}</Table.Td>
                  <Table.Td>
                    {humanise(t.status)}
                    {t.lastError ? ` (${t.lastError})` : ''}
                  </Table.Td>
                  <Table.Td>{t.attempts}</Table.Td>
                  <Table.Td>{t.outcome ? humanise(t.outcome) : '—'}</Table.Td>
                  <Table.Td>{formatDate(t.finishedAt, true)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <Title order={3} size="h4">
        Records
      </Title>
      <Text size="sm">
        {destroy.length} to destroy and {kept.length} kept{run.items.length >= 200 ? ' (the first 200 records of the run)' : ''}.
      </Text>
      {run.items.length > 0 && (
        <ScrollTable label="Records of the retention run">
          <Table fz="sm" striped data-testid="retention-items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Source</Table.Th>
                <Table.Th scope="col">Record</Table.Th>
                <Table.Th scope="col">Type</Table.Th>
                <Table.Th scope="col">Retention from</Table.Th>
                <Table.Th scope="col">Action, or why kept</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {run.items.map((i) => (
                <Table.Tr key={`${i.sourceId}/${i.recordId}`}>
                  <Table.Td>
                    <Code>{i.sourceId}</Code>
                  </Table.Td>
                  <Table.Td>{i.recordId}</Table.Td>
                  <Table.Td>{i.recordType}</Table.Td>
                  <Table.Td>{formatDate(i.retentionStart)}</Table.Td>
                  <Table.Td>
                    {i.action ? humanise(i.action) : `Kept: ${humanise(i.keptReason ?? 'UNKNOWN')}${i.keptDetail ? ` (${i.keptDetail})` : ''}`}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
