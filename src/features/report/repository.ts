import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { reportRuns, reportSchedules } from '../../db/schema.js';

export type ReportSchedule = typeof reportSchedules.$inferSelect;
export type ReportRun = typeof reportRuns.$inferSelect;

/** Report schedules and the claims of scheduled runs. Wraps drizzle; no rules here. */
export class ReportRepository {
  constructor(private readonly db: Db) {}

  get database(): Db {
    return this.db;
  }

  schedules(workspaceId: string): ReportSchedule[] {
    return this.db.select().from(reportSchedules).where(eq(reportSchedules.workspaceId, workspaceId)).all();
  }

  scheduleOf(workspaceId: string, userId: string): ReportSchedule | undefined {
    return this.db
      .select()
      .from(reportSchedules)
      .where(and(eq(reportSchedules.workspaceId, workspaceId), eq(reportSchedules.userId, userId)))
      .get();
  }

  /** Adds or keeps a schedule; false when the person already had one (its start stays, so no run is skipped or repeated). */
  addSchedule(row: ReportSchedule): boolean {
    return this.db.insert(reportSchedules).values(row).onConflictDoNothing().run().changes > 0;
  }

  removeSchedule(workspaceId: string, userId: string): boolean {
    return this.db.delete(reportSchedules).where(and(eq(reportSchedules.workspaceId, workspaceId), eq(reportSchedules.userId, userId))).run().changes > 0;
  }

  run(workspaceId: string, userId: string, period: string): ReportRun | undefined {
    return this.db
      .select()
      .from(reportRuns)
      .where(and(eq(reportRuns.workspaceId, workspaceId), eq(reportRuns.userId, userId), eq(reportRuns.period, period)))
      .get();
  }

  /**
   * Claims a scheduled report in one immediate transaction: a new claim, or the take-over of one
   * whose lease ran out without being sent (its instance died mid-delivery). False when it was sent
   * or another instance holds a live claim.
   */
  claim(c: { workspaceId: string; userId: string; period: string; instanceId: string; now: number; leaseMs: number }): boolean {
    return this.db.transaction(
      (tx) => {
        const inserted = tx
          .insert(reportRuns)
          .values({ workspaceId: c.workspaceId, userId: c.userId, period: c.period, status: 'sending', claimedBy: c.instanceId, leaseUntil: c.now + c.leaseMs, createdAt: c.now })
          .onConflictDoNothing()
          .run().changes;
        if (inserted > 0) return true;
        const taken = tx
          .update(reportRuns)
          .set({ status: 'sending', claimedBy: c.instanceId, leaseUntil: c.now + c.leaseMs, attempts: sqlIncrement() })
          .where(
            and(
              eq(reportRuns.workspaceId, c.workspaceId),
              eq(reportRuns.userId, c.userId),
              eq(reportRuns.period, c.period),
              or(and(eq(reportRuns.status, 'sending'), lt(reportRuns.leaseUntil, c.now)), and(eq(reportRuns.status, 'failed'), lt(reportRuns.leaseUntil, c.now), lt(reportRuns.attempts, MAX_REPORT_ATTEMPTS))),
            ),
          )
          .run().changes;
        return taken > 0;
      },
      { behavior: 'immediate' },
    );
  }

  markSent(workspaceId: string, userId: string, period: string, now: number): void {
    this.db
      .update(reportRuns)
      .set({ status: 'sent', sentAt: now, lastError: null })
      .where(and(eq(reportRuns.workspaceId, workspaceId), eq(reportRuns.userId, userId), eq(reportRuns.period, period)))
      .run();
  }

  /** The summary could not be delivered: try again after `retryAt` (up to MAX_REPORT_ATTEMPTS). */
  markFailed(workspaceId: string, userId: string, period: string, error: string, retryAt: number): void {
    this.db
      .update(reportRuns)
      .set({ status: 'failed', lastError: error.slice(0, 500), leaseUntil: retryAt })
      .where(and(eq(reportRuns.workspaceId, workspaceId), eq(reportRuns.userId, userId), eq(reportRuns.period, period)))
      .run();
  }
}

export const MAX_REPORT_ATTEMPTS = 5;

const sqlIncrement = () => sql`${reportRuns.attempts} + 1`;
