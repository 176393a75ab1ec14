import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Card, Group, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../graphql';
import { ApiError } from '../errors';
import { IdentifierFields } from '../components/IdentifierFields';
import { identifierInput, type IdentifierRow } from '../components/identifiers';

const SubmitRequest = graphql(`
  mutation SubmitRequest($input: SubmitRequestInput!) {
    submitRequest(input: $input) {
      id
      status
      possibleDuplicateOf
    }
  }
`);

const TYPES = ['ACCESS', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'OBJECTION'] as const;
type Kind = (typeof TYPES)[number];
interface Correction {
  field: string;
  value: string;
  reason: string;
}

export default function NewRequest() {
  const navigate = useNavigate();
  const [type, setType] = useState<Kind>('ACCESS');
  const [rows, setRows] = useState<IdentifierRow[]>([
    { type: 'GIVEN_NAME', value: '' },
    { type: 'FAMILY_NAME', value: '' },
    { type: 'DATE_OF_BIRTH', value: '' },
    { type: 'EMAIL', value: '' },
  ]);
  const [receivedOn, setReceivedOn] = useState('');
  const [jurisdiction, setJurisdiction] = useState('');
  const [channel, setChannel] = useState('email');
  const [scope, setScope] = useState('');
  const [corrections, setCorrections] = useState<Correction[]>([{ field: '', value: '', reason: '' }]);
  const [result, submit] = useMutation(SubmitRequest);
  const [created, setCreated] = useState<{ id: string; duplicates: string[] } | null>(null);

  // The API names the identifier type it could not read: mark those rows.
  const gqlError = result.error?.graphQLErrors[0];
  const badType = (gqlError?.extensions as { identifierType?: string } | undefined)?.identifierType;
  const rowErrors: Record<number, string> = {};
  if (badType)
    rows.forEach((r, i) => {
      if (r.type === badType) rowErrors[i] = gqlError!.message;
    });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await submit({
      input: {
        type,
        identifiers: rows.filter((r) => r.value.trim()).map(identifierInput),
        receivedAt: receivedOn ? new Date(receivedOn).toISOString() : null,
        jurisdiction: jurisdiction || null,
        channel: channel || null,
        scope: scope || null,
        corrections: type === 'RECTIFICATION' ? corrections.filter((c) => c.field) : null,
      },
    });
    const r = answer.data?.submitRequest;
    if (!r) return;
    if (r.possibleDuplicateOf.length) setCreated({ id: r.id, duplicates: r.possibleDuplicateOf });
    else navigate(`/requests/${r.id}`);
  };

  if (created) {
    return (
      <Stack>
        <Title order={2}>Request received</Title>
        <Alert color="yellow" title="Possible duplicates">
          Other requests share an identifier with this one (reported, never merged):{' '}
          {created.duplicates.map((d) => (
            <Anchor key={d} component={Link} to={`/requests/${d}`} mr="xs">
              {d.slice(0, 8)}
            </Anchor>
          ))}
        </Alert>
        <Button component={Link} to={`/requests/${created.id}`} w="fit-content">
          Open the new request
        </Button>
      </Stack>
    );
  }

  return (
    <Stack component="form" onSubmit={onSubmit}>
      <Title order={2}>New request</Title>
      <Card withBorder>
        <Group align="start">
          <Select
            label="Type"
            data={TYPES.map((t) => ({ value: t, label: t.charAt(0) + t.slice(1).toLowerCase() }))}
            value={type}
            onChange={(v) => v && setType(v as Kind)}
            allowDeselect={false}
            w={200}
          />
          <TextInput
            label="Received on"
            type="date"
            value={receivedOn}
            onChange={(e) => setReceivedOn(e.currentTarget.value)}
            description="Default: now"
            w={180}
          />
          <TextInput
            label="Jurisdiction"
            placeholder="GB"
            value={jurisdiction}
            onChange={(e) => setJurisdiction(e.currentTarget.value.toUpperCase())}
            description="Holiday calendar"
            w={140}
          />
          <TextInput label="Channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)} w={160} />
        </Group>
      </Card>
      <Card withBorder>
        <Title order={3} size="h4" mb="xs">
          The person’s identifiers
        </Title>
        <Text size="sm" mb="xs">
          Stored encrypted; never shown in addresses or logs.
        </Text>
        <IdentifierFields rows={rows} onChange={setRows} errors={rowErrors} />
      </Card>
      <Textarea label="What the person asks about (their words)" value={scope} onChange={(e) => setScope(e.currentTarget.value)} autosize minRows={2} />
      {type === 'RECTIFICATION' && (
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            Corrections asked for
          </Title>
          {corrections.map((c, i) => (
            <Group key={i} align="start">
              <TextInput
                label={`Correction ${i + 1} field`}
                value={c.field}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setCorrections(corrections.map((x, j) => (j === i ? { ...x, field: v } : x)));
                }}
              />
              <TextInput
                label={`Correction ${i + 1} new value`}
                value={c.value}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setCorrections(corrections.map((x, j) => (j === i ? { ...x, value: v } : x)));
                }}
              />
              <TextInput
                label={`Correction ${i + 1} reason`}
                value={c.reason}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setCorrections(corrections.map((x, j) => (j === i ? { ...x, reason: v } : x)));
                }}
              />
            </Group>
          ))}
          <Button variant="default" size="xs" mt="xs" w="fit-content" onClick={() => setCorrections([...corrections, { field: '', value: '', reason: '' }])}>
            Add a correction
          </Button>
        </Card>
      )}
      <ApiError error={result.error} title="The request was not submitted" />
      <Button type="submit" loading={result.fetching} w="fit-content">
        Submit request
      </Button>
    </Stack>
  );
}
