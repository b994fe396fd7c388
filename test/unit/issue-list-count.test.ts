import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IssueRepository, type IssueFilter } from '../../src/features/issue/repository.js';
import { LIST_SCOPES, type ListScope } from '../../src/features/issue/model.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { newIssue } from '../rig/issue-fixture.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

const WS = 'T0COUNT';
const OTHER_WS = 'T0ELSEWHERE';
const at = new Date('2026-03-02T15:00:00Z').getTime();

describe(`/issue list totals (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let issues: IssueRepository;
  let cna: number;
  let ma: number;

  const filter = (scope: ListScope, teamIds?: number[]): IssueFilter => ({ workspaceId: WS, scope, userId: 'U0OWNER', today: '2026-03-02', ...(teamIds === undefined ? {} : { teamIds }) });

  beforeEach(async () => {
    database = await freshTestStorage();
    const teams = new TeamRepository(database.storage);
    cna = (await teams.create({ workspaceId: WS, key: 'CNA', name: 'CNA', description: '', createdAt: at })).id;
    ma = (await teams.create({ workspaceId: WS, key: 'MA', name: 'MA', description: '', createdAt: at })).id;
    const elsewhere = (await teams.create({ workspaceId: OTHER_WS, key: 'CNA', name: 'CNA', description: '', createdAt: at })).id;
    issues = new IssueRepository(database.storage);
    const plan: Array<[number, string, string, string | null]> = [
      [cna, 'open', 'U0OWNER', '2026-03-01'],
      [cna, 'in_progress', 'U0OTHER', null],
      [cna, 'blocked', 'U0OWNER', '2026-04-01'],
      [cna, 'resolved', 'U0OWNER', null],
      [ma, 'open', 'U0OTHER', '2026-02-01'],
      [ma, 'resolved', 'U0OTHER', null],
      [ma, 'dropped', 'U0OWNER', null],
      [elsewhere, 'open', 'U0OWNER', null],
    ];
    for (const [programTeamId, status, ownerId, dueDate] of plan) {
      const row = await issues.insert(
        newIssue({ workspaceId: programTeamId === elsewhere ? OTHER_WS : WS, programTeamId, title: `${status} issue`, ownerId, dueDate, createdAt: at }),
      );
      if (status !== 'open') await issues.update(row.id, { status, updatedAt: at + 1 });
    }
  });

  afterEach(async () => {
    await database.dispose();
  });

  it('equals a count of the matching issues for every scope, for one team, two teams and the whole workspace', async () => {
    for (const scope of LIST_SCOPES) {
      for (const teamIds of [[cna], [cna, ma], undefined]) {
        const counted = (await issues.countQuery(filter(scope, teamIds)).get())?.n ?? 0;
        expect({ scope, teamIds, total: await issues.count(filter(scope, teamIds)) }).toEqual({ scope, teamIds, total: counted });
      }
    }
    expect(await issues.count(filter('open'))).toBe(4);
    expect(await issues.count(filter('mine'))).toBe(2);
    expect(await issues.count(filter('overdue'))).toBe(2);
  });

  it('answers open, closed and all from the per-status counters, not by counting issues', async () => {
    // Put the counters visibly out of step with the rows: only a total read from them changes.
    await database.storage.execute(sql`update issue_status_counts set count = count + 100 where program_team_id = ${cna} and status = 'open'`);
    expect(await issues.count(filter('open', [cna]))).toBe(103);
    expect(await issues.count(filter('all'))).toBe(107);
    expect(await issues.count(filter('closed', [cna]))).toBe(1);
    expect(await issues.count(filter('mine', [cna]))).toBe(2);
  });
});
