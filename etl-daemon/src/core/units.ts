/** Durations in milliseconds: the one place they are spelled out. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const UNIT_MS: Record<string, number> = { ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** `90m`, `1h`, `300s`, `1500ms`, `2d`, or a plain number of milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/** The largest UTC offset an ISO 8601 time may name (real zones span -12:00 to +14:00; ±18:00 as java.time). */
export const MAX_OFFSET_MINUTES = 18 * 60;

/**
 * The index's finest summary: every UTC offset in use today is a multiple of 15 minutes (India +5:30, Nepal
 * +5:45, Chatham +12:45), so calendar buckets in any current zone start on a slot boundary and only a range's
 * own `start`/`end` can cut a slot.
 */
export const SLOT_MS = 15 * MINUTE_MS;
export const SLOTS_PER_DAY = DAY_MS / SLOT_MS;
