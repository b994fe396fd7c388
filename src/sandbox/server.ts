import { randomBytes } from 'node:crypto';
import type { App } from '@slack/bolt';
import { startAlliance, type RunningAlliance } from '../alliance.js';
import { loadConfig } from '../config.js';
import { engineOf } from '../db/open-storage.js';
import { startFakeSlack } from '../fake-slack/server.js';
import { createSlackRequester, type SlackRequester } from '../fake-slack/slack-request.js';
import type { FakeSlack } from '../fake-slack/types.js';
import { createLogger, type AppLogger } from '../logger.js';
import { sendDigestsNow } from './digests.js';
import { createSandboxRoutes } from './routes.js';
import { seedWorkspace } from './seed.js';
import { allChannels, allUsers, PEOPLE, WORKSPACE_ID } from './workspace.js';

/** Not a secret: the fake Slack accepts only this token, and it never leaves loopback. */
export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-not-a-real-token';
export const SANDBOX_WORKSPACE_NAME = 'HCASM';

export interface DigestContext {
  alliance: RunningAlliance;
  /** Signs requests as the page does, so the control can run the production command. */
  slack: SlackRequester;
  now: Date;
}

export interface SandboxOptions {
  /** 0 picks a free port (tests). */
  port: number;
  databaseUrl: string;
  logger?: AppLogger;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Production behaviour (node-cron jobs) unless a test turns it off. */
  schedules?: boolean;
  /** Link team channels and record organisations on a fresh database (default true). */
  seed?: boolean;
  /**
   * What the coordinator's "Send digests now" control runs; returns the sentence shown to them.
   * The composition (`main.ts`) decides which jobs that is.
   */
  sendDigests?: (context: DigestContext) => Promise<string>;
  /** Extra Bolt listeners (browser tests register synthetic ones). */
  extraListeners?: (app: App) => void;
}

export interface RunningSandbox {
  url: string;
  port: number;
  fake: FakeSlack;
  alliance: RunningAlliance;
  /** Signs requests exactly as the page's actions are signed (tests send their own too). */
  slack: SlackRequester;
  stop(): Promise<void>;
}

/**
 * The local sandbox: the fake Slack (Web API for the bot) on a loopback port of its own, and the
 * real bot whose HTTP server also serves the workspace page and its JSON API on one origin. The
 * page's clicks become signed Slack requests to the bot's /slack/events, so production code runs.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const fake = await startFakeSlack({
    botToken: SANDBOX_BOT_TOKEN,
    teamId: WORKSPACE_ID,
    teamName: SANDBOX_WORKSPACE_NAME,
    host: '127.0.0.1',
    users: allUsers(),
    channels: allChannels(),
  });
  // A fresh signing secret per run: nothing outside this process can forge the page's requests.
  const signingSecret = randomBytes(24).toString('hex');
  const config = loadConfig({
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: fake.url,
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    // Loopback only: the sandbox lets anyone act as anyone.
    HOST: '127.0.0.1',
    ALLIANCE_TIMEZONE: 'America/Detroit',
    ALLIANCE_COORDINATORS: PEOPLE.coordinator.id,
    LOG_LEVEL: options.logLevel ?? 'warn',
    // PostgreSQL requires a ballot secret shared by every instance (a key file is per machine). The
    // sandbox's people are made up and anyone may act as anyone, so a fixed one hides nothing real.
    ...(engineOf(options.databaseUrl) === 'postgres' ? { ALLIANCE_BALLOT_SECRET: process.env.ALLIANCE_BALLOT_SECRET ?? 'sandbox-ballot-secret-not-for-real-votes' } : {}),
  });
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);

  // The routes need the running app (for the digest control and the port); the app needs the
  // routes to start. A holder set right after start bridges the two.
  const holder: { alliance?: RunningAlliance; slack?: SlackRequester } = {};
  const routes = createSandboxRoutes({
    fake,
    logger,
    coordinators: config.ALLIANCE_COORDINATORS,
    isStoredCoordinator: async (userId) => (await holder.alliance?.deps.teamRepository.isStoredCoordinator(WORKSPACE_ID, userId)) ?? false,
    requester: () => {
      if (holder.slack === undefined) throw new Error('sandbox not started yet');
      return holder.slack;
    },
    sendDigests: async () => {
      const alliance = holder.alliance;
      const slack = holder.slack;
      if (alliance === undefined || slack === undefined) return 'The sandbox is still starting.';
      return (options.sendDigests ?? sendDigestsNow)({ alliance, slack, now: new Date() });
    },
  });

  let alliance: RunningAlliance;
  try {
    alliance = await startAlliance(config, {
      logger,
      schedules: options.schedules ?? true,
      extraRoutes: routes.handle,
      ...(options.extraListeners === undefined ? {} : { extraListeners: options.extraListeners }),
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const url = `http://127.0.0.1:${alliance.port}`;
  const slack = createSlackRequester({
    baseUrl: url,
    signingSecret,
    teamId: WORKSPACE_ID,
    teamDomain: 'hcasm',
    botUserId: fake.botUserId,
    responseUrl: (origin) => fake.responseUrl(undefined, origin),
  });
  holder.alliance = alliance;
  holder.slack = slack;

  if (options.seed !== false) await seedWorkspace(alliance, slack, logger, config.ALLIANCE_TIMEZONE);

  return {
    url,
    port: alliance.port,
    fake,
    alliance,
    slack,
    stop: async () => {
      routes.close();
      await alliance.stop();
      await fake.close();
    },
  };
}
