import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findMigrationsFolder, migrateDatabase, openDatabase } from './open.js';
import { migratePostgres, postgresStorage, type PostgresOptions } from './storage-pg.js';
import { sqliteStorage } from './storage-sqlite.js';
import type { Engine, Storage } from './storage.js';

/** `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file path (or `:memory:`). */
export function engineOf(databaseUrl: string): Engine {
  return /^postgres(ql)?:\/\//i.test(databaseUrl) ? 'postgres' : 'sqlite';
}

/**
 * Opens the database named by DATABASE_URL and brings its schema up to date before anything uses
 * it: migrations/ on SQLite (under SQLite's write lock), migrations-pg/ on PostgreSQL (under an
 * advisory lock), so instances starting together migrate once.
 */
export async function openStorage(databaseUrl: string, options: PostgresOptions = {}): Promise<Storage> {
  if (engineOf(databaseUrl) === 'postgres') {
    await migratePostgres(databaseUrl, findMigrationsFolder(dirname(fileURLToPath(import.meta.url)), 'migrations-pg'));
    return postgresStorage(databaseUrl, options);
  }
  const opened = openDatabase(databaseUrl);
  try {
    migrateDatabase(opened.db);
  } catch (error) {
    opened.close();
    throw error;
  }
  return sqliteStorage(opened.sqlite, databaseUrl);
}
