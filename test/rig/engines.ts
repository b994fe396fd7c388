import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/db/open-storage.js';
import type { Engine, Storage } from '../../src/db/storage.js';
import { createMigratedDatabase, postgresSkipReason } from './postgres.js';

/** The engines a storage suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const ENGINES: Array<{ engine: Engine; skip: string | undefined; label: string }> = [
  { engine: 'sqlite', skip: undefined, label: 'SQLite' },
  { engine: 'postgres', skip: postgresSkipReason, label: postgresSkipReason === undefined ? 'PostgreSQL' : `PostgreSQL, ${postgresSkipReason}` },
];

export interface TestStorage {
  storage: Storage;
  /** The DATABASE_URL of this database (a file path for SQLite), for a second connection or process. */
  url: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database on the engine. */
export async function freshStorage(engine: Engine): Promise<TestStorage> {
  if (engine === 'postgres') {
    const database = await createMigratedDatabase();
    const storage = await openStorage(database.url);
    return {
      storage,
      url: database.url,
      dispose: async () => {
        await storage.close();
        await database.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'alliance-storage-'));
  const url = join(dir, 'alliance.db');
  const storage = await openStorage(url);
  return {
    storage,
    url,
    dispose: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The engine the whole suite runs on: SQLite unless ALLIANCE_TEST_ENGINE=postgres (then
 * TEST_DATABASE_URL must name a server; `npm run test:pg` sets both). Suites that are not about a
 * particular engine take their database from here, so one run covers each engine.
 */
export const TEST_ENGINE: Engine = process.env['ALLIANCE_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';
if (TEST_ENGINE === 'postgres' && postgresSkipReason !== undefined) {
  throw new Error(`ALLIANCE_TEST_ENGINE=postgres needs TEST_DATABASE_URL (${postgresSkipReason})`);
}

/** A fresh, migrated database on the suite's engine (see TEST_ENGINE). */
export function freshTestStorage(): Promise<TestStorage> {
  return freshStorage(TEST_ENGINE);
}
