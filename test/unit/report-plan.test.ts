import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';
import type { Storage } from '../../src/db/storage.js';
import { sqliteStorage } from '../../src/db/storage-sqlite.js';
import { buildReport } from '../../src/features/report/build.js';
import { parsePeriod } from '../../src/features/report/period.js';
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

  it("reads a team's status changes from the team index alone, in its order", async () => {
    const plan = await planOf((q) => q.statusChangesPage(1, 0, { at: 5, id: 7 }));
    expect(plan).toMatch(/SEARCH issue_events USING COVERING INDEX issue_events_team_since/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("counts a team's resolved issues per quarter hour from the team index alone", async () => {
    const plan = await planOf((q) => q.resolvedPerQuarterHour(1, 0, 1));
    expect(plan).toMatch(/SEARCH issue_events USING COVERING INDEX issue_events_team_since/);
  });
});

/*
 * better-sqlite3 opens a connection with a 16 MB page cache, which a report's long reads fill (7 to
 * 11 MB of the 100× quarter's peak): a report reads with SQLite's own 2 MB and then puts it back,
 * also when the build fails.
 */
describe('the page cache while a report reads', () => {
  it('is 2 MB during the build and the connection’s own size after it, even after a failure', async () => {
    const opened = openDatabase(':memory:');
    migrateDatabase(opened.db);
    const db = sqliteStorage(opened.sqlite, ':memory:');
    const dir = mkdtempSync(join(tmpdir(), 'report-cache-'));
    try {
      const cacheSize = (): number => opened.sqlite.pragma('cache_size', { simple: true }) as number;
      expect(cacheSize()).toBe(-16000);
      const now = new Date('2026-11-30T15:00:00Z');
      const period = parsePeriod('last-month', now, 'America/Detroit');
      if (!period.ok) throw new Error(period.message);
      const during: number[] = [];
      const team = { id: 1, key: 'CNA', name: 'CNA' };
      const deps = { queries: new ReportQueries(db), workspaceId: 'T1', timeZone: 'America/Detroit', now, nameOf: (id: string) => id, dir, charts: false };
      await buildReport({ ...deps, breathe: async () => void during.push(cacheSize()) }, [team], period.period, 'team');
      expect(during.length).toBeGreaterThan(0);
      expect(new Set(during)).toEqual(new Set([-2000]));
      expect(cacheSize()).toBe(-16000);
      const failing = buildReport({ ...deps, breathe: () => Promise.reject(new Error('stop')) }, [team], period.period, 'team');
      await expect(failing).rejects.toThrow('stop');
      expect(cacheSize()).toBe(-16000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.close();
    }
  });
});
