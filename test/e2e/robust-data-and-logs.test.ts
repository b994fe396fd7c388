import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/outbox/outbox.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { TEST_ENGINE } from '../rig/engines.js';
import { BOT_TOKEN, linkSeedChannels, SIGNING_SECRET, startHarness, type Harness } from '../rig/harness.js';
import { PROBE, registerProbeListeners } from '../rig/probe-listeners.js';
import { FORM, payloadBody } from '../rig/robust.js';
import { inputValues, slackSignature } from '../rig/slack-request.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const coordinator = { userId: PEOPLE.coordinator.id, channelId: CHANNELS.general.id };
const parsed = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('backups, secrets and log lines', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness({ extraListeners: registerProbeListeners, webApiTimeoutMs: 300 });
    await linkSeedChannels(h);
    dir = mkdtempSync(join(tmpdir(), 'alliance-backup-'));
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(TEST_ENGINE === 'postgres')('`npm run backup -- <file>` writes a consistent copy while the bot keeps writing (SQLite only: its online backup; pg_dump is tested in backup-postgres.test.ts)', async () => {
    const target = join(dir, 'copy.db');
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        writes += 1;
        await h.command('/team', `org <@${PEOPLE.trinity.id}> Organisation ${writes}`, coordinator);
      }
    })();
    // Exactly what the README says to run: it builds (tsc) and runs the compiled dist/src/cli/backup.js.
    const { stdout } = await run('npm', ['run', '--silent', 'backup', '--', target], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: h.dbPath },
    });
    writing = false;
    await writer;
    expect(writes).toBeGreaterThan(1);
    expect(JSON.parse(stdout.trim())).toMatchObject({ msg: 'backup written', integrity: 'ok' });
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select key from program_teams order by key').all()).toEqual([{ key: 'CNA' }, { key: 'MA' }, { key: 'SPT' }]);
      expect((copy.prepare('select count(*) as n from organisations').get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      copy.close();
    }
  });

  it('logs exactly one structured line per request: what, who, team, outcome, milliseconds', async () => {
    const requests: Array<[string, () => Promise<unknown>]> = [
      ['command', () => h.command('/team', 'list', coordinator)],
      ['action', () => h.slack.blockAction({ actionId: PROBE.button, blockId: 'b', value: '7', userId: PEOPLE.trainer.id, channelId: CHANNELS.general.id })],
      ['view_submission', () => h.slack.viewSubmission({ callbackId: PROBE.view, userId: PEOPLE.trainer.id, privateMetadata: '{"teamId":1}', values: inputValues({ [PROBE.field]: { [PROBE.field]: 'Logged' } }) })],
      ['event', () => h.slack.event({ type: 'reaction_added', user: PEOPLE.trainer.id, reaction: 'eyes', item: { type: 'message', channel: CHANNELS.cna.id, ts: '1.000002' } })],
      ['shortcut', () => h.slack.messageShortcut({ callbackId: 'retired_shortcut', userId: PEOPLE.trainer.id, channelId: CHANNELS.general.id, message: { ts: '1.000003', text: 'x', user: PEOPLE.trainer.id } })],
    ];
    for (const [kind, send] of requests) {
      const before = h.logs.length;
      await send();
      await h.fake.waitFor(() => h.logs.slice(before).some((l) => /"msg":"request( had no listener)?"/.test(l)));
      const lines = h.logs.slice(before).filter((l) => /"msg":"request( had no listener)?"/.test(l)).map(parsed);
      expect(lines, kind).toHaveLength(1);
      expect(lines[0]).toMatchObject({ kind, what: expect.any(String), userId: expect.stringMatching(/^U/), workspaceId: WORKSPACE_ID, outcome: expect.any(String), ms: expect.any(Number) });
    }
  });

  it('logs one line for a refused request, and one line per outbox run with its outcome and milliseconds', async () => {
    const before = h.logs.length;
    await h.slack.raw({ body: payloadBody({ type: 'block_actions' }), contentType: FORM, sign: { secret: 'wrong-secret' } });
    expect(h.logs.slice(before).map(parsed).filter((l) => l.msg === 'request refused')).toMatchObject([{ outcome: 'refused', status: 401 }]);
    await enqueue(h.alliance.deps.db, { workspaceId: WORKSPACE_ID, dedupeKey: 'log-line-test', method: 'chat.postMessage', args: { channel: CHANNELS.general.id, text: 'logged job' }, notBefore: new Date() }, new Date());
    const beforeJob = h.logs.length;
    await h.flush();
    const jobs = h.logs.slice(beforeJob).map(parsed).filter((l) => l.msg === 'job');
    expect(jobs).toMatchObject([{ job: 'outbox', outcome: 'ok', sent: expect.any(Number), ms: expect.any(Number) }]);
    expect(await h.query<{ status: string }>("select status from outbox where dedupe_key = 'log-line-test'")).toEqual([{ status: 'sent' }]);
  });

  it('writes no token, signing secret or request signature to the logs across a full scenario, failures included', async () => {
    await h.command('/team', 'create SEC Secrets test', coordinator);
    await h.command('/team', `org <@${PEOPLE.corewell.id}> ${SIGNING_SECRET}`, coordinator);
    h.fake.failNext('views.open', { status: 500 });
    await h.slack.command(PROBE.command, '', coordinator);
    h.fake.failNext('chat.postMessage', { delayMs: 900, thenStore: true });
    await enqueue(h.alliance.deps.db, { workspaceId: WORKSPACE_ID, dedupeKey: 'secret-scenario', method: 'chat.postMessage', args: { channel: CHANNELS.general.id, text: `token ${BOT_TOKEN}` }, notBefore: new Date() }, new Date());
    await h.flush();
    await h.slack.blockAction({ actionId: PROBE.boom, blockId: 'b', userId: PEOPLE.trainer.id, channelId: CHANNELS.general.id });
    await h.slack.raw({ body: 'command=%2Fteam', contentType: FORM, sign: { secret: SIGNING_SECRET } });
    await h.fake.waitFor(() => h.logs.some((l) => l.includes('probe listener failed on purpose')));
    const all = h.logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toMatch(/v0=[a-f0-9]{64}/);
    expect(all).not.toContain(slackSignature(SIGNING_SECRET, Math.floor(Date.now() / 1000), 'command=%2Fteam').slice(3));
  });
});
