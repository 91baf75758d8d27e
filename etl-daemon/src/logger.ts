import pino from 'pino';
import type { Logger } from 'pino';

/** JSON lines on stderr (stdout belongs to command output); secrets are redacted wherever they appear. */
export function makeLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'core4-usage' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'token', '*.token'],
        censor: '***',
      },
    },
    pino.destination(2)
  );
}
