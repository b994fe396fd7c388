import { sql } from 'drizzle-orm';
import { greater } from '../../db/portable.js';
import type { Storage } from '../../db/storage.js';
import { parseJsonText } from '../../domain/json.js';
import { enqueueRefresh } from '../../outbox/outbox.js';
import type { HomeNotice } from './model.js';

/*
 * Republishing Home tabs. Triggers (migrations/0011_home_triggers.sql on SQLite, the same ones in
 * migrations-pg/0004_triggers.sql on PostgreSQL) bump `home_tabs.version` in the same transaction
 * as every write that changes what a Home shows. This module decides when each stale
 * Home goes: once its burst of changes has settled, at most HOME_PUBLISHES_PER_MINUTE a minute per
 * workspace, and only for people who opened their Home. It then hands the Home to the outbox as a
 * coalesced `home` refresh (views.publish), which renders it from the database at send time and
 * retries a failed call (so a retry carries the latest state, never the one that failed).
 */

/** A burst settles: the first change seen waits this long for the next ones before the Home is published. */
export const HOME_SETTLE_MS = 1000;
/**
 * Slack's views.publish is a Tier 4 method: 100+ calls a minute per workspace. Alliance hands at
 * most 100 Homes a minute per workspace to the outbox, counted in a table every instance shares.
 */
export const HOME_PUBLISHES_PER_MINUTE = 100;
const WINDOW_MS = 60_000;

/** The outbox refresh kind of a Home tab; its ref is `<workspace>:<user>`. */
export const HOME_REFRESH = 'home';
export const homeRef = (workspaceId: string, userId: string): string => `${workspaceId}:${userId}`;
export function parseHomeRef(ref: string): { workspaceId: string; userId: string } | undefined {
  const match = /^([A-Z0-9]+):([UW][A-Z0-9]+)$/.exec(ref);
  return match?.[1] === undefined || match[2] === undefined ? undefined : { workspaceId: match[1], userId: match[2] };
}

/** What Slack told us about the person at their last open or click (users.info). */
export interface HomeActorFacts {
  isAdmin: boolean;
  isExternal: boolean;
  isCoordinator: boolean;
}

export interface HomeRunResult {
  /** Homes handed to the outbox to publish. */
  queued: number;
  /** Stale Homes left for a later run (settling, or over the minute's share of views.publish). */
  waiting: number;
  /** Homes whose change this run saw first: they go once the burst has settled. */
  newlySeen: number;
}

/** The home_tabs table: who opened their Home, which Homes are stale, and their last notice. */
export class HomeTabs {
  constructor(private readonly db: Storage) {}

  /** The person opened their Home: remember them (and what Slack says of them) and publish it now. */
  async opened(ws: string, user: string, facts: HomeActorFacts, now: Date): Promise<void> {
    const { coordinator, admin, external } = flags(facts);
    // The SET expressions read the row as it was (qualified: PostgreSQL finds a bare name ambiguous there).
    await this.db.execute(sql`
      insert into home_tabs (team_id, user_id, is_coordinator, is_admin, is_external, version, published_version, seen_at, opened_at, notice_json)
      values (${ws}, ${user}, ${coordinator}, ${admin}, ${external}, 1, 0, 0, ${now.getTime()}, null)
      on conflict (team_id, user_id) do update set is_coordinator = excluded.is_coordinator, is_admin = excluded.is_admin, is_external = excluded.is_external,
        version = home_tabs.version + 1, seen_at = 0, notice_json = null`);
  }

  /** Keeps what Slack says of the person current (they clicked on their Home). */
  async remember(ws: string, user: string, facts: HomeActorFacts): Promise<void> {
    const { coordinator, admin, external } = flags(facts);
    await this.db.execute(sql`update home_tabs set is_coordinator = ${coordinator}, is_admin = ${admin}, is_external = ${external} where team_id = ${ws} and user_id = ${user}`);
  }

  /** What a Home renders from besides the data: the person's facts and their notice; undefined when they never opened it. */
  async tab(ws: string, user: string): Promise<{ isAdmin: boolean; isExternal: boolean; notice: HomeNotice | undefined } | undefined> {
    const [row] = await this.db.rows<{ isAdmin: number; isExternal: number; noticeJson: string | null }>(
      sql`select is_admin as "isAdmin", is_external as "isExternal", notice_json as "noticeJson" from home_tabs where team_id = ${ws} and user_id = ${user}`,
    );
    return row === undefined ? undefined : { isAdmin: row.isAdmin === 1, isExternal: row.isExternal === 1, notice: parseNotice(row.noticeJson) };
  }

  /** Show this on top of the person's Home and publish it now (the answer to a click on their Home). */
  async setNotice(ws: string, user: string, notice: HomeNotice): Promise<boolean> {
    const changed = await this.db.execute(
      sql`update home_tabs set notice_json = ${JSON.stringify(notice)}, version = version + 1, seen_at = 0 where team_id = ${ws} and user_id = ${user}`,
    );
    return changed > 0;
  }

  /** Publish this person's Home without waiting for a burst to settle (they just clicked on it). */
  async urgent(ws: string, user: string): Promise<boolean> {
    return (await this.db.execute(sql`update home_tabs set version = version + 1, seen_at = 0 where team_id = ${ws} and user_id = ${user}`)) > 0;
  }

  /**
   * Hands each stale, settled Home to the outbox (a coalesced `home` refresh), within the
   * workspace's share of views.publish calls this minute, in one transaction with the
   * bookkeeping: two instances never hand over the same change twice (SQLite: one writer at a
   * time; PostgreSQL: a serializable transaction, re-run from the start after a conflict).
   */
  async handOver(now: Date, perMinute: number): Promise<{ queued: number; newlySeen: number }> {
    const at = now.getTime();
    // Most runs find nothing stale: say so from a read, without taking the write lock another
    // instance's requests may be waiting for.
    const anyStale = await this.db.rows(sql`select 1 as one from home_tabs where version > published_version limit 1`);
    if (anyStale.length === 0) return { queued: 0, newlySeen: 0 };
    return await this.db.transaction(async (tx) => {
      const newlySeen = await tx.execute(sql`update home_tabs set seen_at = ${at} where version > published_version and seen_at is null`);
      let queued = 0;
      const workspaces = await tx.rows<{ ws: string }>(sql`select distinct team_id as ws from home_tabs where version > published_version order by ws`);
      for (const { ws } of workspaces) {
        const [rate] = await tx.rows<{ windowStart: number; sent: number }>(sql`select window_start as "windowStart", sent from home_publish_rate where team_id = ${ws}`);
        const window = at - (at % WINDOW_MS);
        const sent = rate !== undefined && rate.windowStart === window ? rate.sent : 0;
        const allowed = Math.max(0, perMinute - sent);
        if (allowed === 0) continue;
        const due = await tx.rows<{ userId: string; version: number }>(
          sql`select user_id as "userId", version from home_tabs
              where team_id = ${ws} and version > published_version and seen_at is not null and seen_at <= ${at - HOME_SETTLE_MS}
              order by seen_at, user_id limit ${allowed}`,
        );
        for (const row of due) {
          await enqueueRefresh(tx, { workspaceId: ws, kind: HOME_REFRESH, ref: homeRef(ws, row.userId), method: 'views.publish' }, now);
          await tx.execute(
            sql`update home_tabs set published_version = ${greater(sql`published_version`, sql`${row.version}`)}, published_at = ${at}, seen_at = null
                where team_id = ${ws} and user_id = ${row.userId}`,
          );
        }
        if (due.length > 0) {
          await tx.execute(
            sql`insert into home_publish_rate (team_id, window_start, sent) values (${ws}, ${window}, ${sent + due.length})
                on conflict (team_id) do update set window_start = excluded.window_start, sent = excluded.sent`,
          );
        }
        queued += due.length;
      }
      return { queued, newlySeen };
    });
  }

  async waiting(): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(sql`select count(*) as n from home_tabs where version > published_version`);
    return row?.n ?? 0;
  }
}

/** SQLite and PostgreSQL both store these flags as 0/1 integers. */
function flags(facts: HomeActorFacts): { coordinator: number; admin: number; external: number } {
  return { coordinator: facts.isCoordinator ? 1 : 0, admin: facts.isAdmin ? 1 : 0, external: facts.isExternal ? 1 : 0 };
}

function parseNotice(json: string | null): HomeNotice | undefined {
  // A damaged notice is dropped; the Home itself is what matters.
  const value = json === null ? undefined : (parseJsonText(json) as { text?: unknown; blocks?: unknown } | null | undefined);
  if (value === undefined || value === null || typeof value.text !== 'string') return undefined;
  return Array.isArray(value.blocks) ? { text: value.text, blocks: value.blocks } : { text: value.text };
}

/** Hands every stale Home that is due to the outbox, once each. Runs once per call. */
export async function runHomeRefresh(db: Storage, now: Date, perMinute = HOME_PUBLISHES_PER_MINUTE): Promise<HomeRunResult> {
  const tabs = new HomeTabs(db);
  const { queued, newlySeen } = await tabs.handOver(now, perMinute);
  return { queued, waiting: await tabs.waiting(), newlySeen };
}
