import { describe, expect, it } from 'vitest';
import type { Issue, IssueEventRow } from '../../src/features/issue/repository.js';
import { announcement, issueCard, issueDetailView, issueLine, issueListView, issueMenu, issueModal, splitMrkdwn, statusReply } from '../../src/features/issue/views.js';
import { validateMessage, validateModal } from '../../src/fake-slack/block-kit-limits.js';

const issue = (over: Partial<Issue> = {}): Issue => ({
  id: 7,
  workspaceId: 'T1',
  programTeamId: 1,
  number: 3,
  title: 'Too few placements',
  details: '',
  category: 'work_based_learning',
  status: 'open',
  ownerId: 'U0OWNER',
  dueDate: '2025-03-20',
  reporterId: 'U0REPORT',
  priority: null,
  sourcePermalink: null,
  sourceChannelId: null,
  sourceTs: null,
  announcementChannelId: null,
  announcementTs: null,
  createdAt: 0,
  updatedAt: 0,
  closedAt: null,
  teamKey: 'CNA',
  teamName: 'Certified Nursing Assistant',
  ...over,
});

const event = (n: number, over: Partial<IssueEventRow> = {}): IssueEventRow => ({
  id: n,
  workspaceId: 'T1',
  issueId: 7,
  programTeamId: 1,
  actorId: 'U0ACTOR',
  kind: 'comment',
  fromValue: null,
  toValue: null,
  note: `comment ${n} ${'x'.repeat(900)}`,
  createdAt: n,
  ...over,
});

describe('issue views', () => {
  it('renders a list line with key, title, status, owner, due date and overdue mark', () => {
    expect(issueLine(issue(), '2025-03-10')).toBe('*CNA-3* Too few placements\n:large_green_circle: Open · <@U0OWNER> · due 2025-03-20');
    expect(issueLine(issue({ ownerId: null, dueDate: '2025-03-01', priority: 2 }), '2025-03-10')).toBe(
      '*CNA-3* Too few placements\n:large_green_circle: Open · _unassigned_ · due 2025-03-01 :warning: *overdue* · priority #2',
    );
  });

  it('offers start, resolve and assign to me on open issues, and no buttons on closed ones', () => {
    const open = issueCard(issue(), '2025-03-10');
    expect(JSON.stringify(open.blocks.at(-1))).toContain('issue_start');
    const started = issueCard(issue({ status: 'in_progress' }), '2025-03-10');
    expect(JSON.stringify(started.blocks)).not.toContain('issue_start');
    expect(JSON.stringify(started.blocks)).toContain('issue_resolve');
    expect(JSON.stringify(issueCard(issue({ status: 'dropped' }), '2025-03-10').blocks)).not.toContain('"actions"');
  });

  it('says when card details are shortened instead of cutting them silently', () => {
    const card = issueCard(issue({ details: 'd'.repeat(800) }), '2025-03-10');
    expect(JSON.stringify(card.blocks)).toContain('/issue show CNA-3');
  });

  it('shows long details whole and a long history within Slack limits, saying what did not fit', () => {
    const events = Array.from({ length: 200 }, (_, i) => event(i + 1));
    const view = issueDetailView(issue({ details: '<&>'.repeat(1000) }), events, '2025-03-10', (ms) => `t${ms}`);
    expect(validateMessage({ text: view.text, blocks: view.blocks })).toEqual([]);
    const text = JSON.stringify(view.blocks);
    // Every entity arrives whole: none is split between two sections.
    for (const entity of ['&lt;', '&amp;', '&gt;']) expect(text.split(entity).length - 1, entity).toBe(1000);
    expect(text).toContain('comment 200');
    expect(text).toMatch(/…and \d+ more/);
  });

  it('splits escaped text without breaking an entity', () => {
    const pieces = splitMrkdwn('&amp;'.repeat(700), 3000);
    expect(pieces.join('')).toBe('&amp;'.repeat(700));
    for (const piece of pieces) expect(piece).toMatch(/^(&amp;)+$/);
  });

  it('pages a list with counts and only the buttons that lead somewhere', () => {
    const issues = Array.from({ length: 20 }, (_, i) => issue({ id: i + 1, number: i + 1 }));
    const view = issueListView({ issues, total: 57, page: 2, pageCount: 3, offset: 20, scope: 'open', teamIds: [1], label: 'CNA', fellBack: false, today: '2025-03-10' });
    expect(view.text).toBe('Open issues for CNA: showing 21–40 of 57');
    expect(validateMessage({ text: view.text, blocks: view.blocks })).toEqual([]);
    const nav = view.blocks.at(-1);
    expect(nav).toEqual({
      type: 'actions',
      block_id: 'issue_list_nav',
      elements: [
        { type: 'button', action_id: 'issue_list_prev_page', text: { type: 'plain_text', text: 'Previous page' }, value: '{"t":[1],"s":"open","p":1}' },
        { type: 'button', action_id: 'issue_list_page', text: { type: 'plain_text', text: 'Next page' }, value: '{"t":[1],"s":"open","p":3}' },
      ],
    });
  });

  it('gives every list line a menu of 2 to 5 quick actions, and a full page of every status stays within Slack limits', () => {
    const statuses = ['open', 'in_progress', 'blocked', 'resolved', 'dropped'];
    const issues = Array.from({ length: 20 }, (_, i) => issue({ id: i + 1, number: i + 1, status: statuses[i % 5] ?? 'open', title: `<!channel> ${'t'.repeat(140)}` }));
    const view = issueListView({ issues, total: 500, page: 3, pageCount: 25, offset: 40, scope: 'all', teamIds: [1], label: 'CNA', fellBack: false, today: '2025-03-10' });
    expect(validateMessage({ text: view.text, blocks: view.blocks })).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(50);
    const labels = (status: string) => issueMenu(issue({ status })).options.map((o) => o.text.text);
    expect(labels('open')).toEqual(['Start', 'Resolve', 'Assign to me', 'Show']);
    expect(labels('in_progress')).toEqual(['Resolve', 'Assign to me', 'Show']);
    expect(labels('resolved')).toEqual(['Reopen', 'Show']);
    expect(issueMenu(issue()).options.map((o) => o.value)).toEqual(['start:7', 'resolve:7', 'assign_me:7', 'show:7']);
  });

  it('keeps the comment count on the announcement and escapes the note of a status reply', () => {
    expect(JSON.stringify(announcement(issue(), '2025-03-10', 1).blocks)).toContain(':speech_balloon: 1 comment ·');
    expect(JSON.stringify(announcement(issue(), '2025-03-10', 3).blocks)).toContain('3 comments');
    expect(statusReply(issue(), { actorId: 'U0HANNAH', toValue: 'resolved', note: '<!here> done' })).toEqual({
      text: ':white_check_mark: <@U0HANNAH> moved *CNA-3* to *Resolved*: &lt;!here&gt; done',
    });
  });

  it('says plainly when a list is empty', () => {
    const view = issueListView({ issues: [], total: 0, page: 1, pageCount: 1, offset: 0, scope: 'overdue', teamIds: undefined, label: 'all teams', fellBack: false, today: '2025-03-10' });
    expect(view).toEqual({ text: 'No overdue issues for all teams.', blocks: [] });
  });

  it('builds forms Slack accepts, prefilled and with the team preselected', () => {
    const teams = [
      { id: 1, workspaceId: 'T1', key: 'CNA', name: 'Certified Nursing Assistant', description: '', createdAt: 0 },
      { id: 2, workspaceId: 'T1', key: 'MA', name: 'Medical Assistant', description: '', createdAt: 0 },
    ];
    const created = issueModal({ mode: 'new', teams, teamId: 2, title: 't'.repeat(400), details: 'd'.repeat(5000), privateMetadata: '{}' });
    expect(validateModal(created)).toEqual([]);
    expect(JSON.stringify(created.blocks)).toContain('"initial_option":{"text":{"type":"plain_text","text":"MA · Medical Assistant"},"value":"2"}');
    const edit = issueModal({ mode: 'edit', teams: [teams[0]!], issueKey: 'CNA-12345', ownerId: 'U0OWNER', dueDate: '2025-04-01', category: 'curriculum', privateMetadata: '{"id":1}' });
    expect(validateModal(edit)).toEqual([]);
    expect(edit.callback_id).toBe('issue_edit');
    expect(JSON.stringify(edit.blocks)).not.toContain('issue_team"');
    expect(JSON.stringify(edit.blocks)).toContain('"initial_user":"U0OWNER"');
  });
});
