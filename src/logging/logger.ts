import { pino, type Logger } from 'pino';

// Structured JSON logs. Personal data never goes into a log line: log ids only.
// As a second line of defence, fields that commonly carry personal data are redacted.
const REDACTED_PATHS = [
  'identifiers',
  '*.identifiers',
  'value',
  '*.value',
  'email',
  '*.email',
  'phone',
  '*.phone',
  'data',
  '*.data',
  'authorization',
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'dsr-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
