/**
 * The real app as child processes: SIGKILL in the middle of writes, restart, and two instances
 * on one SQLite file. Slow by nature (process start-up, the outbox's 10-second tick), so each
 * scenario does as much as it can per start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeSlack } from '../../src/fake-slack/types.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { startChildApp, type ChildApp } from '../rig/child-app.js';
import { BOT_TOKEN } from '../rig/harness.js';
import type { SlackHttpResponse, SlackRequester } from '../rig/slack-request.js';

const LOAD_CHANNEL = { id: 'C0LOADTEST', name: 'load-test' };
const loadUser = (i: number) => `U0LOAD${String(i).padStart(4, '0')}`;

describe('crashes, restarts and several instances', () => {
  let fake: FakeSlack;
  let dir: string;
  let dbPath: string;
  const children: ChildApp[] = [];
  beforeEach(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, teamId: WORKSPACE_ID, teamName: 'HCASM', users: allUsers(), channels: allChannels() });
    const people = Array.from({ length: 400 }, (_, i) => loadUser(i));
    for (const id of people) fake.addUser({ id, name: id.toLowerCase() });
    fake.addChannel({ ...LOAD_CHANNEL, members: [...people, ...Object.values(PEOPLE).map((p) => p.id)] });
    dir = mkdtempSync(join(tmpdir(), 'alliance-proc-'));
    dbPath = join(dir, 'alliance.db');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    // A short lease, so that a message the killed process was in the middle of sending is taken over within the test.
    const child = await startChildApp(fake, dbPath, { ALLIANCE_OUTBOX_LEASE_SECONDS: '5' });
    children.push(child);
    return child;
  };
  const asCoordinator = (channelId: string) => ({ userId: PEOPLE.coordinator.id, channelId });
  const joinEvent = (slack: SlackRequester, i: number) =>
    slack.event({ type: 'member_joined_channel', user: loadUser(i), channel: LOAD_CHANNEL.id, channel_type: 'C', team: WORKSPACE_ID }, { eventId: `Ev0LOAD${i}` });
  const welcomes = () => fake.messages(LOAD_CHANNEL.id).filter((m) => m.ephemeral && String(m.text).includes('Welcome'));
  const readDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(dbPath, { readonly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };

  it('SIGKILL during writes leaves a consistent database, and after a restart every pending message goes out exactly once', async () => {
    const a = await start();
    expect((await a.slack.command('/team', 'link SPT', asCoordinator(LOAD_CHANNEL.id))).status).toBe(200);
    // Slack is down for the welcomes, so they wait in the outbox when the process dies.
    fake.failNext('chat.postEphemeral', { status: 503 }, 10_000);
    const inFlight: Array<Promise<SlackHttpResponse | Error>> = [];
    let i = 0;
    const writer = setInterval(() => {
      for (let k = 0; k < 8; k++, i++) {
        inFlight.push(joinEvent(a.slack, i).catch((error: unknown) => error as Error));
        inFlight.push(a.slack.command('/team', `org <@${loadUser(i)}> Org ${i % 7}`, asCoordinator(CHANNELS.general.id)).catch((error: unknown) => error as Error));
      }
    }, 5);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (i >= 200) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    a.process.kill('SIGKILL');
    clearInterval(writer);
    expect(await a.exited).toBe('SIGKILL');
    await Promise.all(inFlight);

    const afterCrash = readDb((db) => ({
      integrity: db.pragma('integrity_check', { simple: true }),
      foreignKeys: db.pragma('foreign_key_check'),
      members: (db.prepare("select user_id from team_members where user_id like 'U0LOAD%' order by user_id").all() as Array<{ user_id: string }>).map((r) => r.user_id),
      welcomes: db.prepare("select dedupe_key, status, payload_json from outbox where dedupe_key like 'welcome:%'").all() as Array<{ dedupe_key: string; status: string; payload_json: string }>,
      orgless: db.prepare('select count(*) as n from people where organisation_id is not null and organisation_id not in (select id from organisations)').get() as { n: number },
    }));
    expect(afterCrash.integrity).toBe('ok');
    expect(afterCrash.foreignKeys).toEqual([]);
    expect(afterCrash.orgless.n).toBe(0);
    // A membership and its welcome are one transaction: never one without the other.
    const welcomed = afterCrash.welcomes.map((w) => (JSON.parse(w.payload_json) as { args: { user: string } }).args.user).sort();
    expect(welcomed).toEqual(afterCrash.members);
    expect(afterCrash.members.length).toBeGreaterThan(0);
    const pending = afterCrash.welcomes.filter((w) => w.status !== 'sent').length;
    expect(pending).toBeGreaterThan(0);

    fake.clearFaults();
    const b = await start();
    // Retries wait out their back-off (at most 20 s here) and the 10-second outbox tick.
    await fake.waitFor(() => welcomes().length >= afterCrash.members.length, 45_000);
    await fake.waitFor(() => readDb((db) => (db.prepare("select count(*) as n from outbox where status != 'sent'").get() as { n: number }).n === 0), 15_000);
    const recipients = welcomes().map((m) => m.user);
    expect(recipients.length).toBe(afterCrash.members.length);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(await b.stop('SIGTERM')).toBe(0);
  }, 90_000);

  it('two instances started at once on a fresh file migrate safely, answer side by side, and send each message once', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const count = readDb((db) => (db.prepare("select count(*) as n from program_teams where key in ('CNA','MA','SPT')").get() as { n: number }).n);
    expect(count).toBe(3);
    expect((await a.slack.command('/team', 'link SPT', asCoordinator(LOAD_CHANNEL.id))).status).toBe(200);

    const requests: Array<Promise<{ status: number; body: string }>> = [];
    for (let i = 0; i < 120; i++) {
      const slack = i % 2 === 0 ? a.slack : b.slack;
      requests.push(joinEvent(slack, i));
      requests.push(slack.command('/team', `org <@${loadUser(i)}> Shared Org ${i % 5}`, asCoordinator(CHANNELS.general.id)));
      requests.push(slack.command('/team', i % 3 === 0 ? 'list' : `create LD${i} Load team ${i}`, asCoordinator(CHANNELS.general.id)));
    }
    const answers = await Promise.all(requests);
    expect(answers.filter((r) => r.status !== 200)).toEqual([]);
    const broken = answers.filter((r) => /went wrong|ERR-|SQLITE|locked/i.test(r.body));
    expect(broken).toEqual([]);
    const allLogs = [...a.logs, ...b.logs];
    expect(allLogs.filter((l) => /SQLITE_BUSY|database is locked|listener failed/.test(l))).toEqual([]);

    await fake.waitFor(() => welcomes().length >= 120, 25_000);
    // Both instances were kicked at once for the same rows; the lease claim lets one of them send each.
    await fake.waitFor(() => readDb((db) => (db.prepare("select count(*) as n from outbox where status != 'sent'").get() as { n: number }).n === 0), 15_000);
    const recipients = welcomes().map((m) => m.user);
    expect(recipients.length).toBe(120);
    expect(new Set(recipients).size).toBe(120);
    expect(readDb((db) => db.prepare("select count(*) as n from program_teams where key like 'LD%'").get())).toEqual({ n: 80 });
    expect(await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])).toEqual([0, 0]);
  }, 90_000);
});
