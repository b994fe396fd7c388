import { and, asc, eq } from 'drizzle-orm';
import { affectedRows, type Storage } from '../../db/storage.js';
import { digestRuns, digestSchedules, digestSubscriptions } from '../../db/schema.js';

export type StoredSchedule = typeof digestSchedules.$inferSelect;

/** The scope of the coordinators' roll-up in `digest_schedules` and `digest_runs`. */
export const ROLLUP_SCOPE = '*';

/** Digest schedules, claimed runs and roll-up subscriptions. Wraps drizzle; no rules here. */
export class DigestRepository {
  constructor(private readonly db: Storage) {}

  get database(): Storage {
    return this.db;
  }

  async schedule(workspaceId: string, scope: string): Promise<StoredSchedule | undefined> {
    return await this.db
      .select()
      .from(digestSchedules)
      .where(and(eq(digestSchedules.workspaceId, workspaceId), eq(digestSchedules.scope, scope)))
      .get();
  }

  async setSchedule(row: StoredSchedule): Promise<void> {
    await this.db
      .insert(digestSchedules)
      .values(row)
      .onConflictDoUpdate({
        target: [digestSchedules.workspaceId, digestSchedules.scope],
        set: { cron: row.cron, timeZone: row.timeZone, updatedBy: row.updatedBy, updatedAt: row.updatedAt },
      })
      .run();
  }

  async clearSchedule(workspaceId: string, scope: string): Promise<boolean> {
    const result = await this.db
      .delete(digestSchedules)
      .where(and(eq(digestSchedules.workspaceId, workspaceId), eq(digestSchedules.scope, scope)))
      .run();
    return affectedRows(result) > 0;
  }

  async isClaimed(workspaceId: string, scope: string, scheduledFor: number): Promise<boolean> {
    const row = await this.db
      .select({ id: digestRuns.id })
      .from(digestRuns)
      .where(and(eq(digestRuns.workspaceId, workspaceId), eq(digestRuns.scope, scope), eq(digestRuns.scheduledFor, scheduledFor)))
      .get();
    return row !== undefined;
  }

  /**
   * The at-most-once claim: false when another run (or instance) already took this scheduled
   * digest. The unique (workspace, scope, scheduled_for) index decides, on either engine.
   */
  async claim(run: typeof digestRuns.$inferInsert): Promise<boolean> {
    return affectedRows(await this.db.insert(digestRuns).values(run).onConflictDoNothing().run()) > 0;
  }

  async subscribe(workspaceId: string, userId: string, createdAt: number): Promise<boolean> {
    return affectedRows(await this.db.insert(digestSubscriptions).values({ workspaceId, userId, createdAt }).onConflictDoNothing().run()) > 0;
  }

  async unsubscribe(workspaceId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .delete(digestSubscriptions)
      .where(and(eq(digestSubscriptions.workspaceId, workspaceId), eq(digestSubscriptions.userId, userId)))
      .run();
    return affectedRows(result) > 0;
  }

  async subscribers(workspaceId: string): Promise<string[]> {
    const rows = await this.db
      .select({ userId: digestSubscriptions.userId })
      .from(digestSubscriptions)
      .where(eq(digestSubscriptions.workspaceId, workspaceId))
      .orderBy(asc(digestSubscriptions.createdAt))
      .all();
    return rows.map((r) => r.userId);
  }
}
