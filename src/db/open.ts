import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { findMigrationsFolder } from './migrations-folder.js';
import * as schema from './schema.js';

export { findMigrationsFolder };

/** The synchronous better-sqlite3 handle: only for opening, migrating and backing up the file. Everything else uses Storage. */
export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenedDatabase {
  db: SqliteDb;
  sqlite: Database.Database;
  close: () => void;
}

/** How long one statement waits for another process's write lock, blocking the event loop meanwhile. */
export const BUSY_TIMEOUT_MS = 100;

export function openDatabase(path: string): OpenedDatabase {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets readers run beside the single writer. The busy timeout makes a second process wait for
  // the write lock instead of failing at once, but the driver is synchronous, so the event loop waits
  // too: it is short, and a request that still finds the lock taken runs again after an
  // asynchronous pause (src/slack/busy-retry.ts). A transaction's BEGIN does not use it: it waits
  // for the lock asynchronously (src/db/storage-sqlite.ts).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db: SqliteDb = drizzle(sqlite, { schema });
  return { db, sqlite, close: () => sqlite.close() };
}

/**
 * drizzle's migrator reads the applied migrations before it takes the write lock, so when two
 * instances start at once the slower one can try to create tables that the faster one just
 * created. It rolls back; on the next attempt it sees the migrations as applied.
 */
export function migrateDatabase(db: SqliteDb, migrationsFolder = findMigrationsFolder(), attempts = 5): void {
  // At start-up nothing is served yet, so waiting long for another instance's migration is fine.
  db.$client.pragma('busy_timeout = 5000');
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        migrate(db, { migrationsFolder });
        return;
      } catch (error) {
        // drizzle wraps SQLite's error ("Failed to run the query …"): the reason is in its cause.
        const message = [error, (error as { cause?: unknown } | null)?.cause].map((e) => (e instanceof Error ? e.message : String(e))).join(' ');
        const raced = /already exists|SQLITE_BUSY|database is locked/i.test(message);
        if (!raced || attempt >= attempts) throw error;
      }
    }
  } finally {
    db.$client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
