import { Cron } from 'croner';
import { startSchedules } from '../src/job/schedule';
import type { JobRunner } from '../src/job/job-runner';
import { silentLogger } from './helpers';

const idleRunner: JobRunner = {
  run: () => Promise.resolve({ status: 'skipped', reason: 'test' }),
  isBusy: () => false,
  idle: () => Promise.resolve(),
};

describe('schedules', () => {
  it("should fire the original's daily run at 01:30 in the configured zone", () => {
    const daily = new Cron('30 1 * * *', { timezone: 'Europe/Berlin', paused: true });
    expect(daily.nextRuns(2, new Date('2026-03-28T12:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T23:30:00.000Z',
    ]);
    daily.stop();
  });

  it('should report the earlier of the daily and the incremental schedule as the next run', () => {
    const schedules = startSchedules(
      idleRunner,
      { daily: '30 1 * * *', incremental: '*/5 * * * *', timezone: 'UTC', runOnStart: false },
      silentLogger
    );
    const next = schedules.nextRun();
    schedules.stop();
    expect(next).toBeInstanceOf(Date);
    expect((next?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(next?.getUTCMinutes() ?? -1).toBeGreaterThanOrEqual(0);
    expect((next?.getUTCMinutes() ?? 1) % 5).toBe(0);
  });

  it('should run only the daily schedule when the incremental one is disabled', () => {
    const schedules = startSchedules(
      idleRunner,
      { daily: '30 1 * * *', incremental: '', timezone: 'UTC', runOnStart: false },
      silentLogger
    );
    const next = schedules.nextRun();
    schedules.stop();
    expect([next?.getUTCHours(), next?.getUTCMinutes()]).toEqual([1, 30]);
  });
});
