import { SLOT_MS, SLOTS_PER_DAY } from './units';

/** A part of one slot: [slot, from, to) with from and to in the unit of the split (ms of a day, or since 1970). */
export type Piece = [slot: number, from: number, to: number];

/** The whole slots [s0, s1) of a range, and the pieces of the slots it cuts before s0 and from s1. */
export interface SlotSplit {
  s0: number;
  s1: number;
  before?: Piece;
  after?: Piece;
}

/**
 * [lo, hi) split at 15-minute slot boundaries: the whole slots [s0, s1), and the pieces of the slots it cuts,
 * `before` s0 and `after` s1 (a range inside one slot is a single `before` piece, with s0 = s1).
 */
export function slotSplit(lo: number, hi: number): SlotSplit {
  const s0 = Math.ceil(lo / SLOT_MS);
  const s1 = Math.floor(hi / SLOT_MS);
  if (s0 > s1) return { s0: s1, s1, before: [s1, lo, hi] };
  return {
    s0,
    s1,
    ...(lo < s0 * SLOT_MS ? { before: [s0 - 1, lo, s0 * SLOT_MS] as Piece } : {}),
    ...(s1 * SLOT_MS < hi ? { after: [s1, s1 * SLOT_MS, hi] as Piece } : {}),
  };
}

/** The cut pieces of a split, before then after. */
export function cutPieces(split: SlotSplit): Piece[] {
  const pieces: Piece[] = [];
  if (split.before) pieces.push(split.before);
  if (split.after) pieces.push(split.after);
  return pieces;
}

/** The largest block (2^level units, aligned to its size, up to 2^maxLevel) that starts at `at` and ends by `to`. */
export function blockLevel(at: number, to: number, maxLevel: number): number {
  let level = 0;
  while (level < maxLevel && (at >> (level + 1)) << (level + 1) === at && at + (2 << level) <= to) level += 1;
  return level;
}

/** The UTC day number (days since 1970) of a global slot number (ms / SLOT_MS). */
export function dayOfSlot(slot: number): number {
  return Math.floor(slot / SLOTS_PER_DAY);
}

/** A global slot's number within its UTC day (0 … 95). */
export function slotOfDay(slot: number): number {
  return slot - dayOfSlot(slot) * SLOTS_PER_DAY;
}
