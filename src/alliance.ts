import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { isDistributionMode, type Config } from './config.js';
import { engineOf, openStorage } from './db/open-storage.js';
import type { Storage } from './db/storage.js';
import type { Clock } from './domain/result.js';
import { goalPaces } from './features/home/goals.js';
import { HomeRuntime } from './features/home/runtime.js';
import { TeamRepository } from './features/team/repository.js';
import { seedProgramTeams, TeamService } from './features/team/service.js';
import { WorkspaceZones } from './features/team/zones.js';
import { ScreenedReceiver } from './http/receiver.js';
import { createHttpServer, type RunningServer } from './http/server.js';
import { startSchedule, type RunningSchedule } from './jobs/scheduler.js';
import { buildJobs } from './jobs/schedule.js';
import { createLogger, type AppLogger } from './logger.js';
import { createKeyring } from './oauth/crypto.js';
import type { SlackOAuth } from './oauth/install.js';
import { isRevocation, purgeUninstalled, registerUninstall } from './oauth/uninstall.js';
import { Kicker } from './outbox/kicker.js';
import { dueWithin, dueWorkspaces, runOutbox, type FollowUpHandler, type OutboxRunDeps, type RefreshRenderer } from './outbox/outbox.js';
import { loadBallotKey } from './features/vote/ballot-key.js';
import { registerListeners } from './register.js';
import { ListenerDispatcher } from './slack/dispatcher.js';
import { ActorResolver } from './slack/actor.js';
import { App, SocketModeReceiver } from './slack/bolt.js';
import { retryWhenDatabaseBusy } from './slack/busy-retry.js';
import { dedupeEvents } from './slack/dedupe.js';
import { InFlightWork } from './slack/in-flight.js';
import { createErrorHandler } from './slack/error-handler.js';
import { requestGuard } from './slack/middleware.js';
import { WorkspaceClient, WorkspaceScope, type InWorkspace } from './slack/workspace-scope.js';
import { DateFormats, formatIn } from './time/zone.js';

export interface StartOptions {
  logger?: AppLogger;
  /** The clock services use; tests fix it. Jobs receive `now` per run. */
  now?: Clock;
  /** Start node-cron schedules (tests usually call jobs directly instead). */
  schedules?: boolean;
  /** Extra HTTP routes beside /slack/events and /healthz (the sandbox's pages). */
  extraRoutes?: Parameters<typeof createHttpServer>[0]['extraRoutes'];
  /** Deadline of every Web API call (default 10 s); tests shorten it to exercise timeouts. */
  webApiTimeoutMs?: number;
  /** Least real time between two sends of one refreshed message or view (default 1 s; see src/outbox/outbox.ts). */
  refreshSpacingMs?: number;
  /**
   * How long `stop()` waits for work still running after its request was answered (a button's
   * work after its ack) before closing the database anyway (default 10 s).
   */
  workDrainMs?: number;
  /** Registers extra listeners after the app's own (robustness tests exercise the error paths with them). */
  extraListeners?: (app: App, deps: { db: RunningAlliance['deps']['db']; now: Clock; logger: AppLogger }) => void;
}

export interface RunningAlliance {
  port: number;
  /** The workspace a single-workspace install serves (from auth.test); '' in distribution mode. */
  workspaceId: string;
  /** Distribution mode: installing from Slack (InstallProvider, installation store). */
  oauth?: SlackOAuth;
  logger: AppLogger;
  deps: Dependencies;
  /**
   * Runs the outbox now (tests, and the sandbox's "send now"), and again until nothing due at
   * `now` is left waiting for its refresh spacing (at most a second of real time each).
   */
  drainOutbox(now?: Date): Promise<void>;
  /** Runs one scheduled job (by its name in src/jobs/schedule.ts) once at `now`, as its tick would. */
  runJob(name: string, now: Date): Promise<unknown>;
  stop(): Promise<void>;
}

export interface Dependencies {
  /** The one database (SQLite or PostgreSQL, from DATABASE_URL) everything shares. */
  db: Storage;
  teamRepository: TeamRepository;
  teams: TeamService;
  now: Clock;
}

async function buildDependencies(config: Config, now: Clock): Promise<Dependencies> {
  // Opens SQLite or PostgreSQL by the URL and migrates it before anything reads it.
  let db: Storage;
  try {
    db = await openStorage(config.DATABASE_URL);
  } catch (error) {
    throw new DatabaseStartError(config.DATABASE_URL, error);
  }
  const teamRepository = new TeamRepository(db);
  const teams = new TeamService(teamRepository);
  return { db, teamRepository, teams, now };
}

/** The database named by DATABASE_URL could not be opened or migrated (PostgreSQL unreachable, a folder not writable). */
export class DatabaseStartError extends Error {
  constructor(databaseUrl: string, override readonly cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const postgres = engineOf(databaseUrl) === 'postgres';
    super(
      `Alliance cannot start: the database at ${postgres ? withoutPassword(databaseUrl) : databaseUrl} did not open: ${detail}\n` +
        (postgres
          ? 'Check DATABASE_URL (postgres://user:password@host:5432/database), that PostgreSQL is running and reachable from here, and that the user may create tables in that database.'
          : 'Check DATABASE_URL: a SQLite file path in a folder this process may write to.'),
    );
    this.name = 'DatabaseStartError';
  }
}

/** A PostgreSQL URL fit for a log line or an error message: the password replaced by ***. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL DATABASE_URL (not a valid URL)';
  }
}

/** Slack refused or could not open the Socket Mode connection (apps.connections.open, then the WebSocket). */
export class SocketModeStartError extends Error {
  constructor(override readonly cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Alliance cannot start: Slack did not open the Socket Mode connection (apps.connections.open): ${detail}\n` +
        'Check SLACK_APP_TOKEN: an app-level token (xapp-…) of this app with the connections:write scope, and Socket Mode turned on ' +
        'in the app settings; unset SLACK_APP_TOKEN to take requests over HTTP instead.',
    );
    this.name = 'SocketModeStartError';
  }
}

/** Every configured secret, scrubbed from log lines by value wherever it turns up. */
export const secretsOf = (config: Config): string[] =>
  [
    config.SLACK_BOT_TOKEN,
    config.SLACK_SIGNING_SECRET,
    config.SLACK_APP_TOKEN,
    config.ALLIANCE_BALLOT_SECRET,
    config.SLACK_CLIENT_SECRET,
    config.SLACK_STATE_SECRET,
    config.ALLIANCE_ENCRYPTION_KEY,
    ...config.ALLIANCE_ENCRYPTION_KEY_PREVIOUS,
  ].filter((s): s is string => s !== undefined && s !== '');

/** How long a flush waits for work still running after its request was answered (a hung Slack call must not hold it). */
const FLUSH_WAITS_FOR_WORK_MS = 5_000;
const insideRequest = new AsyncLocalStorage<true>();

const formatterFor = (timeZone: string) => (ms: number) => formatIn(ms, timeZone, DateFormats.dateTime);

/**
 * The composition root: database and migrations → Bolt app → listeners → jobs → HTTP (or Socket
 * Mode). Returns a handle whose `stop()` stops taking requests, lets in-flight ones finish,
 * stops jobs and closes the database.
 */
export async function startAlliance(config: Config, options: StartOptions = {}): Promise<RunningAlliance> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, undefined, { secrets: secretsOf(config) });
  const now: Clock = options.now ?? (() => new Date());
  const deps = await buildDependencies(config, now);
  const instanceId = randomUUID();

  const socketMode = config.SLACK_APP_TOKEN !== undefined;
  // Our HTTP server verifies and parses each request once and hands Bolt the result (see receiver.ts).
  const receiver = socketMode ? undefined : new ScreenedReceiver(logger);
  const slackApiUrl = config.SLACK_API_URL === undefined ? {} : { slackApiUrl: config.SLACK_API_URL };
  // Every Web API call has a deadline: a hung Slack must not hang a request or a job.
  const timeout = options.webApiTimeoutMs ?? 10_000;
  const socketReceiver =
    config.SLACK_APP_TOKEN === undefined
      ? undefined
      : new SocketModeReceiver({
          appToken: config.SLACK_APP_TOKEN,
          logger,
          logLevel: config.LOG_LEVEL as LogLevel,
          // The socket client calls apps.connections.open (same Slack, same deadline) at start and
          // again on every reconnect: Slack recycles connections every few hours. Unlike our other
          // calls it must retry: a network error that outlasts the client's retries during a
          // reconnect is thrown where nobody catches it, and the process exits (to be restarted).
          // Five retries in about five minutes (web-api's `fiveRetriesInFiveMinutes`, which Node's ESM
          // loader cannot import by name from that CommonJS package).
          installerOptions: { clientOptions: { ...slackApiUrl, timeout, retryConfig: { retries: 5, factor: 3.86 } } },
        });
  const clientOptions = {
    ...slackApiUrl,
    timeout,
    // No blind retries inside the client: a timed-out chat.postMessage may have reached Slack, so
    // retrying it could post twice, and a trigger_id is dead after 3 s anyway. What must go out is
    // retried by the outbox, which checks first (src/outbox/outbox.ts).
    retryConfig: { retries: 0 },
    // On 429 the client would otherwise pause every call for Retry-After (up to minutes) while a
    // person waits for a 3-second answer; we fail fast and the outbox honours Retry-After instead.
    rejectRateLimitedCalls: true,
  };
  // Distribution mode: workspaces install from Slack; each request's token comes from the
  // installation store through InstallProvider.authorize (which also refreshes rotating tokens).
  // Loaded only then: a single-workspace install never needs it.
  const oauth: SlackOAuth | undefined = isDistributionMode(config)
    ? (await import('./oauth/install.js')).createSlackOAuth(
        {
          clientId: config.SLACK_CLIENT_ID as string,
          clientSecret: config.SLACK_CLIENT_SECRET as string,
          stateSecret: config.SLACK_STATE_SECRET as string,
          ...(config.SLACK_REDIRECT_URI === undefined ? {} : { redirectUri: config.SLACK_REDIRECT_URI }),
          ...(config.SLACK_API_URL === undefined ? {} : { slackApiUrl: config.SLACK_API_URL }),
        },
        {
          storage: deps.db,
          keyring: createKeyring(config.ALLIANCE_ENCRYPTION_KEY as string, config.ALLIANCE_ENCRYPTION_KEY_PREVIOUS),
          now,
          logger,
          // The workspace gets the three HCASM teams, and whoever installed it coordinates it.
          onInstalled: async (installation) => {
            const installed = installation.team?.id;
            if (installed === undefined) return;
            await seedProgramTeams(deps.teamRepository, installed, now());
            await deps.teamRepository.addCoordinator(installed, installation.user.id, installation.user.id, now().getTime());
          },
        },
      )
    : undefined;
  const app = new App({
    ...(oauth === undefined
      ? { token: config.SLACK_BOT_TOKEN }
      : {
          // app_uninstalled and tokens_revoked arrive after the tokens died: they are delivered
          // without looking one up (a rotating token's refresh would fail and drop the event).
          authorize: async (source, body) => (isRevocation(body) ? { ...(source.teamId === undefined ? {} : { teamId: source.teamId }) } : oauth.installer.authorize(source)),
        }),
    logger,
    logLevel: config.LOG_LEVEL as LogLevel,
    clientOptions,
    extendedErrorHandler: true,
    // Bolt's conversation store is unused here and costs a lookup on every request.
    convoStore: false,
    // Our own SocketModeReceiver (not `socketMode: true`): it keeps the retrying client options
    // above and gives `stop()` the socket client to wait on.
    receiver: receiver ?? socketReceiver,
  });

  // Fail fast on a wrong token, and learn which workspace this single-workspace install serves.
  let workspaceId = '';
  if (oauth === undefined) {
    try {
      const auth = await app.client.auth.test();
      if (auth.team_id === undefined) throw new Error('auth.test returned no team_id');
      workspaceId = auth.team_id;
      await seedProgramTeams(deps.teamRepository, workspaceId, now());
    } catch (error) {
      // The start fails: close the database, so that no PostgreSQL pool outlives it.
      await deps.db.close();
      throw error;
    }
  }

  // Whose token a Web API call carries: the app's one token, or (distribution mode) the token of
  // the workspace the current request, job share or outbox row belongs to (src/slack/workspace-scope.ts).
  const scope = new WorkspaceScope(
    oauth === undefined
      ? undefined
      : async (ws) => {
          const authorized = await oauth.installer.authorize({ teamId: ws, enterpriseId: undefined, isEnterpriseInstall: false });
          if (authorized.botToken === undefined) throw new Error(`The installation of workspace ${ws} has no bot token`);
          return authorized.botToken;
        },
  );
  const inWorkspace: InWorkspace = (ws, work) => scope.run(ws, work);
  // Listeners and jobs call Slack through this client; Bolt's own per-request client is unchanged.
  const client: WebClient = oauth === undefined ? app.client : new WorkspaceClient(scope, { ...clientOptions, logger });

  // Features add handlers here while registering (e.g. remember the ts of a posted announcement).
  const followUps: Record<string, FollowUpHandler> = {};
  // And renderers of coalesced refreshes by kind (a ballot, an issue card, a meeting, a Home tab).
  const refreshers: Record<string, RefreshRenderer> = {};
  // The outbox has its own client so its calls never queue behind (or pause) interactive ones.
  const outboxClient = oauth === undefined ? new WebClient(config.SLACK_BOT_TOKEN, { ...clientOptions, logger }) : new WorkspaceClient(scope, { ...clientOptions, logger });
  const outboxRun = (at: Date): OutboxRunDeps => ({
    db: deps.db,
    client: outboxClient,
    inWorkspace,
    logger,
    now: at,
    workerId: instanceId,
    followUps,
    refreshers,
    leaseMs: config.ALLIANCE_OUTBOX_LEASE_SECONDS * 1000,
    ...(options.refreshSpacingMs === undefined ? {} : { refreshSpacingMs: options.refreshSpacingMs }),
  });
  const actors = new ActorResolver({
    client,
    isStoredCoordinator: (ws, user) => deps.teamRepository.isStoredCoordinator(ws, user),
    configCoordinators: config.ALLIANCE_COORDINATORS,
    logger,
  });
  // One key for every place that recognises an anonymous voter (ballots, the Home tab's "you voted").
  const ballotKey = await loadBallotKey(config, deps.db, logger);
  // Each workspace's time zone, or ALLIANCE_TIMEZONE where it has not set one.
  const zones = new WorkspaceZones(deps.db, config.ALLIANCE_TIMEZONE);
  const home = new HomeRuntime({
    db: deps.db,
    logger,
    now,
    ballotSecret: ballotKey,
    timeZone: config.ALLIANCE_TIMEZONE,
    zones,
    configCoordinators: config.ALLIANCE_COORDINATORS,
    isStoredCoordinator: (ws, user) => deps.teamRepository.isStoredCoordinator(ws, user),
    // Homes handed over go out through the outbox (declared below; only called once running).
    kickOutbox: () => outboxKicker.kick(),
    goals: goalPaces(deps.db, config.ALLIANCE_TIMEZONE, zones),
  });
  // Something waiting becomes sendable before the 10-second tick (a paced refresh, a retry): run again then.
  const OUTBOX_WAKE_WITHIN_MS = 15_000;
  // Distribution mode: each workspace's outbox runs on its own kicker, so a workspace whose Slack
  // hangs (a 10-second timeout, retries) never holds back another workspace's messages.
  const workspaceKickers = new Map<string, Kicker>();
  const kickerFor = (ws: string): Kicker => {
    let kicker = workspaceKickers.get(ws);
    if (kicker === undefined) {
      const own: Kicker = new Kicker(
        `outbox:${ws}`,
        async () => {
          const summary = await runOutbox({ ...outboxRun(now()), workspaceId: ws });
          if (summary.nextInMs !== undefined && summary.nextInMs <= OUTBOX_WAKE_WITHIN_MS) own.kickIn(summary.nextInMs);
          home.kick();
          return summary;
        },
        logger,
      );
      workspaceKickers.set(ws, own);
      kicker = own;
    }
    return kicker;
  };
  const outboxIdle = async (): Promise<void> => {
    await outboxKicker.idle();
    await Promise.all([...workspaceKickers.values()].map((k) => k.idle()));
  };
  const outboxKicker: Kicker = new Kicker(
    'outbox',
    async () => {
      if (oauth !== undefined) {
        for (const ws of await dueWorkspaces(deps.db, now().getTime(), Date.now())) kickerFor(ws).kick();
        return undefined;
      }
      const summary = await runOutbox(outboxRun(now()));
      if (summary.nextInMs !== undefined && summary.nextInMs <= OUTBOX_WAKE_WITHIN_MS) outboxKicker.kickIn(summary.nextInMs);
      // Every change kicks the outbox; the Homes it made stale are republished once things settle.
      home.kick();
      return summary;
    },
    logger,
    { afterWaitingRequests: true },
  );

  // A request that finds the database locked by another process before it answered runs again.
  retryWhenDatabaseBusy(app, logger);
  // First, so it wraps everything a request does, including what listeners do after their ack.
  const inFlight = new InFlightWork();
  const tracked = inFlight.middleware();
  // Marks a request's whole flow, so that a flush from inside one does not wait for itself.
  app.use(async (args) => insideRequest.run(true, () => tracked(args)));
  // Distribution mode: everything a request does (after its ack too) carries its workspace's token.
  if (scope.distributed) app.use(async ({ context, next }) => scope.run(context.teamId ?? '', next, context.botToken));
  app.use(requestGuard(logger));
  app.use(dedupeEvents(deps.db, now));
  app.error(createErrorHandler(logger));
  // Features register on a recorder; the App gets one listener per request kind (see dispatcher.ts).
  const listeners = new ListenerDispatcher();
  const registry = listeners.recorder(app);
  registerListeners(registry, {
    db: deps.db,
    config,
    logger,
    now,
    teams: deps.teams,
    teamRepository: deps.teamRepository,
    actors,
    outbox: outboxKicker,
    followUps,
    refreshers,
    client,
    formatTime: formatterFor(config.ALLIANCE_TIMEZONE),
    zones,
    formatTimeFor: async (workspaceId) => formatterFor(await zones.zoneFor(workspaceId)),
    ballotKey,
    home,
  });
  if (oauth !== undefined) registerUninstall(registry, { store: oauth.store, db: deps.db, logger, now });
  options.extraListeners?.(registry, { db: deps.db, now, logger });
  listeners.install(app, logger);

  const jobs = buildJobs({
    outbox: outboxKicker,
    home,
    db: deps.db,
    client,
    logger,
    config,
    zones,
    // Single workspace: the one from auth.test; distribution mode: every live installation, read at each run.
    workspaces: oauth === undefined ? async () => [workspaceId] : async () => (await oauth.store.installedWorkspaces()).map((w) => w.workspaceId),
    inWorkspace,
    distributed: oauth !== undefined,
    ...(oauth === undefined
      ? {}
      : { purgeUninstalled: (at: Date) => purgeUninstalled({ store: oauth.store, db: deps.db, logger, now: () => at, retentionDays: config.ALLIANCE_DATA_RETENTION_DAYS }) }),
    instanceId,
  });
  const schedule: RunningSchedule | undefined =
    options.schedules === false ? undefined : startSchedule(jobs, { timeZone: config.ALLIANCE_TIMEZONE, logger });

  // In Socket Mode Slack's requests arrive over the socket; the HTTP server still answers /healthz.
  const http = createHttpServer({
    slackListener: (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'socket_mode' }));
    },
    ...(receiver === undefined ? {} : { dispatch: receiver.dispatch.bind(receiver) }),
    signingSecret: config.SLACK_SIGNING_SECRET,
    isHealthy: () => deps.db.healthy(),
    engine: deps.db.engine,
    logger,
    ...(oauth === undefined && options.extraRoutes === undefined
      ? {}
      : { extraRoutes: (req, res) => oauth?.route(req, res) === true || options.extraRoutes?.(req, res) === true }),
  });
  const release = async (): Promise<void> => {
    await schedule?.stop();
    await outboxKicker.stop();
    await Promise.all([...workspaceKickers.values()].map((k) => k.stop()));
    await home.stop();
    await deps.db.close();
  };
  const server: RunningServer = await http.listen(config.PORT, config.HOST);
  if (socketReceiver !== undefined) {
    // Listeners are registered, so envelopes may arrive as soon as Slack says hello.
    try {
      await app.start();
    } catch (error) {
      await server.close();
      await release();
      throw new SocketModeStartError(error);
    }
  }
  logger.event('info', 'Alliance is running', { mode: socketMode ? 'socket' : 'http', port: server.port, workspaceId });

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    workspaceId,
    ...(oauth === undefined ? {} : { oauth }),
    logger,
    deps,
    drainOutbox: async (at?: Date) => {
      const when = at ?? now();
      // Work still running after its request was answered (PostgreSQL's round trips make that
      // common) may be about to queue messages: let it finish first, unless this is that work.
      if (insideRequest.getStore() !== true) await inFlight.drain(FLUSH_WAITS_FOR_WORK_MS);
      await outboxIdle();
      await runOutbox(outboxRun(when));
      // Until nothing due at `when` waits: a refresh held back by its spacing, or one the kicker's wake-up took meanwhile.
      for (;;) {
        await outboxIdle();
        const wait = await dueWithin(deps.db, when.getTime(), Date.now());
        if (wait === undefined) return;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await outboxIdle();
        await runOutbox(outboxRun(when));
      }
    },
    runJob: async (name: string, at: Date) => {
      const job = jobs.find((j) => j.name === name);
      if (job === undefined) throw new Error(`No job named ${name}`);
      return job.run(at);
    },
    stop: () => {
      stopping ??= (async () => {
        await server.close();
        // Bolt's receiver.stop() only starts the close handshake; wait until the socket is closed.
        if (socketReceiver !== undefined) await socketReceiver.client.disconnect();
        // No new requests now; let work acked before the stop finish before the database closes.
        const left = await inFlight.drain(options.workDrainMs ?? 10_000);
        if (left > 0) logger.event('warn', 'stopping with work still running', { left });
        await release();
        logger.event('info', 'Alliance stopped', {});
      })();
      return stopping;
    },
  };
}
