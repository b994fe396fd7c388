import type { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IssueRepository } from '../../src/features/issue/repository.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { VoteRepository } from '../../src/features/vote/repository.js';
import { newVoteModal } from '../../src/features/vote/views.js';
import { newIssue } from '../rig/issue-fixture.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * The vote form lists at most 100 open issues (a select's limit) and its hint says how many more
 * there are. The form opens before its trigger expires (3 s), so that total comes from the
 * per-status counters the triggers keep (issue_status_counts), not a count(*) over the issues
 * (issue #18).
 */

const WS = 'T0VOTEFORM';
const OTHER_WS = 'T0ELSEWHERE';
const at = new Date('2026-03-02T15:00:00Z').getTime();

describe(`the vote form's count of open issues (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let votes: VoteRepository;

  beforeEach(async () => {
    database = await freshTestStorage();
    const teams = new TeamRepository(database.storage);
    const cna = (await teams.create({ workspaceId: WS, key: 'CNA', name: 'CNA', description: '', createdAt: at })).id;
    const ma = (await teams.create({ workspaceId: WS, key: 'MA', name: 'MA', description: '', createdAt: at })).id;
    const elsewhere = (await teams.create({ workspaceId: OTHER_WS, key: 'CNA', name: 'CNA', description: '', createdAt: at })).id;
    const issues = new IssueRepository(database.storage);
    // 103 open issues over two teams (some in progress or blocked), 4 closed, and 2 in another workspace.
    const plan: Array<[number, string, number]> = [
      [cna, 'open', 60],
      [cna, 'in_progress', 20],
      [ma, 'blocked', 23],
      [cna, 'resolved', 3],
      [ma, 'dropped', 1],
      [elsewhere, 'open', 2],
    ];
    for (const [programTeamId, status, howMany] of plan) {
      for (let i = 0; i < howMany; i++) {
        const row = await issues.insert(newIssue({ workspaceId: programTeamId === elsewhere ? OTHER_WS : WS, programTeamId, title: `${status} ${i}`, createdAt: at }));
        if (status !== 'open') await issues.update(row.id, { status, updatedAt: at + 1 });
      }
    }
    votes = new VoteRepository(database.storage);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await database.dispose();
  });

  it('is the number of open issues of the workspace (open, in progress and blocked; not closed, not another workspace’s)', async () => {
    expect(await votes.countOpenIssues(WS)).toBe(103);
    expect(await votes.countOpenIssues(OTHER_WS)).toBe(2);
    expect(await votes.countOpenIssues('T0NOBODY')).toBe(0);
  });

  it('reads the per-status counters, not the issues', async () => {
    const dialect = (database.storage as unknown as { dialect: SQLiteAsyncDialect }).dialect;
    const building = vi.spyOn(dialect, 'sqlToQuery');
    await votes.countOpenIssues(WS);
    const statements = building.mock.results.map((r) => (r.value as { sql: string }).sql);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('issue_status_counts');
    expect(statements[0]).not.toMatch(/"issues"/);
  });

  it('says in the form how many open issues are not listed', async () => {
    const listed = await votes.openIssues(WS, 100);
    expect(listed).toHaveLength(100);
    const view = newVoteModal({ teams: [], initialTeamId: undefined, issues: listed, moreIssues: (await votes.countOpenIssues(WS)) - listed.length, channelId: 'C0CNA', timeZone: 'America/Detroit' });
    expect(JSON.stringify(view.blocks)).toContain('Showing the first 100 open issues; 3 more are not listed.');
  });
});
