import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // End-to-end tests start real HTTP servers; on a slow, shared CI machine give them room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Drops the PostgreSQL databases a test file made once it is done (PostgreSQL runs only).
    setupFiles: ['test/rig/setup.ts'],
  },
});
