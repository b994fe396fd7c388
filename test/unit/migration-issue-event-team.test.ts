import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMigrationsFolder, migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';

/*
 * 0006_issue_event_team rebuilds issue_events to add program_team_id (NOT NULL, foreign key) and
 * backfills it from issues. This builds a database at the migration before it, with rows, and
 * migrates it the way a deployed instance would.
 */
const PREVIOUS = '0005_digest_indexes';

interface Journal {
  entries: Array<{ tag: string }>;
}

/** A copy of migrations/ whose journal ends at `lastTag`. */
function migrationsUpTo(dir: string, lastTag: string): string {
  const folder = join(dir, 'migrations');
  cpSync(findMigrationsFolder(), folder, { recursive: true });
  const path = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(last).toBeGreaterThanOrEqual(0);
  writeFileSync(path, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return folder;
}

describe('migration 0006_issue_event_team', () => {
  let dir: string;
  let opened: OpenedDatabase;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-migration-'));
    opened = openDatabase(join(dir, 'alliance.db'));
    migrateDatabase(opened.db, migrationsUpTo(dir, PREVIOUS));
  });
  afterEach(() => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Two teams, an issue in each, events for both; the newest event is then deleted. */
  function seedAtPrevious(): { cna: number; ma: number; cnaIssue: number; maIssue: number } {
    const { sqlite } = opened;
    const team = sqlite.prepare("insert into program_teams (team_id, key, name, description, created_at) values ('T1', ?, ?, '', 0) returning id");
    const cna = (team.get('CNA', 'Certified Nursing Assistant') as { id: number }).id;
    const ma = (team.get('MA', 'Medical Assistant') as { id: number }).id;
    const issue = sqlite.prepare(
      "insert into issues (team_id, program_team_id, number, title, category, status, reporter_id, created_at, updated_at) values ('T1', ?, 1, 'Placements', 'other', 'open', 'U1', 0, 0) returning id",
    );
    const cnaIssue = (issue.get(cna) as { id: number }).id;
    const maIssue = (issue.get(ma) as { id: number }).id;
    const event = sqlite.prepare("insert into issue_events (team_id, issue_id, actor_id, kind, from_value, to_value, created_at) values ('T1', ?, 'U1', ?, ?, ?, ?)");
    event.run(cnaIssue, 'created', null, 'CNA-1', 1);
    event.run(maIssue, 'created', null, 'MA-1', 2);
    event.run(cnaIssue, 'status', 'open', 'blocked', 3);
    event.run(maIssue, 'comment', null, null, 4);
    const newest = Number(event.run(maIssue, 'status', 'open', 'in_progress', 5).lastInsertRowid);
    sqlite.prepare('delete from issue_events where id = ?').run(newest);
    return { cna, ma, cnaIssue, maIssue };
  }

  it("copies every event's team from its issue and keeps the rest of each row", () => {
    const { cna, ma, cnaIssue, maIssue } = seedAtPrevious();
    const before = opened.sqlite.prepare('select * from issue_events order by id').all() as Array<Record<string, unknown>>;

    migrateDatabase(opened.db);

    const after = opened.sqlite.prepare('select * from issue_events order by id').all() as Array<Record<string, unknown>>;
    const teamOf: Record<number, number> = { [cnaIssue]: cna, [maIssue]: ma };
    expect(after).toEqual(before.map((row) => ({ ...row, program_team_id: teamOf[row.issue_id as number] })));
    expect(opened.sqlite.pragma('foreign_key_check')).toEqual([]);
  });

  it('makes program_team_id required and a foreign key to program_teams, with the digest index', () => {
    seedAtPrevious();
    migrateDatabase(opened.db);
    const columns = opened.sqlite.pragma('table_info(issue_events)') as Array<{ name: string; notnull: number }>;
    expect(columns.find((c) => c.name === 'program_team_id')).toMatchObject({ notnull: 1 });
    const keys = opened.sqlite.pragma('foreign_key_list(issue_events)') as Array<{ table: string; from: string; on_delete: string }>;
    expect(keys.map((k) => [k.from, k.table, k.on_delete]).sort()).toEqual([
      ['issue_id', 'issues', 'CASCADE'],
      ['program_team_id', 'program_teams', 'RESTRICT'],
    ]);
    const indexes = (opened.sqlite.pragma('index_list(issue_events)') as Array<{ name: string }>).map((i) => i.name).sort();
    expect(indexes).toEqual(['issue_events_issue', 'issue_events_team_since']);
    const indexed = (opened.sqlite.pragma('index_info(issue_events_team_since)') as Array<{ name: string }>).map((c) => c.name);
    expect(indexed).toEqual(['program_team_id', 'created_at', 'id', 'issue_id', 'kind', 'from_value', 'to_value']);
    expect(() =>
      opened.sqlite.prepare("insert into issue_events (team_id, issue_id, program_team_id, actor_id, kind, created_at) values ('T1', 1, 999, 'U1', 'comment', 9)").run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('never hands out the id of an event deleted before the migration again', () => {
    const { cna, cnaIssue } = seedAtPrevious();
    migrateDatabase(opened.db);
    const id = Number(
      opened.sqlite.prepare("insert into issue_events (team_id, issue_id, program_team_id, actor_id, kind, created_at) values ('T1', ?, ?, 'U1', 'comment', 9)").run(cnaIssue, cna)
        .lastInsertRowid,
    );
    // Five events were written, the fifth deleted: the next is the sixth.
    expect(id).toBe(6);
  });

  it('migrates a database with no events', () => {
    migrateDatabase(opened.db);
    expect(opened.sqlite.prepare('select count(*) as n from issue_events').get()).toEqual({ n: 0 });
    expect(opened.sqlite.prepare("select count(*) as n from sqlite_master where name like '__new%'").get()).toEqual({ n: 0 });
  });
});
