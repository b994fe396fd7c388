import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { digestRuns, digestSchedules, digestSubscriptions } from '../../db/schema.js';

export type StoredSchedule = typeof digestSchedules.$inferSelect;

/** The scope of the coordinators' roll-up in `digest_schedules` and `digest_runs`. */
export const ROLLUP_SCOPE = '*';

/** Digest schedules, claimed runs and roll-up subscriptions. Wraps drizzle; no rules here. */
export class DigestRepository {
  constructor(private readonly db: Db) {}

  get database(): Db {
    return this.db;
  }

  schedule(workspaceId: string, scope: string): StoredSchedule | undefined {
    return this.db
      .select()
      .from(digestSchedules)
      .where(and(eq(digestSchedules.workspaceId, workspaceId), eq(digestSchedules.scope, scope)))
      .get();
  }

  setSchedule(row: StoredSchedule): void {
    this.db
      .insert(digestSchedules)
      .values(row)
      .onConflictDoUpdate({
        target: [digestSchedules.workspaceId, digestSchedules.scope],
        set: { cron: row.cron, timeZone: row.timeZone, updatedBy: row.updatedBy, updatedAt: row.updatedAt },
      })
      .run();
  }

  clearSchedule(workspaceId: string, scope: string): boolean {
    return (
      this.db
        .delete(digestSchedules)
        .where(and(eq(digestSchedules.workspaceId, workspaceId), eq(digestSchedules.scope, scope)))
        .run().changes > 0
    );
  }

  isClaimed(workspaceId: string, scope: string, scheduledFor: number): boolean {
    return (
      this.db
        .select({ id: digestRuns.id })
        .from(digestRuns)
        .where(and(eq(digestRuns.workspaceId, workspaceId), eq(digestRuns.scope, scope), eq(digestRuns.scheduledFor, scheduledFor)))
        .get() !== undefined
    );
  }

  /** The at-most-once claim: false when another run (or instance) already took this scheduled digest. */
  claim(run: typeof digestRuns.$inferInsert): boolean {
    return this.db.insert(digestRuns).values(run).onConflictDoNothing().run().changes > 0;
  }

  subscribe(workspaceId: string, userId: string, createdAt: number): boolean {
    return this.db.insert(digestSubscriptions).values({ workspaceId, userId, createdAt }).onConflictDoNothing().run().changes > 0;
  }

  unsubscribe(workspaceId: string, userId: string): boolean {
    return (
      this.db
        .delete(digestSubscriptions)
        .where(and(eq(digestSubscriptions.workspaceId, workspaceId), eq(digestSubscriptions.userId, userId)))
        .run().changes > 0
    );
  }

  subscribers(workspaceId: string): string[] {
    return this.db
      .select({ userId: digestSubscriptions.userId })
      .from(digestSubscriptions)
      .where(eq(digestSubscriptions.workspaceId, workspaceId))
      .orderBy(asc(digestSubscriptions.createdAt))
      .all()
      .map((r) => r.userId);
  }
}
