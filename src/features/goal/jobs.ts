import type { Storage } from '../../db/storage.js';
import { TeamRepository } from '../team/repository.js';
import { TeamService } from '../team/service.js';
import { WorkspaceZones } from '../team/zones.js';
import { buildGoalService } from './register.js';

export interface GoalJobDeps {
  db: Storage;
  now: Date;
  workspaceId: string;
  /** The deployment's zone (ALLIANCE_TIMEZONE), for a workspace that has not set its own. */
  timeZone: string;
  /** Each workspace's own zone; by default read from the database (the cache is shared per storage). */
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  instanceId: string;
}

/**
 * Asks the owner of every stale goal for an update, once per stale period (see
 * GoalService.queueStaleReminders): safe to run any number of times, after a restart, or from two
 * instances at once. Returns how many reminders it queued.
 */
export async function runGoalStaleReminders(deps: GoalJobDeps): Promise<{ queued: number }> {
  const teamRepository = new TeamRepository(deps.db);
  const goals = buildGoalService({
    db: deps.db,
    teamRepository,
    teams: new TeamService(teamRepository),
    timeZone: deps.timeZone,
    // Stale periods are whole days in the workspace's own zone.
    zones: deps.zones ?? new WorkspaceZones(deps.db, deps.timeZone),
  });
  return { queued: await goals.queueStaleReminders(deps.workspaceId, deps.now, deps.instanceId) };
}
