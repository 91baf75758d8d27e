/** UTC calendar days, the unit in which the job reads sys.log and checkpoints. */
import { DAY_MS } from '../core/units';

export { DAY_MS, HOUR_MS } from '../core/units';

export function startOfUtcDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

export function addUtcDays(day: Date, n: number): Date {
  return new Date(day.getTime() + n * DAY_MS);
}

/** `YYYY-MM-DD` of a UTC day. */
export function utcDayLabel(day: Date): string {
  return day.toISOString().slice(0, 10);
}
