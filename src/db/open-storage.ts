import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findMigrationsFolder } from './migrations-folder.js';
import type { PostgresOptions } from './storage-pg.js';
import type { Engine, Storage } from './storage.js';

/** `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file path (or `:memory:`). */
export function engineOf(databaseUrl: string): Engine {
  return /^postgres(ql)?:\/\//i.test(databaseUrl) ? 'postgres' : 'sqlite';
}

/**
 * Opens the database named by DATABASE_URL and brings its schema up to date before anything uses
 * it: migrations/ on SQLite (under SQLite's write lock), migrations-pg/ on PostgreSQL (under an
 * advisory lock), so instances starting together migrate once. Only the engine in use has its
 * driver loaded (node-postgres and its drizzle driver, or better-sqlite3 and its native library):
 * the other one would only take memory (see README, Performance).
 */
export async function openStorage(databaseUrl: string, options: PostgresOptions = {}): Promise<Storage> {
  if (engineOf(databaseUrl) === 'postgres') {
    const { migratePostgres, postgresStorage } = await import('./storage-pg.js');
    await migratePostgres(databaseUrl, findMigrationsFolder(dirname(fileURLToPath(import.meta.url)), 'migrations-pg'));
    return postgresStorage(databaseUrl, options);
  }
  const [{ migrateDatabase, openDatabase }, { sqliteStorage }] = await Promise.all([import('./open.js'), import('./storage-sqlite.js')]);
  const opened = openDatabase(databaseUrl);
  try {
    migrateDatabase(opened.db);
  } catch (error) {
    opened.close();
    throw error;
  }
  return sqliteStorage(opened.sqlite, databaseUrl);
}
