import type { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Storage } from '../../src/db/storage.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * The team lookups run on every request. drizzle's async builder writes a query's SQL text anew on
 * each call unless the query is prepared; building it was ~18% of the app's busy time on SQLite
 * (issue #18). These tests count how often drizzle turns a query into SQL text (its dialect's
 * `sqlToQuery`) and check that the prepared lookups answer as before, with each call's own values,
 * and inside a transaction on the transaction's connection.
 */

const WS = 'T0PREP';
const OTHER_WS = 'T0ELSEWHERE';
const at = new Date('2026-03-02T15:00:00Z').getTime();

/** Counts drizzle's SQL text building on this storage's query builder. */
function countSqlBuilding(storage: Storage) {
  const dialect = (storage as unknown as { dialect: SQLiteAsyncDialect }).dialect;
  return vi.spyOn(dialect, 'sqlToQuery');
}

describe(`team lookups are prepared once per repository (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let repo: TeamRepository;
  let cna: number;
  let ma: number;
  let elsewhere: number;

  beforeEach(async () => {
    database = await freshTestStorage();
    const seed = new TeamRepository(database.storage);
    cna = (await seed.create({ workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at })).id;
    ma = (await seed.create({ workspaceId: WS, key: 'MA', name: 'Medical assistants', description: '', createdAt: at })).id;
    elsewhere = (await seed.create({ workspaceId: OTHER_WS, key: 'CNA', name: 'Elsewhere', description: '', createdAt: at })).id;
    await seed.linkChannel({ workspaceId: WS, channelId: 'C0CNA', programTeamId: cna, linkedBy: 'U0COORD', createdAt: at });
    await seed.linkChannel({ workspaceId: WS, channelId: 'C0CNA2', programTeamId: cna, linkedBy: 'U0COORD', createdAt: at + 1 });
    await seed.linkChannel({ workspaceId: OTHER_WS, channelId: 'C0CNA', programTeamId: elsewhere, linkedBy: 'U0COORD', createdAt: at });
    await seed.addMember(WS, cna, 'U0ANA', at);
    await seed.addMember(WS, cna, 'U0BEN', at + 1);
    await seed.addMember(WS, ma, 'U0BEN', at + 2);
    await seed.addMember(OTHER_WS, elsewhere, 'U0ANA', at);
    await seed.addCoordinator(WS, 'U0COORD', 'U0ADMIN', at);
    repo = new TeamRepository(database.storage);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await database.dispose();
  });

  /** Every hot lookup once, with values that vary by round (so a prepared query must take each call's values). */
  const lookups = async (round: number) => {
    const ws = round % 2 === 0 ? WS : OTHER_WS;
    return {
      list: await repo.list(ws),
      teams: await repo.teams(ws),
      byKey: await repo.byKey(ws, 'cna'),
      missingKey: await repo.byKey(ws, 'NOPE'),
      byId: await repo.byId(round % 2 === 0 ? ma : elsewhere),
      byChannel: await repo.byChannel(ws, 'C0CNA'),
      unlinked: await repo.byChannel(ws, 'C0NONE'),
      memberAna: await repo.isMember(cna, 'U0ANA'),
      memberBenOfMa: await repo.isMember(ma, round % 2 === 0 ? 'U0BEN' : 'U0ANA'),
      teamsOfBen: await repo.teamsOf(ws, 'U0BEN'),
      coordinator: await repo.isStoredCoordinator(ws, 'U0COORD'),
    };
  };

  it('builds each lookup’s SQL text once across 100 calls, not on every call', async () => {
    const building = countSqlBuilding(database.storage);
    await lookups(0);
    await lookups(1);
    // The first calls prepare (at most one text per prepared lookup)…
    expect(building.mock.calls.length).toBeLessThanOrEqual(9);
    building.mockClear();
    for (let round = 0; round < 100; round++) await lookups(round);
    // …and no call after that builds SQL text again (per call building would be ~1,300 here).
    expect(building).not.toHaveBeenCalled();
  });

  it('answers as before, with each call’s own values', async () => {
    for (let round = 0; round < 4; round++) {
      const got = await lookups(round);
      if (round % 2 === 0) {
        expect(got.list.map((t) => ({ key: t.key, channelIds: t.channelIds, memberCount: t.memberCount }))).toEqual([
          { key: 'CNA', channelIds: expect.arrayContaining(['C0CNA', 'C0CNA2']) as unknown, memberCount: 2 },
          { key: 'MA', channelIds: [], memberCount: 1 },
        ]);
        expect(got.list.find((t) => t.key === 'CNA')?.channelIds).toHaveLength(2);
        expect(got.teams.map((t) => t.key)).toEqual(['CNA', 'MA']);
        expect(got.byKey).toMatchObject({ id: cna, workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at });
        expect(got.byId).toMatchObject({ id: ma, key: 'MA', name: 'Medical assistants' });
        expect(got.byChannel?.id).toBe(cna);
        expect(got.memberBenOfMa).toBe(true);
        expect(got.teamsOfBen.map((t) => t.key)).toEqual(['CNA', 'MA']);
        expect(got.coordinator).toBe(true);
      } else {
        expect(got.list.map((t) => ({ key: t.key, channelIds: t.channelIds, memberCount: t.memberCount }))).toEqual([{ key: 'CNA', channelIds: ['C0CNA'], memberCount: 1 }]);
        expect(got.teams.map((t) => t.id)).toEqual([elsewhere]);
        expect(got.byKey?.id).toBe(elsewhere);
        expect(got.byId?.name).toBe('Elsewhere');
        expect(got.byChannel?.id).toBe(elsewhere);
        expect(got.memberBenOfMa).toBe(false);
        expect(got.teamsOfBen).toEqual([]);
        expect(got.coordinator).toBe(false);
      }
      expect(got.missingKey).toBeUndefined();
      expect(got.unlinked).toBeUndefined();
      expect(got.memberAna).toBe(true);
    }
    // The same rows as the full record written (no column lost by the prepared mapping).
    expect(await repo.byKey(WS, 'ma')).toEqual(await repo.byId(ma));
    expect(await repo.isMember(ma, 'U0ANA')).toBe(false);
  });

  it('runs inside a transaction on the transaction’s connection, and sees only committed rows outside it', async () => {
    await repo.teams(WS); // prepared before the transaction, used inside it
    const failure = new Error('roll back');
    await expect(
      database.storage.transaction(async () => {
        const team = await repo.create({ workspaceId: WS, key: 'OPS', name: 'Operations', description: '', createdAt: at });
        await repo.linkChannel({ workspaceId: WS, channelId: 'C0OPS', programTeamId: team.id, linkedBy: 'U0COORD', createdAt: at });
        await repo.addMember(WS, team.id, 'U0ANA', at);
        expect((await repo.byKey(WS, 'ops'))?.id).toBe(team.id);
        expect((await repo.byChannel(WS, 'C0OPS'))?.id).toBe(team.id);
        expect(await repo.isMember(team.id, 'U0ANA')).toBe(true);
        expect((await repo.list(WS)).map((t) => [t.key, t.memberCount])).toEqual([
          ['CNA', 2],
          ['MA', 1],
          ['OPS', 1],
        ]);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await repo.byKey(WS, 'OPS')).toBeUndefined();
    expect(await repo.byChannel(WS, 'C0OPS')).toBeUndefined();
    expect((await repo.teams(WS)).map((t) => t.key)).toEqual(['CNA', 'MA']);
  });
});
