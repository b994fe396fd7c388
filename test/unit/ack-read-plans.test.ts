import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';
import { sqliteStorage } from '../../src/db/storage-sqlite.js';
import { MeetingRepository } from '../../src/features/meeting/repository.js';
import { VoteRepository } from '../../src/features/vote/repository.js';

/*
 * Reads made before an ack must not grow with a workspace's history (issue #18, README Performance
 * "Before the ack"). `/meeting list` reads the meetings ahead starting at the present (not every
 * meeting the team ever held), and the vote form reads its page of open issues team by team along
 * a partial index of open issues (not every issue, then a sort). This asks SQLite for each plan.
 */
describe('reads before the ack start where the answer starts', () => {
  let opened: OpenedDatabase;
  let sent: Array<{ sql: string; params: unknown[] }>;

  beforeEach(() => {
    opened = openDatabase(':memory:');
    migrateDatabase(opened.db);
    sent = [];
    // Every statement the storage runs, with its parameters, so its plan can be asked for.
    const sqlite = opened.sqlite;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((source: string) => {
      const statement = prepare(source);
      for (const method of ['all', 'get'] as const) {
        const original: (...args: unknown[]) => unknown = statement[method].bind(statement);
        (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          sent.push({ sql: source, params: args });
          return original(...args);
        };
      }
      return statement;
    }) as Database.Database['prepare'];
  });
  afterEach(() => opened.close());

  const planOf = (sql: string, params: unknown[]): string =>
    (opened.sqlite.prepare(`explain query plan ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');

  const lastSelect = () => {
    const found = sent.filter((s) => /^\s*select/i.test(s.sql)).at(-1);
    if (found === undefined) throw new Error('no select sent');
    return found;
  };

  it("/meeting list for one team starts the team's index at the present", async () => {
    const repo = new MeetingRepository(sqliteStorage(opened.sqlite, ':memory:'));
    await repo.upcoming('T1', Date.now(), 7, 40);
    const { sql, params } = lastSelect();
    const plan = planOf(sql, params);
    expect(plan).toMatch(/SEARCH meetings USING INDEX meetings_team_start \(program_team_id=\? AND starts_at>\?\)/);
    // Read in start order; only meetings starting at the same instant are sorted (by number).
    expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('/meeting list for all teams starts the workspace index at the present, in start order', async () => {
    const repo = new MeetingRepository(sqliteStorage(opened.sqlite, ':memory:'));
    await repo.upcoming('T1', Date.now(), undefined, 40);
    const list = lastSelect();
    const plan = planOf(list.sql, list.params);
    expect(plan).toMatch(/SEARCH meetings USING INDEX meetings_workspace_upcoming \(team_id=\? AND status=\? AND starts_at>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    await repo.countUpcoming('T1', Date.now(), undefined, 1000);
    const count = sent.at(-1);
    if (count === undefined) throw new Error('no count sent');
    expect(planOf(count.sql, count.params)).toMatch(/meetings_workspace_upcoming \(team_id=\? AND status=\? AND starts_at>\?\)/);
  });

  it("the vote form reads each team's open issues along the open-issue index, in number order", async () => {
    const repo = new VoteRepository(sqliteStorage(opened.sqlite, ':memory:'));
    await repo.openIssues('T1', 100);
    const { sql, params } = sent.at(-1) ?? { sql: '', params: [] };
    const plan = planOf(sql, params);
    expect(plan).toMatch(/SEARCH t USING COVERING INDEX program_teams_key \(team_id=\?\)\nSEARCH i USING INDEX issues_open_number \(program_team_id=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});
