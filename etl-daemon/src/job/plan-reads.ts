import type { StoredOpenDay } from '../db/stored-day';
import { addUtcDays } from '../time/utc-day';

export type { StoredOpenDay };

/**
 * How a run treats one UTC day:
 * - `full`: read the whole day from sys.log (a new day, a day that closes now, a day stored under another
 *   selection, a historical rerun);
 * - `tail`: keep the stored logins before `keepBefore` and read sys.log from there (an open day the
 *   previous run read up to its horizon; `keepBefore` lies `ingestLag` before that horizon, so lines that
 *   arrive up to that late are read, and lines later still are read when the day closes);
 * - `unchanged`: nothing new can be read for it in this run (it ended more than `ingestLag` before the
 *   previous horizon and does not close yet).
 */
export type DayPlan =
  | { day: Date; complete: boolean; mode: 'full' }
  | { day: Date; complete: boolean; mode: 'tail'; keepBefore: Date; stored: StoredOpenDay }
  | { day: Date; complete: boolean; mode: 'unchanged'; stored: StoredOpenDay };

export interface ReadPlan {
  days: DayPlan[];
  /** Where the run's one sys.log query starts; undefined when no day needs the source. */
  readFrom: Date | undefined;
}

export interface PlanOptions {
  /** The MongoDB server's time at the start of the run: the horizon of this run's read. */
  extractedAt: Date;
  closeAfterMs: number;
  ingestLagMs: number;
}

/**
 * Plans one run's reads: a day is complete only `closeAfterMs` after it ends (late lines are read until
 * then), and an open day is extended from a little before the previous run's horizon instead of re-read
 * from midnight, so a run every 5 minutes reads about 5 minutes of lines plus the margin.
 */
export function planReads(
  days: readonly Date[],
  stored: readonly StoredOpenDay[],
  options: PlanOptions
): ReadPlan {
  const byDay = new Map(stored.map((s) => [s.day.getTime(), s]));
  const firstNeeded = days.map((day) => {
    const dayEnd = addUtcDays(day, 1);
    const complete = dayEnd.getTime() + options.closeAfterMs <= options.extractedAt.getTime();
    const previous = complete ? undefined : byDay.get(day.getTime());
    const from = previous
      ? Math.max(day.getTime(), previous.readUntil.getTime() - options.ingestLagMs)
      : day.getTime();
    return { day, dayEnd, complete, previous, from };
  });
  const needed = firstNeeded.filter((d) => d.from < d.dayEnd.getTime()).map((d) => d.from);
  const readFrom = needed.length > 0 ? Math.min(...needed) : undefined;
  const plans = firstNeeded.map(({ day, dayEnd, complete, previous }): DayPlan => {
    if (!previous) return { day, complete, mode: 'full' };
    if (readFrom === undefined || readFrom >= dayEnd.getTime()) {
      return { day, complete, mode: 'unchanged', stored: previous };
    }
    // The one query starts at readFrom, so everything from there on comes from sys.log.
    const keepBefore = new Date(Math.max(day.getTime(), readFrom));
    return { day, complete, mode: 'tail', keepBefore, stored: previous };
  });
  return { days: plans, readFrom: readFrom === undefined ? undefined : new Date(readFrom) };
}
