import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findMigrationsFolder, migrateDatabase, openDatabase } from '../../src/db/open.js';
import { programTeams, teamMemberCounts, teamMembers } from '../../src/db/schema.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * `/team list` answers in its ack, so a team's member count must not be counted over its
 * memberships (issue #18): triggers keep `team_member_counts` in the same transaction as every
 * membership insert and delete (migration 0020_team_member_counts), and the listing reads it.
 */

const WS = 'T0COUNT';
const at = new Date('2026-03-02T15:00:00Z').getTime();

describe(`team member counts kept by triggers (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let repo: TeamRepository;
  let cna: number;
  let ma: number;

  beforeEach(async () => {
    database = await freshTestStorage();
    repo = new TeamRepository(database.storage);
    cna = (await repo.create({ workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at })).id;
    ma = (await repo.create({ workspaceId: WS, key: 'MA', name: 'Medical assistants', description: '', createdAt: at })).id;
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await database.dispose();
  });

  const listed = async () => Object.fromEntries((await repo.list(WS)).map((t) => [t.key, t.memberCount]));
  const actual = async () => {
    const rows = await database.storage.select({ team: teamMembers.programTeamId }).from(teamMembers).all();
    return { CNA: rows.filter((r) => r.team === cna).length, MA: rows.filter((r) => r.team === ma).length };
  };

  it('stays right through joins, repeated joins, leaves, removals of non-members and rolled-back joins', async () => {
    expect(await listed()).toEqual({ CNA: 0, MA: 0 });
    for (const user of ['U0ANA', 'U0BEN', 'U0CAL']) expect(await repo.addMember(WS, cna, user, at)).toBe(true);
    // Joining twice adds no one (the insert does nothing, so no trigger runs).
    expect(await repo.addMember(WS, cna, 'U0ANA', at + 1)).toBe(false);
    await repo.addMember(WS, ma, 'U0BEN', at);
    expect(await listed()).toEqual({ CNA: 3, MA: 1 });
    expect(await repo.removeMember(cna, 'U0BEN')).toBe(true);
    expect(await repo.removeMember(cna, 'U0NOBODY')).toBe(false);
    // A membership rolled back takes its count with it: the triggers run in the same transaction.
    await expect(
      database.storage.transaction(async () => {
        await repo.addMember(WS, ma, 'U0DAN', at);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await listed()).toEqual({ CNA: 2, MA: 1 });
    expect(await listed()).toEqual(await actual());
  });

  it('goes with its team when the team is deleted, and a bulk insert counts every row', async () => {
    await database.storage
      .insert(teamMembers)
      .values(Array.from({ length: 40 }, (_, i) => ({ workspaceId: WS, programTeamId: ma, userId: `U0M${i}`, createdAt: at + i })))
      .run();
    await repo.addMember(WS, cna, 'U0ANA', at);
    expect(await listed()).toEqual({ CNA: 1, MA: 40 });
    await database.storage.delete(programTeams).where(eq(programTeams.id, ma)).run();
    expect(await listed()).toEqual({ CNA: 1 });
    expect((await database.storage.select().from(teamMemberCounts).all()).map((r) => r.programTeamId)).toEqual([cna]);
  });

  it('/team list reads the counter, not the memberships', async () => {
    const dialect = (database.storage as unknown as { dialect: SQLiteAsyncDialect }).dialect;
    const building = vi.spyOn(dialect, 'sqlToQuery');
    const fresh = new TeamRepository(database.storage);
    await fresh.list(WS);
    // The repository prepares its reads when made; `/team list`'s is the one that joins channel ids.
    const statements = building.mock.results.map((r) => (r.value as { sql: string }).sql).filter((text) => /group_concat|string_agg/.test(text));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('team_member_counts');
    expect(statements[0]).not.toMatch(/team_members\b/);
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('migration 0020_team_member_counts (and meeting_rsvps_answer)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-migration-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the memberships already there, and /team members reads along its index', () => {
    const folder = join(dir, 'migrations');
    cpSync(findMigrationsFolder(), folder, { recursive: true });
    const path = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(path, 'utf8')) as { entries: Array<{ tag: string }> };
    const previous = journal.entries.findIndex((e) => e.tag === '0019_issue_events_covering');
    expect(previous).toBeGreaterThanOrEqual(0);
    writeFileSync(path, JSON.stringify({ ...journal, entries: journal.entries.slice(0, previous + 1) }));
    const opened = openDatabase(join(dir, 'alliance.db'));
    try {
      migrateDatabase(opened.db, folder);
      opened.sqlite.prepare("insert into program_teams (id, team_id, key, name, created_at) values (1, 'T1', 'CNA', 'CNA', 0), (2, 'T1', 'MA', 'MA', 0), (3, 'T1', 'EMPTY', 'EMPTY', 0)").run();
      opened.sqlite.prepare("insert into team_members (team_id, program_team_id, user_id, created_at) values ('T1', 1, 'U1', 0), ('T1', 1, 'U2', 0), ('T1', 2, 'U1', 0)").run();
      migrateDatabase(opened.db, findMigrationsFolder());
      expect(opened.sqlite.prepare('select program_team_id as team, count as n from team_member_counts order by 1').all()).toEqual([
        { team: 1, n: 2 },
        { team: 2, n: 1 },
      ]);
      opened.sqlite.prepare("insert into team_members (team_id, program_team_id, user_id, created_at) values ('T1', 3, 'U1', 0)").run();
      opened.sqlite.prepare("delete from team_members where user_id = 'U1'").run();
      expect(opened.sqlite.prepare('select program_team_id as team, count as n from team_member_counts order by 1').all()).toEqual([
        { team: 1, n: 1 },
        { team: 2, n: 0 },
        { team: 3, n: 0 },
      ]);
      // `/team members` reads its first joiners along team_members_joined, with no sort of the whole team.
      const plan = opened.sqlite
        .prepare('explain query plan select user_id from team_members where program_team_id = ? order by created_at, user_id limit 1001')
        .all(1) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX team_members_joined/);
      expect(plan.map((p) => p.detail).join('\n')).not.toContain('TEMP B-TREE');
      // `/meeting show`'s first names of an answer, and its counts, along meeting_rsvps_answer (same migration).
      for (const query of [
        "select user_id from meeting_rsvps where meeting_id = ? and answer = 'going' order by updated_at, user_id limit 40",
        'select answer, count(*) from meeting_rsvps where meeting_id = ? group by answer',
      ]) {
        const steps = (opened.sqlite.prepare(`explain query plan ${query}`).all(1) as Array<{ detail: string }>).map((p) => p.detail).join('\n');
        expect(steps).toMatch(/USING COVERING INDEX meeting_rsvps_answer/);
        expect(steps).not.toContain('TEMP B-TREE');
      }
    } finally {
      opened.close();
    }
  });
});

