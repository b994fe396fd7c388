import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, MAX_ATTEMPTS, runOutbox, type FollowUpHandler } from '../../src/outbox/outbox.js';
import { CHANNELS, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { BOT_TOKEN, startHarness, type Harness } from '../rig/harness.js';

/** Issue #16, item 10: one poison message must never stall the others. */
describe('an outbox message that keeps failing for reasons of our own', () => {
  let h: Harness;
  let clock = new Date('2026-03-02T15:00:00Z');
  let client: WebClient;
  const followUps: Record<string, FollowUpHandler> = {
    explode: () => {
      throw new Error('follow-up handler bug');
    },
  };
  // Real time moves with the test's clock here, so the hour between runs also refills #general's posting limit.
  const run = (at: Date) => runOutbox({ db: h.alliance.deps.db, client, logger: h.alliance.logger, now: at, workerId: 'poison-test', followUps, wallClock: () => at.getTime() });
  const queue = async (key: string, text: string, followUp?: { kind: string; ref: string }) =>
    enqueue(h.alliance.deps.db, { workspaceId: WORKSPACE_ID, dedupeKey: key, method: 'chat.postMessage', args: { channel: CHANNELS.general.id, text }, notBefore: clock, ...(followUp === undefined ? {} : { followUp }) }, clock);
  const row = async (key: string) => (await h.query<{ status: string; attempts: number; last_error: string | null }>('select status, attempts, last_error from outbox where dedupe_key = ?', key))[0];
  const copies = (text: string) => h.fake.messages(CHANNELS.general.id).filter((m) => m.text === text).length;

  beforeAll(async () => {
    // The fake's rate limits are off: eight hours of retries run here within a second of real time.
    h = await startHarness({ now: () => clock, rateLimits: false });
    client = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('a follow-up handler that throws fails only its own message: posted once, the rest of every batch goes out, and it ends failed', async () => {
    await queue('poison', 'Poison announcement', { kind: 'explode', ref: '1' });
    await queue('after-1', 'Queued behind the poison');
    const first = await run(clock);
    expect(first.sent).toBe(1);
    expect(copies('Queued behind the poison')).toBe(1);
    expect(await row('poison')).toMatchObject({ status: 'verify', last_error: expect.stringContaining('follow-up handler bug') });
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      clock = new Date(clock.getTime() + 3_600_000);
      await queue(`after-${attempt}`, `Queued behind the poison ${attempt}`);
      // Never rejects: the poison is dealt with and the batch goes on.
      await run(clock);
      expect(copies(`Queued behind the poison ${attempt}`)).toBe(1);
    }
    expect(await row('poison')).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    // It was looked for before each retry, never posted a second time.
    expect(copies('Poison announcement')).toBe(1);
    clock = new Date(clock.getTime() + 24 * 3_600_000);
    await run(clock);
    expect((await row('poison'))?.attempts).toBe(MAX_ATTEMPTS);
  });

  it('a stored payload that cannot be read fails only its own row', async () => {
    await queue('unreadable', 'never readable');
    await h.execute("update outbox set payload_json = 'not json', method = 'chat.update' where dedupe_key = 'unreadable'");
    await queue('beside-unreadable', 'Beside the unreadable one');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await run(clock);
      clock = new Date(clock.getTime() + 3_600_000);
    }
    expect(copies('Beside the unreadable one')).toBe(1);
    expect(await row('unreadable')).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, last_error: expect.stringContaining('unexpected error') });
  });
});
