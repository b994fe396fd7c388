import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Bolt from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import * as ours from '../../src/slack/bolt.js';
import { createMigratedDatabase, postgresSkipReason } from '../rig/postgres.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Which packages a fresh process holds after loading the whole app (src/alliance.ts) and opening a
 * SQLite database: the idle-memory budget counts every module loaded at start (README, Performance).
 */
function packagesLoadedAtStart(databaseUrl: string): string[] {
  // ES modules are not in require.cache: a loader hook reports every URL loaded.
  const hook = `let port; export function initialize(data) { port = data.port; } export async function load(url, context, next) { port.postMessage(url); return next(url, context); }`;
  const script = `
    import { createRequire, register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const urls = [];
    port1.on('message', (url) => urls.push(url));
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)}, { data: { port: port2 }, transferList: [port2] });
    await import(${JSON.stringify(join(root, 'src', 'alliance.ts'))});
    const { openStorage } = await import(${JSON.stringify(join(root, 'src', 'db', 'open-storage.ts'))});
    const storage = await openStorage(${JSON.stringify(databaseUrl)});
    await storage.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    port1.close();
    const files = [...Object.keys(createRequire(import.meta.url).cache), ...urls];
    const names = files.map((k) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k)?.[1]).filter((n) => n !== undefined);
    process.stdout.write(JSON.stringify([...new Set(names)]));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
  return JSON.parse(out) as string[];
}

describe('what start-up loads', () => {
  it('takes Bolt’s runtime values from their own files: the very objects the package exports', () => {
    expect(ours.App).toBe(Bolt.App);
    expect(ours.SocketModeReceiver).toBe(Bolt.SocketModeReceiver);
    expect(ours.ErrorCode).toBe(Bolt.ErrorCode);
    expect(ours.HTTPResponseAck).toBe(Bolt.HTTPResponseAck);
    expect(ours.HTTPModuleFunctions.extractRetryNumFromHTTPRequest).toBe(Bolt.HTTPModuleFunctions.extractRetryNumFromHTTPRequest);
    expect(ours.HTTPModuleFunctions.buildUrlVerificationResponse).toBe(Bolt.HTTPModuleFunctions.buildUrlVerificationResponse);
  });

  it('on SQLite loads neither node-postgres nor Bolt’s Express receiver, nor the calendar-file libraries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-startup-'));
    try {
      const loaded = packagesLoadedAtStart(join(dir, 'a.db'));
      expect(loaded).toContain('@slack/bolt');
      expect(loaded).toContain('better-sqlite3');
      for (const absent of ['pg', 'pg-pool', 'express', 'body-parser', 'ical.js', 'timezones-ical-library']) expect(loaded).not.toContain(absent);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.skipIf(postgresSkipReason !== undefined)('on PostgreSQL does not load better-sqlite3', async () => {
    const database = await createMigratedDatabase();
    try {
      const loaded = packagesLoadedAtStart(database.url);
      expect(loaded).toContain('pg');
      expect(loaded).not.toContain('better-sqlite3');
    } finally {
      await database.drop();
    }
  }, 60_000);
});
