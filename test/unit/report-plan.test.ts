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
 * A report reads every issue it lists with its status changes, and the meetings' RSVPs and the votes'
 * ballots (hundreds of thousands of rows at 100× data): migration 0019 made the issue_events indexes
 * cover kind and values, and 0021 added issues_team_report and ballots_vote_organisation, so each of
 * these reads one index and no table row. This asks SQLite for the plan of each of those queries.
 */
describe('report queries on the big tables', () => {
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

  it("reads a page of a team's issues from its report index alone, in number order", async () => {
    const plan = await planOf((q) => q.issuesPage(1, 0, 10, 5));
    expect(plan).toMatch(/SEARCH i USING COVERING INDEX issues_team_report \(program_team_id=\? AND number>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("counts a page of votes' ballots per organisation from the (vote, organisation) index alone", async () => {
    const plan = await planOf((q) => q.ballotsByOrganisation([1, 2]));
    expect(plan).toMatch(/SEARCH ballots USING COVERING INDEX ballots_vote_organisation \(vote_id=\?\)/);
  });

  it("reads a page of meetings' RSVPs from the answer index alone", async () => {
    const plan = await planOf((q) => q.rsvpAnswers([1, 2]));
    expect(plan).toMatch(/SEARCH meeting_rsvps USING COVERING INDEX meeting_rsvps_answer \(meeting_id=\?\)/);
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
