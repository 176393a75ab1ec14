import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { serializeError } from './error-serializer.js';

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

/** `destination`: where lines go (default stdout); tests pass a stream to read them. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'dsr-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Database errors lose their statement parameters and quoted values (error-serializer.ts).
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
