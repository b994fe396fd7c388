import type { Storage } from '../../db/storage.js';
import { TeamRepository } from '../team/repository.js';
import { TeamService } from '../team/service.js';
import { buildGoalService } from './register.js';

export interface GoalJobDeps {
  db: Storage;
  now: Date;
  workspaceId: string;
  timeZone: string;
  instanceId: string;
}

/**
 * Asks the owner of every stale goal for an update, once per stale period (see
 * GoalService.queueStaleReminders): safe to run any number of times, after a restart, or from two
 * instances at once. Returns how many reminders it queued.
 */
export async function runGoalStaleReminders(deps: GoalJobDeps): Promise<{ queued: number }> {
  const teamRepository = new TeamRepository(deps.db);
  const goals = buildGoalService({ db: deps.db, teamRepository, teams: new TeamService(teamRepository), timeZone: deps.timeZone });
  return { queued: await goals.queueStaleReminders(deps.workspaceId, deps.now, deps.instanceId) };
}
