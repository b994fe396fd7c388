import { sql } from 'drizzle-orm';
import type { Storage } from '../db/storage.js';
import type { AppLogger } from '../logger.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * How long bookkeeping rows are kept. Each table would otherwise grow with every request forever.
 * - Request keys (`processed_requests`): Slack stops redelivering an event within the hour and a
 *   double submission arrives within seconds; a week covers both with room to spare.
 * - Outbox rows that are done (sent, cancelled) after 30 days, failed ones after 90 (someone may
 *   still look at why, or put one back to `pending`). Rows still to send are never pruned. Every
 *   dedupe key names a one-time event (an issue's update at its `updated_at`, a meeting's reminder
 *   for its sequence, a claimed digest run), so a pruned key is never queued again.
 * - Audit log: a year, long enough for a yearly review of who was refused what.
 */
export const RETENTION = {
  processedRequestsMs: 7 * DAY,
  outboxDoneMs: 30 * DAY,
  outboxFailedMs: 90 * DAY,
  auditLogMs: 365 * DAY,
} as const;

/** Rows deleted per statement: short write transactions, so requests are never held up for long. */
const BATCH = 2_000;

export interface RetentionResult {
  processedRequests: number;
  outbox: number;
  auditLog: number;
}

const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Deletes matching rows a batch at a time, yielding between batches. */
async function deleteInBatches(db: Storage, statement: (limit: number) => ReturnType<typeof sql>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.execute(statement(BATCH));
    total += deleted;
    if (deleted < BATCH) return total;
    await yieldToRequests();
  }
}

/** Runs once per call at `now`: removes what is older than its retention (see RETENTION). */
export async function runRetention(deps: { db: Storage; now: Date; logger: AppLogger }): Promise<RetentionResult> {
  const at = deps.now.getTime();
  const processedRequests = await deleteInBatches(
    deps.db,
    // The table has no id: a row is its (workspace, key), compared as a row value on both engines.
    (limit) =>
      sql`delete from processed_requests where (team_id, key) in (select team_id, key from processed_requests where created_at < ${at - RETENTION.processedRequestsMs} limit ${limit})`,
  );
  const outbox = await deleteInBatches(
    deps.db,
    (limit) => sql`delete from outbox where id in (select id from outbox where
      (status in ('sent', 'cancelled') and created_at < ${at - RETENTION.outboxDoneMs})
      or (status = 'failed' and created_at < ${at - RETENTION.outboxFailedMs}) limit ${limit})`,
  );
  const auditLog = await deleteInBatches(deps.db, (limit) => sql`delete from audit_log where id in (select id from audit_log where created_at < ${at - RETENTION.auditLogMs} limit ${limit})`);
  const result = { processedRequests, outbox, auditLog };
  deps.logger.event('info', 'job', { job: 'retention', outcome: 'ok', deleted: result });
  return result;
}
