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

/** True for an error a database or the system raised (a SQLSTATE or an E… code): its message may quote values. */
export function isStoreError(error: unknown): boolean {
  if (error instanceof ConnectorError || isDomainError(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || /^E[A-Z_]{2,30}$/.test(code));
}

/**
 * The message a failure may keep where handlers, logs and reports read it: the gateway's own
 * words (a connector's or domain error's message, a remote's already replaced by its client),
 * but for a store's error its code alone, since PostgreSQL quotes the value it could not read
 * and a trigger's message says what its author wrote.
 */
export function safeFailureMessage(error: unknown): string {
  if (isStoreError(error)) return `${failureCodeOf(error)}: the store failed (its message is not kept: it may quote a record)`;
  return error instanceof Error ? error.message : String(error);
}
