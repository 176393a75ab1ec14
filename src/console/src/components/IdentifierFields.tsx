import { ActionIcon, Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { humanise } from './format';
import { IDENTIFIER_TYPES, PHONE_COUNTRIES, type IdentifierRow, type IdentifierType } from './identifiers';

const regionNames = new Intl.DisplayNames(['en-GB'], { type: 'region', fallback: 'code' });
const COUNTRY_OPTIONS = PHONE_COUNTRIES.map((code) => ({ value: code, label: `${code} — ${regionNames.of(code) ?? code}` }));

/**
 * Rows of identifier type and value; `errors` maps a row index to the API's message for it.
 * With `phoneCountry`, a phone row also offers the country its number was written in.
 */
export function IdentifierFields({
  rows,
  onChange,
  errors = {},
  phoneCountry = false,
}: {
  rows: IdentifierRow[];
  onChange: (rows: IdentifierRow[]) => void;
  errors?: Record<number, string>;
  phoneCountry?: boolean;
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
          {phoneCountry && r.type === 'PHONE' && (
            <Select
              label={`Identifier ${i + 1} country`}
              description="For a number without +prefix. Empty: the deployment's default country"
              placeholder="Deployment default"
              data={COUNTRY_OPTIONS}
              value={r.country ?? null}
              onChange={(v) => set(i, { country: v ?? undefined })}
              searchable
              clearable
              w={240}
            />
          )}
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
