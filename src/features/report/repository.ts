import { and, eq, lt, or, sql } from 'drizzle-orm';
import { affectedRows, type Storage } from '../../db/storage.js';
import { reportRuns, reportSchedules } from '../../db/schema.js';

export type ReportSchedule = typeof reportSchedules.$inferSelect;
export type ReportRun = typeof reportRuns.$inferSelect;

/** Report schedules and the claims of scheduled runs. Wraps drizzle; no rules here. */
export class ReportRepository {
  constructor(private readonly db: Storage) {}

  get database(): Storage {
    return this.db;
  }

  async schedules(workspaceId: string): Promise<ReportSchedule[]> {
    return await this.db.select().from(reportSchedules).where(eq(reportSchedules.workspaceId, workspaceId)).all();
  }

  async scheduleOf(workspaceId: string, userId: string): Promise<ReportSchedule | undefined> {
    return await this.db
      .select()
      .from(reportSchedules)
      .where(and(eq(reportSchedules.workspaceId, workspaceId), eq(reportSchedules.userId, userId)))
      .get();
  }

  /** Adds or keeps a schedule; false when the person already had one (its start stays, so no run is skipped or repeated). */
  async addSchedule(row: ReportSchedule): Promise<boolean> {
    return affectedRows(await this.db.insert(reportSchedules).values(row).onConflictDoNothing().run()) > 0;
  }

  async removeSchedule(workspaceId: string, userId: string): Promise<boolean> {
    return affectedRows(await this.db.delete(reportSchedules).where(and(eq(reportSchedules.workspaceId, workspaceId), eq(reportSchedules.userId, userId))).run()) > 0;
  }

  async run(workspaceId: string, userId: string, period: string): Promise<ReportRun | undefined> {
    return await this.db
      .select()
      .from(reportRuns)
      .where(and(eq(reportRuns.workspaceId, workspaceId), eq(reportRuns.userId, userId), eq(reportRuns.period, period)))
      .get();
  }

  /**
   * Claims a scheduled report in one transaction: a new claim, or the take-over of one whose lease
   * ran out without being sent (its instance died mid-delivery). False when it was sent or another
   * instance holds a live claim.
   */
  async claim(c: { workspaceId: string; userId: string; period: string; instanceId: string; now: number; leaseMs: number }): Promise<boolean> {
    return await this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(reportRuns)
        .values({ workspaceId: c.workspaceId, userId: c.userId, period: c.period, status: 'sending', claimedBy: c.instanceId, leaseUntil: c.now + c.leaseMs, createdAt: c.now })
        .onConflictDoNothing()
        .run();
      if (affectedRows(inserted) > 0) return true;
      const taken = await tx
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
        .run();
      return affectedRows(taken) > 0;
    });
  }

  async markSent(workspaceId: string, userId: string, period: string, now: number): Promise<void> {
    await this.db
      .update(reportRuns)
      .set({ status: 'sent', sentAt: now, lastError: null })
      .where(and(eq(reportRuns.workspaceId, workspaceId), eq(reportRuns.userId, userId), eq(reportRuns.period, period)))
      .run();
  }

  /** The summary could not be delivered: try again after `retryAt` (up to MAX_REPORT_ATTEMPTS). */
  async markFailed(workspaceId: string, userId: string, period: string, error: string, retryAt: number): Promise<void> {
    await this.db
      .update(reportRuns)
      .set({ status: 'failed', lastError: error.slice(0, 500), leaseUntil: retryAt })
      .where(and(eq(reportRuns.workspaceId, workspaceId), eq(reportRuns.userId, userId), eq(reportRuns.period, period)))
      .run();
  }
}

export const MAX_REPORT_ATTEMPTS = 5;

const sqlIncrement = () => sql`${reportRuns.attempts} + 1`;
