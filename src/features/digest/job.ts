import type { KnownBlock } from '@slack/types';
import type { Storage } from '../../db/storage.js';
import type { AppLogger } from '../../logger.js';
import { TeamRepository } from '../team/repository.js';
import { TeamService } from '../team/service.js';
import { WorkspaceZones } from '../team/zones.js';
import { DigestRepository } from './repository.js';
import type { DigestTeam } from './queries.js';
import { DigestService, type DigestRunSummary } from './service.js';

export interface DigestJobDeps {
  db: Storage;
  now: Date;
  logger: AppLogger;
  workspaceId: string;
  /** ALLIANCE_TIMEZONE: the zone of a workspace that has not set its own. */
  timeZone: string;
  /** Each workspace's own zone; by default read from the database (the cache is shared per storage). */
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  configCoordinators: readonly string[];
  /** Recorded on each claimed run, to tell which instance sent it. */
  instanceId: string;
  /** How late a missed run may still be sent; DIGEST_CATCH_UP_GRACE_MS by default. */
  graceMs?: number;
  /** Uploads each team's trend chart for its digest (src/features/report/trend.ts), weeks in `timeZone` (the workspace's); none without a client. */
  trendBlock?: (team: DigestTeam, runAt: number, timeZone: string) => Promise<KnownBlock>;
}

/**
 * Runs once per call (every minute in production): sends each team's and the roll-up's digest
 * whose scheduled time has come and that nobody has sent yet. Schedules are read from the
 * database on every call, so a changed schedule applies from its next run without a restart.
 * It yields to the event loop between teams. The caller kicks the outbox afterwards.
 */
export async function runDigests(deps: DigestJobDeps): Promise<DigestRunSummary> {
  const teamRepository = new TeamRepository(deps.db);
  const service = new DigestService({
    repo: new DigestRepository(deps.db),
    teamRepository,
    teams: new TeamService(teamRepository),
    timeZone: deps.timeZone,
    // Default schedules, "today" and the times shown are the workspace's own.
    zones: deps.zones ?? new WorkspaceZones(deps.db, deps.timeZone),
    configCoordinators: deps.configCoordinators,
  });
  return await service.runDue(deps.workspaceId, deps.now, {
    instanceId: deps.instanceId,
    logger: deps.logger,
    ...(deps.graceMs === undefined ? {} : { graceMs: deps.graceMs }),
    ...(deps.trendBlock === undefined ? {} : { trendBlock: deps.trendBlock }),
  });
}
