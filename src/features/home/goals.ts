import type { Storage } from '../../db/storage.js';
import { goalKey } from '../goal/model.js';
import { paceOf } from '../goal/pace.js';
import { GoalRepository } from '../goal/repository.js';
import { paceText, valueText } from '../goal/views.js';
import { todayIn } from '../../time/zone.js';
import type { HomeGoalPace } from './model.js';
import type { GoalPaceSource } from './service.js';
import type { WorkspaceZones } from '../team/zones.js';

/**
 * Pace of every open goal of the workspace for the Home tab, by the goals feature's own rule and words. Two queries per Home.
 * "Today" is in the workspace's zone (`zones`), or in `timeZone` for every workspace when `zones` is not given (benches).
 */
export function goalPaces(db: Storage, timeZone: string, zones?: Pick<WorkspaceZones, 'zoneFor'>): GoalPaceSource {
  const repo = new GoalRepository(db);
  return {
    async goalsByTeam(workspaceId: string, now: Date): Promise<Map<number, HomeGoalPace[]>> {
      const goals = await repo.ofWorkspace(workspaceId);
      const readings = await repo.currentReadings(goals.map((g) => g.id));
      const today = todayIn(now, zones === undefined ? timeZone : await zones.zoneFor(workspaceId));
      const byTeam = new Map<number, HomeGoalPace[]>();
      for (const goal of goals) {
        const pace = paceOf(goal, readings.get(goal.id) ?? [], today);
        const list = byTeam.get(goal.programTeamId) ?? [];
        list.push({
          key: goalKey(goal),
          name: goal.name,
          paceText: paceText(pace),
          progressText: valueText(goal, pace),
          behind: pace.status === 'behind' || pace.status === 'overdue',
          atRisk: pace.status === 'at_risk',
          stale: pace.stale,
        });
        byTeam.set(goal.programTeamId, list);
      }
      return byTeam;
    },
  };
}
