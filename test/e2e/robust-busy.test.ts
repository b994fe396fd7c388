import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { holdWriteLock, type LockHolder } from '../rig/lock-holder.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

/**
 * Issue #16, item 7: another process holding SQLite's write lock must not freeze this one. The
 * lock holder is a real second process; ordering (not timing) proves the app stayed responsive:
 * other requests are answered while the write is waiting, before the lock is let go.
 */
describe('while another process holds the database write lock', () => {
  let h: Harness;
  let holder: LockHolder | undefined;
  const member = (userId: string) =>
    h.query<{ n: number }>("select count(*) as n from team_members tm join program_teams t on t.id = tm.program_team_id where t.key = 'CNA' and tm.user_id = ?", userId)[0]?.n;
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
    expect(member(PEOPLE.henryFord1.id)).toBe(1);
  });

  it('a write that cannot get the lock within its retry budget is told so with a reference, and nothing is half-written', async () => {
    holder = await holdWriteLock(h.dbPath);
    const answer = await h.command('/team', 'join CNA', { userId: PEOPLE.trinity.id, channelId: CHANNELS.general.id });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/did not complete.*ERR-[0-9A-F]{6}/);
    expect(member(PEOPLE.trinity.id)).toBe(0);
    await holder.release();
    const again = await h.command('/team', 'join CNA', { userId: PEOPLE.trinity.id, channelId: CHANNELS.general.id });
    expect(again.text).toContain('Welcome to *CNA*');
  });
});
