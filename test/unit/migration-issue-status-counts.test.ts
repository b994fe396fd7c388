import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMigrationsFolder, migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';

/*
 * 0014_home_outbox_and_issue_counts keeps each team's count of issues per status (the Home's control room
 * reads them). It backfills the counts of issues already there, and triggers keep them right
 * through inserts, status changes and deletes.
 */
const PREVIOUS = '0013_installations';

function migrationsUpTo(dir: string, lastTag: string): string {
  const folder = join(dir, 'migrations');
  cpSync(findMigrationsFolder(), folder, { recursive: true });
  const path = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as { entries: Array<{ tag: string }> };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(last).toBeGreaterThanOrEqual(0);
  writeFileSync(path, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return folder;
}

describe('migration 0014_home_outbox_and_issue_counts', () => {
  let dir: string;
  let opened: OpenedDatabase;
  const counted = () => opened.sqlite.prepare('select program_team_id as team, status, count as n from issue_status_counts where count > 0 order by 1, 2').all();
  const actual = () => opened.sqlite.prepare('select program_team_id as team, status, count(*) as n from issues group by 1, 2 order by 1, 2').all();
  const addIssue = (team: number, number: number, status: string) =>
    opened.sqlite
      .prepare(`insert into issues (team_id, program_team_id, number, title, category, status, reporter_id, created_at, updated_at) values ('T1', ?, ?, 't', 'other', ?, 'U1', 0, 0)`)
      .run(team, number, status);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-migration-'));
    opened = openDatabase(join(dir, 'alliance.db'));
    migrateDatabase(opened.db, migrationsUpTo(dir, PREVIOUS));
    opened.sqlite.prepare("insert into program_teams (id, team_id, key, name, created_at) values (1, 'T1', 'CNA', 'CNA', 0), (2, 'T1', 'MA', 'MA', 0)").run();
    ['open', 'open', 'blocked', 'resolved'].forEach((status, i) => addIssue(1, i + 1, status));
    addIssue(2, 1, 'in_progress');
  });
  afterEach(() => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the issues already there, then keeps every count right through inserts, status changes and deletes', () => {
    migrateDatabase(opened.db, findMigrationsFolder());
    expect(counted()).toEqual(actual());
    expect(counted()).toContainEqual({ team: 1, status: 'open', n: 2 });
    addIssue(2, 2, 'open');
    opened.sqlite.prepare("update issues set status = 'blocked' where program_team_id = 1 and number = 1").run();
    opened.sqlite.prepare("update issues set title = 'renamed' where program_team_id = 1 and number = 2").run();
    opened.sqlite.prepare("update issues set status = 'open' where program_team_id = 1 and number = 4").run();
    opened.sqlite.prepare('delete from issues where program_team_id = 1 and number = 3').run();
    expect(counted()).toEqual(actual());
  });
});
