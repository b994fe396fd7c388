import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programTeams } from '../../src/db/schema.js';
import { openStorage } from '../../src/db/open-storage.js';
import { postgresStorage } from '../../src/db/storage-pg.js';
import type { Storage } from '../../src/db/storage.js';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeSlack, StoredMessage } from '../../src/fake-slack/types.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { startChildApp, type ChildApp } from '../rig/child-app.js';
import { BOT_TOKEN } from '../rig/harness.js';
import { createTemporaryDatabase, onPostgres, postgresSkipReason, type TemporaryDatabase } from '../rig/postgres.js';

/*
 * Several processes on one PostgreSQL database, each with its own pool, writing at once the way
 * Alliance does (issue numbers max+1 per team in a transaction; a unique claim per digest minute).
 * The storage layer's SERIALIZABLE transactions with retries must give every write its own number
 * and every minute exactly one claim, and a process killed mid-way must leave nothing half-done.
 * The second suite below does the same with the real app.
 */

interface Line {
  instance: string;
  issue?: number;
  title?: string;
  digest?: number;
  done?: boolean;
}

function instance(url: string, name: string, writes: number, teamId: number, firstMinute: number, minutes: number): { child: ChildProcess; lines: Line[]; exited: Promise<number | null> } {
  // tsx's loader in this very process: the tsx CLI would fork a grandchild that a SIGKILL leaves running.
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'rig', 'pg-instance.ts'), url, name, String(writes), String(teamId), String(firstMinute), String(minutes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Line[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Line);
      buffer = buffer.slice(nl + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe.skipIf(postgresSkipReason !== undefined)(onPostgres('three instances on one database'), () => {
  let database: TemporaryDatabase;
  let storage: Storage;
  beforeAll(async () => {
    database = await createTemporaryDatabase();
    storage = await openStorage(database.url);
  });
  afterAll(async () => {
    await storage?.close();
    await database?.drop();
  });

  it('60 concurrent writes through three instances give 60 distinct numbers, and each digest minute is claimed once', async () => {
    const team = await storage.insert(programTeams).values({ workspaceId: 'T0PG', key: 'CNA', name: 'CNA', createdAt: 1 }).returning().get();
    const first = Date.UTC(2026, 10, 30, 8, 0);
    const runs = ['a', 'b', 'c'].map((name) => instance(database.url, name, 20, team.id, first, 10));
    expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0, 0]);
    const numbers = runs.flatMap((r) => r.lines.filter((l) => l.issue !== undefined).map((l) => l.issue));
    expect(numbers).toHaveLength(60);
    expect(new Set(numbers).size).toBe(60);
    expect([...numbers].sort((x, y) => (x as number) - (y as number))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const minutes = runs.flatMap((r) => r.lines.filter((l) => l.digest !== undefined).map((l) => l.digest));
    expect([...minutes].sort()).toEqual(Array.from({ length: 10 }, (_, m) => first + m * 60_000));
    const stored = await storage.rows<{ n: number; distinct: number }>(sql`select count(*) as "n", count(distinct number) as "distinct" from issues where program_team_id = ${team.id}`);
    expect(stored).toEqual([{ n: 60, distinct: 60 }]);
  });

  it('a SIGKILLed instance loses nothing it committed and half-writes nothing; the others finish', async () => {
    const team = await storage.insert(programTeams).values({ workspaceId: 'T0PG', key: 'MA', name: 'MA', createdAt: 1 }).returning().get();
    const first = Date.UTC(2026, 11, 1, 8, 0);
    // The one to be killed has far more to do, so it is still writing when the kill comes.
    const runs = ['a', 'b', 'c'].map((name) => instance(database.url, name, name === 'b' ? 400 : 40, team.id, first, 10));
    const victim = runs[1] as (typeof runs)[number];
    // Kill it as soon as it has committed some of its work.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (victim.lines.some((l) => l.issue !== undefined)) {
          clearInterval(check);
          victim.child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    const codes = await Promise.all(runs.map((r) => r.exited));
    // It really died mid-way (no exit code, never reported done); the others exited normally.
    expect(codes).toEqual([0, null, 0]);
    expect(victim.lines.some((l) => l.done === true)).toBe(false);
    const rows = await storage.rows<{ number: number; title: string }>(sql`select number as "number", title as "title" from issues where program_team_id = ${team.id} order by number`);
    // Every write any instance reported as committed is there, with its number; numbers have no gaps or repeats.
    for (const line of runs.flatMap((r) => r.lines.filter((l) => l.issue !== undefined))) {
      expect(rows).toContainEqual({ number: line.issue, title: line.title });
    }
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    // The survivors finished all their writes.
    for (const survivor of [runs[0], runs[2]]) expect(survivor?.lines.filter((l) => l.issue !== undefined)).toHaveLength(40);
    const claims = await storage.rows<{ n: number }>(sql`select count(*) as "n" from digest_runs where scheduled_for >= ${first} and scheduled_for < ${first + 10 * 60_000}`);
    expect(claims).toEqual([{ n: 10 }]);
  });
});

/** The dedupe key the outbox put in a posted message's metadata. */
const outboxKey = (m: StoredMessage): string | undefined => {
  const key = (m.metadata as { event_payload?: { key?: unknown } } | undefined)?.event_payload?.key;
  return typeof key === 'string' ? key : undefined;
};
/** Messages the outbox posted in a channel (not ephemeral), by their dedupe key's prefix. */
const posted = (fake: FakeSlack, channel: string, prefix: string): string[] =>
  fake
    .messages(channel)
    .filter((m) => !m.ephemeral)
    .map(outboxKey)
    .filter((k): k is string => k !== undefined && k.startsWith(prefix));
const loggedKey = (body: string): string | undefined => /Logged \*([A-Z]+-\d+)\*/.exec(body)?.[1];

/*
 * Issue #15's acceptance test: the real app (`src/main.ts`) three times, as separate processes with
 * their own pools, on one PostgreSQL database, each with its own schedules running, as a
 * distributed deployment runs behind a load balancer.
 */
describe.skipIf(postgresSkipReason !== undefined)(onPostgres('three app processes on one database'), () => {
  let fake: FakeSlack;
  let database: TemporaryDatabase;
  let reader: Storage;
  let apps: ChildApp[] = [];
  const coordinator = (channelId: string) => ({ userId: PEOPLE.coordinator.id, channelId });
  const issueRows = (key: string) =>
    reader.rows<{ number: number; title: string }>(sql`select i.number as "number", i.title as "title" from issues i join program_teams t on t.id = i.program_team_id where t.key = ${key} order by i.number`);
  /** True once nothing waits in the outbox; until then the wait's error says what does. */
  const outboxDone = async (): Promise<true> => {
    const left = await reader.rows(sql`select status as "status", count(*) as "n", min(dedupe_key) as "example" from outbox where status in ('pending', 'sending', 'verify') group by status`);
    if (left.length > 0) throw new Error(`still in the outbox: ${JSON.stringify(left)}`);
    return true;
  };

  beforeAll(async () => {
    // Rate limits off: 60 issues announced in one channel within seconds is more than Slack's
    // one message a second per channel, and this is about processes sharing a database, not
    // Slack's pace (test/e2e/rate-limits.test.ts covers that).
    fake = await startFakeSlack({ botToken: BOT_TOKEN, teamId: WORKSPACE_ID, teamName: 'HCASM', users: allUsers(), channels: allChannels(), rateLimits: false });
    // Empty: the three instances migrate it together as they start (under the advisory lock).
    database = await createTemporaryDatabase();
    // A short outbox lease, so that what a killed instance was sending is taken over within the test;
    // debug logs, to see every instance run the digest job.
    const env = { ALLIANCE_OUTBOX_LEASE_SECONDS: '5', LOG_LEVEL: 'debug' };
    apps = await Promise.all([0, 1, 2].map(() => startChildApp(fake, database.url, env)));
    reader = postgresStorage(database.url, { max: 2 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await reader?.close();
    await fake?.close();
    await database?.drop();
  });

  it('start together on an empty database: migrated once, the teams seeded once', async () => {
    expect(await reader.rows(sql`select key as "key" from program_teams order by key`)).toEqual([{ key: 'CNA' }, { key: 'MA' }, { key: 'SPT' }]);
    for (const app of apps) {
      const health = await fetch(`http://127.0.0.1:${app.port}/healthz`);
      expect(await health.json()).toEqual({ ok: true, database: 'ok', engine: 'postgres' });
    }
    for (const [channel, key] of [[CHANNELS.cna.id, 'CNA'], [CHANNELS.ma.id, 'MA']] as const) {
      expect((await (apps[0] as ChildApp).slack.command('/team', `link ${key}`, coordinator(channel))).body).toContain('linked');
    }
  });

  it('60 concurrent /issue creates spread across the three give 60 distinct keys', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (apps[i % 3] as ChildApp).slack.command('/issue', `new Shared load issue ${i}`, coordinator(CHANNELS.cna.id))),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const keys = answers.map((a) => loggedKey(a.body));
    expect(keys.filter((k) => k === undefined)).toEqual([]);
    expect(new Set(keys).size).toBe(60);
    expect([...keys].sort()).toEqual(Array.from({ length: 60 }, (_, i) => `CNA-${i + 1}`).sort());
    // Each answer names the issue it stored.
    const rows = await issueRows('CNA');
    answers.forEach((_, i) => expect(rows).toContainEqual({ number: Number(keys[i]?.split('-')[1]), title: `Shared load issue ${i}` }));
    expect(rows).toHaveLength(60);
    // Their 60 announcements go out at Slack's pace of a message a second in the channel (a bucket
    // all instances share): the last test checks each was posted once.
  }, 90_000);

  it('a digest minute run by all three instances posts one digest per team', async () => {
    for (const key of ['CNA', 'MA']) {
      expect((await (apps[1] as ChildApp).slack.command('/digest', `schedule ${key} * * * * *`, coordinator(CHANNELS.general.id))).status).toBe(200);
    }
    const logsBefore = apps.map((app) => app.logs.length);
    // Every instance's node-cron ticks at the start of each minute: wait for the first minute's digests.
    await fake.waitFor(() => posted(fake, CHANNELS.cna.id, 'digest:CNA:').length > 0 && posted(fake, CHANNELS.ma.id, 'digest:MA:').length > 0, 120_000);
    const minute = posted(fake, CHANNELS.cna.id, 'digest:CNA:')[0]?.split(':').slice(2, -1).join(':') as string;
    // All three ran the job for that minute (each logs its run once it is over)...
    await fake.waitFor(() => apps.every((app, i) => app.logs.slice(logsBefore[i]).some((l) => l.includes('"msg":"job"') && l.includes('"job":"digest"'))), 30_000);
    await fake.waitFor(() => posted(fake, CHANNELS.ma.id, 'digest:MA:').length > 0, 30_000);
    // ...and each team got that minute's digest once, claimed by one of them.
    expect(posted(fake, CHANNELS.cna.id, `digest:CNA:${minute}:`)).toEqual([`digest:CNA:${minute}:${CHANNELS.cna.id}`]);
    expect(posted(fake, CHANNELS.ma.id, `digest:MA:${minute}:`)).toEqual([`digest:MA:${minute}:${CHANNELS.ma.id}`]);
    const runs = await reader.rows<{ scope: string; n: number }>(
      sql`select scope as "scope", count(*) as "n" from digest_runs where scheduled_for = ${new Date(minute).getTime()} group by scope order by scope`,
    );
    expect(runs).toEqual([
      { scope: 'CNA', n: 1 },
      { scope: 'MA', n: 1 },
    ]);
    // Later minutes too: never two digests for one team and minute.
    for (const [channel, key] of [[CHANNELS.cna.id, 'CNA'], [CHANNELS.ma.id, 'MA']] as const) {
      const keys = posted(fake, channel, `digest:${key}:`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    for (const key of ['CNA', 'MA']) {
      expect((await (apps[1] as ChildApp).slack.command('/digest', `schedule ${key} 0 9 * * 1`, coordinator(CHANNELS.general.id))).status).toBe(200);
    }
  }, 150_000);

  it('SIGKILL of one instance mid-writes: every acknowledged write is stored, and the survivors deliver all the outbox work', async () => {
    // The announcements of the 60 issues above are still going out a second at a time, some of
    // them leased by the instance about to die.
    const victim = apps[2] as ChildApp;
    const acked: Array<{ key: string; title: string }> = [];
    const inFlight: Array<Promise<void>> = [];
    let i = 0;
    const writer = setInterval(() => {
      const title = `Kill load issue ${i}`;
      inFlight.push(
        (apps[i % 3] as ChildApp).slack.command('/issue', `new ${title}`, coordinator(CHANNELS.ma.id)).then(
          (answer) => {
            const key = loggedKey(answer.body);
            if (answer.status === 200 && key !== undefined) acked.push({ key, title });
          },
          // The victim's connections break when it dies: those writes were never acknowledged.
          () => undefined,
        ),
      );
      i++;
    }, 25);
    await fake.waitFor(() => acked.length >= 15, 30_000);
    victim.process.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    // The survivors keep taking writes a little longer.
    await new Promise((resolve) => setTimeout(resolve, 500));
    clearInterval(writer);
    await Promise.all(inFlight);

    const rows = await issueRows('MA');
    for (const write of acked) expect(rows).toContainEqual({ number: Number(write.key.split('-')[1]), title: write.title });
    // Numbered as if one after another: no number given twice, none skipped.
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: rows.length }, (_, n) => n + 1));
    expect(rows.length).toBeGreaterThanOrEqual(acked.length);

    // The survivors send every announcement, the victim's included (what it held is taken over
    // once its 5-second lease runs out), each once.
    await fake.waitFor(outboxDone, 150_000);
    for (const [channel, count] of [[CHANNELS.cna.id, 60], [CHANNELS.ma.id, rows.length]] as const) {
      const announced = posted(fake, channel, 'issue-new:');
      expect(announced).toHaveLength(count);
      expect(new Set(announced).size).toBe(count);
    }
    expect(await Promise.all(apps.slice(0, 2).map((app) => app.stop('SIGTERM')))).toEqual([0, 0]);
  }, 240_000);
});
