import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  List,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  type ComboboxItem,
  type OptionsFilter,
} from '@mantine/core';
import { useQuery } from 'urql';
import { graphql } from '../graphql';
import { ScrollTable } from '../components/ScrollTable';
import { ApiError } from '../errors';
import { formatDate } from '../components/format';
import { AuditActionName } from '../components/AuditActionName';
import { AUDIT_ACTION_LABELS } from '../components/audit-labels';

const AuditQuery = graphql(`
  query AuditLog($first: Int, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        seq
        at
        actorId
        actorKind
        action
        targetType
        targetId
        outcome
        controllerId
        hash
      }
    }
  }
`);

const ChainQuery = graphql(`
  query AuditChain {
    auditChainVerification {
      ok
      checked
      breaks {
        seq
        reason
      }
      verifiedAt
    }
  }
`);

type Outcome = 'SUCCESS' | 'DENIED' | 'FAILED';

// The Action filter: every recorded action by its label, sending its recorded name. A refused
// operation (`graphql.<field>`) is not among them: the Outcome filter (Denied) finds those.
const ACTION_OPTIONS: ComboboxItem[] = Object.entries(AUDIT_ACTION_LABELS).map(([value, label]) => ({ value, label }));

/** Typing matches the label or the recorded name (the log shows both). */
const byLabelOrName: OptionsFilter = ({ options, search }) => {
  const typed = search.trim().toLowerCase();
  return (options as ComboboxItem[]).filter((o) => o.label.toLowerCase().includes(typed) || o.value.toLowerCase().includes(typed));
};

/** The hash chain verified by the API when the screen opens (it reads every entry: not per page). */
function ChainState() {
  const [{ data, error, fetching }, verify] = useQuery({ query: ChainQuery, requestPolicy: 'network-only' });
  const v = data?.auditChainVerification;
  return (
    <Stack gap="xs" data-testid="chain-state" data-ok={v ? String(v.ok) : undefined}>
      <ApiError error={error} title="The chain could not be verified" />
      {fetching && !v && <Loader size="sm" aria-label="Verifying the audit chain" />}
      {v && v.ok && (
        <Alert color="green" variant="light" title="Chain intact">
          <Text size="sm">
            All {v.checked} entries verify: every hash recomputed, every link and the chain head checked ({formatDate(v.verifiedAt, true)}). Comparing with the
            signed checkpoints kept outside the database is done with <Code>npm run audit:verify -- --checkpoint</Code>.
          </Text>
        </Alert>
      )}
      {v && !v.ok && (
        <Alert color="red" variant="light" title="Chain broken: entries were changed or removed" role="alert">
          <Text size="sm">
            {v.checked} entries checked ({formatDate(v.verifiedAt, true)}); {v.breaks.length} broken:
          </Text>
          <List size="sm">
            {v.breaks.map((b) => (
              <List.Item key={b.seq}>
                Entry {b.seq}: {b.reason}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Button variant="default" size="xs" w="fit-content" loading={fetching} onClick={() => verify({ requestPolicy: 'network-only' })}>
        Verify the chain again
      </Button>
    </Stack>
  );
}

export default function AuditLog() {
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [target, setTarget] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filter = {
    ...(action ? { action } : {}),
    ...(actor ? { actor } : {}),
    ...(target ? { target } : {}),
    ...(outcome ? { outcome } : {}),
  };
  const [{ data, error, fetching }] = useQuery({ query: AuditQuery, variables: { first: 50, after: cursors[cursors.length - 1] ?? null, filter } });
  const reset = () => setCursors([null]);
  const page = data?.auditLog;
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <ChainState />
      <Group align="end">
        <Select
          label="Action"
          placeholder="Any"
          data={ACTION_OPTIONS}
          value={action || null}
          onChange={(v) => {
            setAction(v ?? '');
            reset();
          }}
          searchable
          filter={byLabelOrName}
          renderOption={({ option }) => (
            <div>
              <Text span size="sm" display="block">
                {option.label}
              </Text>
              <Code c="dimmed" fz="xs">
                {option.value}
              </Code>
            </div>
          )}
          clearable
          w={320}
        />
        <TextInput
          label="Actor (key id)"
          value={actor}
          onChange={(e) => {
            setActor(e.currentTarget.value);
            reset();
          }}
        />
        <TextInput
          label="Target id"
          value={target}
          onChange={(e) => {
            setTarget(e.currentTarget.value);
            reset();
          }}
        />
        <Select
          label="Outcome"
          placeholder="Any"
          data={['SUCCESS', 'DENIED', 'FAILED']}
          value={outcome}
          onChange={(v) => {
            setOutcome(v as Outcome | null);
            reset();
          }}
          clearable
          w={140}
        />
      </Group>
      <ApiError error={error} />
      <ScrollTable label="Audit entries">
        <Table fz="sm" striped aria-busy={fetching} data-testid="audit">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Seq</Table.Th>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Actor</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
              <Table.Th scope="col">Target</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Hash</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {page?.nodes.map((e) => (
              <Table.Tr key={e.seq} data-testid="audit-row">
                <Table.Td>{e.seq}</Table.Td>
                <Table.Td>{formatDate(e.at, true)}</Table.Td>
                <Table.Td>
                  {e.actorKind} <Code>{e.actorId}</Code>
                </Table.Td>
                <Table.Td data-testid="audit-action">
                  <AuditActionName action={e.action} />
                </Table.Td>
                <Table.Td>
                  {e.targetType} {e.targetId ? <Code>{e.targetId.slice(0, 12)}</Code> : null}
                </Table.Td>
                <Table.Td>
                  <Badge color={e.outcome === 'SUCCESS' ? 'green' : 'red'}>{e.outcome}</Badge>
                </Table.Td>
                <Table.Td>
                  <Code>{e.hash.slice(0, 10)}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      <Group>
        <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </Button>
        <Button
          variant="default"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}
        >
          Older
        </Button>
      </Group>
    </Stack>
  );
}
