/**
 * The outbox: everything the app sends to Slack after the ack goes through this table, queued in
 * the same transaction as the change it reports, and delivered by `runOutbox` (claim with a lease,
 * call Slack, record the outcome, retry with back-off, never post twice).
 *
 * Two kinds of rows:
 *
 * - **Messages** (`enqueue`): a fixed payload, sent once per dedupe key (announcements, replies,
 *   reminders, digests, DMs). An optional follow-up handler runs after the send, in the same
 *   transaction that marks it sent (e.g. remember the ts of a posted announcement).
 *
 * - **Coalesced refreshes** (`enqueueRefresh`): "bring this target up to date", for a message or
 *   view that shows state which keeps changing (a ballot's counts, an issue card, a meeting's
 *   RSVPs, a Home tab). A refresh is keyed by its target, `<kind>:<ref>` (`ballot:12`,
 *   `issue-card:34`, `meeting:5`, `home:T1:U2`), and has one outbox row per target:
 *     - enqueued while a refresh of that target is pending: nothing new is queued (one row, one call);
 *     - enqueued while it is being sent (claimed, in flight): it is sent once more afterwards;
 *     - enqueued after it was sent: the row is re-armed.
 *   Whatever the order, a target is sent again no sooner than `REFRESH_SPACING_MS` (real time,
 *   `paced_until`) after its previous send, so one message gets at most one update a second.
 *   The payload is not stored: at send time the renderer registered for the kind reads the
 *   database and returns the call's arguments, so whatever is sent is the latest state, and the
 *   target always ends showing the final one. A renderer returns `undefined` when there is
 *   nothing to update (the message is not posted yet, or is gone): the row is then dropped.
 *
 *   Renderers are registered like follow-up handlers, by the feature while registering, with
 *   explicit dependencies (nothing registers itself on import):
 *
 *     deps.refreshers['ballot'] = (ref) => renderBallotUpdate(Number(ref));   // → { channel, ts, text, blocks }
 *     enqueueRefresh(db, { workspaceId, kind: 'ballot', ref: String(vote.id) }, now);  // inside the change's transaction
 *
 *   `method` is `chat.update` unless given (`views.publish` for a Home tab: kind `home`, the
 *   renderer returns `{ user_id, view }`). Refreshes have priority 1, behind what a person waits for.
 */
import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import type { WebClient } from '@slack/web-api';
import { greater } from '../db/portable.js';
import { outbox } from '../db/schema.js';
import { affectedRows, type Storage } from '../db/storage.js';
import type { AppLogger } from '../logger.js';
import { unscoped, type InWorkspace } from '../slack/workspace-scope.js';
import { blockBucket, bucketOf, takeToken, tokenIntervalMs } from './pacing.js';

/** Web API methods the outbox may call: those that post or change what people see. */
export type OutboxMethod = 'chat.postMessage' | 'chat.update' | 'chat.postEphemeral' | 'chat.delete' | 'views.publish';

/** A refresh waits at least this long after the previous send of the same target: at most one update a second per message. */
export const REFRESH_SPACING_MS = 1000;

export interface OutboxFollowUp {
  /** Names a handler registered with the worker, run after a successful send (e.g. store the message ts). */
  kind: string;
  ref: string;
}

export interface OutboxMessage {
  workspaceId: string;
  /** Makes enqueuing idempotent: the same key is never queued, or sent, twice. */
  dedupeKey: string;
  method: OutboxMethod;
  args: Record<string, unknown>;
  notBefore: Date;
  followUp?: OutboxFollowUp;
  /** What to send instead if Slack refuses `args` for good with invalid_blocks (a digest without its chart). */
  fallbackArgs?: Record<string, unknown>;
}

interface StoredPayload {
  /** A message's arguments; absent for a refresh, whose arguments are rendered at send time. */
  args?: Record<string, unknown>;
  followUp?: OutboxFollowUp;
  fallbackArgs?: Record<string, unknown>;
  refresh?: { kind: string; ref: string };
}

export interface OutboxRefresh {
  workspaceId: string;
  /** Names the renderer registered for this kind of target (`ballot`, `issue-card`, `meeting`, `home`). */
  kind: string;
  /** Which one, as the renderer reads it (a vote id, an issue id, `workspace:user`). */
  ref: string;
  /** Default `chat.update`. */
  method?: OutboxMethod;
}

/**
 * Reads the database at send time and returns the call's arguments, or undefined when there is
 * nothing to update. It runs in a transaction that PostgreSQL may re-run: database reads only.
 */
export type RefreshRenderer = (ref: string, now: Date) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;

/** The dedupe key of a target's one refresh row. */
export const refreshKey = (kind: string, ref: string): string => `refresh:${kind}:${ref}`;

/**
 * Asks for the target to be brought up to date; call it inside the transaction that makes the
 * change. Coalesces with a refresh already pending, re-sends after one in flight (see the top of
 * this module). Returns true when a call will follow that was not already going to. One statement
 * whose changed-row count decides, so it holds across instances on either engine.
 */
export async function enqueueRefresh(db: Storage, refresh: OutboxRefresh, now: Date): Promise<boolean> {
  const payload: StoredPayload = { refresh: { kind: refresh.kind, ref: refresh.ref } };
  const at = now.getTime();
  // Every SET expression reads the row as it was (qualified `outbox.`: PostgreSQL finds a bare
  // name ambiguous there); `excluded` is the row we tried to insert.
  const changed = await db.execute(sql`
    INSERT INTO outbox (team_id, dedupe_key, method, payload_json, not_before, created_at, priority)
    VALUES (${refresh.workspaceId}, ${refreshKey(refresh.kind, refresh.ref)}, ${refresh.method ?? 'chat.update'}, ${JSON.stringify(payload)}, ${at}, ${at}, 1)
    ON CONFLICT (team_id, dedupe_key) DO UPDATE SET
      refresh_again = CASE WHEN outbox.status = 'sending' THEN 1 ELSE outbox.refresh_again END,
      not_before = CASE WHEN outbox.status IN ('sent', 'failed', 'cancelled') THEN excluded.not_before ELSE outbox.not_before END,
      attempts = CASE WHEN outbox.status IN ('sent', 'failed', 'cancelled') THEN 0 ELSE outbox.attempts END,
      last_error = CASE WHEN outbox.status IN ('sent', 'failed', 'cancelled') THEN NULL ELSE outbox.last_error END,
      method = excluded.method,
      status = CASE WHEN outbox.status IN ('sent', 'failed', 'cancelled') THEN 'pending' ELSE outbox.status END
    WHERE outbox.status <> 'pending' AND NOT (outbox.status = 'sending' AND outbox.refresh_again = 1)`);
  return changed > 0;
}

/** The insert `enqueue` runs, prepared once per storage (drizzle then builds its SQL text once). */
const enqueueQueries = new WeakMap<Storage, ReturnType<typeof prepareEnqueue>>();
function prepareEnqueue(db: Storage) {
  const p = (name: string) => sql.placeholder(name);
  return db
    .insert(outbox)
    .values({ workspaceId: p('workspaceId'), dedupeKey: p('dedupeKey'), method: p('method'), payloadJson: p('payloadJson'), notBefore: p('notBefore'), createdAt: p('createdAt') })
    .onConflictDoNothing()
    .prepare();
}

/** Queue a message; call it inside the transaction that makes the change it reports. */
export async function enqueue(db: Storage, message: OutboxMessage, now: Date): Promise<boolean> {
  const payload: StoredPayload = {
    args: message.args,
    ...(message.followUp === undefined ? {} : { followUp: message.followUp }),
    ...(message.fallbackArgs === undefined ? {} : { fallbackArgs: message.fallbackArgs }),
  };
  let insert = enqueueQueries.get(db);
  if (insert === undefined) enqueueQueries.set(db, (insert = prepareEnqueue(db)));
  const result = await insert.run({
    workspaceId: message.workspaceId,
    dedupeKey: message.dedupeKey,
    method: message.method,
    payloadJson: JSON.stringify(payload),
    notBefore: message.notBefore.getTime(),
    createdAt: now.getTime(),
  });
  return affectedRows(result) > 0;
}

/** Withdraws messages not yet sent (a cancelled meeting's reminders). Returns how many. */
export async function cancelPending(db: Storage, workspaceId: string, dedupeKeys: string[]): Promise<number> {
  if (dedupeKeys.length === 0) return 0;
  const result = await db
    .update(outbox)
    .set({ status: 'cancelled' })
    .where(and(eq(outbox.workspaceId, workspaceId), inArray(outbox.dedupeKey, dedupeKeys), eq(outbox.status, 'pending')))
    .run();
  return affectedRows(result);
}

/**
 * Moves or rewrites a pending message (an edited meeting's reminders); false when it already went.
 * The stored payload is read, changed and written back only if the row is still that pending
 * payload (the changed-row count decides), in one transaction (joining the caller's, if any).
 */
export async function replacePending(db: Storage, workspaceId: string, dedupeKey: string, args: Record<string, unknown>, notBefore: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await tx
      .select({ id: outbox.id, payloadJson: outbox.payloadJson })
      .from(outbox)
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.dedupeKey, dedupeKey), eq(outbox.status, 'pending')))
      .get();
    if (row === undefined) return false;
    const payload = { ...(JSON.parse(row.payloadJson) as StoredPayload), args };
    const result = await tx
      .update(outbox)
      .set({ payloadJson: JSON.stringify(payload), notBefore: notBefore.getTime() })
      .where(and(eq(outbox.id, row.id), eq(outbox.status, 'pending'), eq(outbox.payloadJson, row.payloadJson)))
      .run();
    return affectedRows(result) > 0;
  });
}

/**
 * Runs after a successful send, in the transaction that marks the row sent (which PostgreSQL may
 * re-run): database work only.
 */
export type FollowUpHandler = (db: Storage, ref: string, result: Record<string, unknown>) => Promise<void> | void;

export interface OutboxRunDeps {
  db: Storage;
  client: WebClient;
  logger: AppLogger;
  /** The app's clock: decides which messages are due (a reminder's not-before). */
  now: Date;
  workerId: string;
  followUps?: Record<string, FollowUpHandler>;
  /** Renderers of coalesced refreshes by kind; a feature adds its own while registering. */
  refreshers?: Record<string, RefreshRenderer>;
  /** Real time in ms (pacing is about Slack's real clock, not the app's): default Date.now. */
  wallClock?: () => number;
  /** Least real time between two sends of one refresh target; default REFRESH_SPACING_MS. */
  refreshSpacingMs?: number;
  batchSize?: number;
  /** How long a claim holds: long enough for a slow Web API call, short enough to recover after a crash. */
  leaseMs?: number;
  /** Runs a workspace's deliveries with its token (distribution mode); default: as they are. */
  inWorkspace?: InWorkspace;
  /** Only this workspace's messages (distribution mode runs each workspace's outbox on its own). */
  workspaceId?: string;
}

export interface OutboxRunSummary {
  sent: number;
  failed: number;
  retried: number;
  verified: number;
  /**
   * Real ms from now until the next row becomes sendable (a paced refresh, a retry, a reminder),
   * or undefined when nothing waits; the caller runs the outbox again then instead of waiting for its tick.
   */
  nextInMs: number | undefined;
}

export const MAX_ATTEMPTS = 8;

const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_arguments',
  'message_not_found',
  'cant_update_message',
  'user_not_found',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'user_not_in_channel',
]);

function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Back-off for retries: 5 s, 10 s, 20 s … capped at 10 minutes, or Slack's Retry-After when it gave one. */
export function retryDelayMs(attempts: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) return retryAfterSeconds * 1000;
  return Math.min(10 * 60 * 1000, 5000 * 2 ** Math.max(0, attempts - 1));
}

/** What a failed call tells us about whether it took effect at Slack. */
export type FailureKind = 'permanent' | 'not_sent' | 'unknown';

/**
 * `permanent`: Slack refused it for good. `not_sent`: it certainly did not take effect (rate
 * limited, ok:false, connection refused) and may simply be retried. `unknown`: Slack may have
 * acted on it (a timeout, a dropped connection, a 5xx, or `internal_error`/`fatal_error`, which
 * Slack documents as "some aspect of the operation may have succeeded").
 */
export function classifyFailure(error: unknown): { kind: FailureKind; reason: string; retryAfterSeconds?: number; rateLimited?: true } {
  const e = (error ?? {}) as { code?: unknown; retryAfter?: unknown; statusCode?: unknown; original?: { cause?: { code?: unknown }; code?: unknown } };
  const code = slackErrorCode(error);
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { kind: 'not_sent', reason: 'ratelimited', rateLimited: true, ...(typeof e.retryAfter === 'number' ? { retryAfterSeconds: e.retryAfter } : {}) };
  }
  if (e.code === 'slack_webapi_platform_error' && code !== undefined) {
    if (PERMANENT_ERRORS.has(code)) return { kind: 'permanent', reason: code };
    if (code === 'internal_error' || code === 'fatal_error') return { kind: 'unknown', reason: code };
    return { kind: 'not_sent', reason: code };
  }
  if (e.code === 'slack_webapi_http_error') return { kind: 'unknown', reason: `http_${String(e.statusCode)}` };
  const cause = e.original?.cause?.code ?? e.original?.code;
  if (cause === 'ECONNREFUSED') return { kind: 'not_sent', reason: 'connection refused' };
  return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
}

/** A row's stored arguments, or undefined when unreadable (delivery then fails that row alone, see runOutbox). */
function argsOf(payloadJson: string): Record<string, unknown> | undefined {
  try {
    return (JSON.parse(payloadJson) as StoredPayload).args;
  } catch {
    return undefined;
  }
}

/** Marks an outbox post so that, after an unknown outcome, we can look for it in the channel. */
export const OUTBOX_EVENT_TYPE = 'alliance_outbox';

function withOutboxMetadata(method: string, args: Record<string, unknown>, dedupeKey: string): Record<string, unknown> {
  if (method !== 'chat.postMessage' || args.metadata !== undefined) return args;
  return { ...args, metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: dedupeKey } } };
}

type Verification = { found: true; ts: string; channel: string } | { found: false } | { error: unknown };

/**
 * After an unknown outcome, is our message already in the channel? Only chat.postMessage needs
 * this: updates and deletes are idempotent, and an ephemeral cannot be read back (a rare second
 * copy of an ephemeral only its one reader sees is the accepted cost).
 */
async function findPosted(client: WebClient, args: Record<string, unknown>, dedupeKey: string, sinceMs: number): Promise<Verification> {
  try {
    let channel = typeof args.channel === 'string' ? args.channel : '';
    // A DM is addressed by user id; history wants the DM channel's id.
    if (/^[UW]/.test(channel)) {
      const opened = await client.conversations.open({ users: channel });
      channel = opened.channel?.id ?? channel;
    }
    const history = await client.conversations.history({ channel, oldest: String(Math.floor(sinceMs / 1000) - 60), limit: 200, include_all_metadata: true });
    for (const message of history.messages ?? []) {
      const metadata = message.metadata as { event_type?: unknown; event_payload?: { key?: unknown } } | undefined;
      if (metadata?.event_type === OUTBOX_EVENT_TYPE && metadata.event_payload?.key === dedupeKey && typeof message.ts === 'string') {
        return { found: true, ts: message.ts, channel };
      }
    }
    return { found: false };
  } catch (error) {
    return { error };
  }
}

/**
 * Delivers due messages once. Claims rows with a lease inside an immediate transaction, so two
 * instances never take the same row; a row whose lease ran out (its sender crashed mid-call) is
 * taken again. A chat.postMessage whose previous attempt has an unknown outcome (status `verify`,
 * or a lease that ran out) is first looked for in the channel, by the dedupe key it carries in its
 * metadata, and only posted when it is not there: never twice. Returns what happened.
 */
export async function runOutbox(deps: OutboxRunDeps): Promise<OutboxRunSummary> {
  const { db, now } = deps;
  const started = performance.now();
  const leaseMs = deps.leaseMs ?? 60_000;
  const wallClock = deps.wallClock ?? Date.now;
  const spacingMs = deps.refreshSpacingMs ?? REFRESH_SPACING_MS;
  const at = now.getTime();
  const wallAtStart = wallClock();
  const batchSize = deps.batchSize ?? 50;
  // Due now: waiting and due, or claimed by a sender whose lease ran out; and not held back by pacing.
  const isDue = (wall: number) =>
    or(
      and(inArray(outbox.status, ['pending', 'verify']), lte(outbox.notBefore, at), or(isNull(outbox.pacedUntil), lte(outbox.pacedUntil, wall))),
      and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, at), or(isNull(outbox.pacedUntil), lte(outbox.pacedUntil, wall))),
    );
  // Only database work in here: PostgreSQL re-runs the whole transaction when another instance's
  // claim conflicts with it, so everything it decides is rebuilt on each run.
  const claimed = await db.transaction(async (tx) => {
    const candidates = await tx
      .select({ id: outbox.id, status: outbox.status, workspaceId: outbox.workspaceId, method: outbox.method, priority: outbox.priority, payloadJson: outbox.payloadJson })
      .from(outbox)
      .where(and(deps.workspaceId === undefined ? undefined : eq(outbox.workspaceId, deps.workspaceId), isDue(wallAtStart)))
      // What a person waits for (priority 0) before refreshes of what is already shown.
      .orderBy(outbox.priority, outbox.notBefore, outbox.id)
      // Some may have to wait for their rate limit: look a little further than one batch.
      .limit(batchSize * 4)
      .all();
    // Each call spends a token of Slack's limit for its method (or channel) first; a row whose
    // bucket is empty waits (paced_until) until a token is there, without counting an attempt.
    const due: typeof candidates = [];
    // Empty buckets: when their next token comes, and how many rows already wait for one after it.
    const waits = new Map<string, { until: number; queued: number; interval: number }>();
    const paced: Array<{ id: number; until: number }> = [];
    for (const candidate of candidates) {
      if (due.length >= batchSize) break;
      const args = argsOf(candidate.payloadJson);
      const bucket = `${candidate.workspaceId}|${bucketOf(candidate.method, args)}`;
      let wait = waits.get(bucket);
      if (wait === undefined) {
        const decision = await takeToken(tx, candidate.workspaceId, bucketOf(candidate.method, args), wallAtStart);
        if (decision.ok) {
          due.push(candidate);
          continue;
        }
        wait = { until: decision.until, queued: 0, interval: tokenIntervalMs(bucketOf(candidate.method, args)) };
        waits.set(bucket, wait);
      }
      // The rows behind an empty bucket wait in their order, one token interval apart, rather than
      // all for the next token (one would get it, the rest be looked at and put back again each time).
      paced.push({ id: candidate.id, until: wait.until + wait.queued * wait.interval });
      wait.queued++;
    }
    // One statement for every row held back (a burst of posts to one channel is hundreds of rows).
    if (paced.length > 0) {
      await tx
        .update(outbox)
        .set({ pacedUntil: sql`case ${outbox.id} ${sql.join(paced.map((p) => sql`when ${p.id} then cast(${p.until} as bigint)`), sql` `)} end` })
        .where(inArray(outbox.id, paced.map((p) => p.id)))
        .run();
    }
    if (due.length === 0) return [];
    const uncertain = new Set(due.filter((d) => d.status !== 'pending').map((d) => d.id));
    // The claim itself is conditional on the rows still being due: only the rows it changed are
    // ours, whatever else ran meanwhile (the transaction already makes that so on both engines).
    const rows = await tx
      .update(outbox)
      // refresh_again is cleared: a refresh asked for from now on is sent after this one.
      .set({ status: 'sending', leaseUntil: at + leaseMs, attempts: sql`${outbox.attempts} + 1`, refreshAgain: 0 })
      .where(and(inArray(outbox.id, due.map((d) => d.id)), isDue(wallAtStart)))
      .returning()
      .all();
    // In the order chosen above (RETURNING has none of its own on PostgreSQL).
    const order = new Map(due.map((d, i) => [d.id, i]));
    return rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0)).map((row) => ({ row, uncertain: uncertain.has(row.id) }));
  });
  let sent = 0;
  let failed = 0;
  let retried = 0;
  let verified = 0;
  type Claimed = (typeof claimed)[number]['row'];
  const markSent = async (row: Claimed, payload: StoredPayload, result: Record<string, unknown>): Promise<void> => {
    // Read before the transaction: PostgreSQL may re-run it, and the spacing counts from the send.
    const pacedUntil = payload.refresh === undefined ? undefined : wallClock() + spacingMs;
    // The follow-up handler's writes go in the same transaction (the storage follows the async flow).
    await db.transaction(async (tx) => {
      // A refresh asked for while this one was in flight goes out again, once the target's spacing has passed.
      const again = sql`${outbox.refreshAgain} = 1`;
      await tx
        .update(outbox)
        .set({
          status: sql`CASE WHEN ${again} THEN 'pending' ELSE 'sent' END`,
          attempts: sql`CASE WHEN ${again} THEN 0 ELSE ${outbox.attempts} END`,
          refreshAgain: 0,
          sentAt: at,
          leaseUntil: null,
          lastError: null,
          resultJson: JSON.stringify({ ts: result.ts, channel: result.channel }),
          ...(pacedUntil === undefined ? {} : { pacedUntil }),
        })
        .where(eq(outbox.id, row.id))
        .run();
      if (payload.followUp !== undefined) await deps.followUps?.[payload.followUp.kind]?.(tx, payload.followUp.ref, result);
    });
  };
  const reschedule = async (row: Claimed, status: 'pending' | 'verify' | 'failed', reason: string, retryAfterSeconds?: number): Promise<void> => {
    const giveUp = status === 'failed' || row.attempts >= MAX_ATTEMPTS;
    await db
      .update(outbox)
      .set(
        giveUp
          ? { status: 'failed', leaseUntil: null, lastError: reason, refreshAgain: 0 }
          : // A retried refresh renders the latest state anyway, so one asked for meanwhile is folded in.
            { status, leaseUntil: null, lastError: reason, notBefore: at + retryDelayMs(row.attempts, retryAfterSeconds), refreshAgain: 0 },
      )
      .where(eq(outbox.id, row.id))
      .run();
    deps.logger.event(giveUp ? 'error' : 'warn', giveUp ? 'outbox message failed for good' : 'outbox message will be retried', {
      job: 'outbox',
      dedupeKey: row.dedupeKey,
      method: row.method,
      attempts: row.attempts,
      status: giveUp ? 'failed' : status,
      error: reason,
    });
    if (giveUp) failed++;
    else retried++;
  };

  const leases = new Map(claimed.map(({ row }) => [row.id, row.leaseUntil]));
  /**
   * A batch of slow calls can outlast the lease taken for it, and then another instance may take
   * the rows still waiting here. So each row's lease is renewed just before its call, only if it
   * is still ours (compare-and-set on the lease we hold); otherwise the row is left to its new owner.
   */
  const stillMine = async (id: number): Promise<boolean> => {
    const held = leases.get(id);
    if (held === undefined || held === null) return false;
    // Claimed moments ago: most of the lease is left, and nobody takes a row before it runs out.
    if (performance.now() - started < leaseMs / 4) return true;
    const renewed = at + Math.round(performance.now() - started) + leaseMs;
    const result = await db
      .update(outbox)
      .set({ leaseUntil: renewed })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'sending'), eq(outbox.leaseUntil, held)))
      .run();
    return affectedRows(result) > 0;
  };

  /**
   * Slack answered 429: not a failure of this message. Its method's (or channel's) bucket is
   * blocked for Retry-After, in the database so every instance waits, and the row waits with it
   * (real time; its not-before and its attempts are left as they were).
   */
  const rateLimited = async (row: Claimed, bucket: string, retryAfterSeconds: number, status: 'pending' | 'verify' = 'pending'): Promise<void> => {
    const wall = wallClock();
    const until = await db.transaction((tx) => blockBucket(tx, row.workspaceId, bucket, retryAfterSeconds, wall));
    await db
      .update(outbox)
      .set({ status, leaseUntil: null, lastError: 'ratelimited', pacedUntil: until, attempts: greater(sql`0`, sql`${outbox.attempts} - 1`), refreshAgain: 0 })
      .where(eq(outbox.id, row.id))
      .run();
    deps.logger.event('warn', 'outbox paused by a Slack rate limit', { job: 'outbox', dedupeKey: row.dedupeKey, method: row.method, bucket, retryAfterSeconds });
    retried++;
  };

  /** Nothing to update (the message is not posted yet, or is gone): drop the row, unless asked for again meanwhile. */
  const dropRefresh = async (row: Claimed): Promise<void> => {
    await db
      .update(outbox)
      .set({ status: sql`CASE WHEN ${outbox.refreshAgain} = 1 THEN 'pending' ELSE 'cancelled' END`, refreshAgain: 0, leaseUntil: null, attempts: 0 })
      .where(eq(outbox.id, row.id))
      .run();
  };

  async function deliver(row: Claimed, uncertain: boolean): Promise<void> {
    if (!(await stillMine(row.id))) return;
    const payload = JSON.parse(row.payloadJson) as StoredPayload;
    let args = payload.args ?? {};
    if (payload.refresh !== undefined) {
      const { kind, ref } = payload.refresh;
      const render = deps.refreshers?.[kind];
      if (render === undefined) {
        await reschedule(row, 'failed', `no renderer registered for refresh kind "${kind}"`);
        return;
      }
      // One transaction: the renderer sees one consistent state, the latest committed.
      const rendered = await db.transaction(async () => await render(ref, now));
      if (rendered === undefined) {
        await dropRefresh(row);
        return;
      }
      args = rendered;
    }
    if (uncertain && row.method === 'chat.postMessage') {
      const check = await findPosted(deps.client, args, row.dedupeKey, row.createdAt);
      if ('error' in check) {
        const failure = classifyFailure(check.error);
        if (failure.rateLimited === true) {
          await rateLimited(row, 'conversations.history', failure.retryAfterSeconds ?? 1, 'verify');
          return;
        }
        // Cannot look (not in the channel, no history scope): posting again could post twice, so a person must decide.
        if (failure.kind === 'permanent' || failure.reason === 'missing_scope' || failure.reason === 'not_in_channel') {
          await reschedule(row, 'failed', `unverifiable after an unknown outcome: ${failure.reason}`);
        } else {
          await reschedule(row, 'verify', `could not check yet: ${failure.reason}`, failure.retryAfterSeconds);
        }
        return;
      }
      if (check.found) {
        await markSent(row, payload, { ts: check.ts, channel: check.channel });
        verified++;
        sent++;
        return;
      }
    }
    let result: Record<string, unknown>;
    try {
      result = { ...(await deps.client.apiCall(row.method, withOutboxMetadata(row.method, args, row.dedupeKey))) };
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.rateLimited === true) {
        await rateLimited(row, bucketOf(row.method, args), failure.retryAfterSeconds ?? 1);
        return;
      }
      if (failure.kind === 'permanent' && failure.reason === 'invalid_blocks' && payload.fallbackArgs !== undefined) {
        // Refused before anything was posted: queue the fallback in its place, due at once.
        const { fallbackArgs, ...rest } = payload;
        await db
          .update(outbox)
          .set({ payloadJson: JSON.stringify({ ...rest, args: fallbackArgs }), status: 'pending', leaseUntil: null, lastError: `invalid_blocks: sending the fallback`, notBefore: at })
          .where(eq(outbox.id, row.id))
          .run();
        deps.logger.event('warn', 'outbox message refused, its fallback will be sent', { job: 'outbox', dedupeKey: row.dedupeKey, method: row.method });
        retried++;
      } else if (failure.kind === 'permanent') await reschedule(row, 'failed', failure.reason);
      else if (failure.kind === 'unknown' && row.method === 'chat.postMessage') await reschedule(row, 'verify', failure.reason);
      else await reschedule(row, 'pending', failure.reason, failure.retryAfterSeconds);
      return;
    }
    // Outside the try above: a follow-up handler's error is ours, not Slack's (see the loop below).
    await markSent(row, payload, result);
    sent++;
  }

  // Each workspace's messages go in order, and the workspaces side by side: one workspace whose
  // Slack is slow or failing (or whose token was revoked) never delays another's.
  const byWorkspace = new Map<string, typeof claimed>();
  for (const entry of claimed) byWorkspace.set(entry.row.workspaceId, [...(byWorkspace.get(entry.row.workspaceId) ?? []), entry]);
  const inWorkspace = deps.inWorkspace ?? unscoped;
  await Promise.all(
    [...byWorkspace].map(([workspaceId, rows]) =>
      inWorkspace(workspaceId, async () => {
        for (const { row, uncertain } of rows) {
          try {
            await deliver(row, uncertain);
          } catch (error) {
            // Not a Slack failure (those are handled in deliver): a bad stored payload, a follow-up
            // handler that threw, or no token for the workspace. Only this row pays for it: a
            // postMessage may already be in the channel, so it is looked for before any repost; after
            // its attempts it ends `failed`, never blocking the rest.
            const reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
            try {
              await reschedule(row, row.method === 'chat.postMessage' ? 'verify' : 'pending', reason);
            } catch (rescheduleError) {
              deps.logger.event('error', 'outbox could not record a failure', { job: 'outbox', dedupeKey: row.dedupeKey, error: rescheduleError });
            }
          }
        }
      }),
    ),
  );

  const summary = { sent, failed, retried, verified };
  if (claimed.length > 0) {
    deps.logger.event(failed > 0 ? 'warn' : 'info', 'job', { job: 'outbox', outcome: failed > 0 ? 'some failed' : 'ok', ...summary, ms: Math.round(performance.now() - started) });
  }
  return { ...summary, nextInMs: await nextSendable(db, at + Math.round(performance.now() - started), wallClock()) };
}

/** Real ms until the first row due at `at` may go (0: now; more when held back by its refresh spacing); undefined when none is due. */
export async function dueWithin(db: Storage, at: number, wall: number): Promise<number | undefined> {
  const [row] = await db.rows<{ due: number; wait: number | null }>(sql`
    SELECT count(*) AS due, ${greater(sql`0`, sql`min(coalesce(paced_until, 0) - ${wall})`)} AS wait FROM outbox
    WHERE (status IN ('pending', 'verify') AND not_before <= ${at}) OR (status = 'sending' AND lease_until <= ${at})`);
  return row === undefined || row.due === 0 ? undefined : (row.wait ?? 0);
}

/** Real ms until the next waiting row may go: the earlier of the next not-before (app clock) and the next paced row (real time). */
async function nextSendable(db: Storage, at: number, wall: number): Promise<number | undefined> {
  const [row] = await db.rows<{ due: number | null; paced: number | null }>(sql`
    SELECT (SELECT min(not_before) FROM outbox WHERE status IN ('pending', 'verify') AND (paced_until IS NULL OR paced_until <= ${wall})) AS due,
           (SELECT min(paced_until) FROM outbox WHERE status IN ('pending', 'verify') AND paced_until > ${wall}) AS paced`);
  if (row === undefined) return undefined;
  const waits = [row.due === null ? undefined : Math.max(0, row.due - at), row.paced === null ? undefined : row.paced - wall].filter((w): w is number => w !== undefined);
  return waits.length === 0 ? undefined : Math.min(...waits);
}

/** Workspaces with a message to send now (distribution mode runs each one's outbox on its own). */
export async function dueWorkspaces(db: Storage, at: number, wall: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ workspaceId: outbox.workspaceId })
    .from(outbox)
    .where(
      or(
        and(inArray(outbox.status, ['pending', 'verify']), lte(outbox.notBefore, at), or(isNull(outbox.pacedUntil), lte(outbox.pacedUntil, wall))),
        and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, at), or(isNull(outbox.pacedUntil), lte(outbox.pacedUntil, wall))),
      ),
    )
    .all();
  return rows.map((r) => r.workspaceId);
}
