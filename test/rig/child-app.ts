/**
 * The real app as a separate process (`tsx src/main.ts`), for tests that kill it or run several of
 * it on one database (a SQLite file, or a PostgreSQL database). It talks to a fake Slack the test
 * started; its JSON log lines are kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createSlackRequester, type SlackRequester } from './slack-request.js';
import { engineOf } from '../../src/db/open-storage.js';
import { BOT_TOKEN, SIGNING_SECRET, TEST_BALLOT_SECRET } from './harness.js';
import type { FakeSlack } from '../../src/fake-slack/types.js';
import { PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';

const root = join(import.meta.dirname, '..', '..');

export interface ChildApp {
  process: ChildProcess;
  port: number;
  slack: SlackRequester;
  logs: string[];
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** `databaseUrl`: the app's DATABASE_URL, a SQLite file or a PostgreSQL database several children may share. */
export async function startChildApp(fake: FakeSlack, databaseUrl: string, env: Record<string, string> = {}): Promise<ChildApp> {
  // tsx's loader in this very process (not the tsx CLI, which forks a grandchild that SIGKILL would orphan).
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ALLIANCE_COORDINATORS: PEOPLE.coordinator.id,
      LOG_LEVEL: 'info',
      // Instances on one PostgreSQL database share the ballot key through the environment.
      ...(engineOf(databaseUrl) === 'postgres' ? { ALLIANCE_BALLOT_SECRET: TEST_BALLOT_SECRET } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const match = /"msg":"Alliance is running".*"port":(\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => logs.push(`[stderr] ${chunk.toString('utf8')}`));
    void exited.then((code) => reject(new Error(`app exited (${String(code)}) before it was ready:\n${logs.join('\n')}`)));
  });
  const slack = createSlackRequester({ baseUrl: `http://127.0.0.1:${port}`, signingSecret: SIGNING_SECRET, teamId: WORKSPACE_ID, responseUrl: (origin) => fake.responseUrl(undefined, origin) });
  return {
    process: child,
    port,
    slack,
    logs,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
