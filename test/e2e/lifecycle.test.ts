import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../src/fake-slack/server.js';
import type { FakeSlack } from '../../src/fake-slack/types.js';
import { allChannels, allUsers, CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { TEST_ENGINE } from '../rig/engines.js';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, TEST_BALLOT_SECRET } from '../rig/harness.js';
import { createMigratedDatabase } from '../rig/postgres.js';
import { createSlackRequester } from '../rig/slack-request.js';
import { freePort } from '../rig/free-port.js';

const root = join(import.meta.dirname, '..', '..');

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function waitForHealth(url: string, exited: Promise<unknown>): Promise<Response> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 300 && !done; i++) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the app never became healthy');
}

describe('starting and stopping the real process', () => {
  let fake: FakeSlack;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, teamId: WORKSPACE_ID, users: allUsers(), channels: allChannels() });
    dir = mkdtempSync(join(tmpdir(), 'alliance-main-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start with one message listing every missing or malformed variable', async () => {
    const run = runMain({ PORT: 'not-a-port', ALLIANCE_TIMEZONE: 'Nowhere/Land' });
    expect(await run.exited).toBe(1);
    const { stderr } = run.output();
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'ALLIANCE_TIMEZONE']) expect(stderr).toContain(name);
  });

  it(`serves Slack and /healthz, ${TEST_ENGINE === 'sqlite' ? 'creates the database folder' : 'on PostgreSQL'}, and exits 0 on SIGTERM`, async () => {
    const port = String(await freePort());
    const run = runMain({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      ...(TEST_ENGINE === 'postgres'
        ? { DATABASE_URL: (await createMigratedDatabase()).url, ALLIANCE_BALLOT_SECRET: TEST_BALLOT_SECRET }
        : { DATABASE_URL: join(dir, 'nested', 'folder', 'alliance.db') }),
      PORT: port,
      HOST: '127.0.0.1',
      ALLIANCE_COORDINATORS: PEOPLE.coordinator.id,
    });
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}/healthz`, run.exited);
      expect(await health.json()).toEqual({ ok: true, database: 'ok', engine: TEST_ENGINE });
      const slack = createSlackRequester({ baseUrl: `http://127.0.0.1:${port}`, signingSecret: SIGNING_SECRET, teamId: WORKSPACE_ID });
      const reply = await slack.command('/team', 'list', { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id });
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('Certified Nursing Assistant');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toContain('Alliance stopped');
  });

  it('refuses to start, saying which database did not answer (without its password), when PostgreSQL is unreachable', async () => {
    const closedPort = await freePort();
    const run = runMain({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      DATABASE_URL: `postgres://alliance:pw-not-to-show@127.0.0.1:${closedPort}/alliance`,
      ALLIANCE_BALLOT_SECRET: TEST_BALLOT_SECRET,
      PORT: '0',
    });
    expect(await run.exited).toBe(1);
    const { stderr } = run.output();
    expect(stderr).toContain(`Alliance cannot start: the database at postgres://alliance:***@127.0.0.1:${closedPort}/alliance did not open`);
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).toContain('Check DATABASE_URL');
    expect(stderr).not.toContain('pw-not-to-show');
  });

  it('refuses to start when Slack rejects the token', async () => {
    const run = runMain({
      SLACK_BOT_TOKEN: 'xoxb-wrong',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      DATABASE_URL: join(dir, 'wrong-token.db'),
      PORT: '0',
    });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain('invalid_auth');
    expect(run.output().stderr).not.toContain('xoxb-wrong');
  });
});

describe('/healthz', () => {
  it('answers 503 when the database does not', async () => {
    const h = await startHarness();
    try {
      const base = `http://127.0.0.1:${h.alliance.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await h.alliance.deps.db.close();
      const down = await fetch(`${base}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, database: 'unavailable', engine: h.engine });
    } finally {
      await h.stop();
    }
  });

  it('answers unknown paths with 404 and non-POST Slack requests with 405', async () => {
    const h = await startHarness();
    try {
      const base = `http://127.0.0.1:${h.alliance.port}`;
      expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
      expect((await fetch(`${base}/slack/events`)).status).toBe(405);
    } finally {
      await h.stop();
    }
  });
});
