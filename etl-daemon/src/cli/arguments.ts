import { parseArgs } from 'node:util';
import type { DemoOptions } from '../demo/generate-sys-log';
import type { RunArgs } from '../job/resolve-range';
import { CliError, EXIT } from './cli-error';

export type Command =
  | { name: 'help' }
  | { name: 'serve' }
  | { name: 'summarize' }
  | { name: 'run'; args: RunArgs }
  | { name: 'demo-data'; options: DemoOptions; ifEmpty: boolean };

function count(name: string, raw: string | undefined, fallback: number | undefined, max: number): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new CliError(`--${name} is required`, EXIT.usage);
    return fallback;
  }
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) {
    throw new CliError(`--${name}: '${raw}' is not a whole number from 1 to ${max}`, EXIT.usage);
  }
  return n;
}

/** Parses argv (without node and script) into a command, or a CliError naming what is wrong. */
export function parseCommand(argv: readonly string[], now: Date): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return { name: 'help' };
  try {
    if (name === 'serve' || name === 'summarize') {
      parseArgs({ args: rest, options: {}, strict: true, allowPositionals: false });
      return { name };
    }
    if (name === 'run') {
      const { values } = parseArgs({
        args: rest,
        options: { start: { type: 'string' }, end: { type: 'string' }, reset: { type: 'boolean' } },
        strict: true,
        allowPositionals: false,
      });
      return { name, args: { start: values.start, end: values.end, reset: values.reset ?? false } };
    }
    if (name === 'demo-data') return demoDataCommand(rest, now);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${name}: ${(error as Error).message.split('\n')[0]}`, EXIT.usage);
  }
  throw new CliError(
    `unknown command '${name}'; expected serve, run, summarize, demo-data or --help`,
    EXIT.usage
  );
}

/** `demo-data --days N --users N --per-day N --seed N --if-empty`. */
function demoDataCommand(rest: readonly string[], now: Date): Command {
  const { values } = parseArgs({
    args: [...rest],
    options: {
      days: { type: 'string' },
      users: { type: 'string' },
      'per-day': { type: 'string' },
      seed: { type: 'string' },
      'if-empty': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const users = count('users', values.users, undefined, 10_000_000);
  return {
    name: 'demo-data',
    options: {
      days: count('days', values.days, undefined, 36_600),
      users,
      perDay: count('per-day', values['per-day'], Math.max(1, users), 100_000_000),
      seed: count('seed', values.seed, 4, 2 ** 31),
      end: now,
    },
    ifEmpty: values['if-empty'] ?? false,
  };
}
