import type { DayDoc } from './collections';

/** The fields of a day document that say which documents make the day. */
export type DayParts = Pick<DayDoc, 'run' | 'chunks' | 'summaries' | 'summaryRun' | 'segments'>;

/** The runs whose hour chunks make the day: the base, then each appended segment. */
export function chunkRuns(day: DayParts): string[] {
  return [day.run, ...(day.segments ?? []).map((s) => s.run)];
}

/** How many hour chunks the day's runs hold together. */
export function chunkTotal(day: DayParts): number {
  return day.chunks + (day.segments ?? []).reduce((n, s) => n + s.chunks, 0);
}

/** The runs whose slot summaries make the day, with the number of summary documents each wrote. */
export function summaryRuns(day: DayParts): { run: string; parts: number }[] {
  if (day.summaries === undefined) return [];
  const base = { run: day.summaryRun ?? day.run, parts: day.summaries };
  return [base, ...(day.segments ?? []).map((s) => ({ run: s.run, parts: s.summaries }))].filter(
    (r) => r.parts > 0
  );
}

/**
 * Names this version of the day: it changes with every write that changes what the day holds (a new base,
 * a summary written for it, an appended segment), so a reader that loaded one version knows when to reload.
 */
export function dayVersion(day: DayParts): string {
  return [day.run, day.summaryRun ?? '', ...chunkRuns(day).slice(1)].join('+');
}
