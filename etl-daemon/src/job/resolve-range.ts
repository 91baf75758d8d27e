import { isoInstant } from '../time/iso';
import { addUtcDays, startOfUtcDay, utcDayLabel } from '../time/utc-day';

/** What a caller may ask of one run (the original's `start`, `end`, `reset`). */
export interface RunArgs {
  start?: string | undefined;
  end?: string | undefined;
  reset?: boolean | undefined;
}

/** The UTC days one run processes: [firstDay, lastDay], both inclusive. */
export interface DayRange {
  firstDay: Date;
  lastDay: Date;
  /** Where the checkpoint stands for this run; it moves only while days complete in order from here. */
  checkpoint: Date;
}

/** A run's `start` or `end` that cannot be run: names the argument and its value (HTTP 400, CLI exit 2). */
export class RangeArgumentError extends Error {
  override name = 'RangeArgumentError';
  constructor(
    message: string,
    readonly parameter: 'start' | 'end' = 'end'
  ) {
    super(message);
  }
}

/** Parses an ISO 8601 date or date-time (UTC unless it names an offset). */
export function parseIsoArgument(name: 'start' | 'end', value: string): Date {
  const at = isoInstant(value);
  if (at === undefined) {
    throw new RangeArgumentError(
      `${name}: '${value}' is not an ISO 8601 date or date-time (e.g. 2026-01-31)`,
      name
    );
  }
  return new Date(at);
}

/**
 * Resolves the run's days as the original did: without `start` it resumes from the checkpoint (or from the
 * configured first day on `reset` or when there is none); `end` defaults to today; an end before the start
 * or after today is an error.
 */
export function resolveRange(
  args: RunArgs,
  state: { checkpoint: Date | undefined; configStart: Date; now: Date }
): DayRange {
  const today = startOfUtcDay(state.now);
  const resumeFrom = args.reset || !state.checkpoint ? state.configStart : state.checkpoint;
  const firstDay = startOfUtcDay(
    args.start !== undefined ? parseIsoArgument('start', args.start) : resumeFrom
  );
  const lastDay = startOfUtcDay(args.end !== undefined ? parseIsoArgument('end', args.end) : state.now);
  if (lastDay > today) {
    throw new RangeArgumentError(
      `end: ${utcDayLabel(lastDay)} is in the future (today is ${utcDayLabel(today)} UTC)`
    );
  }
  if (lastDay < firstDay) {
    throw new RangeArgumentError(
      `unexpected date range [${utcDayLabel(firstDay)} - ${utcDayLabel(lastDay)}]: end is before start`
    );
  }
  const checkpoint = args.reset || !state.checkpoint ? firstDay : state.checkpoint;
  return { firstDay, lastDay, checkpoint };
}

export function daysOf(range: Pick<DayRange, 'firstDay' | 'lastDay'>): Date[] {
  const days: Date[] = [];
  for (let day = range.firstDay; day <= range.lastDay; day = addUtcDays(day, 1)) days.push(day);
  return days;
}
