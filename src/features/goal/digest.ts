import type { KnownBlock } from '@slack/types';
import type { Storage } from '../../db/storage.js';
import { chunkLines, section, SECTION_MAX } from '../../slack/blocks.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import { formatNumber, goalKey, todayIn } from './model.js';
import { latestReading, paceOf, paceRank, type Pace } from './pace.js';
import { GoalRepository, type Goal } from './repository.js';
import { daysLeftText, paceText, valueText } from './views.js';

/*
 * Goals in digests: each team digest opens with its goals, and the coordinators' roll-up has a
 * cross-team goals section sorted by risk. Reads a team's open goals (and those closed in the
 * period) with their current readings; pace is judged on the period's last day.
 */

/** Sections a team digest's goals may take: 30 goals a team fit in two, so nothing is cut at that size. */
export const GOAL_DIGEST_SECTIONS = 3;
/** Sections of the roll-up's cross-team goals list. */
export const GOAL_ROLLUP_SECTIONS = 3;

export interface GoalDigestItem {
  goal: Goal;
  pace: Pace;
  /** The latest value minus the value at the period's start (measures); null when it cannot be said. */
  change: number | null;
  /** Closed as achieved or dropped during the period. */
  closedInPeriod: boolean;
}

/** A team's goals for its digest over `period` (ms instants), most worrying first. */
export async function goalDigestItems(db: Storage, programTeamId: number, period: { start: number; end: number }, timeZone: string): Promise<GoalDigestItem[]> {
  const repo = new GoalRepository(db);
  const open = await repo.ofTeam(programTeamId, ['open']);
  const all = [...open, ...(await repo.closedBetween(programTeamId, period.start, period.end))];
  const readings = await repo.currentReadings(all.map((g) => g.id));
  const today = todayIn(new Date(period.end), timeZone);
  const startDay = todayIn(new Date(period.start), timeZone);
  const items = all.map((goal): GoalDigestItem => {
    const own = readings.get(goal.id) ?? [];
    const pace = paceOf(goal, own, today);
    let change: number | null = null;
    // With no reading at all there is no change to tell, only that nothing was read yet.
    if (goal.kind === 'measure' && pace.latest !== null && own.length > 0) {
      const before = latestReading(own.filter((r) => r.asOf <= startDay));
      // A goal set during the period changed from its baseline.
      const from = before?.value ?? goal.baseline;
      change = from === null ? null : pace.latest - from;
    }
    return { goal, pace, change, closedInPeriod: goal.status !== 'open' };
  });
  return items.sort((a, b) => paceRank(a.pace) - paceRank(b.pace) || a.goal.number - b.goal.number);
}

/** "+6 this week", "no change this week", "−2 this week". */
export function changeText(change: number | null, word: string): string {
  if (change === null) return '';
  if (Math.abs(change) < 1e-9) return `no change this ${word}`;
  return `${change > 0 ? '+' : '−'}${formatNumber(Math.abs(change))} this ${word}`;
}

/** One digest line: `• *G-1* Clinical placement slots · 28 of 40 slots (from 22) · +6 this week · :red_circle: Behind · 212 days left`. */
export function goalDigestLine(item: GoalDigestItem, word: string, withTeam = false): string {
  const { goal, pace } = item;
  const days = daysLeftText(pace, goal);
  const noReading = goal.kind === 'measure' && goal.status === 'open' && pace.latestAsOf === null;
  const change = goal.status !== 'open' ? '' : noReading ? 'no reading yet' : changeText(item.change, word);
  const parts = [valueText(goal, pace), ...(change === '' ? [] : [change]), paceText(pace), ...(days === '' ? [] : [days])];
  const team = withTeam ? `${escapeMrkdwn(goal.teamKey)} · ` : '';
  return `• ${team}*${goalKey(goal)}* ${escapeMrkdwn(goal.name)} · ${parts.join(' · ')}`;
}

/** The goals that open a team digest; nothing when the team has none. */
export function teamGoalBlocks(items: readonly GoalDigestItem[], teamKey: string, word: string): KnownBlock[] {
  if (items.length === 0) return [];
  const open = items.filter((i) => i.goal.status === 'open');
  const behind = open.filter((i) => i.pace.status === 'behind' || i.pace.status === 'overdue').length;
  const stale = open.filter((i) => i.pace.stale).length;
  const heading = `:dart: *Goals (${open.length} open)*${behind > 0 ? ` · ${behind} behind` : ''}${stale > 0 ? ` · ${stale} stale` : ''}`;
  const lines = items.map((i) => goalDigestLine(i, word));
  const sections = chunkLines([heading, ...lines], SECTION_MAX, GOAL_DIGEST_SECTIONS);
  const last = sections.length - 1;
  if (sections.length === GOAL_DIGEST_SECTIONS && (sections[last] ?? '').includes('…and ')) sections[last] = `${sections[last]}: \`/goal list ${escapeMrkdwn(teamKey)}\``;
  return sections.map(section);
}

/** The roll-up's cross-team goals section: every team's goals, most worrying first. */
export function rollupGoalBlocks(items: readonly GoalDigestItem[], word: string): KnownBlock[] {
  const open = items.filter((i) => i.goal.status === 'open' || i.closedInPeriod);
  if (open.length === 0) return [];
  const sorted = [...open].sort((a, b) => paceRank(a.pace) - paceRank(b.pace) || a.goal.teamKey.localeCompare(b.goal.teamKey) || a.goal.number - b.goal.number);
  const behind = sorted.filter((i) => i.pace.status === 'behind' || i.pace.status === 'overdue').length;
  const atRisk = sorted.filter((i) => i.pace.status === 'at_risk').length;
  const stale = sorted.filter((i) => i.pace.stale).length;
  const heading = `:dart: *Goals across teams* · ${behind} behind or overdue · ${atRisk} at risk · ${stale} stale`;
  return chunkLines([heading, ...sorted.map((i) => goalDigestLine(i, word, true))], SECTION_MAX, GOAL_ROLLUP_SECTIONS).map(section);
}
