import { Badge, Card, Code, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from 'urql';
import { graphql } from '../graphql';
import { ApiError } from '../errors';
import { humanise } from '../components/format';

const SourcesQuery = graphql(`
  query Sources {
    sources {
      id name kind type controllerIds registeredAt
      health { healthy detail latencyMs checkedAt }
      capabilities dataCategories
      fields { recordType field categories special }
      retention { summary statutory basis erasure }
      controller { role defaultControllerId note }
    }
  }
`);

export default function Sources() {
  const [{ data, fetching, error }] = useQuery({ query: SourcesQuery });
  return (
    <Stack>
      <Title order={2}>Sources</Title>
      <ApiError error={error} />
      {fetching && !data && <Loader aria-label="Loading sources" />}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {data?.sources.map((s) => (
          <Card withBorder key={s.id} data-testid="source-card">
            <Title order={3} size="h4">
              {s.name} <Code>{s.id}</Code>
            </Title>
            <Text size="sm">
              {humanise(s.kind)} · {s.type} connector ·{' '}
              <Badge color={s.health.healthy ? 'green' : 'red'}>
                {s.health.healthy ? 'Healthy' : 'Unreachable'}
              </Badge>{' '}
              {s.health.latencyMs != null ? `${s.health.latencyMs.toFixed(0)} ms` : ''} {s.health.healthy ? '' : s.health.detail}
            </Text>
            <Text size="sm">Can: {s.capabilities.join(', ') || '—'}</Text>
            <Text size="sm">Data categories: {s.dataCategories.join(', ')}</Text>
            <Text size="sm">
              Special categories: {[...new Set(s.fields.filter((f) => f.special).flatMap((f) => f.categories))].join(', ') || 'none'}
            </Text>
            <Text size="sm">Retention: {s.retention?.summary ?? 'unknown'}{s.retention?.statutory ? ` (statutory: ${s.retention.basis})` : ''}; erasure: {s.retention?.erasure ?? '—'}</Text>
            <Text size="sm">Controller role: {s.controller?.role ?? '—'}{s.controller?.defaultControllerId ? ` (${s.controller.defaultControllerId})` : ''}</Text>
            <Text size="sm">Fields: {s.fields.length} in {new Set(s.fields.map((f) => f.recordType)).size} record types</Text>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
