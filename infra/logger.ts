import pino from 'pino';
import { describeDatabaseError } from './db/errors';

/**
 * Errors in logs: a database error by its SQLSTATE only (its message, detail and the SQL in front of it can carry a
 * row's values: plates, names, phones), anything else as pino prints it.
 */
function safeError(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const database = describeDatabaseError(err);
  if (database) return { type: (err as Error).name, message: database };
  return pino.stdSerializers.err(err as Error);
}

/**
 * Structured JSON logs. Anything that could carry a secret or company data is redacted by path, so a careless
 * `log.info({ body })` still prints nothing a reader of the logs should not see.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  return pino({
    name,
    level,
    serializers: { err: safeError },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-signature"]',
        'body',
        '*.body',
        'declaration',
        '*.declaration',
      ],
      censor: '[redacted]',
    },
  });
}

export type Logger = pino.Logger;
