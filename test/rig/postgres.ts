import { randomBytes } from 'node:crypto';
import pg from 'pg';

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

/** Creates an empty database on TEST_DATABASE_URL's server. */
export async function createTemporaryDatabase(): Promise<TemporaryDatabase> {
  if (TEST_DATABASE_URL === undefined) throw new Error('TEST_DATABASE_URL is not set');
  const name = `alliance_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
