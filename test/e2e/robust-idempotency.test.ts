import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';
import { PROBE, registerProbeListeners } from '../rig/probe-listeners.js';
import { inputValues } from '../rig/slack-request.js';

describe('redeliveries and double submissions have their effect once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extraListeners: registerProbeListeners });
    await linkSeedChannels(h);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('a redelivered member_joined_channel (same event_id, x-slack-retry-num) adds one member and one welcome', async () => {
    const event = { type: 'member_joined_channel', user: PEOPLE.trinity.id, channel: CHANNELS.spt.id, channel_type: 'C', team: h.alliance.workspaceId };
    const eventId = 'Ev0REDELIVER1';
    const first = await h.slack.event(event, { eventId });
    // Slack retries when our answer was slow or lost; two retries arrive together here.
    const retries = await Promise.all([1, 2].map((retryNum) => h.slack.event(event, { eventId, retryNum, retryReason: 'http_timeout' })));
    expect([first, ...retries].map((r) => r.status)).toEqual([200, 200, 200]);
    // Events are acked before their listeners run: the key is recorded once the listener has succeeded.
    await h.fake.waitFor(async () => (await h.query('select key from processed_requests where key = ?', `event:${eventId}`)).length > 0);
    await h.flush();
    const members = await h.query<{ n: number }>('select count(*) as n from team_members tm join program_teams t on t.id = tm.program_team_id where t.key = ? and tm.user_id = ?', 'SPT', PEOPLE.trinity.id);
    expect(members[0]?.n).toBe(1);
    const welcomes = h.fake.messages(CHANNELS.spt.id).filter((m) => m.ephemeral && m.user === PEOPLE.trinity.id && String(m.text).includes('Welcome'));
    expect(welcomes).toHaveLength(1);
    expect(await h.query('select key from processed_requests where key = ?', `event:${eventId}`)).toHaveLength(1);
  });

  it('a redelivered event whose handler is not idempotent by itself still acts once', async () => {
    const event = { type: 'reaction_added', user: PEOPLE.corewell.id, reaction: 'tada', item: { type: 'message', channel: CHANNELS.cna.id, ts: '1.000001' } };
    await h.slack.event(event, { eventId: 'Ev0REDELIVER2' });
    await Promise.all([1, 2, 3].map((retryNum) => h.slack.event(event, { eventId: 'Ev0REDELIVER2', retryNum, retryReason: 'http_error' })));
    await h.slack.event(event, { eventId: 'Ev0OTHER0003' });
    // Events are acked before their listeners run: both are recorded once their listeners have succeeded.
    await h.fake.waitFor(async () => (await h.query("select key from processed_requests where key in ('event:Ev0REDELIVER2', 'event:Ev0OTHER0003')")).length === 2);
    expect(await h.query("select * from audit_log where action = 'probe.reaction'")).toHaveLength(2);
  });

  it('the same modal submission arriving twice at once stores one record and queues one message', async () => {
    const view = { id: 'V0DOUBLE01', hash: '1700000000.abcd', callback_id: PROBE.view, private_metadata: JSON.stringify({ teamId: 1 }) };
    const values = inputValues({ [PROBE.field]: { [PROBE.field]: 'Double-clicked title' } });
    const submit = () => h.slack.viewSubmission({ userId: PEOPLE.henryFord1.id, view, values });
    const answers = await Promise.all([submit(), submit(), submit()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await h.query("select * from audit_log where action = 'probe.save' and target = 'Double-clicked title'")).toHaveLength(1);
    expect(await h.query("select * from outbox where dedupe_key like 'probe:%'")).toHaveLength(1);
  });

  it('a submission refused with field errors claims nothing, so the corrected one is stored', async () => {
    const view = { id: 'V0DOUBLE02', hash: '1700000000.beef', callback_id: PROBE.view, private_metadata: JSON.stringify({ teamId: 1 }) };
    const empty = await h.slack.viewSubmission({ userId: PEOPLE.henryFord1.id, view, values: inputValues({ [PROBE.field]: { [PROBE.field]: ' ' } }) });
    expect(empty.json).toMatchObject({ response_action: 'errors' });
    const fixed = await h.slack.viewSubmission({ userId: PEOPLE.henryFord1.id, view, values: inputValues({ [PROBE.field]: { [PROBE.field]: 'Fixed title' } }) });
    expect(fixed.status).toBe(200);
    expect(await h.query("select * from audit_log where action = 'probe.save' and target = 'Fixed title'")).toHaveLength(1);
  });
});
