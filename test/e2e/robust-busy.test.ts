import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_RETRY_BUDGET_MS } from '../../src/slack/busy-retry.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { holdWriteLock, type LockHolder } from '../rig/lock-holder.js';
import { TEST_ENGINE } from '../rig/engines.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

/**
 * Issue #16, item 7: another process holding SQLite's write lock must not freeze this one. The
 * lock holder is a real second process; ordering (not timing) proves the app stayed responsive:
 * other requests are answered while the write is waiting, before the lock is let go.
 */
describe.skipIf(TEST_ENGINE === 'postgres')('while another process holds the database write lock (SQLite only: PostgreSQL has no database-wide write lock)', () => {
  let h: Harness;
  let holder: LockHolder | undefined;
  const member = async (userId: string) =>
    (await h.query<{ n: number }>("select count(*) as n from team_members tm join program_teams t on t.id = tm.program_team_id where t.key = 'CNA' and tm.user_id = ?", userId))[0]?.n;
  const retries = () => h.logs.filter((l) => l.includes('"msg":"database busy: request will run again"')).length;

  beforeAll(async () => {
    h = await startHarness();
    await linkSeedChannels(h);
  });
  afterEach(async () => {
    await holder?.release();
    holder = undefined;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('keeps answering other requests while a write waits, and the write goes through once the lock is let go', async () => {
    holder = await holdWriteLock(h.dbPath);
    const before = retries();
    const join = h.command('/team', 'join CNA', { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id });
    // The write found the lock taken and waits asynchronously for another go...
    await expect.poll(retries, { timeout: 10_000, interval: 5 }).toBeGreaterThan(before);
    // ...so, with the lock still held, other requests are answered.
    const health = await fetch(`http://127.0.0.1:${h.alliance.port}/healthz`);
    expect(health.status).toBe(200);
    const list = await h.command('/team', 'list', { userId: PEOPLE.trainer.id, channelId: CHANNELS.general.id });
    expect(list.text ?? JSON.stringify(list.blocks)).toContain('CNA');
    expect(holder.process.exitCode).toBeNull();
    await holder.release();
    const joined = await join;
    expect(joined.status).toBe(200);
    expect(joined.text).toContain('Welcome to *CNA*');
    expect(await member(PEOPLE.henryFord1.id)).toBe(1);
  });

  it('a write that cannot get the lock within its retry budget is told so with a reference, and nothing is half-written', async () => {
    holder = await holdWriteLock(h.dbPath);
    const answer = await h.command('/team', 'join CNA', { userId: PEOPLE.trinity.id, channelId: CHANNELS.general.id });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/did not complete.*ERR-[0-9A-F]{6}/);
    expect(await member(PEOPLE.trinity.id)).toBe(0);
    await holder.release();
    const again = await h.command('/team', 'join CNA', { userId: PEOPLE.trinity.id, channelId: CHANNELS.general.id });
    expect(again.text).toContain('Welcome to *CNA*');
  });

  it('a member_joined_channel (answered before its listener runs, so never run again) waits out the lock: the member is added and welcomed once it is let go', async () => {
    const user = PEOPLE.corewell.id;
    const logsBefore = h.logs.length;
    holder = await holdWriteLock(h.dbPath);
    const lookups = () => h.fake.callsTo('users.info').filter((c) => c.args.user === user).length;
    const event = { type: 'member_joined_channel', user, channel: CHANNELS.cna.id, channel_type: 'C', team: h.alliance.workspaceId };
    expect((await h.slack.event(event, { eventId: 'Ev0BUSYJOIN1' })).status).toBe(200);
    // The listener has asked Slack who this is and goes on to its write, which finds the lock taken;
    // the lock is held well past the busy timeout and the request retry budget.
    await expect.poll(lookups, { timeout: 10_000, interval: 5 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_BUDGET_MS + 500));
    expect(await member(user)).toBe(0);
    await holder.release();
    await expect.poll(() => member(user), { timeout: 20_000 }).toBe(1);
    await expect.poll(async () => (await h.query('select key from processed_requests where key = ?', 'event:Ev0BUSYJOIN1')).length, { timeout: 20_000 }).toBe(1);
    await h.flush();
    expect(h.fake.messages(CHANNELS.cna.id).filter((m) => m.ephemeral && m.user === user && String(m.text).includes('Welcome'))).toHaveLength(1);
    expect(h.logs.slice(logsBefore).filter((l) => /listener failed|database is locked/.test(l))).toEqual([]);
  });
});
