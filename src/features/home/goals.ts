import type { Db } from '../../db/open.js';
import { goalKey } from '../goal/model.js';
import { paceOf } from '../goal/pace.js';
import { GoalRepository } from '../goal/repository.js';
import { paceText, valueText } from '../goal/views.js';
import { todayIn } from '../issue/model.js';
import type { HomeGoalPace } from './model.js';
import type { GoalPaceSource } from './service.js';

/** Pace of a team's open goals for the Home tab, by the goals feature's own rule and words. */
export function goalPaces(db: Db, timeZone: string): GoalPaceSource {
  const repo = new GoalRepository(db);
  return {
    teamGoals(teamId: number, now: Date): HomeGoalPace[] {
      const goals = repo.openOfTeam(teamId);
      const readings = repo.currentReadings(goals.map((g) => g.id));
      const today = todayIn(now, timeZone);
      return goals.map((goal) => {
        const pace = paceOf(goal, readings.get(goal.id) ?? [], today);
        return {
          key: goalKey(goal),
          name: goal.name,
          paceText: paceText(pace),
          progressText: valueText(goal, pace),
          behind: pace.status === 'behind' || pace.status === 'overdue',
          atRisk: pace.status === 'at_risk',
          stale: pace.stale,
        };
      });
    },
  };
}
