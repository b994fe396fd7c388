import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_TIERS, POST_BURST, RateLimiter, TIER_PER_MINUTE } from '../../src/fake-slack/rate-limits.js';
import { startFakeSlack, type FakeSlack } from '../../src/fake-slack/server.js';

const TOKEN = 'xoxb-rate-limits';

describe('the fake Slack enforces Slack’s published rate limits', () => {
  it('gives each method its documented tier, and chat.postMessage its per-channel pace', () => {
    expect(METHOD_TIERS['chat.update']).toBe(3);
    expect(METHOD_TIERS['views.publish']).toBe(4);
    expect(METHOD_TIERS['users.list']).toBe(2);
    expect(METHOD_TIERS['apps.connections.open']).toBe(1);
    expect(METHOD_TIERS['files.getUploadURLExternal']).toBe(4);
    expect(METHOD_TIERS['chat.postMessage']).toBe('post');
  });

  it('lets a Tier 3 method burst a minute’s worth (50), then refills at 50 a minute per workspace', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < TIER_PER_MINUTE[3]; i++) expect(limiter.take('T1', 'chat.update', undefined)).toEqual({ ok: true });
    expect(limiter.take('T1', 'chat.update', undefined)).toEqual({ ok: false, retryAfterSeconds: 2 });
    // Another workspace and another method have their own limits.
    expect(limiter.take('T2', 'chat.update', undefined)).toEqual({ ok: true });
    expect(limiter.take('T1', 'chat.delete', undefined)).toEqual({ ok: true });
    now += 1200; // 60 s / 50
    expect(limiter.take('T1', 'chat.update', undefined)).toEqual({ ok: true });
    expect(limiter.take('T1', 'chat.update', undefined).ok).toBe(false);
  });

  it('lets a channel take a short burst of posts, then one a second; other channels are not slowed', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < POST_BURST; i++) expect(limiter.take('T1', 'chat.postMessage', 'C1').ok).toBe(true);
    expect(limiter.take('T1', 'chat.postMessage', 'C1')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('T1', 'chat.postMessage', 'C2').ok).toBe(true);
    now += 1000;
    expect(limiter.take('T1', 'chat.postMessage', 'C1').ok).toBe(true);
    expect(limiter.take('T1', 'chat.postMessage', 'C1').ok).toBe(false);
  });

  describe('over HTTP', () => {
    let fake: FakeSlack;
    let unlimited: FakeSlack;
    beforeAll(async () => {
      fake = await startFakeSlack({ botToken: TOKEN, channels: [{ id: 'C0GENERAL', name: 'general' }] });
      unlimited = await startFakeSlack({ botToken: TOKEN, channels: [{ id: 'C0GENERAL', name: 'general' }], rateLimits: false });
    });
    afterAll(async () => {
      await fake.close();
      await unlimited.close();
    });
    const post = (f: FakeSlack) =>
      fetch(`${f.url}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'C0GENERAL', text: 'hi' }) });

    it('answers 429 with Retry-After and stores nothing once a limit is spent; reset() starts afresh', async () => {
      for (let i = 0; i < POST_BURST; i++) expect((await post(fake)).status).toBe(200);
      const refused = await post(fake);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toEqual({ ok: false, error: 'ratelimited' });
      expect(fake.messages('C0GENERAL')).toHaveLength(POST_BURST);
      expect(fake.callsTo('chat.postMessage').filter((c) => c.error === 'ratelimited')).toHaveLength(1);
      fake.reset();
      expect((await post(fake)).status).toBe(200);
    });

    it('enforces nothing when started with rateLimits: false (micro-benchmarks)', async () => {
      for (let i = 0; i < POST_BURST * 4; i++) expect((await post(unlimited)).status).toBe(200);
    });
  });
});
