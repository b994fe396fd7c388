import type { Storage } from '../../db/storage.js';
import { formatNumber, goalKey } from './model.js';
import { PACE_LABELS, paceOf, paceRank } from './pace.js';
import { GoalRepository } from './repository.js';

/** A goal a meeting should talk about: behind, overdue or stale. */
export interface AttentionGoal {
  key: string;
  name: string;
  /** Plain text: "behind, 28 of 40 slots, no reading for 34 days". */
  why: string;
}

/**
 * A team's open goals that are behind (or overdue) or stale, most worrying first: the meeting
 * agenda prefill lists them. `today` is YYYY-MM-DD in the collaborative's zone.
 */
export async function goalsNeedingAttention(db: Storage, programTeamId: number, today: string, limit = 30): Promise<AttentionGoal[]> {
  const repo = new GoalRepository(db);
  const goals = await repo.openOfTeam(programTeamId);
  const readings = await repo.currentReadings(goals.map((g) => g.id));
  return goals
    .map((goal) => ({ goal, pace: paceOf(goal, readings.get(goal.id) ?? [], today) }))
    .filter(({ pace }) => pace.status === 'behind' || pace.status === 'overdue' || pace.stale)
    .sort((a, b) => paceRank(a.pace) - paceRank(b.pace) || a.goal.number - b.goal.number)
    .slice(0, limit)
    .map(({ goal, pace }) => {
      const why: string[] = [PACE_LABELS[pace.status].label.toLowerCase()];
      if (goal.kind === 'measure') why.push(`${formatNumber(pace.latest ?? 0)} of ${formatNumber(goal.target ?? 0)}${goal.unit === '' ? '' : ` ${goal.unit}`}`);
      else why.push(`due ${goal.targetDate}`);
      if (pace.stale) why.push(`no reading for ${pace.daysSinceReading} days`);
      return { key: goalKey(goal), name: goal.name, why: why.join(', ') };
    });
}
