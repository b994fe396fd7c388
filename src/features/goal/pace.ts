/**
 * Pace: whether a goal is where it should be, by one documented rule (README "Pace"). Pure: a goal,
 * its current readings and today's date in the collaborative's zone in; a verdict out. Other
 * features (App Home, reports, digests, meeting agendas) call `paceOf` and nothing else, so the rule
 * lives here once.
 *
 * STABLE API (used by the home and reports features):
 *   paceOf(goal: PaceGoal, readings: PaceReading[], today: string): Pace
 *   PACE_LABELS, paceRank(pace), STALE_AFTER_DAYS, AT_RISK_SHARE, MILESTONE_AT_RISK_DAYS, daysBetween
 *
 * - Measure: the line runs from the baseline (on the start date) to the target (on the target date).
 *   Its value today is `expected`. The latest reading (by as-of date; the baseline when there is
 *   none) is *on track* when it is at least `expected` in the goal's direction, *at risk* when it
 *   falls short by at most 10% of the line's remaining distance (|target − expected|), *behind*
 *   otherwise. After the target date the line stays at the target, so any shortfall is *behind*.
 *   A latest value that has reached the target is on track whatever the date.
 * - Milestone: *on track* until its last 14 days, *at risk* in them (0–13 days left), *overdue* after
 *   the target date; *done* once marked done.
 * - A closed goal's pace is its outcome: *achieved* or *dropped*.
 * - Stale: an open goal whose latest reading (or, with none, its start date) is 30 or more days
 *   before today.
 * Dates are calendar dates (YYYY-MM-DD) counted in whole days, so daylight saving never shifts them.
 */
import { addDays, daysBetween } from '../../time/calendar.js';

export const STALE_AFTER_DAYS = 30;
/** "At risk" is a shortfall within this share of the line's remaining distance. */
export const AT_RISK_SHARE = 0.1;
export const MILESTONE_AT_RISK_DAYS = 14;

export type PaceStatus = 'on_track' | 'at_risk' | 'behind' | 'overdue' | 'done' | 'achieved' | 'dropped';

export const PACE_LABELS: Record<PaceStatus, { label: string; emoji: string }> = {
  on_track: { label: 'On track', emoji: ':large_green_circle:' },
  at_risk: { label: 'At risk', emoji: ':large_yellow_circle:' },
  behind: { label: 'Behind', emoji: ':red_circle:' },
  overdue: { label: 'Overdue', emoji: ':red_circle:' },
  done: { label: 'Done', emoji: ':white_check_mark:' },
  achieved: { label: 'Achieved', emoji: ':trophy:' },
  dropped: { label: 'Dropped', emoji: ':heavy_minus_sign:' },
};

/** What pace needs of a goal (a `Goal` row satisfies it). */
export interface PaceGoal {
  kind: string;
  status: string;
  baseline: number | null;
  target: number | null;
  direction: string | null;
  startDate: string;
  targetDate: string;
}

/** A current reading (superseded ones are left out by the caller). */
export interface PaceReading {
  asOf: string;
  value: number;
}

export interface Pace {
  status: PaceStatus;
  /** The latest reading's value (measures: the baseline when there is no reading yet). */
  latest: number | null;
  latestAsOf: string | null;
  /** Measures: where the straight line is today. */
  expected: number | null;
  /** Measures: share of the way from baseline to target, 0..1 (may exceed 1 or go below 0). */
  progress: number | null;
  /** Days from today to the target date (negative when past). */
  daysLeft: number;
  stale: boolean;
  /** Days since the latest reading (or the start date when there is none). */
  daysSinceReading: number;
}

/** Whole days and day sums on calendar dates (YYYY-MM-DD): no clock, no zone, no DST. Re-exported for the features that use pace. */
export { addDays, daysBetween };

export function latestReading(readings: readonly PaceReading[]): PaceReading | undefined {
  let latest: PaceReading | undefined;
  for (const r of readings) if (latest === undefined || r.asOf >= latest.asOf) latest = r;
  return latest;
}

/** The straight line's value on `date`: baseline at the start, target at the target date, flat outside. */
export function expectedOn(goal: PaceGoal, date: string): number {
  const baseline = goal.baseline ?? 0;
  const target = goal.target ?? 0;
  const span = daysBetween(goal.startDate, goal.targetDate);
  if (span <= 0) return target;
  const share = Math.min(1, Math.max(0, daysBetween(goal.startDate, date) / span));
  return baseline + (target - baseline) * share;
}

export function paceOf(goal: PaceGoal, readings: readonly PaceReading[], today: string): Pace {
  const latest = latestReading(readings);
  const since = latest?.asOf ?? goal.startDate;
  const daysSinceReading = Math.max(0, daysBetween(since, today));
  const daysLeft = daysBetween(today, goal.targetDate);
  const open = goal.status === 'open';
  const stale = open && daysSinceReading >= STALE_AFTER_DAYS;
  const base = { latestAsOf: latest?.asOf ?? null, daysLeft, stale, daysSinceReading };

  if (goal.kind === 'milestone') {
    const done = latest !== undefined && latest.value >= 1;
    const status: PaceStatus = !open ? closedStatus(goal.status, done) : done ? 'done' : daysLeft < 0 ? 'overdue' : daysLeft < MILESTONE_AT_RISK_DAYS ? 'at_risk' : 'on_track';
    return { ...base, stale: stale && !done, status, latest: done ? 1 : 0, expected: null, progress: done ? 1 : 0 };
  }

  const baseline = goal.baseline ?? 0;
  const target = goal.target ?? 0;
  const value = latest?.value ?? baseline;
  const expected = expectedOn(goal, today);
  const sign = goal.direction === 'down' ? -1 : 1;
  const progress = target === baseline ? 1 : (value - baseline) / (target - baseline);
  let status: PaceStatus;
  if (!open) status = closedStatus(goal.status, false);
  else if (sign * (value - target) >= 0) status = 'on_track';
  else {
    const shortfall = sign * (expected - value);
    // A tiny tolerance so a reading exactly on the line (computed in floating point) is on track.
    if (shortfall <= 1e-9) status = 'on_track';
    else if (shortfall <= AT_RISK_SHARE * Math.abs(target - expected) + 1e-9) status = 'at_risk';
    else status = 'behind';
  }
  return { ...base, status, latest: value, expected, progress };
}

function closedStatus(status: string, done: boolean): PaceStatus {
  if (status === 'dropped') return 'dropped';
  return done ? 'done' : 'achieved';
}

/** Sort key, most worrying first: behind/overdue, at risk, stale, on track, then closed. */
export function paceRank(pace: Pace): number {
  const byStatus: Record<PaceStatus, number> = { behind: 0, overdue: 0, at_risk: 2, on_track: 4, done: 6, achieved: 6, dropped: 7 };
  return byStatus[pace.status] + (pace.stale && byStatus[pace.status] >= 2 && byStatus[pace.status] < 6 ? -1 : 0);
}
