// What a source's failure may say outside the process that met it: a code, never the
// error's text. A connector's message, a store's error or a remote service's answer can
// hold personal data (a driver quotes the value it could not read, a remote team's service
// writes what it likes); logs, audit entries, reports and CLI output carry only this code.
import { ConnectorError } from '../../connectors/contract.js';
import { isDomainError } from '../domain/errors.js';

/**
 * The code of a failure: a connector's (UNAVAILABLE, CONFIGURATION, ...), a coded domain
 * error's, a PostgreSQL SQLSTATE (`SQLSTATE_22P02`), a system error's (ECONNREFUSED), else ERROR.
 */
export function failureCodeOf(error: unknown): string {
  if (error instanceof ConnectorError || isDomainError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'ERROR';
  if (/^E[A-Z_]{2,30}$/.test(code)) return code;
  if (/^[0-9A-Z]{5}$/.test(code)) return `SQLSTATE_${code}`;
  return 'ERROR';
}
