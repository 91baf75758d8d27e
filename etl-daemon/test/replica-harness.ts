/**
 * What the tests of several `serve` processes over one database share (replicas.test.ts,
 * replicas.requests.test.ts): today's morning to ask about, processes started and loaded, a writer of lines
 * that now and then makes a recent one vanish (so that the next run rewrites today whole), and range edges
 * inside the morning's populated 15-minute slots.
 */
import type { Document } from 'mongodb';
import type { ServeProcess } from './daemon-process';
import { startServe } from './daemon-process';
import type { TestDb } from './helpers';

const DAY = 86_400_000;
const SLOT = 900_000;

/**
 * Now and today's UTC midnight, once the day is 10 minutes old: the tests' ranges start 7 minutes into the
 * day, so in its first minutes there is no morning yet to ask about (a range would end before it starts).
 */
export async function morning(): Promise<{ now: number; midnight: number }> {
  const early = 10 * 60_000 - (Date.now() % DAY);
  if (early > 0) await new Promise((r) => setTimeout(r, early));
  const now = Date.now();
  return { now, midnight: now - (now % DAY) };
}

/** `count` serve processes with these variables, each answering queries (its index loaded). */
export async function startLoaded(env: Record<string, string>, count: number): Promise<ServeProcess[]> {
  const serves = await Promise.all(Array.from({ length: count }, () => startServe(env)));
  for (const serve of serves) {
    for (let i = 0; i < 400; i += 1) {
      if ((await fetch(`${serve.base}/api/v1/users`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return serves;
}

/**
 * Inserts the line `line(at)` every 60 ms (`at` now, whole seconds as core4 writes them) until stopped. Every
 * 40th line a recent one vanishes: the next run finds a login it stored missing from its re-read window
 * (USAGE_INGEST_LAG, 5 minutes) and rewrites the day whole, deleting the version the readers hold.
 */
export function keepWriting(
  db: TestDb,
  line: (at: Date) => Document
): { stop: () => Promise<{ written: number; vanished: number }> } {
  let writing = true;
  let written = 0;
  let vanished = 0;
  const writer = (async () => {
    while (writing) {
      await db.cols.sysLog.insertOne(line(new Date(Date.now() - (Date.now() % 1000))));
      written += 1;
      if (written % 40 === 0) {
        const victim = await db.cols.sysLog.findOne(
          { created: { $gte: new Date(Date.now() - 60_000), $lt: new Date(Date.now() - 4_000) } },
          { sort: { created: 1 } }
        );
        if (victim) await db.cols.sysLog.deleteOne({ _id: victim._id });
        vanished += 1;
      }
      await new Promise((r) => setTimeout(r, 60));
    }
  })();
  return {
    stop: async () => {
      writing = false;
      await writer;
      return { written, vanished };
    },
  };
}

/**
 * A range whose edges fall inside populated slots of the morning (7 minutes and some seconds into a random
 * slot), a different pair each time: a reader must read those slots' logins, never only from its cache.
 */
export function edgesInsideSlots(midnight: number): { start: number; end: number } {
  const slots = Math.floor((Date.now() - midnight) / SLOT);
  const slot = (n: number) => midnight + Math.floor(Math.random() * n) * SLOT;
  const start = slot(Math.max(1, slots - 1)) + 7 * 60_000 + Math.floor(Math.random() * 60) * 1000;
  const end = Math.max(start + 1, slot(slots) + 7 * 60_000 + Math.floor(Math.random() * 400) * 1000);
  return { start, end };
}

/** Counts a response's status into `statuses` and reads its body. */
export async function tally(statuses: Map<number, number>, response: Response): Promise<void> {
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  await response.arrayBuffer();
}

/**
 * What every such test asserts of the time it wrote and read: lines vanished (at least `vanished`), the writer
 * rewrote today whole (deleting versions the other processes were counting with), and every process answered
 * every query 200, more than `answered` of them.
 */
export function expectServedThroughout(
  serves: readonly ServeProcess[],
  seen: { statuses: readonly Map<number, number>[]; vanished: number },
  least: { vanished: number; answered: number }
): void {
  expect(seen.vanished).toBeGreaterThanOrEqual(least.vanished);
  expect(serves.some((serve) => serve.log().includes('the day is rewritten whole'))).toBe(true);
  for (const byStatus of seen.statuses) {
    expect([...byStatus.keys()]).toEqual([200]);
    expect(byStatus.get(200)).toBeGreaterThan(least.answered);
  }
}
