import { useState } from 'react';
import { Anchor, Button, Checkbox, Group, MultiSelect, Select, Stack, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql, type VariablesOf } from '../graphql';
import { ScrollTable } from '../components/ScrollTable';
import { ApiError } from '../errors';
import { DeadlineBadge } from '../components/DeadlineBadge';
import { formatDate, humanise } from '../components/format';
import { useSession } from '../session';
import { IDENTIFIER_TYPES, identifierInput, type IdentifierRow, type IdentifierType } from '../components/identifiers';
import { PhoneCountrySelect } from '../components/PhoneCountrySelect';

const RequestsQuery = graphql(`
  query Inbox($first: Int, $after: String, $filter: RequestFilter, $orderBy: RequestOrder) {
    requests(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        type
        status
        channel
        receivedAt
        effectiveDueAt
        acknowledgeBy
        deadlineStanding
        acknowledgementStanding
      }
    }
  }
`);

type Filter = NonNullable<VariablesOf<typeof RequestsQuery>['filter']>;
type Status = NonNullable<Filter['status']>[number];
type Kind = NonNullable<Filter['type']>[number];
type Order = NonNullable<VariablesOf<typeof RequestsQuery>['orderBy']>;

const STATUSES: Status[] = [
  'RECEIVED',
  'IDENTITY_VERIFIED',
  'AWAITING_CONTROLLER',
  'IN_REVIEW',
  'APPROVED',
  'EXECUTING',
  'COMPLETED',
  'PARTIALLY_COMPLETED',
  'REJECTED',
  'CANCELLED',
  'ON_HOLD',
];
const TYPES: Kind[] = ['ACCESS', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'OBJECTION'];
// Suggestions only: a channel is free text at submission, so any value may be typed.
const CHANNELS = ['email', 'post', 'web form', 'phone'];
const ORDERS: { value: Order; label: string }[] = [
  { value: 'NEWEST', label: 'Newest first' },
  { value: 'DAYS_LEFT', label: 'Fewest days left first' },
];
const PAGE = 25;

export function Inbox() {
  const { can } = useSession();
  const [status, setStatus] = useState<Status[]>([]);
  const [types, setTypes] = useState<Kind[]>([]);
  const [channels, setChannels] = useState<string[]>([]);
  const [orderBy, setOrderBy] = useState<Order>('NEWEST');
  const [overdue, setOverdue] = useState(false);
  const [dueSoon, setDueSoon] = useState(false);
  const [failedTasks, setFailedTasks] = useState(false);
  // The search is kept in memory only: never in the address or in browser storage.
  const [draft, setDraft] = useState<IdentifierRow>({ type: 'EMAIL', value: '' });
  const [identifier, setIdentifier] = useState<ReturnType<typeof identifierInput> | null>(null);
  // Cursors of the pages seen so far, to go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const filter: Filter = {
    ...(status.length ? { status } : {}),
    ...(types.length ? { type: types } : {}),
    ...(channels.length ? { channel: channels } : {}),
    ...(overdue ? { overdue: true } : {}),
    ...(dueSoon ? { dueSoon: true } : {}),
    ...(failedTasks ? { failedTasks: true } : {}),
    ...(identifier ? { identifier } : {}),
  };
  const [{ data, fetching, error }] = useQuery({ query: RequestsQuery, variables: { first: PAGE, after, filter, orderBy } });
  const reset = () => setCursors([null]);
  const page = data?.requests;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Inbox</Title>
        {can('request:write') && (
          <Button component={Link} to="/requests/new">
            New request
          </Button>
        )}
      </Group>
      <Group
        align="end"
        component="form"
        role="search"
        aria-label="Search by an identifier"
        onSubmit={(e) => {
          e.preventDefault();
          setIdentifier(draft.value.trim() ? identifierInput(draft) : null);
          reset();
        }}
      >
        <Select
          label="Identifier type"
          data={IDENTIFIER_TYPES.map((t) => ({ value: t, label: humanise(t) }))}
          value={draft.type}
          onChange={(v) => v && setDraft({ ...draft, type: v as IdentifierType })}
          allowDeselect={false}
          w={200}
        />
        <TextInput
          label="Identifier value"
          description="Found through the keyed blind index; audited"
          value={draft.value}
          onChange={(e) => setDraft({ ...draft, value: e.currentTarget.value })}
          autoComplete="off"
          w={280}
        />
        {draft.type === 'PHONE' && <PhoneCountrySelect label="Country" value={draft.country} onChange={(country) => setDraft({ ...draft, country })} />}
        <Button type="submit" variant="default">
          Search
        </Button>
        {identifier && (
          <Button
            variant="subtle"
            onClick={() => {
              setIdentifier(null);
              setDraft({ ...draft, value: '' });
              reset();
            }}
          >
            Clear the search
          </Button>
        )}
      </Group>
      <Group align="end" component="form" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <MultiSelect
          label="Status"
          placeholder="Any status"
          data={STATUSES.map((s) => ({ value: s, label: humanise(s) }))}
          value={status}
          onChange={(v) => {
            setStatus(v as Status[]);
            reset();
          }}
          clearable
          w={280}
        />
        <MultiSelect
          label="Type"
          placeholder="Any type"
          data={TYPES.map((s) => ({ value: s, label: humanise(s) }))}
          value={types}
          onChange={(v) => {
            setTypes(v as Kind[]);
            reset();
          }}
          clearable
          w={240}
        />
        <TagsInput
          label="Channel"
          description="Type one and press Enter"
          placeholder="Any channel"
          data={CHANNELS}
          value={channels}
          onChange={(v) => {
            setChannels(v);
            reset();
          }}
          clearable
          w={240}
        />
        <Select
          label="Order"
          data={ORDERS}
          value={orderBy}
          onChange={(v) => {
            if (v) setOrderBy(v as Order);
            reset();
          }}
          allowDeselect={false}
          w={220}
        />
        <Checkbox
          label="Overdue"
          checked={overdue}
          onChange={(e) => {
            setOverdue(e.currentTarget.checked);
            reset();
          }}
        />
        <Checkbox
          label="Due soon"
          checked={dueSoon}
          onChange={(e) => {
            setDueSoon(e.currentTarget.checked);
            reset();
          }}
        />
        <Checkbox
          label="Failed tasks"
          checked={failedTasks}
          onChange={(e) => {
            setFailedTasks(e.currentTarget.checked);
            reset();
          }}
        />
        <Checkbox
          label="Awaiting controller"
          checked={status.length === 1 && status[0] === 'AWAITING_CONTROLLER'}
          onChange={(e) => {
            setStatus(e.currentTarget.checked ? ['AWAITING_CONTROLLER'] : []);
            reset();
          }}
        />
      </Group>
      <ApiError error={error} />
      <ScrollTable label="Requests">
        <Table striped highlightOnHover aria-busy={fetching} data-testid="inbox">
          <Table.Caption>
            {page
              ? `${page.totalCount} request${page.totalCount === 1 ? '' : 's'}${identifier ? ' of the person searched for' : ''}, page ${cursors.length} of ${Math.max(1, Math.ceil(page.totalCount / PAGE))}`
              : 'Loading…'}
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Request</Table.Th>
              <Table.Th scope="col">Type</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Channel</Table.Th>
              <Table.Th scope="col">Received</Table.Th>
              <Table.Th scope="col" aria-sort={orderBy === 'DAYS_LEFT' ? 'ascending' : undefined}>
                Due{orderBy === 'DAYS_LEFT' ? ' ▲' : ''}
              </Table.Th>
              <Table.Th scope="col">Deadline</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {page?.nodes.map((r) => (
              <Table.Tr key={r.id} data-testid="inbox-row">
                <Table.Td>
                  <Anchor component={Link} to={`/requests/${r.id}`} ff="monospace" size="sm">
                    {r.id.slice(0, 8)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{humanise(r.type)}</Table.Td>
                <Table.Td>{humanise(r.status)}</Table.Td>
                <Table.Td>{r.channel ?? '—'}</Table.Td>
                <Table.Td>{formatDate(r.receivedAt)}</Table.Td>
                <Table.Td>{formatDate(r.effectiveDueAt ?? r.acknowledgeBy)}</Table.Td>
                <Table.Td>
                  <DeadlineBadge standing={r.deadlineStanding} dueAt={r.effectiveDueAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      {page && page.nodes.length === 0 && <Text>No request matches these filters.</Text>}
      <Group>
        <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </Button>
        <Button
          variant="default"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}
        >
          Next page
        </Button>
      </Group>
    </Stack>
  );
}
