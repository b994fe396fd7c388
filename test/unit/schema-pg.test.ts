import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import * as pgTables from '../../src/db/schema-pg.js';
import * as sqliteTables from '../../src/db/schema.js';
import { findMigrationsFolder } from '../../src/db/open.js';
import { migratePostgres } from '../../src/db/storage-pg.js';
import { createTemporaryDatabase, onPostgres, postgresSkipReason } from '../rig/postgres.js';

const sqliteNames = Object.entries(sqliteTables)
  .filter(([, t]) => is(t, SQLiteTable))
  .map(([name]) => name)
  .sort();

describe('PostgreSQL tables derived from src/db/schema.ts', () => {
  it('exports every table of schema.ts under the same name (drizzle-kit reads the exports)', () => {
    const pgNames = Object.entries(pgTables)
      .filter(([, t]) => is(t, PgTable))
      .map(([name]) => name)
      .sort();
    expect(pgNames).toEqual(sqliteNames);
  });

  it('keeps names, nullability, indexes and foreign keys', () => {
    const issues = getTableConfig(pgTables.issues);
    expect(issues.name).toBe('issues');
    const byName = Object.fromEntries(issues.columns.map((c) => [c.name, c]));
    expect(byName['id']?.getSQLType()).toBe('bigserial');
    expect(byName['created_at']?.getSQLType()).toBe('bigint');
    expect(byName['owner_id']?.notNull).toBe(false);
    expect(byName['title']?.notNull).toBe(true);
    expect(issues.indexes.map((i) => i.config.name)).toContain('issues_open_due');
    expect(issues.foreignKeys.map((f) => f.reference().foreignTable)).toContain(pgTables.programTeams);
  });

  it('has its PostgreSQL migrations up to date with schema.ts (run `npm run db:generate`)', () => {
    const out = mkdtempSync(join(tmpdir(), 'alliance-pg-migrations-'));
    try {
      cpSync(findMigrationsFolder(undefined, 'migrations-pg'), out, { recursive: true });
      const before = readdirSync(out).sort();
      // drizzle-kit puts './' before --out, so it gets a path relative to here.
      const output = execFileSync('npx', ['drizzle-kit', 'generate', '--dialect', 'postgresql', '--schema', './src/db/schema-pg.ts', '--out', relative(process.cwd(), out)], {
        stdio: 'pipe',
      }).toString();
      expect(output).toContain('No schema changes');
      expect(readdirSync(out).sort()).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe.skipIf(postgresSkipReason !== undefined)(onPostgres('migrations at start'), () => {
  it('three instances starting together migrate once, under the advisory lock', async () => {
    const database = await createTemporaryDatabase();
    try {
      const folder = findMigrationsFolder(undefined, 'migrations-pg');
      await Promise.all([1, 2, 3].map(() => migratePostgres(database.url, folder)));
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
        const journal = readdirSync(folder).filter((f) => f.endsWith('.sql')).length;
        expect(applied.rows[0].n).toBe(journal);
        const tables = await client.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
        expect(tables.rows[0].n).toBe(sqliteNames.length);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });
});
