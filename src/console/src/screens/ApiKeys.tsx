import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Code, Group, MultiSelect, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../graphql';
import { ScrollTable } from '../components/ScrollTable';
import { ApiError } from '../errors';
import { formatDate } from '../components/format';

const KeysQuery = graphql(`
  query ApiKeys($includeRevoked: Boolean) {
    apiKeys(includeRevoked: $includeRevoked) {
      id
      name
      roles
      controllerIds
      createdAt
      createdBy
      revokedAt
      lastUsedAt
    }
  }
`);
const CreateKey = graphql(`
  mutation CreateKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      clearKey
      key {
        id
        name
        roles
      }
    }
  }
`);
const RevokeKey = graphql(`
  mutation RevokeKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

const ROLES = ['ADMIN', 'HANDLER', 'SPECIAL_CATEGORY', 'AUDITOR', 'CONNECTOR', 'WORKER', 'MONITOR'] as const;
type Role = (typeof ROLES)[number];

export default function ApiKeys() {
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [{ data, error }, refetch] = useQuery({ query: KeysQuery, variables: { includeRevoked } });
  const [created, create] = useMutation(CreateKey);
  const [revoked, revoke] = useMutation(RevokeKey);
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['HANDLER']);
  const [controllers, setControllers] = useState('');
  const [secret, setSecret] = useState<string | null>(null);

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create({
      input: {
        name,
        roles,
        controllerIds: controllers
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      },
    });
    if (r.data) {
      setSecret(r.data.createApiKey.clearKey);
      setName('');
      refetch({ requestPolicy: 'network-only' });
    }
  };

  return (
    <Stack>
      <Title order={2}>API keys</Title>
      <Card withBorder component="form" onSubmit={onCreate}>
        <Title order={3} size="h4">
          Create a key
        </Title>
        <Group align="end" mt="xs">
          <TextInput label="Name (who holds it)" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={260} />
          <MultiSelect label="Roles" data={[...ROLES]} value={roles} onChange={(v) => setRoles(v as Role[])} w={320} />
          <TextInput label="Controllers (comma-separated; empty: all)" value={controllers} onChange={(e) => setControllers(e.currentTarget.value)} w={280} />
          <Button type="submit" loading={created.fetching}>
            Create key
          </Button>
        </Group>
        <ApiError error={created.error} />
        {secret && (
          <Alert color="green" title="Key created: copy it now, it is shown only once" mt="sm" data-testid="new-key">
            <Code block>{secret}</Code>
            <Button size="xs" variant="default" mt="xs" onClick={() => setSecret(null)}>
              I have copied it
            </Button>
          </Alert>
        )}
      </Card>
      <Checkbox label="Show revoked keys" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.currentTarget.checked)} />
      <ApiError error={error ?? revoked.error} />
      <ScrollTable label="API keys">
        <Table fz="sm" striped data-testid="keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Id</Table.Th>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Roles</Table.Th>
              <Table.Th scope="col">Controllers</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Last used</Table.Th>
              <Table.Th scope="col">State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data?.apiKeys.map((k) => (
              <Table.Tr key={k.id} data-testid="key-row" data-name={k.name}>
                <Table.Td>
                  <Code>{k.id}</Code>
                </Table.Td>
                <Table.Td>{k.name}</Table.Td>
                <Table.Td>{k.roles.join(', ')}</Table.Td>
                <Table.Td>{k.controllerIds.join(', ') || 'all'}</Table.Td>
                <Table.Td>{formatDate(k.createdAt, true)}</Table.Td>
                <Table.Td>{formatDate(k.lastUsedAt, true)}</Table.Td>
                <Table.Td>
                  {k.revokedAt ? (
                    <Badge color="gray">Revoked {formatDate(k.revokedAt)}</Badge>
                  ) : (
                    <Button
                      size="compact-xs"
                      color="red"
                      variant="light"
                      aria-label={`Revoke key ${k.name}`}
                      onClick={async () => {
                        await revoke({ id: k.id });
                        refetch({ requestPolicy: 'network-only' });
                      }}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </Stack>
  );
}
