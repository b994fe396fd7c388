/**
 * Slack's published Web API rate limits, as the fake enforces them (https://api.slack.com/apis/rate-limits).
 *
 * - Each method has a tier, and the limit applies per method per workspace (per app): Tier 1
 *   1+ a minute, Tier 2 20+, Tier 3 50+, Tier 4 100+. "+" because Slack tolerates bursts: the
 *   fake models each limit as a token bucket that holds a minute's worth of calls (at least 5 for
 *   Tier 1) and refills at the per-minute rate.
 * - `chat.postMessage` is "special": about one message a second per channel, with short bursts
 *   allowed (the fake: a bucket of `POST_BURST` per channel refilling at one a second).
 * - A refused call gets HTTP 429 `{ ok: false, error: 'ratelimited' }` with `Retry-After` in whole
 *   seconds: when the next call would be accepted.
 *
 * Not modelled: `conversations.history` and `conversations.replies` drop to about one call a minute
 * for commercially distributed apps outside the Slack Marketplace (Alliance is installed per
 * organisation, as an internal app, where Tier 3 applies); workspace-wide message caps.
 */

export type Tier = 1 | 2 | 3 | 4;

/** Documented tier of every method the fake answers (Slack's method reference pages). */
export const METHOD_TIERS: Readonly<Record<string, Tier | 'post'>> = {
  'apps.connections.open': 1,
  'auth.test': 4, // "Special": very high; Tier 4 is the closest published tier
  'chat.postMessage': 'post',
  'chat.postEphemeral': 4,
  'chat.update': 3,
  'chat.delete': 3,
  'chat.getPermalink': 4, // "Special": very high
  'chat.scheduleMessage': 3,
  'chat.deleteScheduledMessage': 3,
  'chat.scheduledMessages.list': 3,
  'conversations.history': 3,
  'conversations.info': 3,
  'conversations.list': 2,
  'conversations.members': 4,
  'conversations.open': 3,
  'oauth.v2.access': 4,
  'files.getUploadURLExternal': 4,
  'files.completeUploadExternal': 4,
  'files.info': 4,
  'users.info': 4,
  'users.list': 2,
  'views.open': 4,
  'views.publish': 4,
  'views.push': 4,
  'views.update': 4,
};

export const TIER_PER_MINUTE: Readonly<Record<Tier, number>> = { 1: 1, 2: 20, 3: 50, 4: 100 };
/** Messages one channel may take at once before the one-a-second pace applies. */
export const POST_BURST = 5;
/** Methods the fake does not list: Tier 3, Slack's default for new methods. */
const DEFAULT_TIER: Tier = 3;

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Every limit unspent again (a test's fresh start). */
  reset(): void {
    this.buckets.clear();
  }

  /** Takes one call of `method` in `workspace` (and `channel`, for posts), or says how long to wait. */
  take(workspace: string, method: string, channel: string | undefined): RateDecision {
    const tier = METHOD_TIERS[method] ?? DEFAULT_TIER;
    if (tier === 'post') return this.takeFrom(`${workspace}:post:${channel ?? ''}`, POST_BURST, 1);
    const perMinute = TIER_PER_MINUTE[tier];
    return this.takeFrom(`${workspace}:${method}`, Math.max(perMinute, tier === 1 ? 5 : 0), perMinute / 60);
  }

  private takeFrom(key: string, capacity: number, perSecond: number): RateDecision {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }
}
