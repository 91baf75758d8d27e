import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { ScheduleConfig } from '../config/config';
import { coerceError } from '../errors';
import type { JobRunner } from './job-runner';

export interface Schedules {
  /** The next time either schedule fires. */
  nextRun(): Date | undefined;
  stop(): void;
}

/**
 * The original's daily run (`30 1 * * *`) closes yesterday; the frequent one keeps today fresh. Both resume
 * from the checkpoint, so after downtime the first run that fires catches up. A failed run is logged and
 * recorded; it never stops the daemon.
 */
export function startSchedules(
  runner: JobRunner,
  config: ScheduleConfig,
  logger: Logger,
  onRunEnd: () => void = () => undefined,
  options: { source?: string | undefined } = {}
): Schedules {
  const log = logger.child({ component: 'schedule' });
  const trigger = (name: string) => async () => {
    const outcome = await runner.run({}).catch((error: unknown) => {
      log.error({ err: coerceError(error), schedule: name }, 'scheduled run failed');
      return undefined;
    });
    if (outcome?.status === 'skipped')
      log.info({ schedule: name }, `scheduled run skipped: ${outcome.reason}`);
    onRunEnd();
  };
  const patterns = [
    { name: 'daily', pattern: config.daily },
    { name: 'incremental', pattern: config.incremental },
  ].filter((p) => p.pattern !== '');
  const jobs = patterns.map(
    (p) =>
      new Cron(
        p.pattern,
        // Croner's names are process-wide: another source's schedules carry its name.
        {
          name: `core4-usage-${options.source ? `${options.source}-` : ''}${p.name}`,
          timezone: config.timezone,
          protect: true,
        },
        trigger(p.name)
      )
  );
  return {
    nextRun() {
      const times = jobs.map((job) => job.nextRun()).filter((d): d is Date => d instanceof Date);
      return times.length === 0 ? undefined : new Date(Math.min(...times.map((d) => d.getTime())));
    },
    stop() {
      for (const job of jobs) job.stop();
    },
  };
}
