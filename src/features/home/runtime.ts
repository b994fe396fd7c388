import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/open.js';
import type { Clock } from '../../domain/result.js';
import type { AppLogger } from '../../logger.js';
import type { InWorkspace } from '../../slack/workspace-scope.js';
import { Kicker } from '../../outbox/kicker.js';
import type { ActorResolver } from '../../slack/actor.js';
import { HomeQueries } from './queries.js';
import type { HomeNotice } from './model.js';
import { HOME_SETTLE_MS, HomeTabs, runHomeRefresh, type HomeRunResult } from './refresh.js';
import { HomeService, type GoalPaceSource } from './service.js';
import { homeView } from './views.js';

export interface HomeRuntimeDeps {
  db: Db;
  /** The client Homes are published with (the outbox's own, so publishes never queue behind interactive calls). */
  client: WebClient;
  actors: ActorResolver;
  logger: AppLogger;
  now: Clock;
  ballotSecret: string;
  timeZone: string;
  goals?: GoalPaceSource;
  leaseMs?: number;
  /** Distribution mode: each workspace's Homes are published with its own token. */
  inWorkspace?: InWorkspace;
}

interface ClickBody {
  response_url?: unknown;
  user?: { id?: unknown };
  team?: { id?: unknown } | null;
  container?: { type?: unknown };
  view?: { type?: unknown; team_id?: unknown };
}

/** A click on a Home tab: Slack sends no response_url, so answers go on top of the Home instead. */
export function homeClick(body: unknown): { workspaceId: string; userId: string } | undefined {
  const b = (body ?? {}) as ClickBody;
  if (b.view?.type !== 'home' || b.container?.type !== 'view') return undefined;
  const userId = typeof b.user?.id === 'string' ? b.user.id : undefined;
  const workspaceId = typeof b.team?.id === 'string' ? b.team.id : typeof b.view.team_id === 'string' ? b.view.team_id : undefined;
  return userId === undefined || workspaceId === undefined ? undefined : { workspaceId, userId };
}

/** What a message answer says, as a notice: its text, and its blocks when it has some. */
function noticeOf(message: string | RespondArguments): HomeNotice {
  if (typeof message === 'string') return { text: message };
  const fields = message as { blocks?: unknown; text?: unknown };
  const blocks = Array.isArray(fields.blocks) ? (fields.blocks as unknown[]) : undefined;
  const text = typeof fields.text === 'string' ? fields.text : '';
  // A message with blocks shows its blocks; the notice's own line is then left out.
  if (blocks !== undefined && blocks.length > 0) return { text: '', blocks };
  return { text };
}

/**
 * Everything the Home tab needs at run time: the service that builds a Home, the table of opened
 * Homes, and the publisher, run by a kicker (after each change), a timer (once a burst has settled)
 * and the periodic job.
 */
export class HomeRuntime {
  readonly tabs: HomeTabs;
  readonly service: HomeService;
  private readonly kicker: Kicker;
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: HomeRuntimeDeps) {
    this.tabs = new HomeTabs(deps.db);
    this.service = new HomeService({
      queries: new HomeQueries(deps.db),
      ballotSecret: deps.ballotSecret,
      timeZone: deps.timeZone,
      ...(deps.goals === undefined ? {} : { goals: deps.goals }),
    });
    this.kicker = new Kicker('home', () => this.run(deps.now()), deps.logger);
  }

  /** Builds a person's Home as of `now`, with the notice on top. */
  async render(workspaceId: string, userId: string, now: Date, notice: HomeNotice | undefined) {
    const actor = await this.deps.actors.resolve(workspaceId, userId);
    return { view: homeView(this.service.build(actor, now, notice)), coordinator: actor.isCoordinator && !actor.isExternal };
  }

  /** Publishes the stale Homes that are due at `now`; runs never overlap in this process. */
  run(now: Date): Promise<HomeRunResult> {
    const next = this.running.then(() =>
      runHomeRefresh(
        { db: this.deps.db, client: this.deps.client, logger: this.deps.logger, render: (ws, user, at, notice) => this.render(ws, user, at, notice), ...(this.deps.leaseMs === undefined ? {} : { leaseMs: this.deps.leaseMs }), ...(this.deps.inWorkspace === undefined ? {} : { inWorkspace: this.deps.inWorkspace }) },
        now,
      ),
    );
    this.running = next.catch(() => undefined);
    return next.then((result) => {
      // A burst was just seen: come back once it has settled (the periodic job is the safety net).
      if (result.newlySeen > 0 && !this.stopped && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.kick();
        }, HOME_SETTLE_MS + 50);
        this.timer.unref();
      }
      return result;
    });
  }

  kick(): void {
    this.kicker.kick();
  }

  /** After a click on someone's Home: publish it as soon as the click's work is done. */
  clicked(workspaceId: string, userId: string): void {
    if (this.tabs.urgent(workspaceId, userId, this.deps.now())) this.kick();
  }

  /**
   * `respond` for a listener: the real one for clicks on messages, and for clicks on a Home tab
   * (which have no response_url) one that shows the answer on top of that person's Home.
   */
  respondVia(body: unknown, respond: RespondFn | undefined): RespondFn {
    const click = homeClick(body);
    if (respond !== undefined && click === undefined) return respond;
    // Callers await respond() and ignore what it returns; there is no HTTP response to hand back here.
    return (async (message: string | RespondArguments) => {
      if (click !== undefined && this.tabs.setNotice(click.workspaceId, click.userId, noticeOf(message), this.deps.now())) this.kick();
    }) as unknown as RespondFn;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.kicker.stop();
    await this.running;
  }
}
