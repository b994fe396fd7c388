import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/open.js';
import { outbox } from '../db/schema.js';
import type { AppLogger } from '../logger.js';

/** Web API methods the outbox may call: those that post or change what people see. */
export type OutboxMethod = 'chat.postMessage' | 'chat.update' | 'chat.postEphemeral' | 'chat.delete';

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
  args: Record<string, unknown>;
  followUp?: OutboxFollowUp;
  fallbackArgs?: Record<string, unknown>;
}

/** Queue a message; call it inside the transaction that makes the change it reports. */
export function enqueue(db: Db, message: OutboxMessage, now: Date): boolean {
  const payload: StoredPayload = {
    args: message.args,
    ...(message.followUp === undefined ? {} : { followUp: message.followUp }),
    ...(message.fallbackArgs === undefined ? {} : { fallbackArgs: message.fallbackArgs }),
  };
  return (
    db
      .insert(outbox)
      .values({
        workspaceId: message.workspaceId,
        dedupeKey: message.dedupeKey,
        method: message.method,
        payloadJson: JSON.stringify(payload),
        notBefore: message.notBefore.getTime(),
        createdAt: now.getTime(),
      })
      .onConflictDoNothing()
      .run().changes > 0
  );
}

/** Withdraws messages not yet sent (a cancelled meeting's reminders). Returns how many. */
export function cancelPending(db: Db, workspaceId: string, dedupeKeys: string[]): number {
  if (dedupeKeys.length === 0) return 0;
  return db
    .update(outbox)
    .set({ status: 'cancelled' })
    .where(and(eq(outbox.workspaceId, workspaceId), inArray(outbox.dedupeKey, dedupeKeys), eq(outbox.status, 'pending')))
    .run().changes;
}

/** Moves or rewrites a pending message (an edited meeting's reminders); false when it already went. */
export function replacePending(db: Db, workspaceId: string, dedupeKey: string, args: Record<string, unknown>, notBefore: Date): boolean {
  return (
    db
      .update(outbox)
      .set({ payloadJson: sql`json_set(${outbox.payloadJson}, '$.args', json(${JSON.stringify(args)}))`, notBefore: notBefore.getTime() })
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.dedupeKey, dedupeKey), eq(outbox.status, 'pending')))
      .run().changes > 0
  );
}

export type FollowUpHandler = (db: Db, ref: string, result: Record<string, unknown>) => void;

export interface OutboxRunDeps {
  db: Db;
  client: WebClient;
  logger: AppLogger;
  now: Date;
  workerId: string;
  followUps?: Record<string, FollowUpHandler>;
  batchSize?: number;
  /** How long a claim holds: long enough for a slow Web API call, short enough to recover after a crash. */
  leaseMs?: number;
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
export function classifyFailure(error: unknown): { kind: FailureKind; reason: string; retryAfterSeconds?: number } {
  const e = (error ?? {}) as { code?: unknown; retryAfter?: unknown; statusCode?: unknown; original?: { cause?: { code?: unknown }; code?: unknown } };
  const code = slackErrorCode(error);
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { kind: 'not_sent', reason: 'ratelimited', ...(typeof e.retryAfter === 'number' ? { retryAfterSeconds: e.retryAfter } : {}) };
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
    let channel = String(args.channel ?? '');
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
export async function runOutbox(deps: OutboxRunDeps): Promise<{ sent: number; failed: number; retried: number; verified: number }> {
  const { db, now } = deps;
  const started = performance.now();
  const leaseMs = deps.leaseMs ?? 60_000;
  const at = now.getTime();
  const claimed = db.transaction(
    (tx) => {
      const due = tx
        .select({ id: outbox.id, status: outbox.status })
        .from(outbox)
        .where(
          or(
            and(inArray(outbox.status, ['pending', 'verify']), lte(outbox.notBefore, at)),
            and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, at)),
          ),
        )
        .orderBy(outbox.notBefore, outbox.id)
        .limit(deps.batchSize ?? 50)
        .all();
      if (due.length === 0) return [];
      const uncertain = new Set(due.filter((d) => d.status !== 'pending').map((d) => d.id));
      return tx
        .update(outbox)
        .set({ status: 'sending', leaseUntil: at + leaseMs, attempts: sql`${outbox.attempts} + 1` })
        .where(inArray(outbox.id, due.map((d) => d.id)))
        .returning()
        .all()
        .map((row) => ({ row, uncertain: uncertain.has(row.id) }));
    },
    { behavior: 'immediate' },
  );
  let sent = 0;
  let failed = 0;
  let retried = 0;
  let verified = 0;
  const markSent = (row: (typeof claimed)[number]['row'], payload: StoredPayload, result: Record<string, unknown>) => {
    // better-sqlite3 runs every statement on one connection, so `db` inside the callback is in the transaction.
    db.transaction(
      () => {
        db.update(outbox)
          .set({ status: 'sent', sentAt: at, leaseUntil: null, lastError: null, resultJson: JSON.stringify({ ts: result.ts, channel: result.channel }) })
          .where(eq(outbox.id, row.id))
          .run();
        if (payload.followUp !== undefined) deps.followUps?.[payload.followUp.kind]?.(db, payload.followUp.ref, result);
      },
      { behavior: 'immediate' },
    );
  };
  const reschedule = (row: (typeof claimed)[number]['row'], status: 'pending' | 'verify' | 'failed', reason: string, retryAfterSeconds?: number) => {
    const giveUp = status === 'failed' || row.attempts >= MAX_ATTEMPTS;
    db.update(outbox)
      .set(
        giveUp
          ? { status: 'failed', leaseUntil: null, lastError: reason }
          : { status, leaseUntil: null, lastError: reason, notBefore: at + retryDelayMs(row.attempts, retryAfterSeconds) },
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
  const stillMine = (id: number): boolean => {
    const held = leases.get(id);
    if (held === undefined || held === null) return false;
    const renewed = at + Math.round(performance.now() - started) + leaseMs;
    const changed = db
      .update(outbox)
      .set({ leaseUntil: renewed })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'sending'), eq(outbox.leaseUntil, held)))
      .run().changes;
    return changed > 0;
  };

  async function deliver(row: (typeof claimed)[number]['row'], uncertain: boolean): Promise<void> {
    if (!stillMine(row.id)) return;
    const payload = JSON.parse(row.payloadJson) as StoredPayload;
    if (uncertain && row.method === 'chat.postMessage') {
      const check = await findPosted(deps.client, payload.args, row.dedupeKey, row.createdAt);
      if ('error' in check) {
        const failure = classifyFailure(check.error);
        // Cannot look (not in the channel, no history scope): posting again could post twice, so a person must decide.
        if (failure.kind === 'permanent' || failure.reason === 'missing_scope' || failure.reason === 'not_in_channel') {
          reschedule(row, 'failed', `unverifiable after an unknown outcome: ${failure.reason}`);
        } else {
          reschedule(row, 'verify', `could not check yet: ${failure.reason}`, failure.retryAfterSeconds);
        }
        return;
      }
      if (check.found) {
        markSent(row, payload, { ts: check.ts, channel: check.channel });
        verified++;
        sent++;
        return;
      }
    }
    let result: Record<string, unknown>;
    try {
      result = { ...(await deps.client.apiCall(row.method, withOutboxMetadata(row.method, payload.args, row.dedupeKey))) };
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.kind === 'permanent' && failure.reason === 'invalid_blocks' && payload.fallbackArgs !== undefined) {
        // Refused before anything was posted: queue the fallback in its place, due at once.
        const { fallbackArgs, ...rest } = payload;
        db.update(outbox)
          .set({ payloadJson: JSON.stringify({ ...rest, args: fallbackArgs }), status: 'pending', leaseUntil: null, lastError: `invalid_blocks: sending the fallback`, notBefore: at })
          .where(eq(outbox.id, row.id))
          .run();
        deps.logger.event('warn', 'outbox message refused, its fallback will be sent', { job: 'outbox', dedupeKey: row.dedupeKey, method: row.method });
        retried++;
      } else if (failure.kind === 'permanent') reschedule(row, 'failed', failure.reason);
      else if (failure.kind === 'unknown' && row.method === 'chat.postMessage') reschedule(row, 'verify', failure.reason);
      else reschedule(row, 'pending', failure.reason, failure.retryAfterSeconds);
      return;
    }
    // Outside the try above: a follow-up handler's error is ours, not Slack's (see the loop below).
    markSent(row, payload, result);
    sent++;
  }

  for (const { row, uncertain } of claimed) {
    try {
      await deliver(row, uncertain);
    } catch (error) {
      // Not a Slack failure (those are handled in deliver): a bad stored payload or a follow-up
      // handler that threw. Only this row pays for it: a postMessage may already be in the channel,
      // so it is looked for before any repost; after its attempts it ends `failed`, never blocking the rest.
      const reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      try {
        reschedule(row, row.method === 'chat.postMessage' ? 'verify' : 'pending', reason);
      } catch (rescheduleError) {
        deps.logger.event('error', 'outbox could not record a failure', { job: 'outbox', dedupeKey: row.dedupeKey, error: rescheduleError });
      }
    }
  }

  const summary = { sent, failed, retried, verified };
  if (claimed.length > 0) {
    deps.logger.event(failed > 0 ? 'warn' : 'info', 'job', { job: 'outbox', outcome: failed > 0 ? 'some failed' : 'ok', ...summary, ms: Math.round(performance.now() - started) });
  }
  return summary;
}
