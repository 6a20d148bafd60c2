import pino from 'pino';
import { bootstrapLogLevel } from './config';
import { describeDatabaseError, isTransientDatabaseError } from './db/errors';

/**
 * Errors in logs: a database error by its SQLSTATE only, never its words. MikroORM writes the statement with its
 * values inlined in front of the driver's message, and PostgreSQL's details quote the row, so the message of any
 * database error (a timeout or a dropped connection too) can carry plates, names, phones. Anything else as pino
 * prints it.
 */
export function loggableError(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const type = (err as Error).name;
  const database = describeDatabaseError(err);
  if (database) return { type, message: database };
  if (isTransientDatabaseError(err)) return { type, message: 'PostgreSQL unreachable or too slow (no SQLSTATE)' };
  return pino.stdSerializers.err(err as Error);
}

/**
 * Structured JSON logs, at the configured level (`Config.logLevel`; a logger made without one reads LOG_LEVEL as
 * loadConfig does: `bootstrapLogLevel`). Anything that could carry a secret or company data is redacted by path, so
 * a careless `log.info({ body })` still prints nothing a reader of the logs should not see.
 */
export function createLogger(name: string, level = bootstrapLogLevel()): pino.Logger {
  return pino({
    name,
    level,
    serializers: { err: loggableError },
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
