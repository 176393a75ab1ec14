import { Select } from '@mantine/core';
import { PHONE_COUNTRIES } from './identifiers';

const regionNames = new Intl.DisplayNames(['en-GB'], { type: 'region', fallback: 'code' });
const COUNTRY_OPTIONS = PHONE_COUNTRIES.map((code) => ({ value: code, label: `${code} — ${regionNames.of(code) ?? code}` }));

/**
 * The country a phone number without +prefix was written in, beside every phone identifier a
 * handler types (new request, find a person, inbox search, tombstone check): empty, the API
 * reads it in the deployment's default country.
 */
export function PhoneCountrySelect({ label, value, onChange }: { label: string; value: string | undefined; onChange: (country: string | undefined) => void }) {
  return (
    <Select
      label={label}
      description="For a number without +prefix. Empty: the deployment's default country"
      placeholder="Deployment default"
      data={COUNTRY_OPTIONS}
      value={value ?? null}
      onChange={(v) => onChange(v ?? undefined)}
      searchable
      clearable
      w={240}
    />
  );
}
