import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Storage } from '../db/storage.js';
import { runDigests } from '../features/digest/job.js';
import type { HomeRuntime } from '../features/home/runtime.js';
import type { WorkspaceZones } from '../features/team/zones.js';
import { runScheduledReports } from '../features/report/job.js';
import { digestTrendBlock } from '../features/report/trend.js';
import { runGoalStaleReminders } from '../features/goal/jobs.js';
import { runVoteDeadlines } from '../features/vote/jobs.js';
import type { AppLogger } from '../logger.js';
import type { InWorkspace } from '../slack/workspace-scope.js';
import type { Kicker } from '../outbox/kicker.js';
import { runRetention } from './retention.js';
import type { ScheduledJob } from './scheduler.js';

export interface JobDeps {
  outbox: Kicker;
  home: Pick<HomeRuntime, 'run'>;
  db: Storage;
  client: WebClient;
  logger: AppLogger;
  config: Config;
  /** Each workspace's time zone (ALLIANCE_TIMEZONE where it set none): digests, reports and reminders are in it. */
  zones: Pick<WorkspaceZones, 'zoneFor'>;
  /** The workspaces jobs run for: the one workspace, or every installed one (distribution mode). */
  workspaces: () => Promise<string[]>;
  /** Runs a workspace's share of a job with that workspace's token. */
  inWorkspace: InWorkspace;
  /** Distribution mode: a job's result is a record per workspace, and one workspace's failure is logged, not thrown. */
  distributed: boolean;
  /** Distribution mode: deletes the data of workspaces uninstalled longer ago than the retention period. */
  purgeUninstalled?: (now: Date) => Promise<unknown>;
  instanceId: string;
}

/**
 * Runs `work` for every workspace at once, each with its own token: a workspace whose Slack is slow
 * or failing never delays another's digests, reports or reminders. In single-workspace mode it is
 * the one workspace's result, errors included; in distribution mode a record per workspace.
 */
async function forEachWorkspace<T>(deps: JobDeps, job: string, work: (workspaceId: string) => Promise<T>): Promise<unknown> {
  const workspaces = await deps.workspaces();
  if (!deps.distributed) {
    const only = workspaces[0];
    return only === undefined ? undefined : work(only);
  }
  const outcomes = await Promise.allSettled(workspaces.map((ws) => deps.inWorkspace(ws, () => work(ws))));
  const results: Record<string, T | { error: string }> = {};
  outcomes.forEach((outcome, i) => {
    const ws = workspaces[i] as string;
    if (outcome.status === 'fulfilled') results[ws] = outcome.value;
    else {
      results[ws] = { error: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason) };
      deps.logger.event('error', 'job failed for a workspace', { job, workspaceId: ws, error: outcome.reason });
    }
  });
  return results;
}

/** The one place that says when each job runs. */
export function buildJobs(deps: JobDeps): ScheduledJob[] {
  return [
    // Reminders and retries wait in the outbox with a not-before time; a short tick sends them on time.
    { name: 'outbox', cron: '*/10 * * * * *', run: async () => deps.outbox.kick() },
    // Home tabs made stale by a change are handed to the outbox once a burst has settled (a timer
    // usually does it first); this tick also hands over those that waited for the minute's share of views.publish.
    { name: 'home', cron: '*/5 * * * * *', run: async (now) => deps.home.run(now) },
    // Each team's digest schedule lives in the database (cron-parser computes its runs); this one
    // node-cron tick checks every minute which are due, so schedule changes need no restart and
    // runs missed while the app was down are caught up.
    {
      name: 'digest',
      cron: '* * * * *',
      run: (now) =>
        forEachWorkspace(deps, 'digest', async (workspaceId) => {
          const summary = await runDigests({
            db: deps.db,
            now,
            logger: deps.logger,
            workspaceId,
            timeZone: deps.config.ALLIANCE_TIMEZONE,
            zones: deps.zones,
            configCoordinators: deps.config.ALLIANCE_COORDINATORS,
            instanceId: deps.instanceId,
            // Each team digest shows its 8-week opened-vs-resolved chart (weeks in the workspace's zone), uploaded before the claim.
            trendBlock: (team, runAt, timeZone) => digestTrendBlock(deps.client, deps.db, team, runAt, timeZone),
          });
          if (summary.sent.length > 0) deps.outbox.kick();
          return summary;
        }),
    },
    // Quarterly reports are due at 08:00 on a quarter's first day; a tick every 15 minutes sends them
    // soon after, and after downtime the first tick sends what is still owed for the quarter.
    {
      name: 'report',
      cron: '*/15 * * * *',
      run: (now) =>
        forEachWorkspace(deps, 'report', async (workspaceId) =>
          runScheduledReports({ db: deps.db, client: deps.client, now, logger: deps.logger, workspaceId, timeZone: await deps.zones.zoneFor(workspaceId), instanceId: deps.instanceId }),
        ),
    },
    // Votes close at their deadline to the minute; a run after downtime closes every vote whose deadline passed.
    {
      name: 'vote-deadlines',
      cron: '0 * * * * *',
      run: async (now) => {
        const result = await runVoteDeadlines({ db: deps.db, client: deps.client, now, logger: deps.logger, inWorkspace: deps.inWorkspace });
        if (result.closed > 0) deps.outbox.kick();
        return result;
      },
    },
    // Goals with no reading for 30 days: one direct message to the owner per stale period. Hourly,
    // so a restart catches up within the hour; the claim table makes every run after the first a no-op.
    {
      name: 'goal-stale',
      cron: '23 * * * *',
      run: (now) =>
        forEachWorkspace(deps, 'goal-stale', async (workspaceId) => {
          const result = await runGoalStaleReminders({ db: deps.db, now, workspaceId, timeZone: deps.config.ALLIANCE_TIMEZONE, zones: deps.zones, instanceId: deps.instanceId });
          if (result.queued > 0) deps.outbox.kick();
          return result;
        }),
    },
    // Bookkeeping rows (request keys, finished outbox rows, old audit entries) are pruned nightly,
    // at a quiet hour, by the retention in src/jobs/retention.ts.
    { name: 'retention', cron: '17 3 * * *', run: async (now) => runRetention({ db: deps.db, now, logger: deps.logger }) },
    // Distribution mode: an uninstalled workspace's data goes once ALLIANCE_DATA_RETENTION_DAYS have passed.
    ...(deps.purgeUninstalled === undefined ? [] : [{ name: 'purge-uninstalled', cron: '41 3 * * *', run: deps.purgeUninstalled }]),
  ];
}
