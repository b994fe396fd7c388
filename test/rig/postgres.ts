import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage } from '../../src/db/open-storage.js';
import { Mutex } from '../../src/db/mutex.js';

/*
 * PostgreSQL for tests. TEST_DATABASE_URL names a server and a database we may connect to (CI:
 * postgres://postgres@127.0.0.1:5432/test); each test file gets its own fresh database on that
 * server, dropped when it is done, so files running in parallel never see each other's rows.
 * Without TEST_DATABASE_URL the PostgreSQL suites are skipped, and say so in their names.
 */

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

/** Why the PostgreSQL suites do not run here, or undefined when they do. */
export const postgresSkipReason: string | undefined =
  TEST_DATABASE_URL === undefined || TEST_DATABASE_URL === ''
    ? 'skipped: TEST_DATABASE_URL is not set (e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)'
    : undefined;

/** A suite name that carries the skip reason when PostgreSQL is not configured. */
export const onPostgres = (name: string): string => (postgresSkipReason === undefined ? `${name} (PostgreSQL)` : `${name} (PostgreSQL ${postgresSkipReason})`);

export interface TemporaryDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  if (TEST_DATABASE_URL === undefined || TEST_DATABASE_URL === '') throw new Error('TEST_DATABASE_URL is not set');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const urlOf = (name: string): string => {
  const url = new URL(TEST_DATABASE_URL as string);
  url.pathname = `/${name}`;
  return url.toString();
};

// Every database this test file made, dropped when the file is done (test/rig/setup.ts) even when
// a test stopped early or left it for a restart.
const made = new Set<string>();

async function dropDatabase(name: string): Promise<void> {
  made.delete(name);
  await onServer((admin) => admin.query(`drop database if exists ${name} with (force)`));
}

/** Creates a database on TEST_DATABASE_URL's server: empty, or a copy of `template`. */
async function createDatabase(template?: string): Promise<TemporaryDatabase> {
  const name = `alliance_t_${randomBytes(6).toString('hex')}`;
  await onServer((admin) => admin.query(template === undefined ? `create database ${name}` : `create database ${name} template ${template}`));
  made.add(name);
  return { url: urlOf(name), drop: () => dropDatabase(name) };
}

/** Creates an empty database on TEST_DATABASE_URL's server. */
export function createTemporaryDatabase(): Promise<TemporaryDatabase> {
  return createDatabase();
}

/*
 * Migrating a new database takes about half a second; copying a migrated one (CREATE DATABASE …
 * TEMPLATE) about a tenth of that. So each test file migrates one template database once and every
 * harness gets a copy. PostgreSQL copies a template only while nobody is connected to it: nothing
 * but the migration ever connects, and copies are made one at a time.
 */
let template: Promise<string> | undefined;
const copying = new Mutex();

async function migratedTemplate(): Promise<string> {
  const database = await createDatabase();
  const storage = await openStorage(database.url);
  await storage.close();
  return new URL(database.url).pathname.slice(1);
}

/** A fresh database with every migration applied, on TEST_DATABASE_URL's server. */
export async function createMigratedDatabase(): Promise<TemporaryDatabase> {
  template ??= migratedTemplate();
  const from = await template;
  return copying.run(() => createDatabase(from));
}

/** Drops every database this file made (the template too). */
export async function dropTemporaryDatabases(): Promise<void> {
  template = undefined;
  for (const name of [...made]) await dropDatabase(name);
}
