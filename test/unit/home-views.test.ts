import { describe, expect, it } from 'vitest';
import { validateModal } from '../../src/fake-slack/block-kit-limits.js';
import type { HomeModel, HomeVote, TeamHealth } from '../../src/features/home/model.js';
import { HOME_MAX_BLOCKS, homeView } from '../../src/features/home/views.js';
import { ballotMessage } from '../../src/features/vote/views.js';
import { computeResult } from '../../src/features/vote/rules.js';
import type { Vote, VoteOption } from '../../src/features/vote/repository.js';

const base: HomeModel = {
  userId: 'U1',
  coordinator: false,
  guest: false,
  today: '2026-10-20',
  teams: [{ id: 1, key: 'CNA', name: 'Certified Nursing Assistant', goals: [] }],
  votes: { items: [], total: 0 },
  votesNeedingOrganisation: 0,
  issues: { items: [], total: 0 },
  meetings: { items: [], total: 0 },
  goalsTracked: true,
};

const vote = (id: number, options = 3): HomeVote => ({
  id,
  key: `V-${id}`,
  teamKey: 'CNA',
  question: `Which first? <!channel> ${id}`,
  method: 'single',
  maxChoices: 1,
  forOrganisation: false,
  anonymous: false,
  closesAt: null,
  options: Array.from({ length: options }, (_, i) => ({ id: id * 100 + i, label: `Option ${i}` })),
});

const health = (key: string): TeamHealth => ({ key, name: `${key} team`, open: 3, blocked: 1, overdue: 2, goalsBehind: 1, goalsAtRisk: 0, goalsStale: 0, nextMeetingAt: null, lastDigestAt: null, nextDigestAt: 1_800_000_000_000 });

const texts = (blocks: unknown[]): string => JSON.stringify(blocks);

describe('homeView', () => {
  it('draws a member’s ballots with one button per option, named for screen readers, and escapes user text', () => {
    const view = homeView({ ...base, votes: { items: [vote(7, 2)], total: 1 } });
    const actions = view.blocks.find((b) => b.block_id === 'home_vote_7');
    expect(actions).toEqual({
      type: 'actions',
      block_id: 'home_vote_7',
      elements: [
        { type: 'button', action_id: 'vote_choose_700', text: { type: 'plain_text', text: 'Option 0' }, accessibility_label: 'Vote for Option 0 on V-7', value: '7:700' },
        { type: 'button', action_id: 'vote_choose_701', text: { type: 'plain_text', text: 'Option 1' }, accessibility_label: 'Vote for Option 1 on V-7', value: '7:701' },
      ],
    });
    expect(texts(view.blocks)).toContain('&lt;!channel&gt;');
    expect(texts(view.blocks)).not.toContain('<!channel>');
  });

  it('offers the ranking form for a ranked vote', () => {
    const view = homeView({ ...base, votes: { items: [{ ...vote(8), method: 'ranked' }], total: 1 } });
    const actions = view.blocks.find((b) => b.block_id === 'home_vote_8') as { elements: Array<{ action_id: string; accessibility_label?: string }> };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['vote_rank_open']);
    expect(actions.elements[0]?.accessibility_label).toContain('Rank the options of V-8');
  });

  it('welcomes a person on no team, with no vote button', () => {
    const view = homeView({ ...base, teams: [] });
    expect(texts(view.blocks)).toContain('Welcome to Alliance');
    expect(texts(view.blocks)).toContain('/team join');
    expect(texts(view.blocks)).not.toContain('home_new_vote');
  });

  it('tells a guest on no team to ask a coordinator, since guests cannot join a team themselves', () => {
    const view = homeView({ ...base, guest: true, teams: [] });
    expect(texts(view.blocks)).toContain('join one through a coordinator');
    expect(texts(view.blocks)).not.toContain('/team join');
  });

  it('shows a guest no teams section and no control room, even when listed as a coordinator', () => {
    const view = homeView({ ...base, guest: true });
    expect(texts(view.blocks)).toContain('guest from a partner workspace');
    expect(texts(view.blocks)).not.toContain('Your teams');
    expect(texts(view.blocks)).not.toContain('Control room');
  });

  it('stays within 100 blocks and Slack’s limits with 200 issues, 40 votes, many meetings and 60 teams, counting what is left out', () => {
    const model: HomeModel = {
      ...base,
      coordinator: true,
      notice: { text: 'Done.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }, { type: 'divider' }, { type: 'divider' }, { type: 'divider' }, { type: 'divider' }] },
      votes: { items: Array.from({ length: 8 }, (_, i) => vote(i + 1, 10)), total: 40 },
      issues: { items: Array.from({ length: 10 }, (_, i) => ({ id: i + 1, key: `CNA-${i + 1}`, title: 'T'.repeat(150), status: 'open', dueDate: '2026-01-01', overdue: true })), total: 200 },
      meetings: {
        items: Array.from({ length: 5 }, (_, i) => ({ id: i + 1, key: `M-${i + 1}`, teamKey: 'CNA', title: 'Meet', startsAt: 1_800_000_000_000, durationMinutes: 60, location: 'Room', link: null, answer: null })),
        total: 30,
      },
      teams: Array.from({ length: 6 }, (_, i) => ({ id: i, key: `T${i}`, name: 'Team', goals: [] })),
      control: Array.from({ length: 60 }, (_, i) => health(`T${i}`)),
    };
    const view = homeView(model);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    expect(validateModal(view as unknown as Record<string, unknown>)).toEqual([]);
    const all = texts(view.blocks);
    expect(all).toContain('more — `/issue list mine`');
    expect(all).toMatch(/more votes wait for your ballot/);
    expect(all).toContain('more — `/meeting list`');
    expect(all).toMatch(/\d+ more teams — `\/digest preview all`/);
    expect(all).toContain('2 more teams — `/team list`');
    // The control room's buttons always stay.
    expect(all).toContain('home_digest_send');
  });

  it('shows each team’s health in one row for coordinators', () => {
    const view = homeView({ ...base, coordinator: true, control: [health('CNA')] });
    const row = view.blocks.find((b) => b.type === 'section' && JSON.stringify(b).includes('*CNA* · CNA team')) as { text: { text: string } };
    expect(row.text.text).toBe(
      [
        '*CNA* · CNA team',
        '3 open issues · 1 blocked · :warning: 2 overdue',
        'Goals: :red_circle: 1 behind · 0 at risk · 0 stale',
        'Next meeting: _none scheduled_',
        'Digest: last sent _never_ · next <!date^1800000000^{date_short_pretty} at {time}|2027-01-15 08:00 UTC>',
      ].join('\n'),
    );
  });
});

describe('channel ballot', () => {
  it('names the option in each Vote button’s accessibility_label', () => {
    const v = { id: 3, number: 3, method: 'single', status: 'open', resultsVisibility: 'live', anonymous: false, eligibility: 'everyone', closesAt: null, closedAt: null, creatorId: 'U1', question: 'Q?', maxChoices: 1 } as unknown as Vote;
    const options = [
      { id: 31, label: 'Placements', position: 0, issueId: null },
      { id: 32, label: 'Curriculum', position: 1, issueId: null },
    ] as VoteOption[];
    const message = ballotMessage({ vote: v, options, result: computeResult(v, options, [], new Map(), 5) });
    const buttons = message.blocks.flatMap((b) => ('accessory' in b && b.accessory !== undefined ? [b.accessory] : [])) as Array<{ text: { text: string }; accessibility_label?: string }>;
    expect(buttons.map((b) => [b.text.text, b.accessibility_label])).toEqual([
      ['Vote', 'Vote for Placements on V-3'],
      ['Vote', 'Vote for Curriculum on V-3'],
    ]);
  });
});
