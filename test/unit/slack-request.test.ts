import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackRequester, inputValues, slackSignature, type SlackRequester } from '../rig/slack-request.js';

const SECRET = 'signing-secret-for-tests';
const TEAM = 'T0TEAM0001';

interface Captured {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let baseUrl: string;
let received: Captured[] = [];
let slack: SlackRequester;

function last(): Captured {
  const req = received.at(-1);
  if (!req) throw new Error('no request captured');
  return req;
}

function header(req: Captured, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}

/** Throws unless the captured request carries a valid Slack signature. */
function verify(req: Captured, nowMilliseconds?: number): void {
  verifySlackRequest({
    signingSecret: SECRET,
    body: req.body,
    headers: {
      'x-slack-signature': header(req, 'x-slack-signature'),
      'x-slack-request-timestamp': Number(header(req, 'x-slack-request-timestamp')),
    },
    ...(nowMilliseconds !== undefined ? { nowMilliseconds } : {}),
  });
}

function form(req: Captured): Record<string, string> {
  expect(header(req, 'content-type')).toBe('application/x-www-form-urlencoded');
  return Object.fromEntries(new URLSearchParams(req.body));
}

function payload(req: Captured): Record<string, unknown> {
  const { payload: raw } = form(req);
  expect(raw).toBeDefined();
  return JSON.parse(raw ?? '') as Record<string, unknown>;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json', 'x-test': 'yes' });
      res.end(JSON.stringify({ received: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received = [];
  slack = createSlackRequester({
    baseUrl,
    signingSecret: SECRET,
    teamId: TEAM,
    responseUrl: (ctx) => `http://fake.test/respond/${ctx.channel ?? 'none'}/${ctx.messageTs ?? 'none'}`,
  });
});

describe('Slack-like request client', () => {
  it('sends a slash command as a signed form with all of Slack fields', async () => {
    const res = await slack.command('/team', 'list open', { userId: 'U0ALICE001', userName: 'alice', channelId: 'C0GENERAL1', channelName: 'general' });
    expect(res).toMatchObject({ status: 200, json: { received: true } });
    expect(res.headers['x-test']).toBe('yes');
    const req = last();
    expect(req.path).toBe('/slack/events');
    expect(() => verify(req)).not.toThrow();
    const fields = form(req);
    expect(Object.keys(fields).sort()).toEqual(
      ['api_app_id', 'channel_id', 'channel_name', 'command', 'is_enterprise_install', 'response_url', 'team_domain', 'team_id', 'text', 'token', 'trigger_id', 'user_id', 'user_name'].sort(),
    );
    expect(fields).toMatchObject({
      command: '/team',
      text: 'list open',
      user_id: 'U0ALICE001',
      user_name: 'alice',
      channel_id: 'C0GENERAL1',
      team_id: TEAM,
      is_enterprise_install: 'false',
      response_url: 'http://fake.test/respond/C0GENERAL1/none',
    });
    expect(fields.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
  });

  it('gives every interaction a fresh trigger_id', async () => {
    const who = { userId: 'U1', channelId: 'C1' };
    await slack.command('/team', '', who);
    await slack.command('/team', '', who);
    const [a, b] = received.map((r) => form(r).trigger_id);
    expect(a).not.toBe(b);
  });

  it('sends a message block action with Slack payload fields', async () => {
    await slack.blockAction({ actionId: 'vote', blockId: 'b1', value: 'yes', userId: 'U0ALICE001', channelId: 'C0GENERAL1', messageTs: '1700000000.000100' });
    const req = last();
    expect(() => verify(req)).not.toThrow();
    const p = payload(req);
    expect(p).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0ALICE001', team_id: TEAM },
      team: { id: TEAM },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0GENERAL1' },
      channel: { id: 'C0GENERAL1' },
      message: { ts: '1700000000.000100' },
      response_url: 'http://fake.test/respond/C0GENERAL1/1700000000.000100',
      actions: [{ action_id: 'vote', block_id: 'b1', type: 'button', value: 'yes' }],
    });
    expect(p.api_app_id).toBeTruthy();
    expect(p.trigger_id).toBeTruthy();
    expect((p.actions as Array<Record<string, unknown>>)[0]?.action_ts).toMatch(/^\d+\.\d{6}$/);
  });

  it('sends a select action from a modal with the view and no channel', async () => {
    await slack.blockAction({
      actionId: 'prio',
      blockId: 'b2',
      selectedOption: { value: 'high' },
      userId: 'U1',
      view: { id: 'V0VIEW0001', callback_id: 'issue_create', private_metadata: '{"t":1}' },
    });
    const p = payload(last());
    expect(p).toMatchObject({
      container: { type: 'view', view_id: 'V0VIEW0001' },
      view: { id: 'V0VIEW0001', callback_id: 'issue_create', private_metadata: '{"t":1}', type: 'modal', state: { values: {} } },
      actions: [{ type: 'static_select', selected_option: { value: 'high', text: { type: 'plain_text', text: 'high' } } }],
    });
    expect(p).not.toHaveProperty('channel');
    expect(p).not.toHaveProperty('response_url');
  });

  it('sends a view submission whose state carries the given values', async () => {
    const values = inputValues({ title: { v: 'Broken build' }, due: { v: { type: 'datepicker', selected_date: '2025-01-31' } } });
    await slack.viewSubmission({ callbackId: 'issue_create', userId: 'U1', values, privateMetadata: 'meta', viewId: 'V0X', hash: 'h1' });
    const req = last();
    expect(() => verify(req)).not.toThrow();
    expect(payload(req)).toMatchObject({
      type: 'view_submission',
      user: { id: 'U1' },
      team: { id: TEAM },
      view: { id: 'V0X', callback_id: 'issue_create', private_metadata: 'meta', hash: 'h1', root_view_id: 'V0X', state: { values } },
      response_urls: [],
    });
  });

  it('submits a view returned by views.open, keeping its callback_id and blocks', async () => {
    const opened = { id: 'V0OPEN', type: 'modal' as const, callback_id: 'cb', blocks: [{ type: 'divider' }], hash: 'hh' };
    await slack.viewSubmission({ userId: 'U1', values: {}, view: opened });
    expect(payload(last()).view).toMatchObject({ id: 'V0OPEN', callback_id: 'cb', blocks: [{ type: 'divider' }], hash: 'hh' });
  });

  it('sends view_closed and message_action payloads', async () => {
    await slack.viewClosed({ callbackId: 'cb', userId: 'U1', isCleared: true });
    expect(payload(last())).toMatchObject({ type: 'view_closed', is_cleared: true, view: { callback_id: 'cb' } });

    await slack.messageShortcut({ callbackId: 'make_issue', userId: 'U1', channelId: 'C1', message: { ts: '1700000000.000200', text: 'bug!', user: 'U2' } });
    const p = payload(last());
    expect(p).toMatchObject({
      type: 'message_action',
      callback_id: 'make_issue',
      channel: { id: 'C1' },
      message_ts: '1700000000.000200',
      message: { type: 'message', text: 'bug!', user: 'U2', ts: '1700000000.000200' },
      response_url: 'http://fake.test/respond/C1/1700000000.000200',
    });
    expect(p.trigger_id).toBeTruthy();
  });

  it('sends Events API callbacks as signed JSON with retry headers when given', async () => {
    await slack.event({ type: 'app_home_opened', user: 'U1', tab: 'home' }, { eventId: 'Ev0001', retryNum: 1, retryReason: 'http_timeout' });
    const req = last();
    expect(() => verify(req)).not.toThrow();
    expect(header(req, 'content-type')).toBe('application/json');
    expect(header(req, 'x-slack-retry-num')).toBe('1');
    expect(header(req, 'x-slack-retry-reason')).toBe('http_timeout');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'event_callback',
      event_id: 'Ev0001',
      team_id: TEAM,
      event: { type: 'app_home_opened', user: 'U1', tab: 'home' },
      authorizations: [{ team_id: TEAM, is_bot: true }],
    });
    expect(typeof body.event_time).toBe('number');

    await slack.event({ type: 'member_joined_channel' });
    expect(last().headers).not.toHaveProperty('x-slack-retry-num');
  });

  it('sends url_verification challenges', async () => {
    await slack.urlVerification('abc123');
    expect(JSON.parse(last().body)).toMatchObject({ type: 'url_verification', challenge: 'abc123' });
  });

  it('sends raw bodies unsigned, wrongly signed or with a stale timestamp for hostile tests', async () => {
    await slack.raw({ body: 'not=json', contentType: 'application/x-www-form-urlencoded', sign: false });
    expect(last().headers).not.toHaveProperty('x-slack-signature');

    await slack.raw({ body: '{}', contentType: 'application/json', sign: { secret: 'wrong' } });
    expect(() => verify(last())).toThrow();

    const stale = Math.floor(Date.now() / 1000) - 60 * 10;
    await slack.raw({ body: '{}', contentType: 'application/json', sign: { timestamp: stale } });
    expect(header(last(), 'x-slack-request-timestamp')).toBe(String(stale));
    expect(() => verify(last())).toThrow();
    expect(() => verify(last(), stale * 1000)).not.toThrow();

    await slack.raw({ body: '{}', contentType: 'application/json', headers: { 'x-extra': '1' } });
    expect(() => verify(last())).not.toThrow();
    expect(header(last(), 'x-extra')).toBe('1');
  });

  it('takes the timestamp from the injected clock', async () => {
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const skewed = createSlackRequester({ baseUrl, signingSecret: SECRET, teamId: TEAM, now: () => stale, path: '/custom' });
    await skewed.command('/team', '', { userId: 'U1', channelId: 'C1' });
    expect(last().path).toBe('/custom');
    expect(header(last(), 'x-slack-request-timestamp')).toBe(String(stale));
    expect(header(last(), 'x-slack-signature')).toBe(slackSignature(SECRET, stale, last().body));
    expect(() => verify(last())).toThrow(/stale/);
    expect(() => verify(last(), stale * 1000)).not.toThrow();
  });
});

describe('inputValues', () => {
  it('expands shorthands into Slack state shapes', () => {
    expect(
      inputValues({
        title: { v: 'Hello' },
        prio: { v: { type: 'static_select', selected_option: 'high' } },
        tags: { v: { type: 'multi_static_select', selected_options: ['a', { value: 'b', text: { type: 'plain_text', text: 'Bee' } }] } },
        owner: { v: { type: 'users_select', selected_user: 'U1' } },
        empty: { v: { type: 'static_select', selected_option: null } },
      }),
    ).toEqual({
      title: { v: { type: 'plain_text_input', value: 'Hello' } },
      prio: { v: { type: 'static_select', selected_option: { value: 'high', text: { type: 'plain_text', text: 'high' } } } },
      tags: {
        v: {
          type: 'multi_static_select',
          selected_options: [
            { value: 'a', text: { type: 'plain_text', text: 'a' } },
            { value: 'b', text: { type: 'plain_text', text: 'Bee' } },
          ],
        },
      },
      owner: { v: { type: 'users_select', selected_user: 'U1' } },
      empty: { v: { type: 'static_select', selected_option: null } },
    });
  });
});
