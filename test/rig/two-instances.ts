import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';

/** Two connections on one migrated database file: stand-ins for two instances of the app. */
export interface TwoInstances {
  one: OpenedDatabase;
  two: OpenedDatabase;
  close(): void;
}

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
