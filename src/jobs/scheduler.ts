import cron, { type ScheduledTask } from 'node-cron';
import type { AppLogger } from '../logger.js';

export interface ScheduledJob {
  name: string;
  /** node-cron expression; six fields means seconds first. */
  cron: string;
  run: (now: Date) => Promise<unknown>;
}

export interface RunningSchedule {
  stop(): Promise<void>;
}

/**
 * Starts node-cron tasks for the jobs. A job is a plain function run once per call with `now`;
 * everything it decides comes from that instant and the database, so a missed tick is caught up
 * by the next one and tests call the job directly with a fixed clock.
 */
export function startSchedule(jobs: ScheduledJob[], options: { timeZone: string; logger: AppLogger }): RunningSchedule {
  const running = new Set<Promise<unknown>>();
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.cron,
      async (context) => {
        const started = Date.now();
        const run = job.run(context.triggeredAt ?? new Date());
        running.add(run);
        try {
          const result = await run;
          options.logger.event('debug', 'job', { job: job.name, outcome: 'ok', result, ms: Date.now() - started });
        } catch (error) {
          options.logger.event('error', 'job', { job: job.name, outcome: 'error', error, ms: Date.now() - started });
        } finally {
          running.delete(run);
        }
      },
      // noOverlap: a slow run (Slack being slow) must not start a second copy of itself.
      { timezone: options.timeZone, name: job.name, noOverlap: true, suppressMissedWarning: true },
    ),
  );
  return {
    async stop() {
      await Promise.all(
        tasks.map(async (task) => {
          await task.destroy();
        }),
      );
      await Promise.allSettled([...running]);
    },
  };
}
