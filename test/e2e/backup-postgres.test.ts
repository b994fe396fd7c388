import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTemporaryDatabase, onPostgres, postgresSkipReason } from '../rig/postgres.js';

const run = promisify(execFile);
const root = process.cwd();
const backup = (env: Record<string, string>, target: string) =>
  run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'cli', 'backup.ts'), target], { cwd: root, env: { ...process.env, ...env } });

describe('npm run backup with a PostgreSQL DATABASE_URL', () => {
  it('prints the exact pg_dump command when pg_dump is not installed, and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-pgdump-'));
    try {
      const target = join(dir, 'alliance.dump');
      const failed = await backup({ DATABASE_URL: 'postgres://alliance:secret@db.example.org:5432/alliance', PATH: dir }, target).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toContain(`pg_dump --format=custom --no-owner --file=${target} --dbname=postgres://alliance:secret@db.example.org:5432/alliance`);
      expect(existsSync(target)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(postgresSkipReason !== undefined)(onPostgres('runs pg_dump and writes a custom-format dump'), async () => {
    const database = await createTemporaryDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'alliance-pgdump-'));
    try {
      const target = join(dir, 'alliance.dump');
      const { stdout } = await backup({ DATABASE_URL: database.url }, target);
      expect(stdout).toContain('"engine":"postgres"');
      expect(statSync(target).size).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
