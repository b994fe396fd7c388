import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { enqueue, enqueueRefresh, REFRESH_SPACING_MS, refreshKey, runOutbox, type OutboxRunDeps, type RefreshRenderer } from '../../src/outbox/outbox.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { BOT_TOKEN, startHarness, type Harness } from '../rig/harness.js';

/*
 * Coalesced refreshes (src/outbox/outbox.ts): one row per target, rendered with the latest state
 * when sent, sent again after one in flight, never more than once a second per target. The
 * outbox runs here with its own client, renderers and a hand-moved real-time clock (`wall`).
 */

describe('coalesced refreshes in the outbox', () => {
  let h: Harness;
  let client: WebClient;
  const clock = new Date('2026-03-02T15:00:00Z');
  let wall = 1_000_000;
  let n = 0;
  /** The "database" the test renderer reads: what the message should show now. */
  const shown = new Map<string, string>();
  const renders: string[] = [];
  const refreshers: Record<string, RefreshRenderer> = {};

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    client = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    refreshers.counter = (ref) => {
      renders.push(ref);
      const [channel, ts] = ref.split('|');
      const text = shown.get(ref);
      return text === undefined ? undefined : { channel, ts, text };
    };
    refreshers.home = (ref) => ({ user_id: ref, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: shown.get(ref) ?? 'nothing' } }] } });
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => {
    wall += 60_000;
    renders.length = 0;
  });

  const run = (over: Partial<OutboxRunDeps> = {}) =>
    runOutbox({ db: h.alliance.deps.db, client, logger: h.alliance.logger, now: clock, workerId: 'test', refreshers, wallClock: () => wall, ...over });
  /** A message in #general to keep up to date; its ref carries where it is. */
  async function target(): Promise<string> {
    n += 1;
    const posted = await client.chat.postMessage({ channel: CHANNELS.general.id, text: `counter ${n}: 0` });
    return `${posted.channel}|${posted.ts}`;
  }
  const refresh = async (ref: string, kind = 'counter', method?: 'views.publish') =>
    enqueueRefresh(h.alliance.deps.db, { workspaceId: WORKSPACE_ID, kind, ref, ...(method === undefined ? {} : { method }) }, clock);
  const updatesOf = (ref: string) => h.fake.callsTo('chat.update').filter((c) => c.ok && `${String(c.args.channel)}|${String(c.args.ts)}` === ref);
  const textOf = (ref: string) => h.fake.messages(CHANNELS.general.id).find((m) => `${m.channel}|${m.ts}` === ref)?.text;
  const rows = async (ref: string, kind = 'counter') => h.query<{ status: string; priority: number }>('select status, priority from outbox where dedupe_key = ?', refreshKey(kind, ref));

  it('collapses 200 refreshes of one message into one row and one chat.update that shows the last state', async () => {
    const ref = await target();
    for (let i = 1; i <= 200; i++) {
      shown.set(ref, `counter: ${i}`);
      await refresh(ref);
    }
    expect(await rows(ref)).toEqual([{ status: 'pending', priority: 1 }]);
    await run();
    expect(updatesOf(ref)).toHaveLength(1);
    expect(textOf(ref)).toBe('counter: 200');
    expect(await rows(ref)).toEqual([{ status: 'sent', priority: 1 }]);
  });

  it('sends once more after a refresh asked for while one was in flight, and ends on the final state', async () => {
    const ref = await target();
    shown.set(ref, 'counter: 1');
    await refresh(ref);
    h.fake.failNext('chat.update', { delayMs: 200, thenStore: true });
    const sending = run();
    await h.fake.waitFor(() => h.fake.pendingFaults('chat.update') === 0);
    // While Slack holds the first update (which says 1), two more changes arrive.
    shown.set(ref, 'counter: 2');
    expect(await refresh(ref)).toBe(true);
    shown.set(ref, 'counter: 3');
    expect(await refresh(ref)).toBe(false); // already marked to go again
    await sending;
    expect(textOf(ref)).toBe('counter: 1');
    expect((await rows(ref))[0]?.status).toBe('pending');
    wall += REFRESH_SPACING_MS;
    await run();
    expect(updatesOf(ref)).toHaveLength(2);
    expect(textOf(ref)).toBe('counter: 3');
    expect((await rows(ref))[0]?.status).toBe('sent');
  });

  it('never sends one target twice within the spacing, whatever asks for it', async () => {
    const ref = await target();
    shown.set(ref, 'counter: 1');
    await refresh(ref);
    await run();
    shown.set(ref, 'counter: 2');
    expect(await refresh(ref)).toBe(true); // re-armed after it was sent
    wall += REFRESH_SPACING_MS - 1;
    const early = await run();
    expect(updatesOf(ref)).toHaveLength(1);
    // The caller learns when to run again instead of waiting for the 10-second tick.
    expect(early.nextInMs).toBe(1);
    wall += 1;
    await run();
    expect(updatesOf(ref)).toHaveLength(2);
    expect(textOf(ref)).toBe('counter: 2');
  });

  it('drops a refresh with nothing to show (no call), and a later one is sent', async () => {
    const ref = await target();
    shown.delete(ref);
    await refresh(ref);
    await run();
    expect(renders).toEqual([ref]);
    expect(updatesOf(ref)).toHaveLength(0);
    expect((await rows(ref))[0]?.status).toBe('cancelled');
    shown.set(ref, 'counter: now shown');
    await refresh(ref);
    await run();
    expect(textOf(ref)).toBe('counter: now shown');
  });

  it('fails a refresh whose kind has no renderer, and says so', async () => {
    await refresh('x', 'unregistered');
    await run();
    expect(await h.query<{ status: string; last_error: string }>('select status, last_error from outbox where dedupe_key = ?', refreshKey('unregistered', 'x'))).toEqual([
      { status: 'failed', last_error: 'no renderer registered for refresh kind "unregistered"' },
    ]);
  });

  it('publishes a Home tab through views.publish, rendered at send time', async () => {
    const user = PEOPLE.henryFord1.id;
    shown.set(user, 'first');
    await refresh(user, 'home', 'views.publish');
    shown.set(user, 'latest');
    await refresh(user, 'home', 'views.publish');
    await run();
    const publishes = h.fake.callsTo('views.publish').filter((c) => c.args.user_id === user);
    expect(publishes).toHaveLength(1);
    expect(JSON.stringify(publishes[0]?.args.view)).toContain('latest');
  });

  it('sends what a person waits for before refreshes queued earlier', async () => {
    const ref = await target();
    shown.set(ref, 'counter: refreshed');
    await refresh(ref);
    await enqueue(h.alliance.deps.db, { workspaceId: WORKSPACE_ID, dedupeKey: `answer:${n}`, method: 'chat.postMessage', args: { channel: CHANNELS.general.id, text: `answer ${n}` }, notBefore: clock }, clock);
    const before = h.fake.calls.length;
    await run({ batchSize: 1 });
    expect(h.fake.calls.slice(before).map((c) => c.method)).toEqual(['chat.postMessage']);
    await run({ batchSize: 1 });
    expect(h.fake.calls.slice(before).map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
  });
});
