import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';
import { openStorage } from '../../src/db/open-storage.js';
import type { Storage } from '../../src/db/storage.js';
import { freshTestStorage } from './engines.js';

/** Two storages on one migrated database: stand-ins for two instances of the app. */
export interface TwoStorages {
  one: Storage;
  two: Storage;
  /** The database's DATABASE_URL. */
  url: string;
  close(): Promise<void>;
}

/**
 * Two instances on one database of the suite's engine (TEST_ENGINE): on SQLite two connections to
 * one file, on PostgreSQL two connection pools on one database.
 */
export async function twoInstancesOnOneDatabase(): Promise<TwoStorages> {
  const first = await freshTestStorage();
  const two = await openStorage(first.url);
  return {
    one: first.storage,
    two,
    url: first.url,
    close: async () => {
      await two.close();
      await first.dispose();
    },
  };
}

/** Two connections on one migrated database file: stand-ins for two instances of the app. */
export interface TwoInstances {
  one: OpenedDatabase;
  two: OpenedDatabase;
  close(): void;
}

/** @deprecated SQLite only, synchronous: use twoInstancesOnOneDatabase. */
export function twoInstancesOnOneFile(prefix: string): TwoInstances {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'alliance.db');
  const one = openDatabase(file);
  migrateDatabase(one.db);
  const two = openDatabase(file);
  return {
    one,
    two,
    close: () => {
      one.close();
      two.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
