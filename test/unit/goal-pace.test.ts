import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, paceOf, paceRank, type PaceGoal } from '../../src/features/goal/pace.js';
import { parseGoalNumber, parseNumber, parseQuickGoal, progressBar, takeAsOf, unitProblem } from '../../src/features/goal/model.js';
import { todayIn } from '../../src/time/zone.js';

/** 22 → 40 over 100 days: the line gains 0.18 a day. */
const measure: PaceGoal = { kind: 'measure', status: 'open', baseline: 22, target: 40, direction: 'up', startDate: '2026-01-01', targetDate: '2026-04-11' };
const at = (day: number) => addDays('2026-01-01', day);
const reading = (value: number, day = 50) => [{ asOf: at(day), value }];

describe('pace of a measure', () => {
  it('is on track exactly on the straight line, and above it', () => {
    // Day 50: the line is at 31; its remaining distance is 9, so "at risk" reaches down to 30.1.
    expect(paceOf(measure, reading(31), at(50)).status).toBe('on_track');
    expect(paceOf(measure, reading(35), at(50)).status).toBe('on_track');
    expect(paceOf(measure, reading(31), at(50)).expected).toBeCloseTo(31);
  });
  it('is at risk within 10% of the remaining distance below the line, behind beyond it', () => {
    expect(paceOf(measure, reading(30.1), at(50)).status).toBe('at_risk');
    expect(paceOf(measure, reading(30.95), at(50)).status).toBe('at_risk');
    expect(paceOf(measure, reading(30.09), at(50)).status).toBe('behind');
    expect(paceOf(measure, reading(28), at(50)).status).toBe('behind');
  });
  it('judges the latest reading against the line today, not on the reading date', () => {
    // 31 was on the line at day 50; at day 80 the line is at 36.4 (remaining 3.6), so 31 is behind.
    expect(paceOf(measure, reading(31, 50), at(80)).status).toBe('behind');
  });
  it('uses the baseline while there is no reading: on track on the first day, behind later', () => {
    expect(paceOf(measure, [], at(0)).status).toBe('on_track');
    expect(paceOf(measure, [], at(0)).latest).toBe(22);
    expect(paceOf(measure, [], at(60)).status).toBe('behind');
  });
  it('after the target date any shortfall is behind, and reaching the target is on track', () => {
    expect(paceOf(measure, reading(39.99, 101), at(120)).status).toBe('behind');
    expect(paceOf(measure, reading(40, 101), at(120)).status).toBe('on_track');
    expect(paceOf(measure, reading(41, 20), at(20)).status).toBe('on_track');
  });
  it('mirrors the rule for a goal that goes down', () => {
    const down: PaceGoal = { ...measure, baseline: 40, target: 22, direction: 'down' };
    // Day 50: line at 31, remaining 9: at risk up to 31.9.
    expect(paceOf(down, reading(31), at(50)).status).toBe('on_track');
    expect(paceOf(down, reading(31.9), at(50)).status).toBe('at_risk');
    expect(paceOf(down, reading(31.91), at(50)).status).toBe('behind');
  });
  it('takes the latest reading by as-of date, not by the order recorded', () => {
    const readings = [
      { asOf: at(50), value: 31 },
      { asOf: at(10), value: 10 },
    ];
    expect(paceOf(measure, readings, at(50)).latest).toBe(31);
  });
  it('reports progress as a share of baseline to target', () => {
    expect(paceOf(measure, reading(31), at(50)).progress).toBeCloseTo(0.5);
    expect(progressBar(0.5)).toBe('█████░░░░░ 50%');
    expect(progressBar(1.2)).toBe('██████████ 120%');
  });
});

describe('pace of a milestone', () => {
  const milestone: PaceGoal = { kind: 'milestone', status: 'open', baseline: null, target: null, direction: null, startDate: '2026-01-01', targetDate: '2026-03-01' };
  it('is on track until its last 14 days, at risk in them, overdue after', () => {
    expect(paceOf(milestone, [], '2026-02-15').daysLeft).toBe(14);
    expect(paceOf(milestone, [], '2026-02-15').status).toBe('on_track');
    expect(paceOf(milestone, [], '2026-02-16').status).toBe('at_risk');
    expect(paceOf(milestone, [], '2026-03-01').status).toBe('at_risk');
    expect(paceOf(milestone, [], '2026-03-02').status).toBe('overdue');
  });
  it('is done once it has a done reading, and a closed one shows its outcome', () => {
    expect(paceOf(milestone, [{ asOf: '2026-02-20', value: 1 }], '2026-03-05').status).toBe('done');
    expect(paceOf({ ...milestone, status: 'dropped' }, [], '2026-03-05').status).toBe('dropped');
  });
});

describe('stale', () => {
  it('is stale at 30 days without a reading, not at 29', () => {
    expect(paceOf(measure, reading(31, 10), at(39)).stale).toBe(false);
    expect(paceOf(measure, reading(31, 10), at(40)).stale).toBe(true);
    expect(paceOf(measure, [], at(30)).stale).toBe(true);
  });
  it('is never stale once closed', () => {
    expect(paceOf({ ...measure, status: 'achieved' }, [], at(90)).stale).toBe(false);
  });
  it('sorts the worrying first', () => {
    const behind = paceOf(measure, reading(20), at(50));
    const atRisk = paceOf(measure, reading(30.5), at(50));
    const onTrack = paceOf(measure, reading(35), at(50));
    const staleOnTrack = paceOf(measure, reading(41, 5), at(50));
    expect([onTrack, staleOnTrack, behind, atRisk].sort((a, b) => paceRank(a) - paceRank(b)).map((p) => [p.status, p.stale])).toEqual([
      ['behind', false],
      ['at_risk', false],
      ['on_track', true],
      ['on_track', false],
    ]);
  });
});

describe('dates are calendar days, whatever daylight saving does', () => {
  it('counts the March and November change weeks as 7 days', () => {
    expect(daysBetween('2026-03-02', '2026-03-09')).toBe(7);
    expect(daysBetween('2026-10-29', '2026-11-05')).toBe(7);
    expect(addDays('2026-03-07', 2)).toBe('2026-03-09');
  });
  it('takes "today" in the collaborative zone: 22:30 in Detroit is still that day', () => {
    expect(todayIn(new Date('2026-03-09T02:30:00Z'), 'America/Detroit')).toBe('2026-03-08');
    expect(todayIn(new Date('2026-11-02T04:30:00Z'), 'America/Detroit')).toBe('2026-11-01');
  });
});

describe('goal vocabulary', () => {
  it('reads ids and numbers as people type them', () => {
    expect(parseGoalNumber('G-3')).toBe(3);
    expect(parseGoalNumber('g3')).toBe(3);
    expect(parseGoalNumber('CNA-3')).toBeUndefined();
    expect(parseNumber('1,200')).toBe(1200);
    expect(parseNumber('12.5')).toBe(12.5);
    for (const bad of ['lots', '1e9', '12abc', '', 'NaN', '1,20']) expect(parseNumber(bad)).toBeUndefined();
  });
  it('parses the quick form for measures and milestones', () => {
    const isTeam = (k: string) => ['CNA', 'SPT'].includes(k.toUpperCase());
    expect(parseQuickGoal('CNA Clinical placement slots from 22 to 40 by 2027-06-30', isTeam)).toEqual({
      teamKey: 'CNA', name: 'Clinical placement slots', kind: 'measure', baseline: 22, target: 40, unit: '', targetDate: '2027-06-30',
    });
    expect(parseQuickGoal('Apprentices hired from 5 to 25 apprentices by 2027-06-30', isTeam)).toMatchObject({ name: 'Apprentices hired', unit: 'apprentices', baseline: 5, target: 25 });
    expect(parseQuickGoal('SPT State approves the new SPT curriculum by 2027-03-01', isTeam)).toEqual({ teamKey: 'SPT', name: 'State approves the new SPT curriculum', kind: 'milestone', targetDate: '2027-03-01' });
    expect(parseQuickGoal('CNA slots from lots to 40 by 2027-06-30', isTeam)).toContain('"lots" is not a number');
    expect(parseQuickGoal('just a name', isTeam)).toBeUndefined();
    expect(parseQuickGoal('Transfers from MCC to WCCC from 3 to 10 students by 2027-06-30', isTeam)).toMatchObject({ name: 'Transfers from MCC to WCCC', baseline: 3, target: 10, unit: 'students' });
    expect(parseQuickGoal('Cut time to hire by 20 days from 62 to 42 days by 2027-06-30', isTeam)).toMatchObject({ name: 'Cut time to hire by 20 days', baseline: 62, target: 42, targetDate: '2027-06-30' });
  });
  it('splits "as of" off a reading note', () => {
    expect(takeAsOf('as of 2026-11-20 from the October survey')).toEqual({ asOf: '2026-11-20', rest: 'from the October survey' });
    expect(takeAsOf('two new sites')).toEqual({ rest: 'two new sites' });
  });
  it('refuses units with formatting', () => {
    expect(unitProblem('slots')).toBeUndefined();
    expect(unitProblem('%')).toBeUndefined();
    expect(unitProblem('*<!channel>*')).toContain('no formatting');
    expect(unitProblem('x'.repeat(21))).toContain('at most 20');
  });
});
