import type { App } from '@slack/bolt';
import { and, eq, getTableColumns, inArray, lt, sql } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../db/schema.js';
import { homeTabs, outbox, slackInstallations } from '../db/schema.js';
import { affectedRows, type Storage } from '../db/storage.js';
import type { Clock } from '../domain/result.js';
import type { AppLogger } from '../logger.js';
import type { DatabaseInstallationStore } from './installation-store.js';

/** Events that say a workspace's tokens are gone; Bolt must not look a token up to deliver them. */
export const REVOCATION_EVENTS: ReadonlySet<string> = new Set(['app_uninstalled', 'tokens_revoked']);

/** Whether a request body is one of REVOCATION_EVENTS (its authorize must not need a live token). */
export function isRevocation(body: unknown): boolean {
  const event = (body as { event?: { type?: unknown } } | undefined)?.event;
  return typeof event?.type === 'string' && REVOCATION_EVENTS.has(event.type);
}

export interface UninstallDeps {
  store: DatabaseInstallationStore;
  db: Storage;
  logger: AppLogger;
  now: Clock;
}

/**
 * The workspace is gone (uninstalled, or its bot token revoked): its tokens are deleted at once,
 * nothing more is sent for it (messages still waiting in the outbox are cancelled, Homes are no
 * longer republished) and its jobs stop, since jobs run for live installations only. Its data stays
 * for ALLIANCE_DATA_RETENTION_DAYS (a reinstall brings it back) and is then purged.
 */
export async function workspaceGone(deps: UninstallDeps, workspaceId: string, why: string): Promise<void> {
  await deps.store.deleteInstallation({ teamId: workspaceId, enterpriseId: undefined, isEnterpriseInstall: false });
  // Together, so a Home refresh cannot queue a publish for the workspace between the two.
  const cancelled = await deps.db.transaction(async (tx) => {
    const rows = affectedRows(
      await tx
        .update(outbox)
        .set({ status: 'cancelled', lastError: why, leaseUntil: null })
        .where(and(eq(outbox.workspaceId, workspaceId), inArray(outbox.status, ['pending', 'verify', 'sending'])))
        .run(),
    );
    await tx.update(homeTabs).set({ publishedVersion: sql`${homeTabs.version}` }).where(eq(homeTabs.workspaceId, workspaceId)).run();
    return rows;
  });
  deps.logger.event('warn', 'workspace uninstalled: tokens deleted, sending stopped', { workspaceId, why, cancelledMessages: cancelled });
}

export function registerUninstall(app: App, deps: UninstallDeps): void {
  app.event('app_uninstalled', async ({ body }) => {
    await workspaceGone(deps, body.team_id, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    // Only the bot token matters to us; a revoked user token (we ask for none) changes nothing.
    if ((event.tokens.bot ?? []).length > 0) await workspaceGone(deps, body.team_id, 'tokens_revoked');
  });
}

/** Every table that holds a workspace's rows, children before parents (reverse of schema.ts's order). */
const WORKSPACE_TABLES: SQLiteTable[] = (Object.values(schema) as unknown[])
  .filter((t): t is SQLiteTable => t instanceof SQLiteTable && 'workspaceId' in getTableColumns(t))
  .reverse();

/**
 * Deletes everything of workspaces uninstalled more than `retentionDays` ago, their installation
 * row included. Runs nightly; a workspace that reinstalled in time is not "uninstalled" any more.
 */
export async function purgeUninstalled(deps: UninstallDeps & { retentionDays: number }): Promise<{ purged: string[] }> {
  const before = deps.now().getTime() - deps.retentionDays * 24 * 60 * 60 * 1000;
  const due = await deps.store.uninstalledBefore(before);
  const purged: string[] = [];
  for (const workspaceId of due) {
    const done = await deps.db.transaction(async (tx) => {
      // Read again in the transaction that deletes: a reinstall since the list was read keeps its data.
      const still = await tx
        .select({ workspaceId: slackInstallations.workspaceId })
        .from(slackInstallations)
        .where(and(eq(slackInstallations.workspaceId, workspaceId), lt(slackInstallations.uninstalledAt, before)))
        .get();
      if (still === undefined) return false;
      for (const table of WORKSPACE_TABLES) {
        const column = (getTableColumns(table) as Record<string, Parameters<typeof eq>[0]>)['workspaceId'];
        await tx.delete(table).where(eq(column as never, workspaceId)).run();
      }
      return true;
    });
    if (!done) continue;
    purged.push(workspaceId);
    deps.logger.event('info', 'workspace data purged after its retention period', { workspaceId, tables: WORKSPACE_TABLES.map((t) => getTableConfig(t).name).length });
  }
  return { purged };
}
