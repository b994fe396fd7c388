import type { Kicker } from '../outbox/kicker.js';
import type { ScheduledJob } from './scheduler.js';

export interface JobDeps {
  outbox: Kicker;
}

/** The one place that says when each job runs. */
export function buildJobs(deps: JobDeps): ScheduledJob[] {
  return [
    // Reminders and retries wait in the outbox with a not-before time; a short tick sends them on time.
    { name: 'outbox', cron: '*/10 * * * * *', run: async () => deps.outbox.kick() },
  ];
}
