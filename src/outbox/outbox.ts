import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
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
}

interface StoredPayload {
  args: Record<string, unknown>;
  followUp?: OutboxFollowUp;
}

/** Queue a message; call it inside the transaction that makes the change it reports. */
export function enqueue(db: Db, message: OutboxMessage, now: Date): boolean {
  const payload: StoredPayload = message.followUp === undefined ? { args: message.args } : { args: message.args, followUp: message.followUp };
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

/**
 * Delivers due messages once. Claims rows with a lease inside an immediate transaction, so two
 * instances never take the same row; a row whose lease ran out (its sender crashed) is taken
 * again. Returns how many messages went out.
 */
export async function runOutbox(deps: OutboxRunDeps): Promise<{ sent: number; failed: number; retried: number }> {
  const { db, now } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const at = now.getTime();
  const claimed = db.transaction(
    (tx) => {
      const due = tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          or(
            and(eq(outbox.status, 'pending'), lte(outbox.notBefore, at)),
            and(eq(outbox.status, 'sending'), lte(outbox.leaseUntil, at)),
          ),
        )
        .orderBy(outbox.notBefore, outbox.id)
        .limit(deps.batchSize ?? 50)
        .all();
      if (due.length === 0) return [];
      return tx
        .update(outbox)
        .set({ status: 'sending', leaseUntil: at + leaseMs, attempts: sql`${outbox.attempts} + 1` })
        .where(inArray(outbox.id, due.map((d) => d.id)))
        .returning()
        .all();
    },
    { behavior: 'immediate' },
  );
  let sent = 0;
  let failed = 0;
  let retried = 0;
  for (const row of claimed) {
    const payload = JSON.parse(row.payloadJson) as StoredPayload;
    try {
      const result: Record<string, unknown> = { ...(await deps.client.apiCall(row.method, payload.args)) };
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
      sent++;
    } catch (error) {
      const code = slackErrorCode(error);
      const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
      const permanent = (code !== undefined && PERMANENT_ERRORS.has(code)) || row.attempts >= MAX_ATTEMPTS;
      db.update(outbox)
        .set(
          permanent
            ? { status: 'failed', leaseUntil: null, lastError: code ?? String(error) }
            : {
                status: 'pending',
                leaseUntil: null,
                lastError: code ?? (error instanceof Error ? error.message : String(error)),
                notBefore: at + retryDelayMs(row.attempts, typeof retryAfter === 'number' ? retryAfter : undefined),
              },
        )
        .where(eq(outbox.id, row.id))
        .run();
      deps.logger.event(permanent ? 'error' : 'warn', permanent ? 'outbox message failed for good' : 'outbox message will be retried', {
        job: 'outbox',
        dedupeKey: row.dedupeKey,
        method: row.method,
        attempts: row.attempts,
        error: code ?? error,
      });
      if (permanent) failed++;
      else retried++;
    }
  }
  return { sent, failed, retried };
}
