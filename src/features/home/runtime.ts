import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { Storage } from '../../db/storage.js';
import type { Actor } from '../../domain/actor.js';
import type { Clock } from '../../domain/result.js';
import type { AppLogger } from '../../logger.js';
import { Kicker } from '../../outbox/kicker.js';
import { HomeRepository } from './repository.js';
import type { HomeNotice } from './model.js';
import { HOME_SETTLE_MS, HomeTabs, parseHomeRef, runHomeRefresh, type HomeActorFacts, type HomeRunResult } from './refresh.js';
import { HomeService, type GoalPaceSource } from './service.js';
import { homeView } from './views.js';
import type { WorkspaceZones } from '../team/zones.js';

export interface HomeRuntimeDeps {
  db: Storage;
  logger: AppLogger;
  now: Clock;
  ballotSecret: string;
  /** The deployment's zone (ALLIANCE_TIMEZONE); `zones` gives each workspace its own. */
  timeZone: string;
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  /** Coordinators named in the configuration and stored ones; admins come from what Slack said at the last open. */
  configCoordinators: readonly string[];
  isStoredCoordinator: (workspaceId: string, userId: string) => Promise<boolean>;
  /** Starts the outbox after Homes were handed to it. */
  kickOutbox: () => void;
  goals?: GoalPaceSource;
  publishesPerMinute?: number;
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
 * Homes, the renderer the outbox calls for a `home` refresh, and the hand-over of stale Homes to the
 * outbox, run by a kicker (after each outbox run, so after each change), a timer (once a burst has
 * settled) and the periodic job.
 */
export class HomeRuntime {
  readonly tabs: HomeTabs;
  readonly service: HomeService;
  private readonly kicker: Kicker;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: HomeRuntimeDeps) {
    this.tabs = new HomeTabs(deps.db);
    this.service = new HomeService({
      queries: new HomeRepository(deps.db),
      ballotSecret: deps.ballotSecret,
      timeZone: deps.timeZone,
      ...(deps.zones === undefined ? {} : { zones: deps.zones }),
      ...(deps.goals === undefined ? {} : { goals: deps.goals }),
    });
    this.kicker = new Kicker('home', async () => this.run(deps.now()), deps.logger);
  }

  /** Who the person is, from the configuration, the database and what Slack said at their last open or click. */
  async actorOf(workspaceId: string, userId: string, facts: { isAdmin: boolean; isExternal: boolean }): Promise<Actor> {
    const isCoordinator = this.deps.configCoordinators.includes(userId) || (await this.deps.isStoredCoordinator(workspaceId, userId)) || facts.isAdmin;
    return { workspaceId, userId, isCoordinator, isExternal: facts.isExternal };
  }

  /**
   * The outbox's renderer for a `home` refresh: the person's Home as the database says now, with
   * their notice on top; undefined (nothing to publish) for someone who never opened it.
   */
  async render(ref: string, now: Date): Promise<Record<string, unknown> | undefined> {
    const target = parseHomeRef(ref);
    const tab = target === undefined ? undefined : await this.tabs.tab(target.workspaceId, target.userId);
    if (target === undefined || tab === undefined) return undefined;
    const actor = await this.actorOf(target.workspaceId, target.userId, tab);
    await this.tabs.remember(target.workspaceId, target.userId, { isAdmin: tab.isAdmin, isExternal: tab.isExternal, isCoordinator: actor.isCoordinator && !actor.isExternal });
    return { user_id: target.userId, view: homeView(await this.service.build(actor, now, tab.notice)) };
  }

  /** Hands the stale Homes that are due at `now` to the outbox. */
  async run(now: Date): Promise<HomeRunResult> {
    const result = await runHomeRefresh(this.deps.db, now, this.deps.publishesPerMinute);
    if (result.queued > 0) this.deps.kickOutbox();
    // A burst was just seen: come back once it has settled (the periodic job is the safety net).
    if (result.newlySeen > 0 && !this.stopped && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, HOME_SETTLE_MS + 50);
      this.timer.unref();
    }
    return result;
  }

  kick(): void {
    this.kicker.kick();
  }

  /** The person opened their Home: remember what Slack says of them, and publish it now. */
  async opened(actor: Actor): Promise<void> {
    await this.tabs.opened(actor.workspaceId, actor.userId, await factsOf(actor, this.deps), this.deps.now());
    this.kick();
  }

  /** After a click on someone's Home: publish it as soon as the click's work is done. */
  async clicked(actor: Actor): Promise<void> {
    await this.tabs.remember(actor.workspaceId, actor.userId, await factsOf(actor, this.deps));
    if (await this.tabs.urgent(actor.workspaceId, actor.userId)) this.kick();
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
      if (click !== undefined && (await this.tabs.setNotice(click.workspaceId, click.userId, noticeOf(message)))) this.kick();
    }) as unknown as RespondFn;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.kicker.stop();
  }
}

/** Whether Slack says the person is an admin is not in the Actor; it is whatever made them a coordinator beyond config and storage. */
async function factsOf(actor: Actor, deps: Pick<HomeRuntimeDeps, 'configCoordinators' | 'isStoredCoordinator'>): Promise<HomeActorFacts> {
  const named = deps.configCoordinators.includes(actor.userId) || (await deps.isStoredCoordinator(actor.workspaceId, actor.userId));
  return { isAdmin: actor.isCoordinator && !named, isExternal: actor.isExternal, isCoordinator: actor.isCoordinator && !actor.isExternal };
}
