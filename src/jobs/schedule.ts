import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/open.js';
import { runVoteDeadlines } from '../features/vote/jobs.js';
import type { AppLogger } from '../logger.js';
import type { Kicker } from '../outbox/kicker.js';
import type { ScheduledJob } from './scheduler.js';

export interface JobDeps {
  outbox: Kicker;
  /** What jobs that read the database and call Slack need. */
  db?: Db;
  client?: WebClient;
  logger?: AppLogger;
}

/** The one place that says when each job runs. */
export function buildJobs(deps: JobDeps): ScheduledJob[] {
  const jobs: ScheduledJob[] = [
    // Reminders and retries wait in the outbox with a not-before time; a short tick sends them on time.
    { name: 'outbox', cron: '*/10 * * * * *', run: async () => deps.outbox.kick() },
  ];
  const { db, client, logger } = deps;
  if (db !== undefined && client !== undefined && logger !== undefined) {
    // Votes close at their deadline to the minute; a run after downtime closes every vote whose deadline passed.
    jobs.push({
      name: 'vote-deadlines',
      cron: '0 * * * * *',
      run: async (now) => {
        const result = await runVoteDeadlines({ db, client, now, logger });
        if (result.closed > 0) deps.outbox.kick();
        return result;
      },
    });
  }
  return jobs;
}
