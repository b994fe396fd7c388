import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** Issue #16, item 13: `npm run backup` never writes over the live database, by whatever name it is given. */
describe('npm run backup refuses the database’s own files', () => {
  let dir: string;
  let database: OpenedDatabase;
  let dbPath: string;
  const backup = async (target: string, cwd = root) => {
    try {
      const { stdout } = await run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'cli', 'backup.ts'), target], {
        cwd,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: dbPath },
        timeout: 30_000,
      });
      return { code: 0, stdout, stderr: '' };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-backup-guard-'));
    dbPath = join(dir, 'data', 'alliance.db');
    database = openDatabase(dbPath);
    migrateDatabase(database.db);
    // Keep pages in the -wal file (no checkpoint), as a running bot does.
    database.sqlite.pragma('wal_autocheckpoint = 0');
    database.sqlite.prepare("insert into program_teams (team_id, key, name, created_at) values ('T1', 'ZZZ', 'Kept safe', 0)").run();
    mkdirSync(join(dir, 'links'));
    symlinkSync(dbPath, join(dir, 'links', 'to-db'));
    symlinkSync(`${dbPath}-wal`, join(dir, 'links', 'to-wal'));
    symlinkSync(join(dir, 'data'), join(dir, 'links', 'data-folder'));
    linkSync(dbPath, join(dir, 'links', 'hard-link.db'));
  });
  afterAll(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a symlink to the database, its -wal and -shm files, a folder symlink, a relative path and a hard link, and the database is untouched', async () => {
    const walBefore = readFileSync(`${dbPath}-wal`);
    const dbBefore = readFileSync(dbPath);
    const targets = [
      join(dir, 'links', 'to-db'),
      join(dir, 'links', 'to-wal'),
      `${dbPath}-wal`,
      `${dbPath}-shm`,
      join(dir, 'links', 'data-folder', 'alliance.db'),
      join(dir, 'links', 'data-folder', 'alliance.db-wal'),
      relative(root, dbPath),
      join(dir, 'links', 'hard-link.db'),
    ];
    for (const target of targets) {
      const result = await backup(target);
      expect({ target, code: result.code }).toEqual({ target, code: 1 });
      expect(result.stderr).toContain('The backup must go to another file');
    }
    expect(readFileSync(`${dbPath}-wal`).equals(walBefore)).toBe(true);
    expect(readFileSync(dbPath).equals(dbBefore)).toBe(true);
    expect(database.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(database.sqlite.prepare("select name from program_teams where key = 'ZZZ'").get()).toEqual({ name: 'Kept safe' });
  }, 120_000);

  it('still writes a backup next to the database under another name', async () => {
    const result = await backup(join(dir, 'links', 'data-folder', 'copy.db'));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ msg: 'backup written', integrity: 'ok' });
  }, 60_000);
});
