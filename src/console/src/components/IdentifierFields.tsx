import { ActionIcon, Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { humanise } from './format';
import { IDENTIFIER_TYPES, type IdentifierRow, type IdentifierType } from './identifiers';
import { PhoneCountrySelect } from './PhoneCountrySelect';

/**
 * Rows of identifier type and value; `errors` maps a row index to the API's message for it.
 * A phone row also offers the country its number was written in.
 */
export function IdentifierFields({
  rows,
  onChange,
  errors = {},
}: {
  rows: IdentifierRow[];
  onChange: (rows: IdentifierRow[]) => void;
  errors?: Record<number, string>;
}) {
  const set = (i: number, row: Partial<IdentifierRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...row } : r)));
  return (
    <Stack gap="xs">
      {rows.map((r, i) => (
        <Group key={i} align="start" wrap="nowrap">
          <Select
            label={`Identifier ${i + 1} type`}
            data={IDENTIFIER_TYPES.map((t) => ({ value: t, label: humanise(t) }))}
            value={r.type}
            onChange={(v) => v && set(i, { type: v as IdentifierType })}
            w={200}
            allowDeselect={false}
          />
          <TextInput
            label={`Identifier ${i + 1} value`}
            value={r.value}
            onChange={(e) => set(i, { value: e.currentTarget.value })}
            error={errors[i]}
            w={320}
            autoComplete="off"
          />
          {r.type === 'PHONE' && <PhoneCountrySelect label={`Identifier ${i + 1} country`} value={r.country} onChange={(country) => set(i, { country })} />}
          <ActionIcon
            variant="default"
            mt={26}
            aria-label={`Remove identifier ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
            disabled={rows.length === 1}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Button variant="default" size="xs" w="fit-content" onClick={() => onChange([...rows, { type: 'EMAIL', value: '' }])}>
        Add an identifier
      </Button>
    </Stack>
  );
}
