import { afterAll } from 'vitest';
import { dropTemporaryDatabases } from './postgres.js';

// Runs before every test file (vitest.config.ts `setupFiles`): whatever PostgreSQL databases the
// file made (harnesses, restart tests, the migrated template) are dropped once it is done.
afterAll(async () => {
  await dropTemporaryDatabases();
});
