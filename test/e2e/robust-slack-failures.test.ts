import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { enqueue, MAX_ATTEMPTS, OUTBOX_EVENT_TYPE, runOutbox } from '../../src/outbox/outbox.js';
import { CHANNELS, PARTNER_WORKSPACE_ID, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { BOT_TOKEN, linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';
import { PROBE, registerProbeListeners } from '../rig/probe-listeners.js';

/** Web API deadline in this app: short, so a "hung Slack" costs the test a fraction of a second. */
const TIMEOUT_MS = 300;

describe('when the Slack Web API fails', () => {
  let h: Harness;
  let clock = new Date('2026-03-02T15:00:00Z');
  let n = 0;
  beforeAll(async () => {
    // The fake's own rate limits are off: these tests inject Slack's failures (429s included) one by
    // one, and post behind the app's back to stand in for a crashed sender; the app still paces itself.
    h = await startHarness({ extraListeners: registerProbeListeners, webApiTimeoutMs: TIMEOUT_MS, now: () => clock, rateLimits: false });
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(async () => {
    clock = new Date(clock.getTime() + 3_600_000);
    // Each test starts with Slack's limits unspent, as after a quiet minute: they are about failures, not pace.
    await h.execute('delete from slack_rate_buckets');
  });

  /** Queues one announcement in #general, as a feature would inside its transaction. */
  async function queue(method: 'chat.postMessage' | 'chat.postEphemeral' = 'chat.postMessage', channel: string = CHANNELS.general.id): Promise<{ key: string; text: string }> {
    n += 1;
    const key = `robust:${n}`;
    const text = `Announcement number ${n}`;
    const args = method === 'chat.postMessage' ? { channel, text } : { channel, user: PEOPLE.henryFord1.id, text };
    await enqueue(h.alliance.deps.db, { workspaceId: WORKSPACE_ID, dedupeKey: key, method, args, notBefore: clock }, clock);
    return { key, text };
  }
  const row = async (key: string) => (await h.query<{ status: string; attempts: number; not_before: number; last_error: string | null }>('select status, attempts, not_before, last_error from outbox where dedupe_key = ?', key))[0];
  const copies = (text: string, channel: string = CHANNELS.general.id) => h.fake.messages(channel).filter((m) => m.text === text).length;
  const postsOf = (text: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.args.text === text);
  const later = (ms: number) => new Date(clock.getTime() + ms);

  it('fails closed when users.info fails or times out: a Slack Connect guest made coordinator neither administers nor subscribes to the roll-up', async () => {
    const guest = { id: 'U0EXTCOORD1', name: 'riley', realName: 'Riley (partner workspace)', tz: 'America/New_York', teamId: PARTNER_WORKSPACE_ID };
    h.fake.addUser(guest);
    const general = CHANNELS.general.id;
    // A coordinator records the guest as coordinator (a mistake the external check normally catches).
    await h.command('/team', `coordinator add <@${guest.id}>`, { userId: PEOPLE.coordinator.id, channelId: general });
    const teams = await h.count('program_teams');
    for (const fault of [{ error: 'internal_error' }, { delayMs: TIMEOUT_MS * 10 }]) {
      h.fake.failNext('users.info', fault);
      const create = await h.command('/team', 'create GUEST Guest occupation', { userId: guest.id, channelId: general });
      expect(create.text).toContain('Slack did not confirm who you are in time');
      h.fake.failNext('users.info', fault);
      const subscribe = await h.command('/digest', 'subscribe', { userId: guest.id, channelId: general });
      expect(subscribe.text).toContain('Slack did not confirm who you are in time');
    }
    expect(await h.count('program_teams')).toBe(teams);
    expect(await h.query('select * from digest_subscriptions where user_id = ?', guest.id)).toEqual([]);
    expect((await h.query<{ detail: string }>("select detail from audit_log where actor_id = ? and outcome = 'refused'", guest.id)).map((r) => r.detail)).toContain('not a coordinator (users.info failed: identity unverified)');
    // Once Slack answers, the guest is known to be external and still refused.
    expect((await h.command('/team', 'create GUEST Guest occupation', { userId: guest.id, channelId: general })).text).toContain('Only coordinators');
    expect(await h.count('program_teams')).toBe(teams);
  });

  it('on 429 waits out Retry-After in real time, kept in the database for every instance, without spending an attempt, then sends once', async () => {
    const { key, text } = await queue();
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    let wall = Date.now();
    const run = (workerId: string) => runOutbox({ db: h.alliance.deps.db, client, logger: h.alliance.logger, now: clock, workerId, wallClock: () => wall });
    const paced = async () => (await h.query<{ not_before: number; attempts: number; paced_until: number | null }>('select not_before, attempts, paced_until from outbox where dedupe_key = ?', key))[0];
    h.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 30 });
    await run('A');
    expect(await row(key)).toMatchObject({ status: 'pending', last_error: 'ratelimited' });
    expect(await paced()).toEqual({ not_before: clock.getTime(), attempts: 0, paced_until: wall + 30_000 });
    expect(await h.query('select blocked_until from slack_rate_buckets where bucket = ?', `chat.postMessage:${CHANNELS.general.id}`)).toEqual([{ blocked_until: wall + 30_000 }]);
    // Another instance, and a later message to the same channel, wait too: the block is in the database.
    const other = await queue();
    wall += 29_000;
    await run('B');
    expect(postsOf(text)).toHaveLength(1);
    expect(postsOf(other.text)).toHaveLength(0);
    wall += 1_000;
    await run('B');
    expect((await row(key))?.status).toBe('sent');
    // One call may go when the wait ends; the channel's next one follows at the posting pace.
    expect((await row(other.key))?.status).toBe('pending');
    wall += 1_000;
    await run('B');
    expect((await row(other.key))?.status).toBe('sent');
    expect(copies(text)).toBe(1);
    expect(copies(other.text)).toBe(1);
  });

  it('retries a refused-but-transient ok:false with growing back-off', async () => {
    const { key, text } = await queue();
    h.fake.failNext('chat.postMessage', { error: 'ratelimited' }, 2);
    await h.flush(clock);
    const first = await row(key);
    await h.flush(new Date(first?.not_before ?? 0));
    const second = await row(key);
    expect((second?.not_before ?? 0) - (first?.not_before ?? 0)).toBeGreaterThan((first?.not_before ?? 0) - clock.getTime());
    await h.flush(new Date(second?.not_before ?? 0));
    expect((await row(key))?.status).toBe('sent');
    expect(copies(text)).toBe(1);
  });

  it('gives up at once on a permanent error (channel_not_found) and never retries it', async () => {
    const { key } = await queue('chat.postMessage', 'C0DOESNOTEXIST');
    await h.flush(clock);
    expect(await row(key)).toMatchObject({ status: 'failed', last_error: 'channel_not_found' });
    await h.flush(later(24 * 3_600_000));
    expect((await row(key))?.attempts).toBe(1);
  });

  it('after a 5xx, checks the channel before posting again, and posts once', async () => {
    const { key, text } = await queue();
    h.fake.failNext('chat.postMessage', { status: 500 });
    await h.flush(clock);
    expect((await row(key))?.status).toBe('verify');
    await h.flush(later(3_600_000));
    expect(h.fake.callsTo('conversations.history').length).toBeGreaterThan(0);
    expect((await row(key))?.status).toBe('sent');
    expect(copies(text)).toBe(1);
  });

  it('after a timeout where Slack did NOT post, posts it (once) after checking', async () => {
    const { key, text } = await queue();
    h.fake.failNext('chat.postMessage', { delayMs: TIMEOUT_MS * 3 });
    await h.flush(clock);
    expect((await row(key))?.status).toBe('verify');
    expect(copies(text)).toBe(0);
    await h.flush(later(3_600_000));
    expect((await row(key))?.status).toBe('sent');
    expect(copies(text)).toBe(1);
  });

  it('after a timeout where Slack DID post, finds it by its metadata and never posts a second copy', async () => {
    const { key, text } = await queue();
    h.fake.failNext('chat.postMessage', { delayMs: TIMEOUT_MS * 3, thenStore: true });
    await h.flush(clock);
    expect((await row(key))?.status).toBe('verify');
    await h.fake.waitFor(() => copies(text) === 1);
    await h.flush(later(3_600_000));
    expect((await row(key))?.status).toBe('sent');
    expect(postsOf(text)).toHaveLength(1);
    expect(copies(text)).toBe(1);
    const stored = (await h.query<{ result_json: string }>('select result_json from outbox where dedupe_key = ?', key))[0];
    expect(JSON.parse(stored?.result_json ?? '{}')).toMatchObject({ ts: h.fake.messages(CHANNELS.general.id).find((m) => m.text === text)?.ts });
  });

  it('after an unknown outcome in a direct message, checks the DM before posting again', async () => {
    const { key, text } = await queue('chat.postMessage', PEOPLE.trainer.id);
    h.fake.failNext('chat.postMessage', { delayMs: TIMEOUT_MS * 3, thenStore: true });
    await h.flush(clock);
    await h.fake.waitFor(() => copies(text, PEOPLE.trainer.id) === 1);
    await h.flush(later(3_600_000));
    expect((await row(key))?.status).toBe('sent');
    expect(copies(text, PEOPLE.trainer.id)).toBe(1);
  });

  it('a post whose sender died mid-call (its lease ran out) is looked for before it is posted again', async () => {
    const { key, text } = await queue();
    // The dead process claimed the row and its call reached Slack, then it was killed.
    await h.execute("update outbox set status = 'sending', attempts = 1, lease_until = ? where dedupe_key = ?", clock.getTime() - 1, key);
    await new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url }).chat.postMessage({ channel: CHANNELS.general.id, text, metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } } });
    const other = await queue();
    await h.execute("update outbox set status = 'sending', attempts = 1, lease_until = ? where dedupe_key = ?", clock.getTime() - 1, other.key);
    await h.flush(clock);
    expect((await row(key))?.status).toBe('sent');
    expect(copies(text)).toBe(1);
    // The other one never reached Slack: checked, then posted once.
    expect((await row(other.key))?.status).toBe('sent');
    expect(copies(other.text)).toBe(1);
  });

  it('an instance whose slow batch outlived its lease leaves the rows another instance took over', async () => {
    const first = await queue();
    const second = await queue();
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url, timeout: 5_000, retryConfig: { retries: 0 } });
    h.fake.failNext('chat.postMessage', { delayMs: 300, thenStore: true });
    // runOutbox claims both rows in one transaction, then makes its first call (row one), which is slow.
    const a = runOutbox({ db: h.alliance.deps.db, client, logger: h.alliance.logger, now: clock, workerId: 'A', leaseMs: 100 });
    for (let i = 0; i < 200 && (await row(second.key))?.status !== 'sending'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await row(second.key)).toMatchObject({ status: 'sending', attempts: 1 });
    // Meanwhile A's lease on row two runs out and instance B claims it, as its own runOutbox would.
    await h.execute("update outbox set lease_until = ?, attempts = attempts + 1 where dedupe_key = ?", clock.getTime() + 60_000, second.key);
    const result = await a;
    expect(result.sent).toBe(1);
    expect(copies(first.text)).toBe(1);
    expect(copies(second.text)).toBe(0);
    expect(await row(second.key)).toMatchObject({ status: 'sending', attempts: 2 });
    // B "died" too; take the row out of play so the next tests count only their own calls.
    await h.execute("update outbox set status = 'cancelled' where dedupe_key = ?", second.key);
  });

  it('keeps checking (not posting) while the check itself fails, and gives up after the last attempt', async () => {
    const { key, text } = await queue();
    h.fake.failNext('chat.postMessage', { status: 503 });
    await h.flush(clock);
    h.fake.failNext('conversations.history', { status: 503 }, MAX_ATTEMPTS);
    for (let i = 0; i < MAX_ATTEMPTS; i++) await h.flush(later((i + 1) * 3_600_000));
    expect(postsOf(text)).toHaveLength(1);
    expect((await row(key))?.status).toBe('failed');
  });

  it('retries an ephemeral after a timeout without a check (it cannot be read back)', async () => {
    const { key, text } = await queue('chat.postEphemeral');
    h.fake.failNext('chat.postEphemeral', { delayMs: TIMEOUT_MS * 3 });
    await h.flush(clock);
    expect((await row(key))?.status).toBe('pending');
    await h.flush(later(3_600_000));
    expect((await row(key))?.status).toBe('sent');
    expect(copies(text)).toBe(1);
  });

  it('tells the person, with a reference, when views.open fails after their command (5xx, ok:false, timeout)', async () => {
    for (const fault of [{ status: 500 as const }, { error: 'internal_error' }, { delayMs: TIMEOUT_MS * 3 }]) {
      const before = h.fake.responses.length;
      const calls = h.fake.callsTo('views.open').length;
      h.fake.failNext('views.open', fault);
      const ack = await h.slack.command(PROBE.command, '', { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id });
      expect(ack.status).toBe(200);
      const told = await h.fake.waitFor(() => h.fake.responses.slice(before).find((r) => String(r.body.text).includes('reference')));
      expect(String(told.body.text)).toMatch(/did not complete.*ERR-[0-9A-F]{6}/);
      // The client did not retry on its own: one call per command.
      await h.fake.waitFor(() => h.fake.callsTo('views.open').length > calls);
      expect(h.fake.callsTo('views.open').length).toBe(calls + 1);
    }
  });
});

describe('when Slack hangs on a call made before the ack', () => {
  let h: Harness;
  beforeAll(async () => {
    // The client's own timeout stays at its 10-second default: only the pre-ack deadline can answer in time.
    h = await startHarness();
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.cna.id });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('/vote answers that Slack was slow to list the channel, and stores nothing, when conversations.members hangs', async () => {
    const asMember = { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.cna.id };
    const votes = await h.count('votes');
    h.fake.failNext('conversations.members', { delayMs: 4_000 });
    const quick = await h.command('/vote', 'new Which first? | A | B', asMember);
    expect(quick.status).toBe(200);
    expect(quick.text).toContain('did not list the channel’s members in time, so nothing was changed');
    expect(await h.count('votes')).toBe(votes);
    expect(await h.query("select * from outbox where dedupe_key like 'vote:%'")).toEqual([]);
    // Slack answers again: the same command now starts the vote.
    const again = await h.command('/vote', 'new Which first? | A | B', asMember);
    expect(again.text).toContain('Started *V-1*');
  }, 15_000);
});
