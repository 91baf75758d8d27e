import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** Readable lines for a person at a terminal, JSON lines for anything else (files, journald, collectors). */
export function logFormatFor(stream: { isTTY?: boolean }, override?: string): LogFormat {
  if (override === 'json' || override === 'pretty') return override;
  return stream.isTTY ? 'pretty' : 'json';
}

/**
 * Log lines on stderr (stdout belongs to command output); secrets are redacted wherever they appear, in
 * both formats. pino-pretty runs in this thread, so a line is written before the process exits.
 */
export function makeLogger(level: string, format: LogFormat = logFormatFor(process.stderr)): Logger {
  const destination: DestinationStream =
    format === 'pretty'
      ? pretty({
          destination: 2,
          sync: true,
          colorize: true,
          ignore: 'pid,hostname,service',
          translateTime: 'SYS:HH:MM:ss.l',
        })
      : pino.destination(2);
  return pino(
    {
      level,
      base: { service: 'core4-usage' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'token', '*.token'],
        censor: '***',
      },
    },
    destination
  );
}
