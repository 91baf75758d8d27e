import { IANAZone } from 'luxon';
import { DAY_MS } from '../core/units';
import type { Unit } from '../time/aggregate';
import { AGGREGATE_NAMES, NOMINAL_MS, toUnit } from '../time/aggregate';
import { isoInstant } from '../time/iso';
import { QueryError } from '../errors';

/*
 * Request parsing shared by every route: instants, ranges, zones and repeated parameters, each failing with
 * a QueryError (HTTP 400) that names the parameter, the value and what is accepted.
 */

/** ISO 8601 (with or without offset; UTC when none) or epoch milliseconds. */
export function parseInstant(parameter: string, value: string): number {
  if (/^-?\d{1,15}$/.test(value)) return Number(value);
  const at = isoInstant(value);
  if (at === undefined) {
    throw new QueryError(
      parameter,
      value,
      'an ISO 8601 date or date-time (2026-03-01T00:00:00Z, offsets up to ±18:00) or epoch milliseconds'
    );
  }
  return at;
}

/** A repeated or comma-separated parameter as its non-empty, trimmed values. */
export function parseList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** `start`/`end` of a request: end defaults to now, start to `defaultDays` before end. */
export function parseRange(
  params: { start?: string | undefined; end?: string | undefined },
  now: number,
  defaultDays: number
): { start: number; end: number } {
  const end = params.end === undefined ? now : parseInstant('end', params.end);
  const start = params.start === undefined ? end - defaultDays * DAY_MS : parseInstant('start', params.start);
  return { start, end };
}

/** luxon builds an Intl formatter for every check; zones are few, so remember the answers. */
const zoneValidity = new Map<string, boolean>();
function isZone(name: string): boolean {
  let valid = zoneValidity.get(name);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(name);
    if (zoneValidity.size > 1000) zoneValidity.clear();
    zoneValidity.set(name, valid);
  }
  return valid;
}

/** A range whose end is not before its start (parseRange's defaults), else a 400 naming `end`. */
export function parseOrderedRange(
  params: { start?: string | undefined; end?: string | undefined },
  now: number,
  defaultDays: number
): { start: number; end: number } {
  const { start, end } = parseRange(params, now, defaultDays);
  if (end < start)
    throw new QueryError(
      'end',
      params.end ?? new Date(end).toISOString(),
      `an instant not before start (${new Date(start).toISOString()})`
    );
  return { start, end };
}

/** An IANA zone name, else a 400 naming `tz`. */
export function parseZone(tz: string): string {
  if (!isZone(tz))
    throw new QueryError('tz', tz, 'an IANA time zone such as UTC, Europe/Berlin or Asia/Kathmandu');
  return tz;
}

/**
 * Refuses a range of more than `max` calendar units, counted nominally (average unit lengths), so that a
 * range of thousands of years is refused before its calendar is computed: a 400 naming the parameter that
 * chose the unit.
 */
export function refuseTooMany(
  range: { start: number; end: number },
  unit: Unit,
  options: { parameter: string; value: string; max: number; noun: string; advice: string }
): void {
  const count = Math.round((range.end - range.start) / NOMINAL_MS[unit]);
  if (count > options.max) {
    throw new QueryError(
      options.parameter,
      options.value,
      `at most ${options.max} ${options.noun}: this range has about ${count}; ${options.advice}`
    );
  }
}

/** An aggregate's name (`w`, `month`, `1h`, …) as its calendar unit, or a 400 naming the accepted names. */
export function parseAggregate(name: string): Unit {
  const unit = toUnit(name);
  if (!unit) throw new QueryError('aggregate', name, `one of ${AGGREGATE_NAMES.join(', ')}`);
  return unit;
}
