import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { secretsOf, startAlliance, type RunningAlliance, type StartOptions } from '../../src/alliance.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeOAuth } from '../../src/fake-slack/methods/oauth.js';
import type { FakeSlack } from '../../src/fake-slack/types.js';
import { createLogger } from '../../src/logger.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { createSlackRequester, type SlackRequester } from './slack-request.js';
import { startSocketModeServer, type SocketModeServer } from './socket-mode.js';

export const BOT_TOKEN = 'xoxb-test-0000-alliance';
export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
/** The app-level token the fake Slack accepts for apps.connections.open (Socket Mode harnesses). */
export const APP_TOKEN = 'xapp-1-A0FAKEAPP1-0000-alliance';

export interface Harness {
  fake: FakeSlack;
  alliance: RunningAlliance;
  slack: SlackRequester;
  /** Slack's end of the WebSocket when started with `socketMode: true`; `slack` then talks through it. */
  socket?: SocketModeServer;
  config: Config;
  logs: string[];
  dbPath: string;
  /**
   * A look at the database, for assertions (what was stored, that nothing was). Plain SQL with `?`
   * parameters in the common subset of SQLite and PostgreSQL; quote camelCase aliases.
   */
  query<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  count(table: string): Promise<number>;
  /** Sends a slash command as a person in a channel and returns the JSON body of the ack. */
  command(command: string, text: string, as: { userId: string; channelId: string }): Promise<CommandAck>;
  /** Runs outbox delivery now and waits for it. */
  flush(now?: Date): Promise<void>;
  stop(): Promise<void>;
}

export interface CommandAck {
  status: number;
  response_type?: string;
  text?: string;
  blocks?: unknown[];
  raw: string;
}

export interface HarnessOptions {
  now?: () => Date;
  env?: Record<string, string>;
  coordinators?: string[];
  /** Reuse a database file (restart tests). */
  dbPath?: string;
  /** Listeners only this test's app has (error paths, double-submission checks). */
  extraListeners?: StartOptions['extraListeners'];
  webApiTimeoutMs?: number;
  workDrainMs?: number;
  /** Run the app in Socket Mode (SLACK_APP_TOKEN set): requests travel as envelopes over a WebSocket. */
  socketMode?: boolean;
  /** The fake Slack's OAuth app (client id and secret, token rotation), for distribution-mode tests. */
  fakeOAuth?: FakeOAuth;
  /**
   * Least real time between two sends of one refreshed message (production: 1000 ms). Tests that
   * check what a message shows, not how often it is sent, use 0 so that a flush never waits a
   * second; the rate-limit tests pass the production spacing.
   */
  refreshSpacingMs?: number;
  /**
   * The fake Slack enforces Slack's published rate limits (429 with Retry-After) unless this is
   * false; a test that turns them off says why (it bursts more calls than Slack allows on purpose).
   */
  rateLimits?: boolean;
}

/** Starts the fake Slack and the real app over HTTP on a fresh temporary database. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const socket = options.socketMode === true ? await startSocketModeServer() : undefined;
  const fake = await startFakeSlack({
    botToken: BOT_TOKEN,
    teamId: WORKSPACE_ID,
    teamName: 'HCASM',
    users: allUsers(),
    channels: allChannels(),
    rateLimits: options.rateLimits ?? true,
    ...(socket === undefined ? {} : { socketMode: { appToken: APP_TOKEN, connectionUrl: (appId: string) => socket.connectionUrl(appId) } }),
    ...(options.fakeOAuth === undefined ? {} : { oauth: options.fakeOAuth }),
  });
  const dir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'alliance-test-')) : undefined;
  const dbPath = options.dbPath ?? join(dir as string, 'alliance.db');
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    DATABASE_URL: dbPath,
    PORT: '0',
    HOST: '127.0.0.1',
    ALLIANCE_TIMEZONE: 'America/Detroit',
    ALLIANCE_COORDINATORS: (options.coordinators ?? [PEOPLE.coordinator.id]).join(','),
    LOG_LEVEL: 'debug',
    ...(socket === undefined ? {} : { SLACK_APP_TOKEN: APP_TOKEN }),
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.LOG_LEVEL, (line) => logs.push(line), { secrets: secretsOf(config) });
  const alliance = await startAlliance(config, {
    logger,
    schedules: false,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.extraListeners === undefined ? {} : { extraListeners: options.extraListeners }),
    ...(options.webApiTimeoutMs === undefined ? {} : { webApiTimeoutMs: options.webApiTimeoutMs }),
    refreshSpacingMs: options.refreshSpacingMs ?? 0,
    ...(options.workDrainMs === undefined ? {} : { workDrainMs: options.workDrainMs }),
  });
  const slack = createSlackRequester({
    baseUrl: `http://127.0.0.1:${alliance.port}`,
    signingSecret: config.SLACK_SIGNING_SECRET,
    teamId: WORKSPACE_ID,
    responseUrl: (origin) => fake.responseUrl(undefined, origin),
    ...(socket === undefined ? {} : { transport: (request) => socket.transport(request) }),
  });
  const reader = new Database(dbPath, { readonly: true, fileMustExist: true });
  const harness: Harness = {
    fake,
    alliance,
    slack,
    ...(socket === undefined ? {} : { socket }),
    config,
    logs,
    dbPath,
    query: async <T>(sql: string, ...params: unknown[]) => reader.prepare(sql).all(...params) as T[],
    count: async (table: string) => (reader.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n,
    command: async (command, text, as) => {
      const response = await slack.command(command, text, { userId: as.userId, channelId: as.channelId });
      const parsed: Record<string, unknown> = response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
      return { status: response.status, raw: response.body, ...parsed };
    },
    flush: (now?: Date) => alliance.drainOutbox(now),
    stop: async () => {
      reader.close();
      await alliance.stop();
      await fake.close();
      await socket?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Links the seeded teams to their channels, as a coordinator would on day one. */
export async function linkSeedChannels(h: Harness): Promise<void> {
  for (const [channel, key] of [
    [CHANNELS.cna.id, 'CNA'],
    [CHANNELS.ma.id, 'MA'],
    [CHANNELS.spt.id, 'SPT'],
  ] as const) {
    const ack = await h.command('/team', `link ${key}`, { userId: PEOPLE.coordinator.id, channelId: channel });
    if (!String(ack.text).includes('linked')) throw new Error(`linking ${key} failed: ${ack.raw}`);
  }
}

/** Everything a person could read in an ack: text plus the text of every block, for escaping checks. */
export function visibleText(ack: { text?: string; blocks?: unknown[] }): string {
  return [ack.text ?? '', JSON.stringify(ack.blocks ?? [])].join('\n');
}
