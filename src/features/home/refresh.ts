import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import type { HomeView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/open.js';
import type { AppLogger } from '../../logger.js';
import { unscoped, type InWorkspace } from '../../slack/workspace-scope.js';
import { classifyFailure, retryDelayMs } from '../../outbox/outbox.js';
import type { HomeNotice } from './model.js';

/*
 * Republishing Home tabs. Triggers (migration 0008_home_triggers) bump `home_tabs.version` in the
 * same transaction as every write that changes what a Home shows; this publisher sends each stale
 * Home once, rendered from the database at send time, so a burst of changes becomes one publish
 * per person carrying the latest state, and a failed publish retried later loses nothing.
 */

/** A burst settles: the first change seen waits this long for the next ones before the Home is published. */
export const HOME_SETTLE_MS = 1000;
/**
 * Slack's views.publish is a Tier 4 method: 100+ calls a minute per workspace. We stay at 100,
 * counted in a table every instance shares, and stop for Slack's Retry-After when it says 429.
 */
export const HOME_PUBLISHES_PER_MINUTE = 100;
const WINDOW_MS = 60_000;
const MAX_ATTEMPTS = 8;
/** A Home whose person is gone, or that Slack refuses for good, is not retried until the next change or open. */
const PERMANENT = new Set(['user_not_found', 'account_inactive', 'invalid_auth', 'not_authed', 'token_revoked', 'missing_scope', 'not_allowed_token_type']);

export interface HomeTabRow {
  workspaceId: string;
  userId: string;
  version: number;
  notice: HomeNotice | undefined;
}

export interface HomeRunResult {
  published: number;
  retried: number;
  failed: number;
  /** Stale Homes left for a later run (settling, backing off, or over the rate limit). */
  waiting: number;
  /** When the next of them may go, if any. */
  nextAt: number | null;
  /** Homes whose change this run saw first: they go once the burst has settled. */
  newlySeen: number;
}

export interface HomePublisherDeps {
  db: Db;
  client: WebClient;
  logger: AppLogger;
  /** Renders a person's Home as of `now`, and says whether they are a coordinator now. */
  render(workspaceId: string, userId: string, now: Date, notice: HomeNotice | undefined): Promise<{ view: HomeView; coordinator: boolean }>;
  leaseMs?: number;
  publishesPerMinute?: number;
  /** Runs a workspace's publishes with its token (distribution mode). */
  inWorkspace?: InWorkspace;
}

/** The home_tabs table: who opened their Home, which Homes are stale, and their last notice. */
export class HomeTabs {
  private readonly s: Record<string, Database.Statement>;

  constructor(private readonly db: Db) {
    const p = (text: string) => db.$client.prepare(text);
    this.s = {
      open: p(
        `insert into home_tabs (team_id, user_id, is_coordinator, version, published_version, seen_at, opened_at, notice_json, not_before, attempts)
         values (@ws, @user, @coordinator, 1, 0, 0, @now, null, 0, 0)
         on conflict (team_id, user_id) do update set is_coordinator = @coordinator, version = version + 1, seen_at = 0,
           notice_json = null, not_before = 0, attempts = 0`,
      ),
      notice: p(
        `update home_tabs set notice_json = @notice, version = version + 1, seen_at = 0, not_before = min(not_before, @now)
         where team_id = @ws and user_id = @user`,
      ),
      urgent: p('update home_tabs set version = version + 1, seen_at = 0, not_before = min(not_before, @now) where team_id = @ws and user_id = @user'),
      markSeen: p('update home_tabs set seen_at = @now where version > published_version and seen_at is null'),
      due: p(
        `select team_id as workspaceId, user_id as userId, version, notice_json as noticeJson from home_tabs
         where team_id = @ws and version > published_version and not_before <= @now and (lease_until is null or lease_until <= @now)
           and seen_at is not null and seen_at <= @settled
         order by seen_at, not_before limit @limit`,
      ),
      // A change made while this Home is being published is seen afresh by the next run (or stays
      // urgent when it was a click on this Home), so it gets a publish of its own.
      lease: p('update home_tabs set lease_until = @until, seen_at = null where team_id = @ws and user_id = @user'),
      published: p(
        `update home_tabs set published_version = max(published_version, @version), published_at = @now, lease_until = null, attempts = 0,
           last_error = null, is_coordinator = @coordinator
         where team_id = @ws and user_id = @user`,
      ),
      retry: p(
        'update home_tabs set lease_until = null, attempts = attempts + 1, not_before = @notBefore, last_error = @error where team_id = @ws and user_id = @user',
      ),
      giveUp: p(
        `update home_tabs set published_version = max(published_version, @version), lease_until = null, attempts = 0, last_error = @error
         where team_id = @ws and user_id = @user`,
      ),
      attempts: p('select attempts from home_tabs where team_id = @ws and user_id = @user'),
      waiting: p(
        `select count(*) as n, min(max(not_before, coalesce(seen_at, 0) + @settle)) as nextAt from home_tabs
         where version > published_version`,
      ),
      rate: p('select window_start as windowStart, sent, blocked_until as blockedUntil from home_publish_rate where team_id = @ws'),
      setRate: p(
        `insert into home_publish_rate (team_id, window_start, sent, blocked_until) values (@ws, @window, @sent, @blocked)
         on conflict (team_id) do update set window_start = @window, sent = @sent, blocked_until = max(blocked_until, @blocked)`,
      ),
      workspaces: p('select distinct team_id as ws from home_tabs where version > published_version'),
    };
  }

  private run(name: string, params: Record<string, unknown>): number {
    return this.statement(name).run(params).changes;
  }

  private statement(name: string): Database.Statement {
    const s = this.s[name];
    if (s === undefined) throw new Error(`no home_tabs statement ${name}`);
    return s;
  }

  /** The person opened their Home: remember them (and whether they coordinate) and publish it now. */
  opened(ws: string, user: string, coordinator: boolean, now: Date): void {
    this.run('open', { ws, user, coordinator: coordinator ? 1 : 0, now: now.getTime() });
  }

  /** Show this on top of the person's Home and publish it now (the answer to a click on their Home). */
  setNotice(ws: string, user: string, notice: HomeNotice, now: Date): boolean {
    return this.run('notice', { ws, user, notice: JSON.stringify(notice), now: now.getTime() }) > 0;
  }

  /** Publish this person's Home without waiting for a burst to settle (they just clicked on it). */
  urgent(ws: string, user: string, now: Date): boolean {
    return this.run('urgent', { ws, user, now: now.getTime() }) > 0;
  }

  markSeen(now: Date): number {
    return this.run('markSeen', { now: now.getTime() });
  }

  /**
   * Claims up to `limit` stale Homes due now, within the workspace's share of views.publish calls
   * this minute, in one immediate transaction: two instances never publish the same Home at once.
   */
  claim(now: Date, limitPerWorkspace: number, leaseMs: number): HomeTabRow[] {
    const at = now.getTime();
    return this.db.$client.transaction(() => {
      const claimed: HomeTabRow[] = [];
      for (const { ws } of this.statement('workspaces').all() as Array<{ ws: string }>) {
        const rate = this.statement('rate').get({ ws }) as { windowStart: number; sent: number; blockedUntil: number } | undefined;
        const window = at - (at % WINDOW_MS);
        const sent = rate !== undefined && rate.windowStart === window ? rate.sent : 0;
        if (rate !== undefined && rate.blockedUntil > at) continue;
        const allowed = Math.max(0, limitPerWorkspace - sent);
        if (allowed === 0) continue;
        const rows = this.statement('due').all({ ws, now: at, settled: at - HOME_SETTLE_MS, limit: allowed }) as Array<{ workspaceId: string; userId: string; version: number; noticeJson: string | null }>;
        for (const row of rows) {
          this.run('lease', { ws, user: row.userId, until: at + leaseMs });
          claimed.push({ workspaceId: ws, userId: row.userId, version: row.version, notice: parseNotice(row.noticeJson) });
        }
        if (rows.length > 0) this.run('setRate', { ws, window, sent: sent + rows.length, blocked: 0 });
      }
      return claimed;
    }).immediate();
  }

  published(row: HomeTabRow, coordinator: boolean, now: Date): void {
    this.run('published', { ws: row.workspaceId, user: row.userId, version: row.version, coordinator: coordinator ? 1 : 0, now: now.getTime() });
  }

  /** Retry later, or give up (until the next change or open) after too many attempts. Returns whether it gave up. */
  failed(row: HomeTabRow, reason: string, permanent: boolean, retryAfterSeconds: number | undefined, now: Date): boolean {
    const attempts = ((this.statement('attempts').get({ ws: row.workspaceId, user: row.userId }) as { attempts: number } | undefined)?.attempts ?? 0) + 1;
    if (permanent || attempts >= MAX_ATTEMPTS) {
      this.run('giveUp', { ws: row.workspaceId, user: row.userId, version: row.version, error: reason });
      return true;
    }
    this.run('retry', { ws: row.workspaceId, user: row.userId, notBefore: now.getTime() + retryDelayMs(attempts, retryAfterSeconds), error: reason });
    return false;
  }

  /** Slack said 429: no instance publishes in this workspace before Retry-After is over. */
  rateLimited(ws: string, until: number, now: Date): void {
    const at = now.getTime();
    const rate = this.statement('rate').get({ ws }) as { windowStart: number; sent: number } | undefined;
    this.run('setRate', { ws, window: rate?.windowStart ?? at - (at % WINDOW_MS), sent: rate?.sent ?? 0, blocked: until });
  }

  waiting(): { count: number; nextAt: number | null } {
    const row = this.statement('waiting').get({ settle: HOME_SETTLE_MS }) as { n: number; nextAt: number | null };
    return { count: row.n, nextAt: row.nextAt };
  }
}

function parseNotice(json: string | null): HomeNotice | undefined {
  if (json === null) return undefined;
  try {
    const value = JSON.parse(json) as { text?: unknown; blocks?: unknown };
    if (typeof value.text !== 'string') return undefined;
    return Array.isArray(value.blocks) ? { text: value.text, blocks: value.blocks } : { text: value.text };
  } catch {
    // A damaged notice is dropped; the Home itself is what matters.
    return undefined;
  }
}

/**
 * Publishes every stale Home that is due, once each, rendered now. Runs once per call (a kick after
 * each change, a timer for settling bursts, and a periodic tick). Returns what happened.
 */
export async function runHomeRefresh(deps: HomePublisherDeps, now: Date): Promise<HomeRunResult> {
  const started = performance.now();
  const tabs = new HomeTabs(deps.db);
  const newlySeen = tabs.markSeen(now);
  const claimed = tabs.claim(now, deps.publishesPerMinute ?? HOME_PUBLISHES_PER_MINUTE, deps.leaseMs ?? 60_000);
  let published = 0;
  let retried = 0;
  let failed = 0;
  // Each workspace's Homes in turn, the workspaces side by side, each with its own token: one
  // workspace's slow or failing Slack never delays another's.
  const byWorkspace = new Map<string, typeof claimed>();
  for (const row of claimed) byWorkspace.set(row.workspaceId, [...(byWorkspace.get(row.workspaceId) ?? []), row]);
  const inWorkspace = deps.inWorkspace ?? unscoped;
  await Promise.all(
    [...byWorkspace].map(([workspaceId, rows]) =>
      inWorkspace(workspaceId, async () => {
        for (const row of rows) {
          try {
            const { view, coordinator } = await deps.render(row.workspaceId, row.userId, now, row.notice);
            await deps.client.views.publish({ user_id: row.userId, view });
            tabs.published(row, coordinator, now);
            published++;
          } catch (error) {
            const failure = classifyFailure(error);
            if (failure.reason === 'ratelimited') tabs.rateLimited(row.workspaceId, now.getTime() + (failure.retryAfterSeconds ?? 60) * 1000, now);
            const gaveUp = tabs.failed(row, failure.reason, failure.kind === 'permanent' || PERMANENT.has(failure.reason), failure.retryAfterSeconds, now);
            deps.logger.event(gaveUp ? 'error' : 'warn', gaveUp ? 'Home tab publish failed; waiting for the next change' : 'Home tab publish will be retried', {
              job: 'home',
              userId: row.userId,
              error: failure.reason,
            });
            if (gaveUp) failed++;
            else retried++;
          }
        }
      }),
    ),
  );
  const waiting = tabs.waiting();
  if (claimed.length > 0) {
    deps.logger.event(failed > 0 ? 'warn' : 'info', 'job', { job: 'home', published, retried, failed, waiting: waiting.count, ms: Math.round(performance.now() - started) });
  }
  return { published, retried, failed, waiting: waiting.count, nextAt: waiting.nextAt, newlySeen };
}
