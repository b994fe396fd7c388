import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import { processedRequests } from '../db/schema.js';
import { affectedRows, type Storage } from '../db/storage.js';
import type { Clock } from '../domain/result.js';
import { retryWhileBusy } from './busy-retry.js';

/** Records a request key; false when it was already there (a redelivery or a double submission). */
export async function claimRequest(db: Storage, workspaceId: string, key: string, now: Date): Promise<boolean> {
  return affectedRows(await db.insert(processedRequests).values({ workspaceId, key, createdAt: now.getTime() }).onConflictDoNothing().run()) > 0;
}

/**
 * Stores what the first arrival of a request produced (an issue id, say), in the transaction that
 * claimed it, so a repeated arrival can answer with exactly the same thing instead of guessing.
 */
export async function recordRequestResult(db: Storage, workspaceId: string, key: string, result: string): Promise<void> {
  await db.update(processedRequests).set({ result }).where(and(eq(processedRequests.workspaceId, workspaceId), eq(processedRequests.key, key))).run();
}

/** Withdraws a claim made in the current transaction when the request was refused after all. */
export async function forgetRequest(db: Storage, workspaceId: string, key: string): Promise<void> {
  await db.delete(processedRequests).where(and(eq(processedRequests.workspaceId, workspaceId), eq(processedRequests.key, key))).run();
}

/** What the first arrival recorded; undefined when the key is unknown or nothing was recorded. */
export async function requestResult(db: Storage, workspaceId: string, key: string): Promise<string | undefined> {
  const row = await db
    .select({ result: processedRequests.result })
    .from(processedRequests)
    .where(and(eq(processedRequests.workspaceId, workspaceId), eq(processedRequests.key, key)))
    .get();
  return row?.result ?? undefined;
}

/** Whether a request key has been recorded (an event handled, a submission stored). */
export async function isClaimed(db: Storage, workspaceId: string, key: string): Promise<boolean> {
  const row = await db
    .select({ key: processedRequests.key })
    .from(processedRequests)
    .where(and(eq(processedRequests.workspaceId, workspaceId), eq(processedRequests.key, key)))
    .get();
  return row !== undefined;
}

/**
 * Slack redelivers an event (same event_id, x-slack-retry-num) when our answer was slow or lost.
 * An event is recorded as handled only once its listeners succeeded: a listener that failed (or a
 * process that died mid-way) leaves it unrecorded, so a redelivery runs it again. Listeners must
 * therefore be idempotent (membership is a set, a welcome's outbox key is unique); a copy arriving
 * while the first is still being handled in this process is dropped. Old keys are pruned by the
 * retention job (src/jobs/retention.ts).
 */
export function dedupeEvents(db: Storage, now: Clock): Middleware<AnyMiddlewareArgs> {
  const handling = new Set<string>();
  return async (args) => {
    const body = args.body as { type?: unknown; event_id?: unknown; team_id?: unknown };
    if (body.type !== 'event_callback' || typeof body.event_id !== 'string') {
      await args.next();
      return;
    }
    const workspaceId = typeof body.team_id === 'string' ? body.team_id : '';
    const key = `event:${body.event_id}`;
    const local = `${workspaceId} ${key}`;
    if (handling.has(local)) return;
    // Marked before the database is asked, so a copy arriving meanwhile is dropped too.
    handling.add(local);
    try {
      if (await isClaimed(db, workspaceId, key)) return;
      await args.next();
      // Events are acked before their listeners run, so a busy database is waited out here, not re-run.
      await retryWhileBusy(() => claimRequest(db, workspaceId, key, now()));
    } finally {
      handling.delete(local);
    }
  };
}
