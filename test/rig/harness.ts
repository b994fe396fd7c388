import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { secretsOf, startAlliance, type RunningAlliance, type StartOptions } from '../../src/alliance.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeOAuth } from '../../src/fake-slack/methods/oauth.js';
import type { FakeSlack } from '../../src/fake-slack/types.js';
import { postgresTypes, toPostgresSql } from '../../src/db/storage-pg.js';
import type { Engine } from '../../src/db/storage.js';
import { createLogger } from '../../src/logger.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { TEST_ENGINE } from './engines.js';
import { createMigratedDatabase, type TemporaryDatabase } from './postgres.js';
import { createSlackRequester, type SlackRequester } from './slack-request.js';
import { startSocketModeServer, type SocketModeServer } from './socket-mode.js';

export const BOT_TOKEN = 'xoxb-test-0000-alliance';
export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
/** ALLIANCE_BALLOT_SECRET of apps the tests start on PostgreSQL. */
export const TEST_BALLOT_SECRET = 'test-ballot-secret-0123456789';
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
  /** The engine the app runs on: the suite's (TEST_ENGINE in ./engines.ts). */
  engine: Engine;
  /** The app's DATABASE_URL: the SQLite file, or this harness's own PostgreSQL database. */
  databaseUrl: string;
  /**
   * Names this harness's database for a restart: `startHarness({ dbPath: h.dbPath })` runs a new
   * app on the same data, on either engine. It is the SQLite file only on SQLite; on PostgreSQL it
   * is a key (no file is there), so tests that open the file themselves (WAL, a second process
   * holding SQLite's write lock, a file backup) are SQLite-only and skip on PostgreSQL.
   */
  dbPath: string;
  /**
   * A look at the database, for assertions (what was stored, that nothing was), through a second
   * connection on the same engine. Plain SQL with `?` parameters in the common subset of SQLite
   * and PostgreSQL (see src/db/storage.ts); quote camelCase aliases (`as "teamId"`). Counts and
   * sums come back as numbers on both engines.
   */
  query<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  count(table: string): Promise<number>;
  /**
   * Writes behind the app's back through that second connection (a row made old, a state the UI
   * cannot reach); same SQL rules as `query`. Returns the number of rows changed.
   */
  execute(sql: string, ...params: unknown[]): Promise<number>;
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
  /**
   * Reuse a database (restart tests): a SQLite file path, or on PostgreSQL any path, which names
   * one database for the whole test file (the first harness given it creates it). Pass `h.dbPath`
   * of an earlier harness to restart on its data.
   */
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
  // A harness that was not given a database owns the one it made and removes it when it stops.
  const database = await databaseFor(dbPath, options.dbPath === undefined);
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    DATABASE_URL: database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    ALLIANCE_TIMEZONE: 'America/Detroit',
    ALLIANCE_COORDINATORS: (options.coordinators ?? [PEOPLE.coordinator.id]).join(','),
    LOG_LEVEL: 'debug',
    ...(socket === undefined ? {} : { SLACK_APP_TOKEN: APP_TOKEN }),
    // On PostgreSQL instances share the ballot key through the environment (a key file is per
    // machine); SQLite runs keep covering the generated key file. A test may unset it with ''.
    ...(TEST_ENGINE === 'postgres' ? { ALLIANCE_BALLOT_SECRET: TEST_BALLOT_SECRET } : {}),
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
  const second = secondConnection(database.url);
  const harness: Harness = {
    fake,
    alliance,
    slack,
    ...(socket === undefined ? {} : { socket }),
    config,
    logs,
    engine: TEST_ENGINE,
    databaseUrl: database.url,
    dbPath,
    query: (sql: string, ...params: unknown[]) => second.query(sql, params),
    count: async (table: string) => Number((await second.query<{ n: number }>(`select count(*) as n from ${table}`, []))[0]?.n),
    execute: (sql: string, ...params: unknown[]) => second.execute(sql, params),
    command: async (command, text, as) => {
      const response = await slack.command(command, text, { userId: as.userId, channelId: as.channelId });
      const parsed: Record<string, unknown> = response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
      return { status: response.status, raw: response.body, ...parsed };
    },
    flush: (now?: Date) => alliance.drainOutbox(now),
    stop: async () => {
      await second.close();
      await alliance.stop();
      await fake.close();
      await socket?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      await database.dispose();
    },
  };
  return harness;
}

interface HarnessDatabase {
  url: string;
  dispose(): Promise<void>;
}

// PostgreSQL databases by the dbPath that names them, so a restart on `dbPath` finds its data.
const postgresByPath = new Map<string, Promise<TemporaryDatabase>>();

/**
 * The app's database on the suite's engine. SQLite: the file at `dbPath` (the app creates it). PostgreSQL: a fresh migrated
 * database (see createMigratedDatabase), the same one for every harness given the same `dbPath`;
 * whatever is not dropped by its owner is dropped when the test file ends (./setup.ts).
 */
async function databaseFor(dbPath: string, owned: boolean): Promise<HarnessDatabase> {
  if (TEST_ENGINE === 'sqlite') return { url: dbPath, dispose: async () => undefined };
  let made = postgresByPath.get(dbPath);
  if (made === undefined) {
    made = createMigratedDatabase();
    postgresByPath.set(dbPath, made);
  }
  const database = await made;
  return {
    url: database.url,
    dispose: async () => {
      if (!owned) return;
      postgresByPath.delete(dbPath);
      await database.drop();
    },
  };
}

interface SecondConnection {
  query<T>(sql: string, params: unknown[]): Promise<T[]>;
  execute(sql: string, params: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/** The test's own connection to the app's database: reads, and the rare write behind the app's back. */
function secondConnection(url: string): SecondConnection {
  if (TEST_ENGINE === 'postgres') {
    // Numbers come back as numbers, as the app's own connections parse them (storage-pg.ts).
    const pool = new pg.Pool({ connectionString: url, max: 2, types: postgresTypes });
    pool.on('error', () => undefined);
    return {
      query: async <T>(sql: string, params: unknown[]) => (await pool.query({ text: toPostgresSql(sql), values: params })).rows as T[],
      execute: async (sql: string, params: unknown[]) => (await pool.query({ text: toPostgresSql(sql), values: params })).rowCount ?? 0,
      close: () => pool.end(),
    };
  }
  // Opened when first used: the app has created and migrated the file by then. Reads go through a
  // read-only connection, so an assertion can never change what it looks at.
  let reader: Database.Database | undefined;
  let writer: Database.Database | undefined;
  const read = (): Database.Database => (reader ??= new Database(url, { readonly: true, fileMustExist: true }));
  const write = (): Database.Database => {
    if (writer === undefined) {
      writer = new Database(url, { fileMustExist: true });
      writer.pragma('busy_timeout = 5000');
    }
    return writer;
  };
  return {
    query: async <T>(sql: string, params: unknown[]) => read().prepare(sql).all(...params) as T[],
    execute: async (sql: string, params: unknown[]) => write().prepare(sql).run(...params).changes,
    close: async () => {
      reader?.close();
      writer?.close();
    },
  };
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
