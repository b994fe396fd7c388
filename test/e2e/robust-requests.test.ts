import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/server.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { STALE_PAYLOAD_MESSAGE } from '../../src/slack/payload.js';
import { startHarness, type Harness } from '../rig/harness.js';
import { PROBE, registerProbeListeners } from '../rig/probe-listeners.js';
import { FORM, healthy, listenerFailures, payloadBody, tableCounts } from '../rig/robust.js';
import { inputValues } from '../rig/slack-request.js';

const me = { userId: PEOPLE.coordinator.id, channelId: CHANNELS.general.id };
const commandBody = (text: string) =>
  new URLSearchParams({ command: '/team', text, team_id: WORKSPACE_ID, user_id: me.userId, channel_id: me.channelId, trigger_id: '1.2.3', response_url: '' }).toString();

describe('requests that are not from Slack, or not well formed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extraListeners: registerProbeListeners });
  });
  afterAll(async () => {
    await h.stop();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it.each([
    ['no signature at all', { sign: false as const }],
    ['a signature made with another secret', { sign: { secret: 'not-the-signing-secret' } }],
    ['a timestamp six minutes old', { sign: { timestamp: nowSeconds() - 6 * 60 } }],
    ['a timestamp six minutes in the future', { sign: { timestamp: nowSeconds() + 6 * 60 } }],
  ])('refuses %s with 401 and stores nothing', async (_name, signing) => {
    const before = await tableCounts(h);
    // `/team create` would store a team if it got through.
    const res = await h.slack.raw({ body: commandBody('create EVIL Evil team'), contentType: FORM, ...signing });
    expect(res.status).toBe(401);
    expect(res.body).toBe('');
    expect(await tableCounts(h)).toEqual(before);
  });

  it('refuses a body whose signature is valid for another body (tampered in transit)', async () => {
    const before = await tableCounts(h);
    const res = await h.slack.raw({ body: commandBody('create EVIL Evil team'), contentType: FORM, sign: false, headers: { 'x-slack-request-timestamp': String(nowSeconds()), 'x-slack-signature': `v0=${'0'.repeat(64)}` } });
    expect(res.status).toBe(401);
    expect(await tableCounts(h)).toEqual(before);
  });

  it('accepts the same command when it is properly signed (so the refusals above are about the signature)', async () => {
    const res = await h.slack.raw({ body: commandBody('create GOOD Good team'), contentType: FORM });
    expect(res.status).toBe(200);
    expect(res.body).toContain('Created team *GOOD*');
  });

  it.each([
    ['a payload that is not JSON', 'payload=%7Bnot-json', FORM],
    ['a JSON body that is not JSON', '{not json', 'application/json'],
    ['a JSON null (which crashed Bolt’s receiver)', 'null', 'application/json'],
    ['a JSON array', '[1,2,3]', 'application/json'],
    ['an empty body', '', FORM],
    ['plain text', 'hello', 'text/plain'],
    ['a payload without a type', payloadBody({ user: { id: 'U1' } }), FORM],
    ['block_actions without actions', payloadBody({ type: 'block_actions', user: { id: me.userId }, team: { id: WORKSPACE_ID }, actions: [] }), FORM],
    ['block_actions without a user', payloadBody({ type: 'block_actions', team: { id: WORKSPACE_ID }, actions: [{ action_id: 'x' }] }), FORM],
    ['a view_submission without a view', payloadBody({ type: 'view_submission', user: { id: me.userId }, team: { id: WORKSPACE_ID } }), FORM],
    ['a command without user_id and channel_id', 'command=%2Fteam&text=list', FORM],
    ['an event_callback whose event is null', JSON.stringify({ type: 'event_callback', team_id: WORKSPACE_ID, event_id: 'Ev1', event: null }), 'application/json'],
    ['an event_callback without event_id', JSON.stringify({ type: 'event_callback', team_id: WORKSPACE_ID, event: { type: 'member_joined_channel' } }), 'application/json'],
  ])('answers %s with 400 at once, stores nothing and stays up', async (_name, body, contentType) => {
    const before = await tableCounts(h);
    const res = await h.slack.raw({ body, contentType });
    expect(res.status).toBe(400);
    expect(await tableCounts(h)).toEqual(before);
    expect(await healthy(h)).toBe(true);
  });

  it('answers a body over the size limit with 413', async () => {
    const res = await h.slack.raw({ body: `command=%2Fteam&text=${'a'.repeat(MAX_BODY_BYTES)}`, contentType: FORM });
    expect(res.status).toBe(413);
  });

  it("answers Slack's unsigned ssl_check with 200 and does nothing else", async () => {
    const before = await tableCounts(h);
    const res = await h.slack.raw({ body: 'ssl_check=1&token=x', contentType: FORM, sign: false, headers: { 'x-slack-request-timestamp': String(nowSeconds()) } });
    expect(res.status).toBe(200);
    expect(await tableCounts(h)).toEqual(before);
  });

  it('answers an unknown command politely in the ack', async () => {
    const res = await h.slack.command('/nonsense', 'hello', me);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('does not know that command') });
  });

  it('acks an unknown action id, shortcut and view_closed with 200 (no Slack timeout error for the person)', async () => {
    const action = await h.slack.blockAction({ actionId: 'retired_button', blockId: 'b', userId: me.userId, channelId: me.channelId });
    expect(action.status).toBe(200);
    const shortcut = await h.slack.messageShortcut({ callbackId: 'retired_shortcut', userId: me.userId, channelId: me.channelId, message: { ts: '1.000001', text: 'x', user: me.userId } });
    expect(shortcut.status).toBe(200);
    const closed = await h.slack.viewClosed({ callbackId: 'retired_view', userId: me.userId });
    expect(closed.status).toBe(200);
  });

  it('replaces a modal with an unknown callback id by a polite "out of date" view', async () => {
    const res = await h.slack.viewSubmission({ callbackId: 'retired_view', userId: me.userId, values: {} });
    expect(res.status).toBe(200);
    expect(res.body).toContain('out of date');
  });

  it('answers a tampered private_metadata with a field error and stores nothing', async () => {
    const before = await tableCounts(h);
    for (const privateMetadata of ['{"teamId":"1; drop table audit_log"}', 'not json', '', '{"teamId":-1}', '[]']) {
      const res = await h.slack.viewSubmission({ callbackId: PROBE.view, userId: me.userId, privateMetadata, values: inputValues({ [PROBE.field]: { [PROBE.field]: 'A title' } }) });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ response_action: 'errors', errors: { [PROBE.field]: STALE_PAYLOAD_MESSAGE } });
    }
    expect(await tableCounts(h)).toEqual(before);
  });

  it('answers a tampered button value with a polite ephemeral message', async () => {
    const responses = h.fake.responses.length;
    const res = await h.slack.blockAction({ actionId: PROBE.button, blockId: 'b', value: '42 OR 1=1', userId: me.userId, channelId: me.channelId });
    expect(res.status).toBe(200);
    const reply = await h.fake.waitFor(() => h.fake.responses[responses]);
    expect(reply.body.text).toContain('out of date');
  });

  it('gives the person a reference when a listener throws after acking, and logs it once', async () => {
    const failuresBefore = listenerFailures(h).length;
    const responses = h.fake.responses.length;
    const res = await h.slack.blockAction({ actionId: PROBE.boom, blockId: 'b', userId: me.userId, channelId: me.channelId });
    expect(res.status).toBe(200);
    const reply = await h.fake.waitFor(() => h.fake.responses[responses]);
    expect(String(reply.body.text)).toMatch(/reference: `ERR-[0-9A-F]{6}`/);
    await h.fake.waitFor(() => listenerFailures(h).length > failuresBefore);
    expect(listenerFailures(h).length).toBe(failuresBefore + 1);
  });

  it('never answered any of the above with a 500 or let a listener failure through unexplained', () => {
    expect(h.logs.filter((line) => line.includes('"status":500'))).toEqual([]);
    // The only listener failure is the deliberate one.
    expect(listenerFailures(h).every((line) => line.includes('probe listener failed on purpose'))).toBe(true);
  });
});
