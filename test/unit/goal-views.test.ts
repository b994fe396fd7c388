import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/fake-slack/block-kit-limits.js';
import { goalDigestLine, rollupGoalBlocks, teamGoalBlocks, type GoalDigestItem } from '../../src/features/goal/digest.js';
import { paceOf } from '../../src/features/goal/pace.js';
import type { Goal } from '../../src/features/goal/repository.js';
import { closedAnnouncement, goalButtons, goalLine, valueText } from '../../src/features/goal/views.js';

const goal = (over: Partial<Goal> = {}): Goal => ({
  id: 1,
  workspaceId: 'T1',
  number: 1,
  programTeamId: 1,
  kind: 'measure',
  name: 'Clinical placement slots',
  unit: 'slots',
  baseline: 22,
  target: 40,
  direction: 'up',
  startDate: '2026-11-02',
  targetDate: '2027-06-30',
  status: 'open',
  ownerId: 'U0HFH0001',
  organisationId: null,
  creatorId: 'U0HFH0001',
  closeNote: null,
  announcementChannelId: null,
  announcementTs: null,
  createdAt: 0,
  updatedAt: 0,
  closedAt: null,
  teamKey: 'CNA',
  teamName: 'Certified Nursing Assistant',
  organisationName: null,
  ...over,
});
const today = '2026-11-30';

describe('goal views', () => {
  it('says a goal in one line: value, pace, days left', () => {
    const g = goal();
    expect(goalLine({ goal: g, pace: paceOf(g, [{ asOf: today, value: 28 }], today) })).toBe(
      '*G-1* Clinical placement slots · 28 of 40 slots (from 22) · :large_green_circle: On track · 212 days left',
    );
    const m = goal({ kind: 'milestone', unit: '', baseline: null, target: null, direction: null, targetDate: '2026-12-10', name: 'MOU <!channel> & co' });
    expect(goalLine({ goal: m, pace: paceOf(m, [], today) })).toBe('*G-1* MOU &lt;!channel&gt; &amp; co · not done yet · :large_yellow_circle: At risk · 10 days left');
  });

  it('offers "Record a reading" on a measure, "Mark done" on a milestone, nothing on a closed goal', () => {
    expect(goalButtons(goal())?.elements).toEqual([
      { type: 'button', action_id: 'goal_record_reading', text: { type: 'plain_text', text: 'Record a reading' }, style: 'primary', value: '1' },
    ]);
    expect(goalButtons(goal({ kind: 'milestone' }))?.elements[0]).toMatchObject({ action_id: 'goal_mark_done', text: { text: 'Mark done' } });
    expect(goalButtons(goal({ status: 'achieved' }))).toBeUndefined();
  });

  it('escapes the closing note in the announcement', () => {
    expect(closedAnnouncement(goal({ status: 'dropped' }), 'U0COORD01', 'funding <!here> ended').text).toBe(
      ':heavy_minus_sign: <@U0COORD01> dropped *G-1* · Clinical placement slots: funding &lt;!here&gt; ended',
    );
  });

  it('reads a milestone closed as achieved as done', () => {
    const m = goal({ kind: 'milestone', status: 'achieved' });
    expect(valueText(m, paceOf(m, [{ asOf: today, value: 1 }], today))).toBe('done');
  });
});

describe('goals in digests', () => {
  const items = (n: number): GoalDigestItem[] =>
    Array.from({ length: n }, (_, i) => {
      const g = goal({ id: i + 1, number: i + 1, name: `Sterile processing technicians trained at partner site number ${i + 1}`, unit: 'technicians', teamKey: i % 2 === 0 ? 'SPT' : 'CNA' });
      return { goal: g, pace: paceOf(g, [{ asOf: today, value: 20 + (i % 5) }], today), change: i % 3 === 0 ? null : 2, closedInPeriod: false };
    });

  it('says the change since the previous digest, and "no reading yet" when there is none', () => {
    const [first] = items(1);
    if (first === undefined) throw new Error('no item');
    expect(goalDigestLine({ ...first, change: 4 }, 'week')).toContain('· +4 this week ·');
    expect(goalDigestLine({ ...first, change: -1.5 }, 'week')).toContain('· −1.5 this week ·');
    const unread = { ...first, pace: paceOf(first.goal, [], today) };
    expect(goalDigestLine(unread, 'week')).toContain('· no reading yet ·');
  });

  it('lists 30 goals of a team whole in at most 3 sections within Slack’s limits', () => {
    const blocks = teamGoalBlocks(items(30), 'SPT', 'week');
    expect(blocks.length).toBeLessThanOrEqual(3);
    expect(validateMessage({ text: 'x', blocks })).toEqual([]);
    expect(JSON.stringify(blocks).match(/\*G-\d+\*/g)?.length).toBe(30);
  });

  it('says how many more a team with very many goals has, and where to see them', () => {
    const blocks = teamGoalBlocks(items(120), 'SPT', 'week');
    expect(blocks.length).toBe(3);
    expect(JSON.stringify(blocks)).toMatch(/…and \d+ more: `\/goal list SPT`/);
  });

  it('sorts the roll-up’s goals across teams by risk, then team', () => {
    const behind = goal({ id: 50, number: 50, teamKey: 'MA', name: 'Behind' });
    const atRisk = goal({ id: 51, number: 51, teamKey: 'CNA', name: 'At risk' });
    const onTrack = goal({ id: 52, number: 52, teamKey: 'CNA', name: 'On track' });
    const text = JSON.stringify(
      rollupGoalBlocks(
        [
          { goal: onTrack, pace: paceOf(onTrack, [{ asOf: today, value: 30 }], today), change: null, closedInPeriod: false },
          { goal: atRisk, pace: paceOf(atRisk, [{ asOf: today, value: 24.05 }], today), change: null, closedInPeriod: false },
          { goal: behind, pace: paceOf(behind, [{ asOf: today, value: 10 }], today), change: null, closedInPeriod: false },
        ],
        'week',
      ),
    );
    expect(text.indexOf('MA · *G-50*')).toBeLessThan(text.indexOf('CNA · *G-51*'));
    expect(text.indexOf('CNA · *G-51*')).toBeLessThan(text.indexOf('CNA · *G-52*'));
    expect(text).toContain('1 behind or overdue · 1 at risk · 0 stale');
  });
});
