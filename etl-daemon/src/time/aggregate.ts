import { DAY_MS, HOUR_MS } from '../core/units';

/** Calendar units a count can be bucketed by. */
export const AGGREGATE_UNITS = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Unit = (typeof AGGREGATE_UNITS)[number];

/**
 * Accepted spellings: short codes, names, and the original's pandas codes (`W`, `M`, `Q`, `A`/`Y`, and
 * pandas 2.2's `ME`, `QE`, `YE`). pandas labels W/M/Q/Y buckets by their last day; here every bucket is
 * labelled by its start, as Grafana expects.
 */
export const AGGREGATES: Readonly<Record<string, Unit>> = {
  '1h': 'hour',
  h: 'hour',
  H: 'hour',
  hour: 'hour',
  d: 'day',
  D: 'day',
  day: 'day',
  w: 'week',
  W: 'week',
  week: 'week',
  m: 'month',
  M: 'month',
  ME: 'month',
  month: 'month',
  q: 'quarter',
  Q: 'quarter',
  QE: 'quarter',
  quarter: 'quarter',
  y: 'year',
  Y: 'year',
  A: 'year',
  YE: 'year',
  year: 'year',
};

export const AGGREGATE_NAMES = Object.keys(AGGREGATES);

export function toUnit(aggregate: string): Unit | undefined {
  return Object.hasOwn(AGGREGATES, aggregate) ? AGGREGATES[aggregate] : undefined;
}

/** Average unit lengths (Gregorian), to refuse oversized ranges before computing any calendar. */
export const NOMINAL_MS: Readonly<Record<Unit, number>> = {
  hour: HOUR_MS,
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30.436875 * DAY_MS,
  quarter: 91.310625 * DAY_MS,
  year: 365.2425 * DAY_MS,
};
