import { useState, type FormEvent } from 'react';
import { Badge, Button, Card, Code, Stack, Table, Title } from '@mantine/core';
import { useClient } from 'urql';
import { graphql, type ResultOf } from '../graphql';
import { ScrollTable } from '../components/ScrollTable';
import { ApiError } from '../errors';
import { IdentifierFields } from '../components/IdentifierFields';
import { identifierInput, type IdentifierRow } from '../components/identifiers';
import { humanise } from '../components/format';

const CheckQuery = graphql(`
  query TombstoneCheck($identifiers: [IdentifierInput!]!) {
    tombstoneCheck(identifiers: $identifiers) {
      anyTombstoned
      results {
        type
        tombstoned
        requestId
      }
    }
  }
`);

type Answer = ResultOf<typeof CheckQuery>['tombstoneCheck']['results'][number];

/**
 * The request that erased the person. A feed's key bound to controllers learns that someone
 * was erased by a request of another controller without learning which request (requestId
 * null): that is said in words, apart from "—" (not erased).
 */
function requestCell(r: Answer) {
  if (r.requestId) return <Code>{r.requestId}</Code>;
  return r.tombstoned ? 'erased — request outside your controllers' : '—';
}

export default function TombstoneCheck() {
  const client = useClient();
  const [rows, setRows] = useState<IdentifierRow[]>([{ type: 'EMAIL', value: '' }]);
  const [answer, setAnswer] = useState<ResultOf<typeof CheckQuery>['tombstoneCheck'] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await client
      .query(CheckQuery, { identifiers: rows.filter((x) => x.value.trim()).map(identifierInput) }, { requestPolicy: 'network-only' })
      .toPromise();
    setError(r.error ?? null);
    setAnswer(r.data?.tombstoneCheck ?? null);
  };
  return (
    <Stack>
      <Title order={2}>Tombstone check</Title>
      <Card withBorder component="form" onSubmit={onSubmit}>
        <IdentifierFields rows={rows} onChange={setRows} />
        <Button type="submit" mt="sm" w="fit-content">
          Check
        </Button>
      </Card>
      <ApiError error={error} />
      {answer && (
        <ScrollTable label="Tombstone answers">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Identifier</Table.Th>
                <Table.Th scope="col">Tombstoned</Table.Th>
                <Table.Th scope="col">By request</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.results.map((r, i) => (
                <Table.Tr key={i}>
                  <Table.Td>
                    {humanise(r.type)} #{i + 1}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={r.tombstoned ? 'red' : 'gray'}>{r.tombstoned ? 'Erased person' : 'Not tombstoned'}</Badge>
                  </Table.Td>
                  <Table.Td data-testid="tombstone-request">{requestCell(r)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
