/**
 * The real app as child processes: SIGKILL in the middle of writes, restart, and two instances
 * on one SQLite file. Slow by nature (process start-up, the outbox's 10-second tick, and up to a
 * minute for the digest job's tick in the digest scenario), so each scenario does as much as it
 * can per start. Waits are `fake.waitFor` with generous timeouts; nothing asserts a duration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db/open-storage.js';
import type { Actor } from '../../src/domain/actor.js';
import { ROLLUP_SCOPE, DigestRepository } from '../../src/features/digest/repository.js';
import { DigestService } from '../../src/features/digest/service.js';
import { REMINDERS, reminderKey } from '../../src/features/meeting/service.js';
import { utcToLocalParts } from '../../src/time/zone.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { seedProgramTeams, TeamService } from '../../src/features/team/service.js';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeSlack, StoredMessage } from '../../src/fake-slack/types.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { startChildApp, type ChildApp } from '../rig/child-app.js';
import { TEST_ENGINE } from '../rig/engines.js';
import { BOT_TOKEN } from '../rig/harness.js';
import { inputValues, type SlackHttpResponse, type SlackRequester, type ViewInput } from '../rig/slack-request.js';

const LOAD_CHANNEL = { id: 'C0LOADTEST', name: 'load-test' };
const loadUser = (i: number) => `U0LOAD${String(i).padStart(4, '0')}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** ALLIANCE_TIMEZONE of the child apps: digest crons are read on this wall clock. */
const TIME_ZONE = 'America/Detroit';
const coordinatorActor: Actor = { workspaceId: WORKSPACE_ID, userId: PEOPLE.coordinator.id, isCoordinator: true, isExternal: false };

/** The dedupe key the outbox put in a posted message's metadata (what it looks for before posting again). */
const outboxKey = (m: StoredMessage): string | undefined => {
  const key = (m.metadata as { event_payload?: { key?: unknown } } | undefined)?.event_payload?.key;
  return typeof key === 'string' ? key : undefined;
};

/** A daily cron for the wall-clock minute of `at` in TIME_ZONE. */
const dailyCronAt = (at: Date): string => {
  const [hour = '0', minute = '0'] = utcToLocalParts(at, TIME_ZONE).time.split(':');
  return `${Number(minute)} ${Number(hour)} * * *`;
};

type OpenedView = ViewInput & { private_metadata: string };

const meetingForm = (teamId: number, title: string, date: string, time: string) =>
  inputValues({
    meeting_team: { meeting_team: { type: 'static_select', selected_option: { value: String(teamId) } } },
    meeting_title: { meeting_title: { type: 'plain_text_input', value: title } },
    meeting_date: { meeting_date: { type: 'datepicker', selected_date: date } },
    meeting_time: { meeting_time: { type: 'timepicker', selected_time: time } },
    meeting_duration: { meeting_duration: { type: 'static_select', selected_option: { value: '60' } } },
    meeting_place: { meeting_place: { type: 'plain_text_input', value: 'Henry Ford Hospital, room 2' } },
    meeting_link: { meeting_link: { type: 'url_text_input', value: null } },
    meeting_agenda: { meeting_agenda: { type: 'plain_text_input', value: null } },
  });

interface Consistency {
  integrity: unknown;
  foreignKeys: unknown[];
  /** Outbox rows a meeting's own transaction queued that are missing (its announcement, its reminders still ahead). */
  halfMadeMeetings: string[];
  /** Outbox rows a claimed digest run queued that are missing (one per linked channel). */
  halfMadeDigests: string[];
  meetings: number;
  digestRuns: number;
}

/** What must hold after any kill: SQLite's own checks, and no record without the messages made with it. */
function consistency(db: Database.Database): Consistency {
  const keys = new Set((db.prepare('select dedupe_key as k from outbox').all() as Array<{ k: string }>).map((r) => r.k));
  const meetings = db.prepare('select id, sequence, starts_at as startsAt, created_at as createdAt from meetings').all() as Array<{ id: number; sequence: number; startsAt: number; createdAt: number }>;
  const halfMadeMeetings = meetings.flatMap((m) =>
    [`meeting:${m.id}:announce`, ...REMINDERS.filter((r) => m.startsAt - r.beforeMs > m.createdAt).map((r) => reminderKey(m.id, m.sequence, r.kind))].filter((k) => !keys.has(k)),
  );
  const runs = db.prepare('select scope, scheduled_for as scheduledFor from digest_runs').all() as Array<{ scope: string; scheduledFor: number }>;
  const channelsOf = db.prepare('select c.channel_id as channel from team_channels c join program_teams t on t.id = c.program_team_id where t.key = ?');
  const halfMadeDigests = runs.flatMap((run) => {
    const prefix = `digest:${run.scope}:${new Date(run.scheduledFor).toISOString()}:`;
    if (run.scope === ROLLUP_SCOPE) return [...keys].some((k) => k.startsWith(prefix)) ? [] : [`${prefix}(any coordinator)`];
    return (channelsOf.all(run.scope) as Array<{ channel: string }>).map((c) => `${prefix}${c.channel}`).filter((k) => !keys.has(k));
  });
  return {
    integrity: db.pragma('integrity_check', { simple: true }),
    foreignKeys: db.pragma('foreign_key_check') as unknown[],
    halfMadeMeetings,
    halfMadeDigests,
    meetings: meetings.length,
    digestRuns: runs.length,
  };
}

// On PostgreSQL the same guarantees are tested with three instances on one database in
// test/e2e/postgres-instances.test.ts; this file checks SQLite's file (integrity_check, its write lock).
describe.skipIf(TEST_ENGINE === 'postgres')('crashes, restarts and several instances on one SQLite file (SQLite only: reads the file itself)', () => {
  let fake: FakeSlack;
  let dir: string;
  let dbPath: string;
  const children: ChildApp[] = [];
  beforeEach(async () => {
    // The fake's rate limits are off: the load test below has 120 people join within a second,
    // more users.info lookups than Slack allows a minute (Tier 4), and these tests are about
    // processes sharing one database, not Slack's pace (test/e2e/rate-limits.test.ts covers that).
    fake = await startFakeSlack({ botToken: BOT_TOKEN, teamId: WORKSPACE_ID, teamName: 'HCASM', users: allUsers(), channels: allChannels(), rateLimits: false });
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
    const child = await startChildApp(fake, dbPath, { ALLIANCE_OUTBOX_LEASE_SECONDS: '5', ALLIANCE_TIMEZONE: TIME_ZONE });
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
  /** Only while no app runs: what the test does to the file stands for time passing while the app is down. */
  const writeDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(dbPath);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  const posted = (channel: string, keyMatches: (key: string) => boolean) =>
    fake.messages(channel).filter((m) => {
      const key = outboxKey(m);
      return !m.ephemeral && key !== undefined && keyMatches(key);
    });
  const unsentRows = (where: string) => readDb((db) => (db.prepare(`select count(*) as n from outbox where status != 'sent' and ${where}`).get() as { n: number }).n);

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

  it('SIGKILL while meetings are being scheduled leaves no meeting without its messages; a reminder that fell due while the app was down goes out once after restart, as does every announcement', async () => {
    const a = await start();
    for (const [channel, key] of [[CHANNELS.cna.id, 'CNA'], [LOAD_CHANNEL.id, 'SPT']] as const) {
      expect((await a.slack.command('/team', `link ${key}`, asCoordinator(channel))).body).toContain('linked');
    }
    const cnaTeamId = readDb((db) => (db.prepare("select id from program_teams where key = 'CNA'").get() as { id: number }).id);
    const opened = await a.slack.command('/meeting', 'new', asCoordinator(CHANNELS.cna.id));
    expect(opened.status).toBe(200);
    const view = await fake.waitFor(() => [...fake.views.values()].at(-1) as OpenedView | undefined);
    const tz = (JSON.parse(view.private_metadata) as { tz: string }).tz;
    // 65–66 minutes ahead (the time picker has whole minutes): the 1-hour reminder is 5–6 minutes
    // away and the 24-hour one is already past, so only the first is queued.
    const startsAt = new Date(Math.ceil((Date.now() + 65 * MINUTE) / MINUTE) * MINUTE);
    const local = utcToLocalParts(startsAt, tz);
    const created = await a.slack.viewSubmission({ view, userId: PEOPLE.coordinator.id, values: meetingForm(cnaTeamId, 'Clinical placements', local.date, local.time) });
    expect((created.json as { response_action?: string }).response_action).toBe('update');
    const main = readDb((db) => db.prepare('select id, sequence, starts_at as startsAt from meetings').get() as { id: number; sequence: number; startsAt: number });
    expect(main.startsAt).toBe(startsAt.getTime());
    const reminder1h = reminderKey(main.id, main.sequence, '1h');
    const reminder24h = reminderKey(main.id, main.sequence, '24h');
    await fake.waitFor(() => posted(CHANNELS.cna.id, (k) => k === `meeting:${main.id}:announce`).length === 1, 15_000);

    // Slack hangs on the next post, so the load's announcements are still queued or mid-send when the process dies.
    fake.failNext('chat.postMessage', { delayMs: 60_000 });
    // Load: meetings three days out (announcement and both reminders each), welcomes, organisation changes.
    const later = utcToLocalParts(new Date(Date.now() + 3 * 24 * HOUR), tz).date;
    const inFlight: Array<Promise<SlackHttpResponse | Error>> = [];
    let i = 0;
    const writer = setInterval(() => {
      for (let k = 0; k < 2; k++, i++) {
        const submission = a.slack.viewSubmission({ view, viewId: `V0LOAD${i}`, hash: `h${i}`, userId: PEOPLE.coordinator.id, values: meetingForm(cnaTeamId, `Load meeting ${i}`, later, '10:00') });
        inFlight.push(submission.catch((error: unknown) => error as Error));
        inFlight.push(joinEvent(a.slack, i).catch((error: unknown) => error as Error));
        inFlight.push(a.slack.command('/team', `org <@${loadUser(i)}> Org ${i % 7}`, asCoordinator(CHANNELS.general.id)).catch((error: unknown) => error as Error));
      }
    }, 5);
    await fake.waitFor(() => i >= 60, 30_000);
    a.process.kill('SIGKILL');
    clearInterval(writer);
    expect(await a.exited).toBe('SIGKILL');
    await Promise.all(inFlight);

    const afterCrash = readDb(consistency);
    expect(afterCrash).toMatchObject({ integrity: 'ok', foreignKeys: [], halfMadeMeetings: [], halfMadeDigests: [] });
    expect(afterCrash.meetings).toBeGreaterThan(1);
    const rows = readDb((db) => db.prepare("select dedupe_key as key, status from outbox where dedupe_key like 'meeting:%'").all() as Array<{ key: string; status: string }>);
    expect(rows.filter((r) => r.key === reminder1h)).toEqual([{ key: reminder1h, status: 'pending' }]);
    expect(rows.filter((r) => r.key === reminder24h)).toEqual([]);
    expect(rows.filter((r) => r.key.endsWith(':announce') && r.status === 'sent')).toEqual([{ key: `meeting:${main.id}:announce`, status: 'sent' }]);

    // The app stays down past the reminder's time: its row is exactly what the app wrote, only due now.
    const moved = writeDb((db) => db.prepare("update outbox set not_before = ? where dedupe_key = ? and status = 'pending'").run(Date.now() - MINUTE, reminder1h).changes);
    expect(moved).toBe(1);

    const b = await start();
    const meetingIds = readDb((db) => (db.prepare('select id from meetings order by id').all() as Array<{ id: number }>).map((m) => m.id));
    // The outbox ticks every 10 s; a send the kill interrupted waits out its 5-second lease and is checked for in the channel first.
    await fake.waitFor(() => posted(CHANNELS.cna.id, (k) => k === reminder1h).length > 0, 30_000);
    await fake.waitFor(() => unsentRows("dedupe_key not like 'meeting:%:reminder:%'") === 0, 45_000);
    expect(posted(CHANNELS.cna.id, (k) => k === reminder1h)).toHaveLength(1);
    expect(posted(CHANNELS.cna.id, (k) => k.includes(':reminder:24h'))).toEqual([]);
    // Every meeting announced exactly once, whether its post was done, interrupted or not yet tried when the process died.
    const announced = posted(CHANNELS.cna.id, (k) => k.endsWith(':announce')).map((m) => Number(outboxKey(m)?.split(':')[1]));
    expect(announced.sort((x, y) => x - y)).toEqual(meetingIds);
    // The load meetings' reminders are days away: still waiting, none sent early.
    expect(unsentRows(`dedupe_key like 'meeting:%:reminder:%' and dedupe_key != '${reminder1h}'`)).toBe(2 * (meetingIds.length - 1));
    expect(posted(CHANNELS.cna.id, (k) => k.includes(':reminder:') && k !== reminder1h)).toEqual([]);
    expect(readDb(consistency)).toMatchObject({ integrity: 'ok', foreignKeys: [], halfMadeMeetings: [] });
    expect(await b.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('a digest whose time passed while the app was down is claimed after start; SIGKILL between the claim and the post, and after a restart each team gets it exactly once', async () => {
    const now = Date.now();
    const due = new Date(Math.floor(now / MINUTE) * MINUTE - 3 * MINUTE);
    // The installation as the app left it before this downtime: teams made an hour ago and linked,
    // CNA's and MA's digests set half an hour ago to a daily time 3 minutes ago (so that run was
    // missed while nothing ran), every other schedule to a time of day 12 hours off.
    const installed = await openStorage(dbPath);
    try {
      const teamRepository = new TeamRepository(installed);
      const teams = new TeamService(teamRepository);
      const digests = new DigestService({ repo: new DigestRepository(installed), teamRepository, teams, timeZone: TIME_ZONE, configCoordinators: [PEOPLE.coordinator.id] });
      await seedProgramTeams(teamRepository, WORKSPACE_ID, new Date(now - HOUR));
      for (const [channel, key] of [[CHANNELS.cna.id, 'CNA'], [CHANNELS.ma.id, 'MA'], [LOAD_CHANNEL.id, 'SPT']] as const) {
        expect((await teams.link(coordinatorActor, key, channel, new Date(now - HOUR))).ok).toBe(true);
      }
      const quiet = dailyCronAt(new Date(now + 12 * HOUR));
      for (const [word, cron] of [['CNA', dailyCronAt(due)], ['MA', dailyCronAt(due)], ['SPT', quiet], ['all', quiet]] as const) {
        const target = await digests.resolveTarget(WORKSPACE_ID, word, CHANNELS.general.id);
        if (!target.ok) throw new Error(`no digest target ${word}`);
        expect((await digests.setSchedule(coordinatorActor, target.value, cron, new Date(now - 30 * MINUTE))).ok).toBe(true);
      }
    } finally {
      await installed.close();
    }

    // Slack takes the first post but answers only after 8 s; the app dies before it hears back.
    fake.failNext('chat.postMessage', { delayMs: 8000, thenStore: true });
    const c = await start();
    const inFlight: Array<Promise<SlackHttpResponse | Error>> = [];
    let i = 0;
    const writer = setInterval(() => {
      inFlight.push(joinEvent(c.slack, i % 400).catch((error: unknown) => error as Error));
      inFlight.push(c.slack.command('/team', `org <@${loadUser(i % 400)}> Org ${i % 7}`, asCoordinator(CHANNELS.general.id)).catch((error: unknown) => error as Error));
      i++;
    }, 50);
    // The digest job runs at each minute's tick, so this can take up to a minute: a generous timeout, no sleeping.
    await fake.waitFor(() => fake.pendingFaults('chat.postMessage') === 0, 90_000);
    c.process.kill('SIGKILL');
    clearInterval(writer);
    expect(await c.exited).toBe('SIGKILL');
    await Promise.all(inFlight);
    const lost = await fake.waitFor(() => fake.callsTo('chat.postMessage').find((call) => call.error === 'client_gone_after_store'), 20_000);
    const lostKey = (lost.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key ?? '';
    expect(lostKey).toMatch(/^digest:(CNA|MA):/);

    const afterCrash = readDb((db) => ({
      ...consistency(db),
      runs: db.prepare('select scope, scheduled_for as scheduledFor from digest_runs order by scope').all() as Array<{ scope: string; scheduledFor: number }>,
      digestRows: db.prepare("select dedupe_key as key, status from outbox where dedupe_key like 'digest:%' order by dedupe_key").all() as Array<{ key: string; status: string }>,
    }));
    expect(afterCrash).toMatchObject({ integrity: 'ok', foreignKeys: [], halfMadeMeetings: [], halfMadeDigests: [] });
    // The missed run was caught up (claimed once per team, MA's normally too, unless the kill came
    // between the two teams' claims) and queued; Slack has one of them, the database does not know.
    const digestKey = (scope: string) => `digest:${scope}:${due.toISOString()}:${scope === 'CNA' ? CHANNELS.cna.id : CHANNELS.ma.id}`;
    expect(afterCrash.runs).toContainEqual({ scope: lostKey.split(':')[1], scheduledFor: due.getTime() });
    expect(afterCrash.runs.filter((r) => !['CNA', 'MA'].includes(r.scope) || r.scheduledFor !== due.getTime())).toEqual([]);
    expect(afterCrash.digestRows.map((r) => r.key)).toEqual(afterCrash.runs.map((r) => digestKey(r.scope)));
    expect(afterCrash.digestRows.filter((r) => r.status === 'sent')).toEqual([]);

    const historyBefore = fake.callsTo('conversations.history').length;
    const d = await start();
    // The outbox ticks every 10 s and the killed process's 5-second lease must run out first; a team
    // whose run was not claimed yet waits for the next minute tick: a generous timeout.
    await fake.waitFor(() => posted(CHANNELS.cna.id, (k) => k.startsWith('digest:')).length > 0 && posted(CHANNELS.ma.id, (k) => k.startsWith('digest:')).length > 0, 90_000);
    await fake.waitFor(() => unsentRows("dedupe_key like 'digest:%'") === 0, 30_000);
    expect(posted(CHANNELS.cna.id, (k) => k.startsWith('digest:')).map(outboxKey)).toEqual([digestKey('CNA')]);
    expect(posted(CHANNELS.ma.id, (k) => k.startsWith('digest:')).map(outboxKey)).toEqual([digestKey('MA')]);
    // The one Slack already had was found by its metadata, not posted again; the other was posted once.
    expect(fake.callsTo('conversations.history').length).toBeGreaterThan(historyBefore);
    const digestPosts = fake.callsTo('chat.postMessage').filter((call) => String((call.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key).startsWith('digest:'));
    expect(digestPosts.map((call) => call.error ?? 'ok')).toEqual(['client_gone_after_store', 'ok']);
    expect(readDb((db) => db.prepare('select count(*) as n from digest_runs').get())).toEqual({ n: 2 });
    expect(readDb(consistency)).toMatchObject({ integrity: 'ok', foreignKeys: [], halfMadeDigests: [] });
    expect(await d.stop('SIGTERM')).toBe(0);
  }, 180_000);

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
