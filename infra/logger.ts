import pino from 'pino';

/**
 * Structured JSON logs. Anything that could carry a secret or company data is redacted by path, so a careless
 * `log.info({ body })` still prints nothing a reader of the logs should not see.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  return pino({
    name,
    level,
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
