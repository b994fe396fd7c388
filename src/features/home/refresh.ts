import type Database from 'better-sqlite3';
import type { Db } from '../../db/open.js';
import { parseJsonText } from '../../domain/json.js';
import { enqueueRefresh } from '../../outbox/outbox.js';
import type { HomeNotice } from './model.js';

/*
 * Republishing Home tabs. Triggers (migration `home_triggers`) bump `home_tabs.version` in the same
 * transaction as every write that changes what a Home shows. This module decides when each stale
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
  private readonly s: Record<string, Database.Statement>;

  constructor(private readonly db: Db) {
    const p = (text: string) => db.$client.prepare(text);
    this.s = {
      open: p(
        `insert into home_tabs (team_id, user_id, is_coordinator, is_admin, is_external, version, published_version, seen_at, opened_at, notice_json)
         values (@ws, @user, @coordinator, @admin, @external, 1, 0, 0, @now, null)
         on conflict (team_id, user_id) do update set is_coordinator = @coordinator, is_admin = @admin, is_external = @external,
           version = version + 1, seen_at = 0, notice_json = null`,
      ),
      facts: p('update home_tabs set is_coordinator = @coordinator, is_admin = @admin, is_external = @external where team_id = @ws and user_id = @user'),
      row: p('select is_admin as isAdmin, is_external as isExternal, notice_json as noticeJson from home_tabs where team_id = @ws and user_id = @user'),
      notice: p('update home_tabs set notice_json = @notice, version = version + 1, seen_at = 0 where team_id = @ws and user_id = @user'),
      urgent: p('update home_tabs set version = version + 1, seen_at = 0 where team_id = @ws and user_id = @user'),
      markSeen: p('update home_tabs set seen_at = @now where version > published_version and seen_at is null'),
      due: p(
        `select user_id as userId, version from home_tabs
         where team_id = @ws and version > published_version and seen_at is not null and seen_at <= @settled
         order by seen_at limit @limit`,
      ),
      handedOver: p('update home_tabs set published_version = max(published_version, @version), published_at = @now, seen_at = null where team_id = @ws and user_id = @user'),
      waiting: p('select count(*) as n from home_tabs where version > published_version'),
      anyStale: p('select 1 as one from home_tabs where version > published_version limit 1'),
      rate: p('select window_start as windowStart, sent from home_publish_rate where team_id = @ws'),
      setRate: p(
        `insert into home_publish_rate (team_id, window_start, sent) values (@ws, @window, @sent)
         on conflict (team_id) do update set window_start = @window, sent = @sent`,
      ),
      workspaces: p('select distinct team_id as ws from home_tabs where version > published_version'),
    };
  }

  private statement(name: string): Database.Statement {
    const s = this.s[name];
    if (s === undefined) throw new Error(`no home_tabs statement ${name}`);
    return s;
  }

  private run(name: string, params: Record<string, unknown>): number {
    return this.statement(name).run(params).changes;
  }

  /** The person opened their Home: remember them (and what Slack says of them) and publish it now. */
  opened(ws: string, user: string, facts: HomeActorFacts, now: Date): void {
    this.run('open', { ws, user, coordinator: facts.isCoordinator ? 1 : 0, admin: facts.isAdmin ? 1 : 0, external: facts.isExternal ? 1 : 0, now: now.getTime() });
  }

  /** Keeps what Slack says of the person current (they clicked on their Home). */
  remember(ws: string, user: string, facts: HomeActorFacts): void {
    this.run('facts', { ws, user, coordinator: facts.isCoordinator ? 1 : 0, admin: facts.isAdmin ? 1 : 0, external: facts.isExternal ? 1 : 0 });
  }

  /** What a Home renders from besides the data: the person's facts and their notice; undefined when they never opened it. */
  tab(ws: string, user: string): { isAdmin: boolean; isExternal: boolean; notice: HomeNotice | undefined } | undefined {
    const row = this.statement('row').get({ ws, user }) as { isAdmin: number; isExternal: number; noticeJson: string | null } | undefined;
    return row === undefined ? undefined : { isAdmin: row.isAdmin === 1, isExternal: row.isExternal === 1, notice: parseNotice(row.noticeJson) };
  }

  /** Show this on top of the person's Home and publish it now (the answer to a click on their Home). */
  setNotice(ws: string, user: string, notice: HomeNotice): boolean {
    return this.run('notice', { ws, user, notice: JSON.stringify(notice) }) > 0;
  }

  /** Publish this person's Home without waiting for a burst to settle (they just clicked on it). */
  urgent(ws: string, user: string): boolean {
    return this.run('urgent', { ws, user }) > 0;
  }

  /**
   * Hands each stale, settled Home to the outbox (a coalesced `home` refresh), within the
   * workspace's share of views.publish calls this minute, in one immediate transaction with the
   * bookkeeping: two instances never hand over the same change twice.
   */
  handOver(now: Date, perMinute: number): { queued: number; newlySeen: number } {
    const at = now.getTime();
    // Most runs find nothing stale: say so from a read, without taking the write lock another
    // instance's requests may be waiting for.
    if (this.statement('anyStale').get() === undefined) return { queued: 0, newlySeen: 0 };
    return this.db.$client
      .transaction(() => {
        const newlySeen = this.run('markSeen', { now: at });
        let queued = 0;
        for (const { ws } of this.statement('workspaces').all() as Array<{ ws: string }>) {
          const rate = this.statement('rate').get({ ws }) as { windowStart: number; sent: number } | undefined;
          const window = at - (at % WINDOW_MS);
          const sent = rate !== undefined && rate.windowStart === window ? rate.sent : 0;
          const allowed = Math.max(0, perMinute - sent);
          if (allowed === 0) continue;
          const rows = this.statement('due').all({ ws, settled: at - HOME_SETTLE_MS, limit: allowed }) as Array<{ userId: string; version: number }>;
          for (const row of rows) {
            enqueueRefresh(this.db, { workspaceId: ws, kind: HOME_REFRESH, ref: homeRef(ws, row.userId), method: 'views.publish' }, now);
            this.run('handedOver', { ws, user: row.userId, version: row.version, now: at });
          }
          if (rows.length > 0) this.run('setRate', { ws, window, sent: sent + rows.length });
          queued += rows.length;
        }
        return { queued, newlySeen };
      })
      .immediate();
  }

  waiting(): number {
    return (this.statement('waiting').get() as { n: number }).n;
  }
}

function parseNotice(json: string | null): HomeNotice | undefined {
  // A damaged notice is dropped; the Home itself is what matters.
  const value = json === null ? undefined : (parseJsonText(json) as { text?: unknown; blocks?: unknown } | null | undefined);
  if (value === undefined || value === null || typeof value.text !== 'string') return undefined;
  return Array.isArray(value.blocks) ? { text: value.text, blocks: value.blocks } : { text: value.text };
}

/** Hands every stale Home that is due to the outbox, once each. Runs once per call. */
export function runHomeRefresh(db: Db, now: Date, perMinute = HOME_PUBLISHES_PER_MINUTE): HomeRunResult {
  const tabs = new HomeTabs(db);
  const { queued, newlySeen } = tabs.handOver(now, perMinute);
  return { queued, waiting: tabs.waiting(), newlySeen };
}
