import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Card, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useClient } from 'urql';
import { graphql, type ResultOf } from '../graphql';
import { ScrollTable } from '../components/ScrollTable';
import { ApiError } from '../errors';
import { IdentifierFields } from '../components/IdentifierFields';
import { identifierInput, type IdentifierRow } from '../components/identifiers';
import { Waterfall } from '../components/Waterfall';
import { humanise } from '../components/format';

// Ad hoc discovery: audited by the API like any other discovery (discovery.run).
const SubjectQuery = graphql(`
  query FindPerson($query: SubjectQueryInput!) {
    subject(query: $query) {
      complete
      rounds
      roundLimitReached
      sources {
        sourceId
        status
        error
        errorCode
        records
        source {
          name
        }
      }
      records {
        sourceId
        recordId
        recordType
        band
        score
        relationship
        categories
        withheldFields
        data
        source {
          name
          kind
        }
        retention {
          retainUntil
          statutory
          legalHold
          expired
          summary
        }
        explanation {
          field
          kind
          level
          weight
        }
      }
    }
  }
`);

type Answer = ResultOf<typeof SubjectQuery>['subject'];

export default function FindPerson() {
  const client = useClient();
  const [rows, setRows] = useState<IdentifierRow[]>([{ type: 'EMAIL', value: '' }]);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await client
      .query(SubjectQuery, { query: { identifiers: rows.filter((x) => x.value.trim()).map(identifierInput) } }, { requestPolicy: 'network-only' })
      .toPromise();
    setBusy(false);
    setError(r.error ?? null);
    setAnswer(r.data?.subject ?? null);
  };

  return (
    <Stack>
      <Title order={2}>Find a person</Title>
      <Card withBorder component="form" onSubmit={onSubmit}>
        <Text size="sm" mb="xs">
          Searches every source you may see. The search is recorded in the audit log; identifiers are never put in the address bar.
        </Text>
        <IdentifierFields rows={rows} onChange={setRows} />
        <Button type="submit" mt="sm" loading={busy} w="fit-content">
          Search
        </Button>
      </Card>
      <ApiError error={error} />
      {answer && (
        <Stack>
          {!answer.complete && (
            <Alert color="red" title="Partial answer" role="alert">
              A source failed or timed out: this is not every record.
            </Alert>
          )}
          <ScrollTable label="Sources asked">
            <Table fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Source</Table.Th>
                  <Table.Th scope="col">Outcome</Table.Th>
                  <Table.Th scope="col">Records</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {answer.sources.map((s) => (
                  <Table.Tr key={s.sourceId}>
                    <Table.Td>{s.source.name}</Table.Td>
                    <Table.Td>
                      <Badge color={s.status === 'ANSWERED' ? 'green' : 'red'}>{humanise(s.status)}</Badge> {s.error}
                    </Table.Td>
                    <Table.Td>{s.records}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {answer.records.map((r) => {
            const ref = `${r.sourceId}/${r.recordId}`;
            return (
              <Card withBorder key={ref} data-testid="found-record">
                <Text fw={600}>
                  {r.source.name}: {r.recordType} <Code>{r.recordId}</Code> <Badge color={r.band === 'MATCH' ? 'green' : 'yellow'}>{r.band}</Badge>{' '}
                  {(r.score * 100).toFixed(1)} % · {humanise(r.relationship)}
                </Text>
                <Text size="sm">
                  Categories: {r.categories.join(', ')} · Retention: {r.retention.summary ?? '—'}
                  {r.retention.legalHold ? ' · legal hold' : ''}
                </Text>
                {r.withheldFields.length > 0 && <Text size="sm">Withheld as special-category data: {r.withheldFields.join(', ')}</Text>}
                <Text component="pre" size="xs" style={{ whiteSpace: 'pre-wrap' }}>
                  {JSON.stringify(r.data, null, 2)}
                </Text>
                <Button size="compact-xs" variant="default" w="fit-content" aria-expanded={open === ref} onClick={() => setOpen(open === ref ? null : ref)}>
                  {open === ref ? 'Hide the explanation' : 'Explain the match'}
                </Button>
                {open === ref && <Waterfall bars={r.explanation} score={r.score} label={`${r.recordType} ${r.recordId}`} />}
              </Card>
            );
          })}
        </Stack>
      )}
    </Stack>
  );
}
