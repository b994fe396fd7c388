import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/fake-slack/block-kit-limits.js';
import { buildRollupTeam, buildTeamDigest, statusCountsAt, statusesAt, voteWinner, type RollupTeam } from '../../src/features/digest/content.js';
import type { IssueRow, IssueState, Listed, StatusCounts, TeamFigures, TeamLists } from '../../src/features/digest/queries.js';
import { changeText, listSection, periodLabel, periodWord, rollupView, teamDigestView } from '../../src/features/digest/views.js';

const TZ = 'America/Detroit';
const HOUR = 60 * 60 * 1000;
const WEEK = { start: Date.parse('2026-03-02T13:00:00Z'), end: Date.parse('2026-03-09T12:00:00Z') };
const PREVIOUS = { start: Date.parse('2026-02-23T13:00:00Z'), end: WEEK.start };

const issue = (id: number, status: string, createdAt: number): IssueState => ({ id, status, createdAt });
const row = (id: number, status: string, extra: Partial<IssueRow> = {}): IssueRow => ({ id, number: id, title: `Issue ${id}`, status, ownerId: null, dueDate: null, priority: null, ...extra });

const listed = <T>(items: T[], total = items.length): Listed<T> => ({ items, total });
const noLists: TeamLists = {
  opened: listed([]),
  closed: listed([]),
  overdue: listed([]),
  blocked: listed([]),
  unowned: listed([]),
  priorities: listed([]),
  meetings: listed([]),
  openVotes: listed([]),
  closedVotes: listed([]),
};
const counts = (c: Partial<StatusCounts> = {}): StatusCounts => ({ open: 0, in_progress: 0, blocked: 0, ...c });
/** Figures of a team whose issues all predate the period and did not change in it. */
const figures = (current: Partial<StatusCounts> = {}, extra: Partial<TeamFigures> = {}): TeamFigures => ({
  currentAtStart: counts(current),
  currentAtEnd: counts(current),
  changedIssues: [],
  statusChanges: [],
  openedNow: 0,
  openedBefore: 0,
  closedNow: 0,
  closedBefore: 0,
  overdue: 0,
  blocked: 0,
  unowned: 0,
  ...extra,
});
const nobody = { memberCount: 0, organisationCount: 0 };
const team = (key: string) => ({ id: 1, key, name: `${key} team`, createdAt: 0 });

describe('digest comparisons', () => {
  it('words changes against the previous week, day or period', () => {
    expect(changeText({ now: 5, before: 7 }, 'week')).toBe('2 fewer than last week');
    expect(changeText({ now: 3, before: 2 }, 'day')).toBe('1 more than the day before');
    expect(changeText({ now: 4, before: 4 }, 'period')).toBe('same as the period before');
  });

  it('calls 167 and 169 hours a week (clock changes) and one minute a period', () => {
    expect(periodWord(WEEK)).toBe('week');
    expect(periodWord({ start: 0, end: 169 * HOUR })).toBe('week');
    expect(periodWord({ start: 0, end: 23 * HOUR })).toBe('day');
    expect(periodWord({ start: 0, end: 60_000 })).toBe('period');
  });

  it('labels a week by dates and shorter periods with times, in the given zone', () => {
    expect(periodLabel(WEEK, TZ)).toBe('2 Mar 2026 – 9 Mar 2026');
    expect(periodLabel({ start: Date.parse('2026-03-09T13:59:00Z'), end: Date.parse('2026-03-09T14:00:00Z') }, TZ)).toBe('9 Mar 2026, 09:59 – 9 Mar 2026, 10:00');
  });

  it('rebuilds each issue’s status at an instant from the changes after it', () => {
    const issues = [issue(1, 'resolved', 0), issue(2, 'blocked', 0), issue(3, 'open', 10 * HOUR)];
    const changes = [
      { issueId: 1, fromValue: 'open', toValue: 'in_progress', createdAt: 2 * HOUR, id: 1 },
      { issueId: 1, fromValue: 'in_progress', toValue: 'resolved', createdAt: 4 * HOUR, id: 2 },
    ];
    expect([...statusesAt(issues, changes, HOUR)]).toEqual([
      [1, 'open'],
      [2, 'blocked'],
    ]);
    expect([...statusesAt(issues, changes, 3 * HOUR)]).toEqual([
      [1, 'in_progress'],
      [2, 'blocked'],
    ]);
    expect([...statusesAt(issues, changes, 11 * HOUR)]).toEqual([
      [1, 'resolved'],
      [2, 'blocked'],
      [3, 'open'],
    ]);
  });

  it('counts statuses at an instant from the counts now, corrected by the issues changed since', () => {
    // Issue 1 is resolved now but was open at 1h and in progress at 3h; issue 3 did not exist at 3h.
    const changed = [issue(1, 'resolved', 0), issue(3, 'blocked', 2 * HOUR)];
    const changes = [
      { issueId: 1, fromValue: 'open', toValue: 'in_progress', createdAt: 2 * HOUR, id: 1 },
      { issueId: 1, fromValue: 'in_progress', toValue: 'resolved', createdAt: 4 * HOUR, id: 2 },
      { issueId: 3, fromValue: 'open', toValue: 'blocked', createdAt: 5 * HOUR, id: 3 },
    ];
    // Now (issues created before the instant, by current status): 2 open, 1 blocked, issue 3 among those at 3h.
    expect(statusCountsAt(counts({ open: 2, blocked: 1 }), changed, changes, HOUR)).toEqual(counts({ open: 3, blocked: 1 }));
    expect(statusCountsAt(counts({ open: 2, blocked: 2 }), changed, changes, 3 * HOUR)).toEqual(counts({ open: 3, in_progress: 1, blocked: 1 }));
    expect(statusCountsAt(counts({ open: 2, blocked: 2 }), changed, changes, 6 * HOUR)).toEqual(counts({ open: 2, blocked: 2 }));
  });
});

describe('vote winners', () => {
  const options = [
    { id: 10, label: 'Job fair', position: 0 },
    { id: 11, label: 'Open house', position: 1 },
  ];
  const base = { id: 1, number: 1, question: 'Q', method: 'single', closedAt: 0, options };

  it('reads the stored winner, or the top of the stored ranking', () => {
    expect(voteWinner({ ...base, resultJson: JSON.stringify({ winner: 11, ranking: [11, 10] }), ballots: [] }).winner).toBe('Open house');
    expect(voteWinner({ ...base, resultJson: JSON.stringify({ ranking: [10, 11] }), ballots: [] }).winner).toBe('Job fair');
    expect(voteWinner({ ...base, resultJson: JSON.stringify({ winner: null }), ballots: [] }).winner).toBeNull();
  });

  it('recounts from ballots when there is no stored result, and reports no winner for a tie', () => {
    const ballots = (choices: number[][]) => choices.map((c) => ({ choicesJson: JSON.stringify(c) }));
    expect(voteWinner({ ...base, resultJson: null, ballots: ballots([[10], [11], [11]]) })).toEqual({ winner: 'Open house', ballots: 3 });
    expect(voteWinner({ ...base, resultJson: null, ballots: ballots([[10], [11]]) })).toEqual({ winner: null, ballots: 2 });
    expect(voteWinner({ ...base, method: 'ranked', resultJson: 'not json', ballots: ballots([[10, 11], [11, 10], [10]]) })).toEqual({ winner: 'Job fair', ballots: 3 });
  });
});

describe('digest views', () => {
  it('lists at most eight items and says how many more and where to see them', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `• item ${i + 1}`);
    const block = listSection('*Things (20)*', lines, '`/issue list CNA`');
    expect(block).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ['*Things (20)*', ...lines.slice(0, 8), '…and 12 more: `/issue list CNA`'].join('\n') },
    });
  });

  it('counts the items it was not given when told the total', () => {
    const block = listSection('*Things (300)*', ['• a', '• b'], '`/issue list CNA`', 300);
    expect(block).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Things (300)*\n• a\n• b\n…and 298 more: `/issue list CNA`' } });
  });

  it('stops before 3,000 characters when lines are long, still saying how many are left', () => {
    const lines = Array.from({ length: 8 }, (_, i) => `• ${String(i).repeat(700)}`);
    const block = listSection('*Long*', lines, '`/issue list CNA`') as { text: { text: string } };
    expect(block.text.text.length).toBeLessThanOrEqual(3000);
    expect(block.text.text).toMatch(/…and 4 more: `\/issue list CNA`$/);
  });

  it('renders a quiet week as the header, one line and the footer', () => {
    const digest = buildTeamDigest(team('MA'), figures({ open: 1 }), noLists, nobody, WEEK, PREVIOUS);
    expect(teamDigestView(digest, TZ)).toEqual({
      text: 'MA digest, 2 Mar 2026 – 9 Mar 2026: 1 issue open, 0 in progress, 0 blocked; a quiet week.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'MA digest · 2 Mar 2026 – 9 Mar 2026' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'A quiet week for *MA*: no issues opened or closed, no meetings or votes. Still 1 issue open, 0 in progress, 0 blocked.' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'All issues: `/issue list MA` · This digest any time: `/digest preview MA`' }] },
      ],
    });
  });

  it('escapes issue titles so they cannot ping or link', () => {
    const titled = row(1, 'open', { title: '<!channel> & <https://x.test|click>' });
    const digest = buildTeamDigest(team('CNA'), figures({}, { openedNow: 1, unowned: 1 }), { ...noLists, opened: listed([titled]), unowned: listed([titled]) }, nobody, WEEK, PREVIOUS);
    const text = JSON.stringify(teamDigestView(digest, TZ).blocks);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://x.test|click&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('packs a roll-up of 120 teams into fewer than 50 blocks without losing a team silently', () => {
    const digests: RollupTeam[] = Array.from({ length: 120 }, (_, i) =>
      buildRollupTeam(team(`T${String(i).padStart(3, '0')}`), figures({ blocked: 1 }, { blocked: 1 }), WEEK, null, [], nobody),
    );
    const view = rollupView(digests, WEEK, TZ);
    expect(validateMessage({ text: view.text, blocks: view.blocks })).toEqual([]);
    expect(view.blocks.length).toBeLessThan(50);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('*T000*');
    // Either every team is listed or the last section says how many more there are.
    const listed = (text.match(/\*T\d{3}\*/g) ?? []).length;
    if (listed < 120) expect(text).toContain(`…and ${120 - listed} more`);
  });
});
