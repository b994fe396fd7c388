import { and, eq } from 'drizzle-orm';
import { slackRateBuckets } from '../db/schema.js';
import type { Storage } from '../db/storage.js';

/**
 * What the outbox knows of Slack's rate limits (https://api.slack.com/apis/rate-limits), and how it
 * stays under them: every call it makes first takes a token from a bucket kept in the database
 * (`slack_rate_buckets`), so all instances on one database share it.
 *
 * - Methods are limited per workspace by tier: Tier 2 20+ a minute, Tier 3 50+, Tier 4 100+.
 *   `chat.postMessage` is about one a second per channel, with short bursts.
 * - Slack publishes per-minute rates and says short bursts are tolerated, not how large: a bucket
 *   holds one minute's calls and refills at 95% of the published rate; a channel takes three
 *   posts at once, then one a second.
 * - A 429 from Slack empties the bucket and blocks it until its Retry-After has passed.
 * - What a person waits for goes first: the outbox offers rows to their buckets in priority order
 *   (answers, reminders and digests before refreshes), so when tokens are scarce they go to it.
 */

interface Limit {
  /** Calls that may go at once. */
  burst: number;
  /** Refill, in calls a second. */
  perSecond: number;
}

/** Published tiers of the methods the outbox calls. */
const TIER_PER_MINUTE: Readonly<Record<string, number>> = {
  'chat.update': 50, // Tier 3
  'chat.delete': 50, // Tier 3
  'chat.postEphemeral': 100, // Tier 4
  'views.publish': 100, // Tier 4
  'conversations.history': 50, // Tier 3
  'conversations.open': 50, // Tier 3
};
/** Methods not listed: Tier 2, the strictest a method the outbox might call is likely to have. */
const UNKNOWN_PER_MINUTE = 20;
const POST_LIMIT: Limit = { burst: 3, perSecond: 1 };

/** The bucket a call spends: per channel for posts, per method otherwise. */
export function bucketOf(method: string, args: Record<string, unknown> | undefined): string {
  if (method === 'chat.postMessage') return `chat.postMessage:${typeof args?.channel === 'string' ? args.channel : ''}`;
  return method;
}

function limitOf(bucket: string): Limit {
  if (bucket.startsWith('chat.postMessage:')) return POST_LIMIT;
  const perMinute = TIER_PER_MINUTE[bucket] ?? UNKNOWN_PER_MINUTE;
  return { burst: perMinute, perSecond: (perMinute / 60) * 0.95 };
}

/** Real ms between two tokens of a bucket once its burst is spent. */
export function tokenIntervalMs(bucket: string): number {
  return Math.ceil(1000 / limitOf(bucket).perSecond);
}

export type PaceDecision = { ok: true } | { ok: false; until: number };

interface BucketRow {
  tokens: number;
  updatedAt: number;
  blockedUntil: number;
}

async function readBucket(db: Storage, workspaceId: string, bucket: string): Promise<BucketRow | undefined> {
  return await db
    .select({ tokens: slackRateBuckets.tokens, updatedAt: slackRateBuckets.updatedAt, blockedUntil: slackRateBuckets.blockedUntil })
    .from(slackRateBuckets)
    .where(and(eq(slackRateBuckets.workspaceId, workspaceId), eq(slackRateBuckets.bucket, bucket)))
    .get();
}

async function writeBucket(db: Storage, workspaceId: string, bucket: string, state: BucketRow): Promise<void> {
  await db
    .insert(slackRateBuckets)
    .values({ workspaceId, bucket, ...state })
    .onConflictDoUpdate({ target: [slackRateBuckets.workspaceId, slackRateBuckets.bucket], set: state })
    .run();
}

/**
 * Takes one call from a bucket, or says when one will be there. Call inside the transaction that
 * claims the row (it reads the bucket, then writes it), so two instances never spend the same token.
 */
export async function takeToken(db: Storage, workspaceId: string, bucket: string, wall: number): Promise<PaceDecision> {
  const limit = limitOf(bucket);
  const row = await readBucket(db, workspaceId, bucket);
  const blockedUntil = row?.blockedUntil ?? 0;
  if (wall < blockedUntil) return { ok: false, until: blockedUntil };
  const elapsed = row === undefined ? 0 : Math.max(0, wall - row.updatedAt);
  const tokens = row === undefined ? limit.burst : Math.min(limit.burst, row.tokens + (elapsed / 1000) * limit.perSecond);
  if (tokens < 1) {
    await writeBucket(db, workspaceId, bucket, { tokens, updatedAt: wall, blockedUntil });
    return { ok: false, until: wall + Math.ceil(((1 - tokens) / limit.perSecond) * 1000) };
  }
  await writeBucket(db, workspaceId, bucket, { tokens: tokens - 1, updatedAt: wall, blockedUntil });
  return { ok: true };
}

/**
 * Slack answered 429: nothing more from this bucket until Retry-After has passed. Returns that time.
 * Call inside a transaction (it reads the bucket, then writes it).
 */
export async function blockBucket(db: Storage, workspaceId: string, bucket: string, retryAfterSeconds: number, wall: number): Promise<number> {
  const row = await readBucket(db, workspaceId, bucket);
  const until = Math.max(row?.blockedUntil ?? 0, wall + Math.max(1, retryAfterSeconds) * 1000);
  // After the wait one call may go; the bucket refills from there.
  await writeBucket(db, workspaceId, bucket, { tokens: 1, updatedAt: until, blockedUntil: until });
  return until;
}
