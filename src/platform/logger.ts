import { pino, type Logger, type LoggerOptions } from 'pino';

/** Paths never written to logs: credentials and homeowner contact data. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'ownerEmail',
  '*.ownerEmail',
  'ownerPhone',
  '*.ownerPhone',
  'owner_email',
  'owner_phone',
];

export function loggerOptions(level: string): LoggerOptions {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  };
}

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', bindings: Record<string, unknown> = {}): Logger {
  return pino(loggerOptions(level)).child(bindings);
}

export type { Logger };
