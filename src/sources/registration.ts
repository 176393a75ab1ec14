// Validation of a registration as a coded error naming the field, so a team sees what to
// fix (INVALID_SOURCE_CONFIG, details.field), whether it came by GraphQL or a config file.
import { parseSourceConfig, sourceIdOf, SourceConfigError, type SourceConfig } from '../../connectors/registry.js';
import { DomainError } from '../domain/errors.js';

export function invalidSourceConfig(error: SourceConfigError): DomainError {
  return new DomainError('INVALID_SOURCE_CONFIG', error.message, { field: error.field });
}

/** Parses a registration; throws DomainError INVALID_SOURCE_CONFIG naming the field. */
export function validateRegistration(input: unknown, prefix = ''): { config: SourceConfig; id: string } {
  let config: SourceConfig;
  try {
    config = parseSourceConfig(input, prefix);
  } catch (error) {
    if (error instanceof SourceConfigError) throw invalidSourceConfig(error);
    throw error;
  }
  const id = sourceIdOf(config);
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id)) {
    throw new DomainError('INVALID_SOURCE_CONFIG', `${prefix ? `${prefix}.` : ''}id: lower-case letters, digits, - and _ (derived from the name when absent)`, {
      field: `${prefix ? `${prefix}.` : ''}id`,
    });
  }
  return { config: { ...config, id }, id };
}
