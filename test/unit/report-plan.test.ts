import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';
import type { Storage } from '../../src/db/storage.js';
import { ReportQueries } from '../../src/features/report/queries.js';

/*
 * A report reads the status changes of every issue it lists (hundreds of thousands at 100× data):
 * migration 0019 made the issue_events indexes cover kind and values, so SQLite recognises a status
 * change from the index alone. This asks SQLite for the plan of each query a report runs on them.
 */
describe('report queries on issue_events', () => {
  let opened: OpenedDatabase;
  const dialect = new SQLiteSyncDialect();

  beforeEach(() => {
    opened = openDatabase(':memory:');
    migrateDatabase(opened.db);
  });
  afterEach(() => opened.close());

  /** The plan of the one statement `run` sends (the storage only records it). */
  async function planOf(run: (q: ReportQueries) => Promise<unknown>): Promise<string> {
    let sent: SQL | undefined;
    const record = (query: SQL): Promise<never[]> => {
      sent = query;
      return Promise.resolve([]);
    };
    await run(new ReportQueries({ engine: 'sqlite', rows: record, values: record } as unknown as Storage));
    if (sent === undefined) throw new Error('no statement sent');
    const { sql, params } = dialect.sqlToQuery(sent);
    return (opened.sqlite.prepare(`explain query plan ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
  }

  it('reads the status changes of a page of issues from the issue index alone', async () => {
    const plan = await planOf((q) => q.statusChangesOf([1, 2, 3], 0));
    expect(plan).toMatch(/SEARCH issue_events USING COVERING INDEX issue_events_issue/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("counts a team's resolved issues per quarter hour from the team index alone", async () => {
    const plan = await planOf((q) => q.resolvedPerQuarterHour(1, 0, 1));
    expect(plan).toMatch(/SEARCH issue_events USING COVERING INDEX issue_events_team_since/);
  });
});
