import { useState } from 'react';
import { Badge, Button, Card, Code, Group, Loader, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../graphql';
import { ApiError } from '../errors';
import { humanise } from '../components/format';
import { useSession } from '../session';
import { SourceChanges } from '../components/SourceChanges';

const SourcesQuery = graphql(`
  query Sources {
    sources {
      id
      name
      kind
      type
      controllerIds
      registeredAt
      status
      reviewedBy
      approvedAt
      approvalToken
      pendingChanges {
        aspect
        change
        before
        after
      }
      recordCount
      health {
        healthy
        detail
        latencyMs
        checkedAt
      }
      capabilities
      dataCategories
      fields {
        recordType
        field
        categories
        special
      }
      retention {
        summary
        statutory
        basis
        erasure
      }
      controller {
        role
        defaultControllerId
        note
      }
    }
  }
`);

const RegisterMutation = graphql(`
  mutation RegisterSource($input: RegisterSourceInput!) {
    registerSource(input: $input) {
      id
      status
    }
  }
`);

const DisableMutation = graphql(`
  mutation DisableSource($id: ID!) {
    disableSource(id: $id) {
      id
      status
    }
  }
`);

const ApproveMutation = graphql(`
  mutation ApproveSource($id: ID!, $token: String) {
    approveSource(id: $id, approvalToken: $token) {
      id
      status
    }
  }
`);

const EnableMutation = graphql(`
  mutation EnableSource($id: ID!) {
    enableSource(id: $id) {
      id
      status
    }
  }
`);

type Kind = 'CASE_MANAGEMENT' | 'CLINIC' | 'TRAINING' | 'CONCIERGE' | 'RECRUITMENT' | 'CCTV' | 'OTHER';
const KINDS: Kind[] = ['CASE_MANAGEMENT', 'CLINIC', 'TRAINING', 'CONCIERGE', 'RECRUITMENT', 'CCTV', 'OTHER'];

/** A JSON field of the form: its value, or the reason it cannot be read. */
function parseJson(text: string, required: boolean): { value: unknown } | { problem: string } {
  if (!text.trim()) return required ? { problem: 'Required' } : { value: null };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { problem: 'Not valid JSON' };
  }
}

/** Registration for administrators; secrets are named as environment variables, never typed in. */
function RegisterSource({ onDone }: { onDone: () => void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('OTHER');
  const [type, setType] = useState('remote');
  const [json, setJson] = useState({ connection: '', controller: '', retention: '', mapping: '' });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [result, register] = useMutation(RegisterMutation);

  const submit = async () => {
    const parsed = {
      connection: parseJson(json.connection, true),
      controller: parseJson(json.controller, false),
      retention: parseJson(json.retention, false),
      mapping: parseJson(json.mapping, false),
    };
    const found = Object.fromEntries(Object.entries(parsed).flatMap(([k, p]) => ('problem' in p ? [[k, p.problem]] : [])));
    if (!name.trim()) found.name = 'Required';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const value = (k: keyof typeof parsed) => ('value' in parsed[k] ? parsed[k].value : null);
    const answer = await register({
      input: {
        ...(id.trim() ? { id: id.trim() } : {}),
        name: name.trim(),
        kind,
        type,
        connection: value('connection'),
        controller: value('controller'),
        retention: value('retention'),
        mapping: value('mapping'),
      },
    });
    if (!answer.error) {
      setId('');
      setName('');
      setJson({ connection: '', controller: '', retention: '', mapping: '' });
      onDone();
    }
  };

  const jsonField = (key: keyof typeof json, label: string, description: string) => (
    <Textarea
      label={label}
      description={description}
      value={json[key]}
      onChange={(e) => setJson({ ...json, [key]: e.currentTarget.value })}
      error={problems[key]}
      autosize
      minRows={2}
      styles={{ input: { fontFamily: 'monospace' } }}
    />
  );

  return (
    <Card
      withBorder
      component="form"
      aria-label="Register a source"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Title order={3} size="h4">
        Register a source
      </Title>
      <Text size="sm" c="dimmed">
        Registering an existing id updates it. Secrets are named as environment variables (<Code>secretEnv</Code>, <Code>urlEnv</Code>, <Code>passwordEnv</Code>
        ), never typed here. See docs/connectors.md.
      </Text>
      <Stack gap="xs" mt="xs">
        <Group align="start">
          <TextInput
            label="Id (optional)"
            description="Lower-case letters, digits, - and _"
            value={id}
            onChange={(e) => setId(e.currentTarget.value)}
            w={220}
          />
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problems.name} w={260} />
          <Select
            label="Kind"
            data={KINDS.map((k) => ({ value: k, label: humanise(k) }))}
            value={kind}
            onChange={(v) => v && setKind(v as Kind)}
            allowDeselect={false}
            w={200}
          />
          <Select label="Connector type" data={['builtin', 'sql', 'remote']} value={type} onChange={(v) => v && setType(v)} allowDeselect={false} w={140} />
        </Group>
        {jsonField('connection', 'Connection (JSON)', 'remote: {"baseUrl": "https://…", "secretEnv": "DSR_SOURCE_SECRET_…"}; sql: {"urlEnv": "…"}')}
        {jsonField('controller', 'Controller (JSON, optional)', '{"role": "CONTROLLER"} or {"role": "PROCESSOR", "defaultControllerId": "…"}')}
        {jsonField('retention', 'Retention (JSON, optional)', '{"summary": "…", "activePeriod": "P2Y", "statutory": false}')}
        {type === 'sql' && jsonField('mapping', 'Mapping (JSON, sql only)', '{"recordTypes": [ … ]}')}
        <ApiError error={result.error} title="The source was not registered" />
        <Button type="submit" w="fit-content" loading={result.fetching}>
          Register source
        </Button>
      </Stack>
    </Card>
  );
}

export default function Sources() {
  const { can } = useSession();
  const [{ data, fetching, error }, reload] = useQuery({ query: SourcesQuery });
  const [disabled, disable] = useMutation(DisableMutation);
  const [enabled, enable] = useMutation(EnableMutation);
  const [approved, approve] = useMutation(ApproveMutation);
  const refresh = () => reload({ requestPolicy: 'network-only' });
  return (
    <Stack>
      <Title order={2}>Sources</Title>
      <ApiError error={error} />
      <ApiError error={disabled.error ?? enabled.error ?? approved.error} title="The source’s status did not change" />
      {fetching && !data && <Loader aria-label="Loading sources" />}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {data?.sources.map((s) => (
          <Card withBorder key={s.id} data-testid="source-card" data-status={s.status}>
            <Title order={3} size="h4">
              {s.name} <Code>{s.id}</Code>
            </Title>
            <Text size="sm">
              {humanise(s.kind)} · {s.type} connector · <Badge color={s.status === 'ACTIVE' ? 'green' : 'gray'}>{humanise(s.status)}</Badge>{' '}
              <Badge color={s.health.healthy ? 'green' : 'red'}>{s.health.healthy ? 'Healthy' : 'Unreachable'}</Badge>{' '}
              {s.health.latencyMs != null ? `${s.health.latencyMs.toFixed(0)} ms` : ''} {s.health.healthy ? '' : s.health.detail}
            </Text>
            <Text size="sm" data-testid="record-count">
              Records:{' '}
              {s.recordCount != null ? s.recordCount.toLocaleString('en-GB') : 'not known (the source cannot count, is not active, or has not answered yet)'}
            </Text>
            <Text size="sm">Can: {s.capabilities.join(', ') || '—'}</Text>
            <Text size="sm">Data categories: {s.dataCategories.join(', ')}</Text>
            <Text size="sm">Special categories: {[...new Set(s.fields.filter((f) => f.special).flatMap((f) => f.categories))].join(', ') || 'none'}</Text>
            <Text size="sm">
              Retention: {s.retention?.summary ?? 'unknown'}
              {s.retention?.statutory ? ` (statutory: ${s.retention.basis})` : ''}; erasure: {s.retention?.erasure ?? '—'}
            </Text>
            <Text size="sm">
              Controller role: {s.controller?.role ?? '—'}
              {s.controller?.defaultControllerId ? ` (${s.controller.defaultControllerId})` : ''}
            </Text>
            <Text size="sm">
              Fields: {s.fields.length} in {new Set(s.fields.map((f) => f.recordType)).size} record types
            </Text>
            <SourceChanges changes={s.pendingChanges} neverApproved={s.approvedAt == null} />
            {s.status !== 'ACTIVE' && s.reviewedBy && (
              <Text size="sm">
                Status last changed by <Code>{s.reviewedBy}</Code>
              </Text>
            )}
            <Group mt="xs">
              {can('source:register') && s.status === 'ACTIVE' && (
                <Button
                  size="xs"
                  variant="default"
                  color="red"
                  aria-label={`Disable source ${s.id}`}
                  loading={disabled.fetching}
                  onClick={async () => {
                    if (!(await disable({ id: s.id })).error) refresh();
                  }}
                >
                  Disable
                </Button>
              )}
              {can('source:approve') && s.status === 'PENDING_APPROVAL' && (
                <Button
                  size="xs"
                  variant="default"
                  aria-label={`Approve source ${s.id}`}
                  loading={approved.fetching}
                  onClick={async () => {
                    // Approves only what this card shows: a registration changed since is refused.
                    if (!(await approve({ id: s.id, token: s.approvalToken })).error) refresh();
                  }}
                >
                  Approve
                </Button>
              )}
              {can('source:approve') && s.status === 'DISABLED' && (
                <Button
                  size="xs"
                  variant="default"
                  aria-label={`Enable source ${s.id}`}
                  loading={enabled.fetching}
                  onClick={async () => {
                    if (!(await enable({ id: s.id })).error) refresh();
                  }}
                >
                  Enable
                </Button>
              )}
            </Group>
          </Card>
        ))}
      </SimpleGrid>
      {can('source:register') && <RegisterSource onDone={refresh} />}
    </Stack>
  );
}
