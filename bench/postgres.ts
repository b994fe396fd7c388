import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStorage } from '../src/db/open-storage.js';

/*
 * The benchmark's PostgreSQL databases. Each engine must be measured on the same data, so the
 * PostgreSQL database is not seeded on its own: it is migrated by the app's own migrations, then
 * filled with a copy of every row of the seeded SQLite file (ids included), with triggers off
 * during the copy (the SQLite file already holds what they computed, issue_status_counts say), and
 * its id sequences moved past the copied ids. One fresh database per run, dropped afterwards.
 */

/** The PostgreSQL server the bench may create databases on (trust auth, local). */
export const benchPostgresServer = (): string => process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(server: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh, migrated database on `server`; `drop()` removes it even if a connection was left open. */
export async function createBenchDatabase(server = benchPostgresServer()): Promise<BenchDatabase> {
  const name = `alliance_bench_${randomBytes(6).toString('hex')}`;
  await onServer(server, (admin) => admin.query(`create database ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const drop = async () => {
    await onServer(server, (admin) => admin.query(`drop database if exists ${name} with (force)`));
  };
  try {
    const storage = await openStorage(url.toString());
    await storage.close();
  } catch (error) {
    await drop();
    throw error;
  }
  return { url: url.toString(), drop };
}

/** The server's version, for the results file. */
export async function postgresVersion(server = benchPostgresServer()): Promise<string> {
  const result = await onServer(server, (admin) => admin.query<{ server_version: string }>('show server_version'));
  return `PostgreSQL ${result.rows[0]?.server_version ?? 'unknown'}`;
}

/** At most this many parameters in one insert (PostgreSQL's limit is 65,535). */
const MAX_PARAMETERS = 30_000;

/**
 * Copies every row of every table the two databases share from the SQLite file into the
 * (migrated, empty) PostgreSQL database; returns the rows copied per table. Fails when a table's
 * row count differs afterwards.
 */
export async function copySqliteToPostgres(sqlitePath: string, postgresUrl: string): Promise<Record<string, number>> {
  const sqlite = new Database(sqlitePath, { readonly: true });
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  const copied: Record<string, number> = {};
  try {
    const pgColumns = new Map<string, Set<string>>();
    const found = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' and table_name not like '%drizzle%'`,
    );
    for (const row of found.rows) {
      const columns = pgColumns.get(row.table_name) ?? new Set<string>();
      columns.add(row.column_name);
      pgColumns.set(row.table_name, columns);
    }
    const tables = (sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%drizzle%' order by name`).all() as Array<{ name: string }>)
      .map((t) => t.name)
      .filter((name) => pgColumns.has(name));
    await client.query('begin');
    // Triggers and foreign-key checks off for this session's copy (the rows are consistent already).
    await client.query(`set local session_replication_role = replica`);
    for (const table of tables) {
      const columns = (sqlite.prepare(`select name from pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name).filter((c) => pgColumns.get(table)?.has(c) === true);
      const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
      const select = sqlite.prepare(`select ${columns.map((c) => `"${c}"`).join(', ')} from "${table}"`).raw(true);
      const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
      let batch: unknown[][] = [];
      let count = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const values = batch.flat();
        const tuples = batch.map((row, r) => `(${row.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
        await client.query(head + tuples.join(', '), values);
        count += batch.length;
        batch = [];
      };
      for (const row of select.iterate() as IterableIterator<unknown[]>) {
        batch.push(row.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
        if (batch.length >= perInsert) await flush();
      }
      await flush();
      copied[table] = count;
    }
    // Ids were copied as they were: the next one the app inserts must come after them.
    const serials = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' and column_default like 'nextval(%'`,
    );
    for (const { table_name: table, column_name: column } of serials.rows) {
      await client.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max("${column}") from "${table}"), 0) + 1, false)`, [table, column]);
    }
    await client.query('commit');
    for (const table of tables) {
      const counted = await client.query<{ n: string }>(`select count(*) as n from "${table}"`);
      if (Number(counted.rows[0]?.n) !== copied[table]) throw new Error(`copying ${table} to PostgreSQL: ${copied[table]} rows copied, ${counted.rows[0]?.n} there`);
    }
    await client.query('analyze');
    return copied;
  } finally {
    // A copy that failed half-way ends with the connection (its transaction is rolled back).
    await client.end();
    sqlite.close();
  }
}
