import { WebClient } from '@slack/web-api';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { SANDBOX_BOT_TOKEN, startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { CHANNELS, ORGANISATIONS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { freshTestStorage, type TestStorage } from '../rig/engines.js';

/** The sandbox's server side without a browser: what the page's API turns into. */
describe('the sandbox server', () => {
  // A fresh database on the suite's engine (SQLite, or PostgreSQL under ALLIANCE_TEST_ENGINE=postgres).
  let database: TestStorage;
  let sandbox: RunningSandbox;
  const logs: string[] = [];

  const start = (digests?: () => Promise<string>) =>
    startSandbox({
      port: 0,
      databaseUrl: database.url,
      schedules: false,
      logger: createLogger('debug', (line) => logs.push(line)),
      ...(digests === undefined ? {} : { sendDigests: digests }),
    });
  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const state = async (as: string) => (await (await fetch(`${sandbox.url}/sandbox/api/state?as=${as}`)).json()) as {
    messages: Record<string, Array<{ text: string; ephemeral: boolean; author: string; blocks?: unknown[] }>>;
    modal: null | { view: { id: string; title: { text: string } }; errors: Record<string, string> };
    me: { isCoordinator: boolean };
  };

  beforeAll(async () => {
    database = await freshTestStorage();
    sandbox = await start(async () => 'digests ran');
  });

  afterAll(async () => {
    await sandbox.stop();
    await database.dispose();
  });

  it('listens on loopback only and serves the page with a strict content security policy', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${sandbox.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('Sandbox — not connected to Slack');
  });

  it('seeds the workspace through signed /team commands: channels linked, organisations recorded', async () => {
    const repo = sandbox.alliance.deps.teamRepository;
    expect((await repo.byChannel(WORKSPACE_ID, CHANNELS.cna.id))?.key).toBe('CNA');
    expect((await repo.byChannel(WORKSPACE_ID, CHANNELS.spt.id))?.key).toBe('SPT');
    const corewell = ORGANISATIONS.find((o) => o.person === 'corewell');
    expect((await sandbox.alliance.deps.teams.organisationOf(WORKSPACE_ID, PEOPLE.corewell.id))?.name).toBe(corewell?.organisation);
  });

  it('seeds realistic HCASM goals through signed /goal commands, on track, at risk and behind', async () => {
    const goals = await sandbox.alliance.deps.db.rows<{ number: number; name: string }>(sql`select number, name, status from goals order by number`);
    expect(goals.map((g) => g.name)).toEqual([
      'Clinical placement slots',
      'High-school students reached through hospital tours',
      'Medical assistant apprentices hired',
      'Average days to fill MA openings',
      'State approves the new SPT curriculum',
    ]);
    const { GoalRepository } = await import('../../src/features/goal/repository.js');
    const { paceOf } = await import('../../src/features/goal/pace.js');
    const { todayIn } = await import('../../src/time/zone.js');
    const repo = new GoalRepository(sandbox.alliance.deps.db);
    const today = todayIn(new Date(), 'America/Detroit');
    const paces: string[] = [];
    for (const g of goals) {
      const goal = await repo.byNumber(WORKSPACE_ID, g.number);
      paces.push(goal === undefined ? 'missing' : paceOf(goal, await repo.readings(goal.id), today).status);
    }
    expect(paces).toEqual(['on_track', 'on_track', 'at_risk', 'behind', 'at_risk']);
  });

  it('shows a command’s ack body to its sender only, and plain messages to everyone', async () => {
    // The seeded goals' announcements are in the channel (delivered now); look at what comes after them.
    await sandbox.alliance.drainOutbox();
    const seenByTrainer = ((await state(PEOPLE.trainer.id)).messages[CHANNELS.ma.id] ?? []).length;
    const seenByMarcus = ((await state(PEOPLE.henryFord2.id)).messages[CHANNELS.ma.id] ?? []).length;
    expect((await post('/sandbox/api/send', { as: PEOPLE.trainer.id, channel: CHANNELS.ma.id, text: '/team members' })).json.ok).toBe(true);
    await post('/sandbox/api/send', { as: PEOPLE.trainer.id, channel: CHANNELS.ma.id, text: 'hi @marcus' });
    const mine = ((await state(PEOPLE.trainer.id)).messages[CHANNELS.ma.id] ?? []).slice(seenByTrainer);
    expect(mine.map((m) => [m.ephemeral, m.author])).toEqual([
      [true, sandbox.fake.botUserId],
      [false, PEOPLE.trainer.id],
    ]);
    expect(mine[1]?.text).toBe(`hi <@${PEOPLE.henryFord2.id}|marcus>`);
    const theirs = ((await state(PEOPLE.henryFord2.id)).messages[CHANNELS.ma.id] ?? []).slice(seenByMarcus);
    expect(theirs.map((m) => m.text)).toEqual([`hi <@${PEOPLE.henryFord2.id}|marcus>`]);
  });

  it('answers an unknown command the way Slack does, without bothering the app', async () => {
    const calls = sandbox.fake.calls.length;
    await post('/sandbox/api/send', { as: PEOPLE.analyst.id, channel: CHANNELS.general.id, text: '/nope x' });
    const last = (await state(PEOPLE.analyst.id)).messages[CHANNELS.general.id]?.at(-1);
    expect(last).toMatchObject({ author: 'USLACKBOT', ephemeral: true });
    expect(last?.text).toContain('/nope is not a valid command');
    expect(sandbox.fake.calls.length).toBe(calls);
  });

  it('keeps a modal to the person it was opened for and refuses it to anyone else', async () => {
    const bot = new WebClient(SANDBOX_BOT_TOKEN, { slackApiUrl: sandbox.fake.url });
    const opened = await bot.views.open({
      trigger_id: sandbox.fake.newTrigger(PEOPLE.corewell.id),
      view: { type: 'modal', title: { type: 'plain_text', text: 'Private' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] },
    });
    const viewId = String(opened.view?.id);
    expect((await state(PEOPLE.corewell.id)).modal?.view.id).toBe(viewId);
    expect((await state(PEOPLE.trinity.id)).modal).toBeNull();
    expect((await post('/sandbox/api/submit', { as: PEOPLE.trinity.id, viewId, values: {} })).status).toBe(403);
    expect((await post('/sandbox/api/close', { as: PEOPLE.corewell.id, viewId })).json.ok).toBe(true);
    expect((await state(PEOPLE.corewell.id)).modal).toBeNull();
  });

  it('runs the digest control for coordinators only', async () => {
    expect((await state(PEOPLE.coordinator.id)).me.isCoordinator).toBe(true);
    expect((await post('/sandbox/api/digests', { as: PEOPLE.henryFord1.id, channel: CHANNELS.general.id })).json.ok).toBe(false);
    expect((await post('/sandbox/api/digests', { as: PEOPLE.coordinator.id, channel: CHANNELS.coordinators.id })).json.ok).toBe(true);
    expect((await state(PEOPLE.coordinator.id)).messages[CHANNELS.coordinators.id]?.at(-1)?.text).toBe('digests ran');
  });

  it('refuses malformed requests with 400 and names the problem', async () => {
    const bad = await post('/sandbox/api/send', { as: 'not-a-user', channel: CHANNELS.general.id, text: 'x' });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain('as');
  });

  it('does not seed again when restarted on the same database', async () => {
    const audits = async () => (await sandbox.alliance.deps.db.rows<{ n: number }>(sql`select count(*) as n from audit_log`))[0]?.n;
    const before = await audits();
    await sandbox.stop();
    sandbox = await start();
    expect(await audits()).toBe(before);
    expect((await sandbox.alliance.deps.teamRepository.byChannel(WORKSPACE_ID, CHANNELS.ma.id))?.key).toBe('MA');
  });
});
