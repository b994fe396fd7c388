import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeTabs, issues, issueStatusCounts, programTeams, teamMembers } from '../../src/db/schema.js';
import type { Storage } from '../../src/db/storage.js';
import { ENGINES, freshStorage, type TestStorage } from '../rig/engines.js';

/*
 * The database triggers (Home tabs marked stale, issue counts per status) are SQL written per
 * engine: SQLite's in migrations/, PostgreSQL's in migrations-pg/0004_triggers.sql. The same
 * changes must have the same effects on both, and every SQLite trigger must have its PostgreSQL twin.
 */

const WS = 'T0TRIGGER';
const AT = 1_700_000_000_000;

async function triggerNames(storage: Storage): Promise<string[]> {
  const rows =
    storage.engine === 'sqlite'
      ? await storage.rows<{ name: string }>(sql`select name as "name" from sqlite_master where type = 'trigger'`)
      : await storage.rows<{ name: string }>(sql`select tgname as "name" from pg_trigger where not tgisinternal`);
  return rows.map((r) => r.name).sort();
}

const names: Partial<Record<string, string[]>> = {};

for (const { engine, skip, label } of ENGINES) {
  describe.skipIf(skip !== undefined)(`database triggers on ${label}`, () => {
    let opened: TestStorage;
    let storage: Storage;
    beforeAll(async () => {
      opened = await freshStorage(engine);
      storage = opened.storage;
      names[engine] = await triggerNames(storage);
    });
    afterAll(async () => opened?.dispose());

    const version = async (userId: string) =>
      (await storage.select({ v: homeTabs.version }).from(homeTabs).where(and(eq(homeTabs.workspaceId, WS), eq(homeTabs.userId, userId))).get())?.v;
    const counts = async (teamId: number) =>
      Object.fromEntries((await storage.select().from(issueStatusCounts).where(eq(issueStatusCounts.programTeamId, teamId)).all()).map((r) => [r.status, r.count]));

    it('marks the right Homes stale and keeps issue counts, as on the other engine', async () => {
      const team = await storage.insert(programTeams).values({ workspaceId: WS, key: 'CNA', name: 'CNA', createdAt: AT }).returning().get();
      await storage.insert(homeTabs).values([
        { workspaceId: WS, userId: 'UCOORD', isCoordinator: true, openedAt: AT },
        { workspaceId: WS, userId: 'UMEMBER', openedAt: AT },
        { workspaceId: WS, userId: 'UOTHER', openedAt: AT },
      ]).run();
      // Joining a team: only that person's Home.
      await storage.insert(teamMembers).values({ workspaceId: WS, programTeamId: team.id, userId: 'UMEMBER', createdAt: AT }).run();
      expect([await version('UCOORD'), await version('UMEMBER'), await version('UOTHER')]).toEqual([1, 2, 1]);
      // A new issue owned by the member: the owner and coordinators.
      const issue = await storage
        .insert(issues)
        .values({ workspaceId: WS, programTeamId: team.id, number: 1, title: 'T', category: 'other', status: 'open', ownerId: 'UMEMBER', reporterId: 'UOTHER', createdAt: AT, updatedAt: AT })
        .returning()
        .get();
      expect([await version('UCOORD'), await version('UMEMBER'), await version('UOTHER')]).toEqual([2, 3, 1]);
      expect(await counts(team.id)).toEqual({ open: 1 });
      // A change nobody's Home shows (details) marks nothing; a status change moves the counts.
      await storage.update(issues).set({ details: 'more' }).where(eq(issues.id, issue.id)).run();
      expect([await version('UCOORD'), await version('UMEMBER')]).toEqual([2, 3]);
      await storage.update(issues).set({ status: 'blocked' }).where(eq(issues.id, issue.id)).run();
      expect([await version('UCOORD'), await version('UMEMBER'), await version('UOTHER')]).toEqual([3, 4, 1]);
      expect(await counts(team.id)).toEqual({ open: 0, blocked: 1 });
    });
  });
}

describe.skipIf(ENGINES.some((e) => e.skip !== undefined))('triggers on both engines', () => {
  it('has a PostgreSQL twin for every SQLite trigger', () => {
    expect(names['postgres']).toEqual(names['sqlite']);
    expect(names['sqlite']?.length).toBeGreaterThan(20);
  });
});
