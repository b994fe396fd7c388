import type { WebClient } from '@slack/web-api';
import type { Storage } from '../../db/storage.js';
import type { AppLogger } from '../../logger.js';
import { TeamRepository } from '../team/repository.js';
import { TeamService } from '../team/service.js';
import { runReport } from './deliver.js';
import { ReportQueries } from './queries.js';
import { ReportRepository } from './repository.js';
import { ReportService } from './service.js';

export interface ReportJobDeps {
  db: Storage;
  client: WebClient;
  now: Date;
  logger: AppLogger;
  workspaceId: string;
  timeZone: string;
  /** Recorded on each claim, to tell which instance sent it. */
  instanceId: string;
  /** How long a claim holds before another instance may take it over (default 15 minutes). */
  leaseMs?: number;
  /** Where a report whose summary could not be delivered is tried again (default 30 minutes later). */
  retryMs?: number;
  /** Runs the delivery; tests replace it to crash mid-delivery. */
  deliver?: typeof runReport;
}

export interface ReportJobSummary {
  sent: Array<{ userId: string; period: string; missing: number }>;
  failed: Array<{ userId: string; period: string; error: string }>;
}

/**
 * Runs once per call (every 15 minutes in production): sends each coordinator's quarterly report
 * that is due and not yet sent. Each is claimed first (report_runs, unique on workspace, person and
 * quarter, in an immediate transaction), so two instances and every later tick find the claim; it
 * is marked sent once the summary is in the person's DM. A claim whose instance died is taken over
 * when its lease runs out; a delivery that failed is retried later, up to 5 attempts.
 */
export async function runScheduledReports(deps: ReportJobDeps): Promise<ReportJobSummary> {
  const teamRepository = new TeamRepository(deps.db);
  const queries = new ReportQueries(deps.db);
  const repo = new ReportRepository(deps.db);
  const reports = new ReportService({ queries, repo, teams: new TeamService(teamRepository), teamRepository, timeZone: deps.timeZone });
  const summary: ReportJobSummary = { sent: [], failed: [] };
  const now = deps.now.getTime();
  const deliver = deps.deliver ?? runReport;
  for (const { schedule, period } of await reports.due(deps.workspaceId, deps.now)) {
    if ((await repo.run(deps.workspaceId, schedule.userId, period.slug))?.status === 'sent') continue;
    if (!(await repo.claim({ workspaceId: deps.workspaceId, userId: schedule.userId, period: period.slug, instanceId: deps.instanceId, now, leaseMs: deps.leaseMs ?? 15 * 60_000 }))) continue;
    try {
      const delivered = await deliver(
        { client: deps.client, queries, timeZone: deps.timeZone, logger: deps.logger },
        schedule.userId,
        { workspaceId: deps.workspaceId, scope: 'all', teams: await queries.teams(deps.workspaceId, 'all'), period },
        deps.now,
      );
      await repo.markSent(deps.workspaceId, schedule.userId, period.slug, Date.now());
      summary.sent.push({ userId: schedule.userId, period: period.slug, missing: delivered.missing.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await repo.markFailed(deps.workspaceId, schedule.userId, period.slug, message, now + (deps.retryMs ?? 30 * 60_000));
      summary.failed.push({ userId: schedule.userId, period: period.slug, error: message });
      deps.logger.event('error', 'scheduled report failed', { job: 'report', userId: schedule.userId, period: period.slug, error });
    }
  }
  return summary;
}
