import { is, SQL } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  doublePrecision,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
} from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as sqliteSchema from './schema.js';

/*
 * The PostgreSQL tables, derived from the SQLite ones in ./schema.ts: one description of the data,
 * two dialects. schema.ts stays the only file anyone edits (queries are written against it and
 * run on both engines, see ./storage.ts); this module walks each table's drizzle config and builds
 * the same table for PostgreSQL, which drizzle-kit reads (drizzle-pg.config.ts) to generate
 * migrations-pg/. test/unit/schema-pg.test.ts fails when migrations-pg/ is behind schema.ts.
 *
 * Type mapping: SQLite's integer holds 64-bit values (we store epoch milliseconds in it), so every
 * integer is a PostgreSQL bigint read back as a JS number (ids stay far below 2^53); booleans stay
 * 0/1 integers so raw SQL (`is_coordinator = 1`) means the same on both; real → double precision;
 * text → text. An autoincrement primary key becomes a bigserial.
 */

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- this file builds PostgreSQL tables from the SQLite ones at run time, column by column; drizzle's builder types are per column kind and cannot be named for a column known only at run time, and schema-pg.test.ts checks what comes out. */
type Builder = PgColumnBuilderBase;

function pgColumn(column: SQLiteColumn): Builder {
  const name = column.name;
  const sqlType = column.getSQLType().toLowerCase();
  let builder: any;
  if (sqlType === 'integer') {
    const autoIncrement = (column as unknown as { autoIncrement?: boolean }).autoIncrement === true;
    builder = autoIncrement ? bigserial(name, { mode: 'number' }) : bigint(name, { mode: 'number' });
  } else if (sqlType === 'real') {
    builder = doublePrecision(name);
  } else if (sqlType === 'text') {
    builder = text(name);
  } else {
    throw new Error(`schema-pg: no PostgreSQL type for ${sqlType} (column ${name}); add it to pgColumn()`);
  }
  if (column.primary) builder = builder.primaryKey();
  else if (column.notNull) builder = builder.notNull();
  if (column.hasDefault && column.default !== undefined) {
    const value = column.default;
    builder = builder.default(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }
  if (column.isUnique) builder = builder.unique(column.uniqueName);
  return builder as Builder;
}

const derived = new Map<SQLiteTable, PgTableWithColumns<any>>();

/** The PostgreSQL twin of one SQLite table (memoised, so foreign keys point at the same objects). */
export function toPgTable(table: SQLiteTable): PgTableWithColumns<any> {
  const known = derived.get(table);
  if (known !== undefined) return known;
  const config = getTableConfig(table);
  const columnKeys = new Map<SQLiteColumn, string>();
  const builders: Record<string, Builder> = {};
  for (const [key, column] of Object.entries(table as unknown as Record<string, SQLiteColumn>)) {
    if (!config.columns.includes(column)) continue;
    columnKeys.set(column, key);
    builders[key] = pgColumn(column);
  }
  const pg: PgTableWithColumns<any> = pgTable(config.name, builders, (t) => {
    const col = (c: SQLiteColumn) => t[columnKeys.get(c) ?? c.name];
    const colOf = (c: SQLiteColumn, other: PgTableWithColumns<any>, otherKeys: Map<SQLiteColumn, string>) => other[otherKeys.get(c) ?? c.name];
    const extras: any[] = [];
    for (const ix of config.indexes) {
      // Expression parts (`(priority is null)`, `updated_at desc`) are dialect-neutral SQL whose columns
      // render as bare quoted names, so they are reused as they are.
      const parts = ix.config.columns.map((c) => (is(c, SQL) ? c : col(c)));
      let built = (ix.config.unique ? uniqueIndex(ix.config.name) : index(ix.config.name)).on(...(parts as [any, ...any[]]));
      if (ix.config.where !== undefined) built = built.where(ix.config.where);
      extras.push(built);
    }
    for (const fk of config.foreignKeys) {
      const ref = fk.reference();
      const target = toPgTable(ref.foreignTable);
      const targetKeys = keysOf(ref.foreignTable);
      let built = foreignKey({
        name: fk.getName(),
        columns: ref.columns.map((c) => col(c)) as [any, ...any[]],
        foreignColumns: ref.foreignColumns.map((c) => colOf(c, target, targetKeys)) as [any, ...any[]],
      });
      if (fk.onDelete !== undefined) built = built.onDelete(fk.onDelete);
      if (fk.onUpdate !== undefined) built = built.onUpdate(fk.onUpdate);
      extras.push(built);
    }
    for (const pk of config.primaryKeys) extras.push(primaryKey({ name: pk.getName(), columns: pk.columns.map((c) => col(c)) as [any, ...any[]] }));
    for (const uq of config.uniqueConstraints) extras.push(unique(uq.getName()).on(...(uq.columns.map((c) => col(c)) as [any, ...any[]])));
    if (config.checks.length > 0) throw new Error(`schema-pg: table ${config.name} has CHECK constraints; derive them here before using them`);
    return extras;
  });
  derived.set(table, pg);
  return pg;
}

function keysOf(table: SQLiteTable): Map<SQLiteColumn, string> {
  const keys = new Map<SQLiteColumn, string>();
  for (const [key, column] of Object.entries(table as unknown as Record<string, SQLiteColumn>)) keys.set(column, key);
  return keys;
}

/** Every table of ./schema.ts, by the same export name, for PostgreSQL. */
export const pgSchema: Record<string, PgTableWithColumns<any>> = Object.fromEntries(
  (Object.entries(sqliteSchema) as Array<[string, unknown]>)
    .filter((entry): entry is [string, SQLiteTable] => is(entry[1], SQLiteTable))
    .map(([name, table]) => [name, toPgTable(table)]),
);

// Named exports, because drizzle-kit finds tables among a module's exports (drizzle-pg.config.ts).
// test/unit/schema-pg.test.ts fails when a table of schema.ts is missing here.
export const {
  programTeams, teamChannels, teamMembers, organisations, people, coordinators, issues, issueEvents, meetings, meetingRsvps, votes, voteOptions, ballots, digestSchedules, digestRuns, digestSubscriptions, outbox, processedRequests, auditLog, reportSchedules, reportRuns, homeTabs, homePublishRate, issueStatusCounts, teamMemberCounts, goals, goalReadings, goalEvents, goalIssues, goalVotes, goalStaleReminders, slackInstallations, oauthStates, slackRateBuckets, workspaceSettings, keyChecks
} = pgSchema as { [K in keyof typeof sqliteSchema]: PgTableWithColumns<any> };
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- end of the run-time table derivation */
