import { eq } from 'drizzle-orm';
import type { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { goalIssues, goals, issues as issueTable } from '../../src/db/schema.js';
import type { Storage } from '../../src/db/storage.js';
import { LIST_SCOPES, type ListScope } from '../../src/features/issue/model.js';
import { IssueRepository, type IssueFilter } from '../../src/features/issue/repository.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';
import { newIssue } from '../rig/issue-fixture.js';

/*
 * `/issue show` and `/issue list` run on every such command. drizzle's async builder writes a
 * query's SQL text anew on each call unless the query is prepared; building it was ~18% of the
 * app's busy time on SQLite (issue #18). These tests count how often drizzle turns a query into SQL
 * text (its dialect's `sqlToQuery`), and check that the prepared reads answer exactly what the same
 * queries built per call answer, for every list shape, and inside a transaction.
 */

const WS = 'T0PREP';
const OTHER_WS = 'T0ELSEWHERE';
const TODAY = '2026-03-02';
const at = new Date('2026-03-02T15:00:00Z').getTime();

function countSqlBuilding(storage: Storage) {
  const dialect = (storage as unknown as { dialect: SQLiteAsyncDialect }).dialect;
  return vi.spyOn(dialect, 'sqlToQuery');
}

describe(`issue show and list reads are prepared once per repository (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let issues: IssueRepository;
  let cna: number;
  let ma: number;
  let elsewhere: number;
  let firstIssue: number;

  const filter = (scope: ListScope, teamIds?: number[], over: Partial<IssueFilter> = {}): IssueFilter => ({
    workspaceId: WS,
    scope,
    userId: 'U0OWNER',
    today: TODAY,
    ...(teamIds === undefined ? {} : { teamIds }),
    ...over,
  });

  beforeEach(async () => {
    database = await freshTestStorage();
    const teams = new TeamRepository(database.storage);
    cna = (await teams.create({ workspaceId: WS, key: 'CNA', name: 'CNA', description: '', createdAt: at })).id;
    ma = (await teams.create({ workspaceId: WS, key: 'MA', name: 'MA', description: '', createdAt: at })).id;
    elsewhere = (await teams.create({ workspaceId: OTHER_WS, key: 'CNA', name: 'CNA elsewhere', description: '', createdAt: at })).id;
    const seed = new IssueRepository(database.storage);
    const plan: Array<[number, string, string | null, string | null, number | null]> = [
      [cna, 'open', 'U0OWNER', '2026-03-01', null],
      [cna, 'in_progress', 'U0OTHER', null, 2],
      [cna, 'blocked', 'U0OWNER', '2026-04-01', 1],
      [cna, 'resolved', 'U0OWNER', null, null],
      [cna, 'open', null, '2026-02-27', null],
      [ma, 'open', 'U0OTHER', '2026-02-01', null],
      [ma, 'resolved', 'U0OTHER', null, null],
      [ma, 'dropped', 'U0OWNER', null, null],
      [ma, 'open', 'U0OWNER', null, null],
      [elsewhere, 'open', 'U0OWNER', '2026-01-01', null],
    ];
    let i = 0;
    for (const [programTeamId, status, ownerId, dueDate, priority] of plan) {
      i++;
      const row = await seed.insert(
        newIssue({ workspaceId: programTeamId === elsewhere ? OTHER_WS : WS, programTeamId, title: `${status} issue ${i}`, details: `details ${i}`, ownerId, dueDate, createdAt: at + i }),
      );
      firstIssue ??= row.id;
      await seed.update(row.id, { status, updatedAt: at + 100 - i });
      // As a closed priority vote ranks issues.
      if (priority !== null) await database.storage.update(issueTable).set({ priority }).where(eq(issueTable.id, row.id)).run();
      await seed.addEvent({ workspaceId: row.workspaceId, issueId: row.id, programTeamId, actorId: 'U0REPORTER', kind: 'comment', note: `comment ${i}`, createdAt: at + i });
      if (status !== 'open') {
        await seed.addEvent({ workspaceId: row.workspaceId, issueId: row.id, programTeamId, actorId: 'U0REPORTER', kind: 'status', fromValue: 'open', toValue: status, createdAt: at + i + 1 });
      }
    }
    const goal = await database.storage
      .insert(goals)
      .values({ workspaceId: WS, number: 1, programTeamId: cna, kind: 'milestone', name: 'Launch', startDate: '2026-01-01', targetDate: '2026-06-01', ownerId: 'U0COORD', creatorId: 'U0COORD', createdAt: at, updatedAt: at })
      .returning()
      .get();
    await database.storage.insert(goalIssues).values({ workspaceId: WS, goalId: goal.id, issueId: firstIssue, linkedBy: 'U0COORD', createdAt: at }).run();
    issues = new IssueRepository(database.storage);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await database.dispose();
  });

  const teamSets = () => [[cna], [cna, ma], [ma, cna], undefined];

  /** `/issue show`'s reads and every list shape once, with values that vary by round. */
  const reads = async (round: number) => {
    const ws = round % 2 === 0 ? WS : OTHER_WS;
    const out: unknown[] = [
      await issues.byKey(ws, 'cna', 1),
      await issues.byKey(WS, 'MA', 1 + (round % 4)),
      await issues.byId(ws, firstIssue + (round % 10)),
      await issues.get(firstIssue + (round % 10)),
      await issues.events(firstIssue + (round % 10)),
      await issues.statusEvents(firstIssue + (round % 10)),
      await issues.commentCount(firstIssue + (round % 10)),
    ];
    for (const scope of LIST_SCOPES) {
      for (const teamIds of teamSets()) {
        out.push(await issues.list(filter(scope, teamIds), round % 3, 2), await issues.count(filter(scope, teamIds)));
      }
    }
    return out;
  };

  it('builds each read’s SQL text once across 100 calls, not on every call', async () => {
    const building = countSqlBuilding(database.storage);
    await reads(0);
    await reads(1);
    // The first calls prepare: one text per show read, and two per list shape (its page and its total).
    expect(building.mock.calls.length).toBeLessThanOrEqual(7 + 2 * LIST_SCOPES.length * 3);
    building.mockClear();
    for (let round = 0; round < 100; round++) await reads(round);
    expect(building).not.toHaveBeenCalled();
  });

  it('lists and counts exactly what the same queries built per call answer, for every shape and page', async () => {
    for (const scope of LIST_SCOPES) {
      for (const teamIds of teamSets()) {
        for (const over of [{}, { workspaceId: OTHER_WS }, { userId: 'U0OTHER' }, { today: '2026-02-15' }]) {
          const f = filter(scope, teamIds, over);
          const total = (await issues.countQuery(f).get())?.n ?? 0;
          expect({ scope, teamIds, over, total: await issues.count(f) }).toEqual({ scope, teamIds, over, total });
          for (const [offset, limit] of [
            [0, 20],
            [0, 2],
            [2, 2],
            [4, 3],
            [50, 20],
          ] as const) {
            const built = (await issues.listQuery(f, offset, limit).all()).map((r) => ({ ...r.issue, teamKey: r.teamKey, teamName: r.teamName }));
            expect({ scope, teamIds, over, offset, limit, page: await issues.list(f, offset, limit) }).toEqual({ scope, teamIds, over, offset, limit, page: built });
          }
        }
      }
    }
    // Spot checks, so that the comparison above is not between two empty answers.
    expect(await issues.count(filter('open'))).toBe(6);
    expect(await issues.count(filter('mine', [cna, ma]))).toBe(3);
    expect(await issues.count(filter('overdue', [cna]))).toBe(2);
    // A priority vote's ranked issues come first (1 = top), then the newest activity.
    expect((await issues.list(filter('open', [cna]), 0, 20)).map((i) => i.title)).toEqual(['blocked issue 3', 'in_progress issue 2', 'open issue 1', 'open issue 5']);
  });

  it('shows an issue as before: its team, its goals, its events', async () => {
    const shown = await issues.byKey(WS, 'cna', 1);
    expect(shown).toMatchObject({ id: firstIssue, number: 1, teamKey: 'CNA', teamName: 'CNA', title: 'open issue 1', goals: [{ number: 1, name: 'Launch' }] });
    expect(await issues.byId(WS, firstIssue)).toEqual(shown);
    expect(await issues.get(firstIssue)).toEqual(shown);
    expect(await issues.byId(OTHER_WS, firstIssue)).toBeUndefined();
    expect(await issues.byKey(OTHER_WS, 'CNA', 1)).toMatchObject({ teamName: 'CNA elsewhere', goals: [] });
    expect(await issues.byKey(WS, 'CNA', 99)).toBeUndefined();
    expect((await issues.events(firstIssue + 1)).map((e) => e.kind)).toEqual(['comment', 'status']);
    expect((await issues.statusEvents(firstIssue + 1)).map((e) => e.toValue)).toEqual(['in_progress']);
    expect(await issues.commentCount(firstIssue)).toBe(1);
    expect(await issues.commentCount(-1)).toBe(0);
  });

  it('keeps at most 64 list shapes prepared, and lists the rest correctly built per call', async () => {
    const ids = Array.from({ length: 70 }, (_, k) => [cna, ma, elsewhere][k % 3]!);
    for (let n = 1; n <= 70; n++) {
      const f = filter('all', ids.slice(0, n));
      const expected = (await issues.listQuery(f, 0, 50).all()).map((r) => r.issue.id);
      expect((await issues.list(f, 0, 50)).map((i) => i.id)).toEqual(expected);
    }
    const building = countSqlBuilding(database.storage);
    await issues.list(filter('all', ids.slice(0, 3)), 0, 50);
    expect(building).not.toHaveBeenCalled();
    await issues.list(filter('all', ids.slice(0, 70)), 0, 50);
    expect(building).toHaveBeenCalled();
  });

  it('runs inside a transaction on the transaction’s connection', async () => {
    await issues.list(filter('open', [cna]), 0, 20); // prepared before the transaction, used inside it
    const failure = new Error('roll back');
    await expect(
      database.storage.transaction(async () => {
        const row = await issues.insert(newIssue({ workspaceId: WS, programTeamId: cna, title: 'inside', createdAt: at + 1000 }));
        expect((await issues.byKey(WS, 'CNA', row.number))?.title).toBe('inside');
        expect((await issues.list(filter('open', [cna]), 0, 20)).map((i) => i.title)).toContain('inside');
        expect(await issues.count(filter('open', [cna]))).toBe(5);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await issues.byKey(WS, 'CNA', 6)).toBeUndefined();
    expect(await issues.count(filter('open', [cna]))).toBe(4);
  });
});
