import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { Storage } from './db/storage.js';
import type { Clock } from './domain/result.js';
import { registerDigests } from './features/digest/register.js';
import { registerMeetings } from './features/meeting/register.js';
import { registerTeams } from './features/team/register.js';
import { registerHome } from './features/home/register.js';
import type { HomeRuntime } from './features/home/runtime.js';
import { registerIssues } from './features/issue/register.js';
import { registerReports } from './features/report/register.js';
import { registerGoals } from './features/goal/register.js';
import { registerVotes } from './features/vote/register.js';
import type { TeamRepository } from './features/team/repository.js';
import type { TeamService } from './features/team/service.js';
import type { WorkspaceZones } from './features/team/zones.js';
import type { AppLogger } from './logger.js';
import type { Kicker } from './outbox/kicker.js';
import type { FollowUpHandler, RefreshRenderer } from './outbox/outbox.js';
import type { ActorResolver } from './slack/actor.js';

/** Everything a listener may need, passed in explicitly; nothing is imported as a singleton. */
export interface ListenerDeps {
  db: Storage;
  config: Config;
  logger: AppLogger;
  now: Clock;
  teams: TeamService;
  teamRepository: TeamRepository;
  actors: ActorResolver;
  outbox: Kicker;
  /** Outbox follow-up handlers by kind; a feature adds its own while registering. */
  followUps: Record<string, FollowUpHandler>;
  /** Renderers of coalesced refreshes by kind (see src/outbox/outbox.ts); a feature adds its own while registering. */
  refreshers: Record<string, RefreshRenderer>;
  /** The app's Web API client, for jobs and work after the ack. */
  client: WebClient;
  /** An instant's date and time in the deployment's zone (ALLIANCE_TIMEZONE); prefer `formatTimeFor`. */
  formatTime: (ms: number) => string;
  /** Each workspace's time zone (`/team settings timezone`, else ALLIANCE_TIMEZONE): every date a workspace sees or decides. */
  zones: WorkspaceZones;
  /** An instant's date and time in the workspace's zone. */
  formatTimeFor: (workspaceId: string) => Promise<(ms: number) => string>;
  /** Keys the hash that hides anonymous voters (src/features/vote/ballot-key.ts): fixed once, never in the database. */
  ballotKey: string;
  /** Home tabs: answers to clicks made on a Home (`respondVia`), and republishing. */
  home: HomeRuntime;
}

/** Registers every command, action, view and event listener. A test checks this against manifest.yml. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerTeams(app, deps);
  registerIssues(app, deps);
  registerMeetings(app, deps);
  registerVotes(app, deps);
  registerDigests(app, deps);
  registerHome(app, deps);
  registerReports(app, deps);
  registerGoals(app, deps);
}
