import { DateTime } from 'luxon';
import { MAX_OFFSET_MINUTES } from '../core/units';

/**
 * An ISO 8601 date or date-time as ms since 1970 (UTC unless it names an offset, offsets up to ±18:00);
 * undefined when it is not one. Callers say what is wrong in their own terms (HTTP 400, CLI exit 2).
 */
export function isoInstant(value: string): number | undefined {
  const parsed = DateTime.fromISO(value, { zone: 'UTC', setZone: true });
  return parsed.isValid && Math.abs(parsed.offset) <= MAX_OFFSET_MINUTES ? parsed.toMillis() : undefined;
}
