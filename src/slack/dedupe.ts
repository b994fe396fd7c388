import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { processedRequests } from '../db/schema.js';
import type { Clock } from '../domain/result.js';

/** Records a request key; false when it was already there (a redelivery or a double submission). */
export function claimRequest(db: Db, workspaceId: string, key: string, now: Date): boolean {
  return db.insert(processedRequests).values({ workspaceId, key, createdAt: now.getTime() }).onConflictDoNothing().run().changes > 0;
}

/**
 * Stores what the first arrival of a request produced (an issue id, say), in the transaction that
 * claimed it, so a repeated arrival can answer with exactly the same thing instead of guessing.
 */
export function recordRequestResult(db: Db, workspaceId: string, key: string, result: string): void {
  db.update(processedRequests).set({ result }).where(and(eq(processedRequests.workspaceId, workspaceId), eq(processedRequests.key, key))).run();
}

/** What the first arrival recorded; undefined when the key is unknown or nothing was recorded. */
export function requestResult(db: Db, workspaceId: string, key: string): string | undefined {
  const row = db
    .select({ result: processedRequests.result })
    .from(processedRequests)
    .where(and(eq(processedRequests.workspaceId, workspaceId), eq(processedRequests.key, key)))
    .get();
  return row?.result ?? undefined;
}

/** Slack redelivers an event (same event_id, x-slack-retry-num) when our answer was slow or lost. */
export function dedupeEvents(db: Db, now: Clock): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { type?: unknown; event_id?: unknown; team_id?: unknown };
    if (body.type === 'event_callback' && typeof body.event_id === 'string') {
      const workspaceId = typeof body.team_id === 'string' ? body.team_id : '';
      if (!claimRequest(db, workspaceId, `event:${body.event_id}`, now())) return;
    }
    await args.next();
  };
}

/** Keys older than a week are no longer needed: Slack stops retrying within the hour. */
export function forgetOldRequests(db: Db, now: Date): number {
  return db.delete(processedRequests).where(lt(processedRequests.createdAt, now.getTime() - 7 * 24 * 60 * 60 * 1000)).run().changes;
}
