import { generateSysLog } from '../src/demo/generate-sys-log';
import { writeDemoData } from '../src/demo/write-demo-data';
import type { TestDb } from './helpers';
import { openTestDb } from './helpers';

const end = new Date('2026-03-31T12:00:00Z');

describe('generateSysLog', () => {
  const days = [...generateSysLog({ days: 14, users: 100, perDay: 200, end, seed: 3 })];
  const docs = days.flat();

  it('should yield one time-ordered batch per UTC day up to the end', () => {
    expect(days).toHaveLength(14);
    expect(days[0]?.[0]?.created.toISOString().slice(0, 10)).toBe('2026-03-18');
    for (const batch of days) {
      const times = batch.map((d) => d.created.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(Math.max(...docs.map((d) => d.created.getTime()))).toBeLessThan(end.getTime());
  });

  it("should write each login twice (seed line and core4's line), one noise line per login, admins and malformed lines", () => {
    const seed = docs.filter((d) => d.message === 'successful login');
    const core4 = docs.filter((d) => d.message.startsWith('successfully loaded ['));
    const noise = docs.filter((d) => !d.message.includes('success'));
    const validSeed = seed.filter((d) => typeof d.user === 'string' && d.user !== '' && d.user !== 'admin');
    expect(validSeed.length).toBeGreaterThan(1500);
    expect(core4.length).toBe(seed.filter((d) => typeof d.user === 'string').length);
    expect(noise.length).toBeGreaterThan(validSeed.length * 0.9);
    expect(seed.filter((d) => d.user === 'admin').length).toBeGreaterThan(10);
    expect(seed.filter((d) => d.user === undefined || d.user === 42 || d.user === '').length).toBeGreaterThan(
      10
    );
    for (const d of docs) {
      expect(d.created.getMilliseconds()).toBe(0);
      expect(d).toMatchObject({ username: 'core4', epoch: d.created.getTime() / 1000 });
    }
  });

  it('should be the same for the same seed and bring in new users over time', () => {
    const again = [...generateSysLog({ days: 14, users: 100, perDay: 200, end, seed: 3 })].flat();
    expect(again.map((d) => [d.created, d.message, d.user])).toEqual(
      docs.map((d) => [d.created, d.message, d.user])
    );
    const firstWeek = new Set(
      days
        .slice(0, 7)
        .flat()
        .map((d) => d.user)
    );
    const secondWeek = new Set(
      days
        .slice(7)
        .flat()
        .map((d) => d.user)
    );
    expect([...secondWeek].filter((u) => !firstWeek.has(u)).length).toBeGreaterThan(0);
  });

  it('should yield an empty batch for a day that has barely begun, and write the others (just after midnight)', async () => {
    const justAfterMidnight = new Date('2026-03-31T00:00:01Z');
    const batches = [...generateSysLog({ days: 3, users: 50, perDay: 100, end: justAfterMidnight, seed: 4 })];
    expect(batches.map((b) => b.length > 0)).toEqual([true, true, false]);
    const db: TestDb = await openTestDb();
    try {
      const written = await writeDemoData(db.cols.sysLog, {
        days: 3,
        users: 50,
        perDay: 100,
        end: justAfterMidnight,
        seed: 4,
      });
      expect(written).toBe(batches.flat().length);
      expect(await db.cols.sysLog.countDocuments()).toBe(written);
    } finally {
      await db.close();
    }
  });
});
