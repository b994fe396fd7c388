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
