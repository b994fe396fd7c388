import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsOf, SocketModeStartError, startAlliance } from '../../src/alliance.js';
import { loadConfig } from '../../src/config.js';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeSlack } from '../../src/fake-slack/types.js';
import { createLogger } from '../../src/logger.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { startChildApp } from '../rig/child-app.js';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness } from '../rig/harness.js';
import { createSlackRequester, inputValues, type ViewInput } from '../rig/slack-request.js';
import { startSocketModeServer, type SocketModeServer } from '../rig/socket-mode.js';

/** Meetings must lie ahead of the app's clock. */
const clock = new Date('2026-10-20T12:00:00Z');
const coordinatorInCna = { userId: PEOPLE.coordinator.id, channelId: CHANNELS.cna.id };
const employer = { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id };

const socketOf = (h: Harness): SocketModeServer => {
  if (h.socket === undefined) throw new Error('harness was not started in Socket Mode');
  return h.socket;
};

async function callFake(fake: FakeSlack, method: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${fake.url}${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as Record<string, unknown>;
}

describe('Socket Mode (SLACK_APP_TOKEN set), end to end over a WebSocket', () => {
  let h: Harness;
  /** The same app over signed HTTP, to compare answers with. */
  let web: Harness;
  beforeAll(async () => {
    h = await startHarness({ socketMode: true, now: () => clock });
    web = await startHarness({ now: () => clock });
  });
  afterAll(async () => {
    await h.stop();
    await web.stop();
  });

  it('connects as Slack expects: apps.connections.open with the app-level token, then the returned URL, then hello', async () => {
    const opens = h.fake.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]?.ok).toBe(true);
    expect(socketOf(h).openConnections()).toBe(1);
    expect(socketOf(h).refusedUpgrades()).toBe(0);
    // The HTTP app never opens a socket.
    expect(web.fake.callsTo('apps.connections.open')).toHaveLength(0);
  });

  it('the fake Slack opens connections only for the configured app-level token', async () => {
    expect(await callFake(h.fake, 'apps.connections.open', 'xapp-1-A0OTHER-1-unknown')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await callFake(h.fake, 'apps.connections.open', BOT_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await callFake(h.fake, 'auth.test', APP_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    const opened = await callFake(h.fake, 'apps.connections.open', APP_TOKEN);
    expect(opened.ok).toBe(true);
    expect(String(opened.url)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]{36}&app_id=A0FAKEAPP1$/);
  });

  it('answers /team help and /team list in the ack payload, exactly as the HTTP path answers them', async () => {
    for (const app of [h, web]) {
      const linked = await app.command('/team', 'link CNA', coordinatorInCna);
      expect(linked.text).toContain('linked');
    }
    for (const text of ['help', 'list']) {
      const overSocket = await h.command('/team', text, employer);
      const overHttp = await web.command('/team', text, employer);
      expect(overSocket.raw).not.toBe('');
      expect(JSON.parse(overSocket.raw)).toEqual(JSON.parse(overHttp.raw));
    }
    const list = await h.command('/team', 'list', employer);
    expect(list.response_type).toBe('ephemeral');
    expect(JSON.stringify(list.blocks)).toContain(`<#${CHANNELS.cna.id}>`);
  });

  it('acks a raw slash_commands envelope with its envelope_id and the answer in payload', async () => {
    const socket = socketOf(h);
    const ack = await socket.send({
      envelope_id: 'env-team-help-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'fake-verification-token',
        team_id: WORKSPACE_ID,
        team_domain: 'hcasm',
        channel_id: CHANNELS.general.id,
        channel_name: 'general',
        user_id: PEOPLE.henryFord1.id,
        user_name: 'henry',
        command: '/team',
        text: 'help',
        api_app_id: 'A0FAKEAPP1',
        is_enterprise_install: 'false',
        response_url: h.fake.responseUrl(),
        trigger_id: h.fake.newTrigger(PEOPLE.henryFord1.id),
      },
    });
    expect(ack.envelope_id).toBe('env-team-help-1');
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.text)).toContain('/team join');
    expect(socket.received.at(-1)).toEqual(ack);
  });

  it('an events_api envelope has its effect once: member_joined_channel on a linked channel adds the member, a retry changes nothing', async () => {
    const members = async () => (await h.query<{ n: number }>("select count(*) as n from team_members m join program_teams t on t.id = m.program_team_id where t.key = 'CNA'"))[0]?.n;
    const before = await members();
    const event = { type: 'member_joined_channel', user: PEOPLE.trinity.id, channel: CHANNELS.cna.id, channel_type: 'C', team: WORKSPACE_ID };
    const handled = () => h.logs.filter((l) => l.includes('"msg":"request"') && l.includes('"what":"member_joined_channel"')).length;
    const handledBefore = handled();
    // Bolt acks an event before its listener runs (Slack wants the ack within 3 s), so the ack is empty.
    const first = await h.slack.event(event, { eventId: 'Ev0SOCKET1' });
    expect(first).toMatchObject({ status: 200, body: '' });
    await h.fake.waitFor(() => handled() === handledBefore + 1);
    expect(await members()).toBe((before ?? 0) + 1);
    // Slack redelivers with retry_attempt when an ack was late; the same event_id changes nothing.
    await h.slack.event(event, { eventId: 'Ev0SOCKET1', retryNum: 1, retryReason: 'timeout' });
    await h.fake.waitFor(() => handled() === handledBefore + 2);
    expect(await members()).toBe((before ?? 0) + 1);
    expect(socketOf(h).received.slice(-2)).toEqual([expect.objectContaining({ payload: {} }), expect.objectContaining({ payload: {} })]);
    await h.flush(clock);
    const welcomes = h.fake.messages(CHANNELS.cna.id).filter((m) => m.ephemeral && m.user === PEOPLE.trinity.id && (m.text ?? '').includes('Welcome'));
    expect(welcomes).toHaveLength(1);
  });

  it('interactive envelopes: a view_submission gets its field errors in the ack, then schedules; a block_actions click records the RSVP', async () => {
    const cnaTeamId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id;
    const viewsBefore = h.fake.views.size;
    const opened = await h.command('/meeting', 'new', { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.cna.id });
    expect(opened.status).toBe(200);
    // The trigger_id came in the slash_commands envelope; views.open accepted it.
    await h.fake.waitFor(() => h.fake.views.size > viewsBefore);
    const view = [...h.fake.views.values()].at(-1) as ViewInput;
    const values = (title: string) =>
      inputValues({
        meeting_team: { meeting_team: { type: 'static_select', selected_option: { value: String(cnaTeamId) } } },
        meeting_title: { meeting_title: title },
        meeting_date: { meeting_date: { type: 'datepicker', selected_date: '2026-11-02' } },
        meeting_time: { meeting_time: { type: 'timepicker', selected_time: '10:00' } },
        meeting_duration: { meeting_duration: { type: 'static_select', selected_option: { value: '60' } } },
        meeting_place: { meeting_place: 'Henry Ford Hospital, room 2' },
        meeting_link: { meeting_link: { type: 'url_text_input', value: null } },
        meeting_agenda: { meeting_agenda: { type: 'plain_text_input', value: null } },
      });

    const refused = await h.slack.viewSubmission({ view, userId: PEOPLE.henryFord1.id, values: values('') });
    expect(refused.json).toMatchObject({ response_action: 'errors', errors: { meeting_title: expect.stringContaining('title') } });
    expect(await h.count('meetings')).toBe(0);

    const accepted = await h.slack.viewSubmission({ view, userId: PEOPLE.henryFord1.id, values: values('Clinical placements') });
    expect(accepted.json).toMatchObject({ response_action: 'update' });
    await h.flush(clock);
    const meeting = (await h.query<{ id: number; message_ts: string | null }>('select id, message_ts from meetings'))[0];
    expect(meeting?.message_ts).toEqual(expect.any(String));

    const click = await h.slack.blockAction({
      actionId: 'meeting_rsvp_going',
      blockId: `meeting_actions_${meeting?.id}`,
      value: String(meeting?.id),
      userId: PEOPLE.trainer.id,
      channelId: CHANNELS.cna.id,
      messageTs: meeting?.message_ts ?? '',
    });
    // block_actions are acked empty; the answer goes out afterwards, and the RSVP is stored after the ack.
    expect(click).toMatchObject({ status: 200, body: '' });
    await h.fake.waitFor(async () => (await h.count('meeting_rsvps')) > 0);
    expect(await h.query('select user_id, answer from meeting_rsvps')).toEqual([{ user_id: PEOPLE.trainer.id, answer: 'going' }]);
  });

  it('still serves /healthz over HTTP, and refuses Slack requests there (they come over the socket)', async () => {
    const health = await fetch(`http://127.0.0.1:${h.alliance.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, database: 'ok', engine: h.engine });
    const unsigned = await fetch(`http://127.0.0.1:${h.alliance.port}/slack/events`, { method: 'POST', body: 'command=%2Fteam&text=list' });
    expect(unsigned.status).toBe(401);
    const signed = await createSlackRequester({ baseUrl: `http://127.0.0.1:${h.alliance.port}`, signingSecret: SIGNING_SECRET, teamId: WORKSPACE_ID }).command('/team', 'list', employer);
    expect(signed).toMatchObject({ status: 404, json: { ok: false, error: 'socket_mode' } });
  });

  it('when Slack recycles the connection (disconnect), opens a new one and keeps answering', { timeout: 30_000 }, async () => {
    const socket = socketOf(h);
    const opened = () => h.fake.callsTo('apps.connections.open').filter((c) => c.ok).length;
    const opensBefore = opened();
    socket.disconnect('refresh_requested');
    const closed = await socket.closed();
    expect(closed?.code).toBe(1000);
    // The client waits a few seconds before reconnecting; a fresh apps.connections.open URL follows.
    await socket.connected(20_000);
    expect(opened()).toBe(opensBefore + 1);
    expect(socket.openConnections()).toBe(1);
    const help = await h.command('/team', 'help', employer);
    expect(help.text).toContain('/team list');
  });

  it('writes no app-level token to the logs', () => {
    const all = h.logs.join('\n');
    expect(all).toContain('Alliance is running');
    expect(all).toContain('"mode":"socket"');
    expect(all).not.toContain(APP_TOKEN);
  });

  it('stop() closes the socket with a normal closure before it resolves', async () => {
    const socket = socketOf(h);
    expect(socket.openConnections()).toBe(1);
    await h.alliance.stop();
    // The app finished the close handshake (1000, normal closure); no reconnect follows.
    expect(await socket.closed()).toEqual({ code: 1000, reason: '' });
    expect(socket.openConnections()).toBe(0);
    // …and stop() waited for it: the client saw Slack's close frame before the app said it stopped.
    const closeSeen = h.logs.map((l) => l.includes('WebSocket close frame received (code: 1000')).lastIndexOf(true);
    const stopped = h.logs.findIndex((l) => l.includes('"msg":"Alliance stopped"'));
    expect(closeSeen).toBeGreaterThan(-1);
    expect(stopped).toBeGreaterThan(closeSeen);
    await expect(fetch(`http://127.0.0.1:${h.alliance.port}/healthz`)).rejects.toThrow();
  });
});

describe('Socket Mode start-up', () => {
  let fake: FakeSlack;
  let socket: SocketModeServer;
  let dir: string;
  beforeAll(async () => {
    socket = await startSocketModeServer();
    fake = await startFakeSlack({
      botToken: BOT_TOKEN,
      teamId: WORKSPACE_ID,
      users: allUsers(),
      channels: allChannels(),
      socketMode: { appToken: APP_TOKEN, connectionUrl: (appId) => socket.connectionUrl(appId) },
    });
    dir = mkdtempSync(join(tmpdir(), 'alliance-socket-'));
  });
  afterAll(async () => {
    await fake.close();
    await socket.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configWith = (appToken: string, db: string) =>
    loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_APP_TOKEN: appToken,
      SLACK_API_URL: fake.url,
      DATABASE_URL: join(dir, db),
      PORT: '0',
      HOST: '127.0.0.1',
    });

  it('retries apps.connections.open through a Slack hiccup (HTTP 503) instead of failing to start', { timeout: 30_000 }, async () => {
    fake.failNext('apps.connections.open', { status: 503 });
    const alliance = await startAlliance(configWith(APP_TOKEN, 'hiccup.db'), { logger: createLogger('error', () => undefined), schedules: false });
    try {
      expect(fake.callsTo('apps.connections.open').map((c) => c.error ?? 'ok')).toEqual(['http_503', 'ok']);
      expect(socket.openConnections()).toBe(1);
    } finally {
      await alliance.stop();
    }
    expect(await socket.closed()).toEqual({ code: 1000, reason: '' });
  });

  it('startAlliance rejects with a SocketModeStartError that names SLACK_APP_TOKEN, and connects nothing', async () => {
    const config = configWith('xapp-1-A0FAKEAPP1-9999-wrong', 'in-process.db');
    const logs: string[] = [];
    const start = startAlliance(config, { logger: createLogger('info', (line) => logs.push(line), { secrets: secretsOf(config) }), schedules: false });
    const error = await start.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SocketModeStartError);
    expect(String((error as Error).message)).toContain('invalid_auth');
    expect(String((error as Error).message)).toContain('Check SLACK_APP_TOKEN');
    expect(fake.callsTo('apps.connections.open').at(-1)).toMatchObject({ ok: false, error: 'invalid_auth' });
    expect(socket.openConnections()).toBe(0);
  });

  it('the process exits 1 with a message that says to check SLACK_APP_TOKEN, not the bot token', { timeout: 30_000 }, async () => {
    const started = startChildApp(fake, join(dir, 'child.db'), { SLACK_APP_TOKEN: 'xapp-1-A0FAKEAPP1-9999-wrong' });
    const error = await started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/app exited \(1\)/);
    expect(message).toContain('Slack did not open the Socket Mode connection (apps.connections.open): An API error occurred: invalid_auth');
    expect(message).toContain('Check SLACK_APP_TOKEN');
    expect(message).not.toContain('auth.test');
    expect(message).not.toContain('xapp-1-A0FAKEAPP1-9999-wrong');
  });
});
