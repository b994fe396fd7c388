import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The test files whose database is the suite's engine (TEST_ENGINE in test/rig/engines.ts): those
 * that start the app through the harness or take a storage from the rig. `npm run test:pg` runs
 * only these, on PostgreSQL (ALLIANCE_TEST_ENGINE=postgres); the rest (views, parsing, the browser,
 * SQLite's own file) do not depend on the engine and run once, in `vitest run`. Suites written for
 * one engine (test/unit/storage.test.ts over ENGINES, test/e2e/postgres-instances.test.ts) run in
 * `vitest run` on both engines whenever TEST_DATABASE_URL is set.
 */
function engineNeutralFiles(): string[] {
  const onSuiteEngine = /\b(startHarness|freshTestStorage|twoInstancesOnOneDatabase|TEST_ENGINE)\b/;
  const found = ['test/unit', 'test/e2e'].flatMap((dir) =>
    readdirSync(join(import.meta.dirname, dir))
      .filter((name) => name.endsWith('.test.ts') && onSuiteEngine.test(readFileSync(join(import.meta.dirname, dir, name), 'utf8')))
      .map((name) => `${dir}/${name}`),
  );
  return [...found, ...ALSO_ON_POSTGRES];
}

/** Files that pick their engine from ALLIANCE_TEST_ENGINE themselves (the benchmark's smoke run starts its own app). */
const ALSO_ON_POSTGRES = ['test/e2e/bench-smoke.test.ts'];

const onPostgres = process.env['ALLIANCE_TEST_ENGINE'] === 'postgres';

export default defineConfig({
  test: {
    include: onPostgres ? engineNeutralFiles() : ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // End-to-end tests start real HTTP servers; on a slow, shared CI machine give them room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Drops the PostgreSQL databases a test file made once it is done (PostgreSQL runs only).
    setupFiles: ['test/rig/setup.ts'],
  },
});
