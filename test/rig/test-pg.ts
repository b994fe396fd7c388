/*
 * `npm run test:pg [-- vitest arguments]`: the engine-neutral suites again, on PostgreSQL
 * (ALLIANCE_TEST_ENGINE=postgres; which files: vitest.config.ts). The server is TEST_DATABASE_URL
 * (e.g. postgres://postgres@127.0.0.1:5432/test); each harness gets its own database there. Without
 * TEST_DATABASE_URL this says why it is skipped and succeeds, so `npm test` works on a machine
 * without PostgreSQL; `.ci/run` sets it and fails first when PostgreSQL does not answer.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { postgresSkipReason } from './postgres.js';

if (postgresSkipReason !== undefined) {
  process.stdout.write(`test:pg ${postgresSkipReason}: the PostgreSQL run of the suites was not made.\n`);
  process.exit(0);
}
const root = join(import.meta.dirname, '..', '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ALLIANCE_TEST_ENGINE: 'postgres' },
});
process.exit(run.status ?? 1);
