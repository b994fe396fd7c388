import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../src/fake-slack/types.js';
import { ActionIds } from '../../src/slack/ids.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

/*
 * Alliance under Slack's real limits: the fake Slack enforces them (per method tier per workspace,
 * chat.postMessage per channel, 429 with Retry-After) and the app runs with its production refresh
 * spacing (one update a second per message). The app's clock is real time here, as in production,
 * so the outbox and the Home publisher wake themselves: nothing is flushed by the test.
 * Behaviour is asserted, not speed: timeouts are generous for a slow, shared machine.
 */

const ok = (calls: RecordedCall[]) => calls.filter((c) => c.ok);
const refused = (calls: RecordedCall[]) => calls.filter((c) => c.error === 'ratelimited');

/** Runs `work` over `items` with at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

describe('under Slack’s rate limits', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('400 voters click one ballot within seconds: every ballot counted once, at most one chat.update a second, none refused, and the message ends on the final count', async () => {
    h = await startHarness({ refreshSpacingMs: 1000 });
    const harness = h;
    const voters = Array.from({ length: 400 }, (_, i) => `U0VOTER${String(i).padStart(3, '0')}`);
    for (const id of voters) harness.fake.addUser({ id, name: `voter${id.slice(-3)}`, tz: 'America/Detroit' });
    const channel = 'C0BURST01';
    harness.fake.addChannel({ id: channel, name: 'cna-town-hall', members: [...voters, PEOPLE.coordinator.id, harness.fake.botUserId] });
    const asCoordinator = { userId: PEOPLE.coordinator.id, channelId: channel };
    expect((await harness.command('/team', 'link CNA', asCoordinator)).text).toContain('linked');
    await harness.command('/vote', 'new Which first? | Placements | Curriculum', asCoordinator);
    const ballot = await harness.fake.waitFor(() => harness.fake.messages(channel).find((m) => !m.ephemeral && m.text?.startsWith('V-1:') === true), 10_000);
    const buttons = (ballot.blocks as Array<{ block_id?: string; accessory?: { value?: string } }>).filter((b) => b.accessory?.value !== undefined);
    expect(buttons).toHaveLength(2);

    await inParallel(voters, 20, async (userId) => {
      const button = buttons[Number(userId.slice(-3)) % 2];
      const response = await harness.slack.blockAction({ actionId: ActionIds.voteChoose, blockId: button?.block_id ?? '', value: button?.accessory?.value ?? '', userId, channelId: channel, messageTs: ballot.ts });
      expect(response.status).toBe(200);
    });
    // A click is acknowledged first and its ballot stored just after (on PostgreSQL, 400 ballots on
    // one vote take a few seconds more): "the last click" is when the last ballot is in.
    const stored = async () => (await harness.query<{ n: number }>('select count(*) as n from ballots'))[0]?.n;
    await harness.fake.waitFor(async () => (await stored()) === 400, 60_000).catch(() => undefined);
    const lastClick = Date.now();

    // Every ballot counted once.
    expect(await harness.query('select count(*) as n, count(distinct cast_by) as voters from ballots')).toEqual([{ n: 400, voters: 400 }]);
    // The app sends the final count by itself (the outbox wakes when the message's spacing ends).
    const updatesOfBallot = () => harness.fake.callsTo('chat.update').filter((c) => c.args.ts === ballot.ts);
    await harness.fake.waitFor(() => JSON.stringify(harness.fake.messages(channel).find((m) => m.ts === ballot.ts)?.blocks).includes('400 of 401 eligible people have voted'), 15_000);
    const updates = updatesOfBallot();
    expect(refused(updates)).toEqual([]);
    const sent = ok(updates);
    // A handful of updates, not one per click.
    expect(sent.length).toBeLessThan(40);
    // At most one a second for this message.
    for (let i = 1; i < sent.length; i++) expect((sent[i]?.at ?? 0) - (sent[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    // After the last click: at most the update already in flight, then one carrying the final count.
    const afterLast = sent.filter((c) => c.at >= lastClick);
    expect(afterLast.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(afterLast.at(-1)?.args.blocks)).toContain('400 of 401 eligible people have voted');
    // Nothing the fake refused anywhere (ballot answers go through response_url, which Slack does not rate-limit).
    expect(refused(harness.fake.calls).map((c) => c.method)).toEqual([]);
  }, 120_000);

  it('a digest to 30 teams at once: each team channel gets its digest once, and Slack refuses none', async () => {
    h = await startHarness();
    const harness = h;
    const asCoordinator = (channelId: string) => ({ userId: PEOPLE.coordinator.id, channelId });
    const keys = Array.from({ length: 30 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`);
    for (const key of keys) {
      const channel = `C0TEAM${key}`;
      harness.fake.addChannel({ id: channel, name: `team-${key.toLowerCase()}`, members: [PEOPLE.coordinator.id, harness.fake.botUserId] });
      expect((await harness.command('/team', `create ${key} Program team ${key}`, asCoordinator(CHANNELS.coordinators.id))).text).not.toContain(':warning:');
      expect((await harness.command('/team', `link ${key}`, asCoordinator(channel))).text).toContain('linked');
    }
    const ack = await harness.command('/digest', 'send all', asCoordinator(CHANNELS.coordinators.id));
    expect(ack.status).toBe(200);
    const digestIn = (channel: string) => harness.fake.messages(channel).filter((m) => !m.ephemeral && /digest|quiet week/i.test(`${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`));
    await harness.fake.waitFor(() => keys.every((key) => digestIn(`C0TEAM${key}`).length > 0), 30_000);
    for (const key of keys) expect(digestIn(`C0TEAM${key}`)).toHaveLength(1);
    expect(refused(harness.fake.calls).map((c) => c.method)).toEqual([]);
    await harness.fake.waitFor(async () => (await harness.query<{ n: number }>("select count(*) as n from outbox where status != 'sent'"))[0]?.n === 0, 10_000).catch(() => undefined);
    expect(await harness.query("select dedupe_key, status, last_error from outbox where status != 'sent'")).toEqual([]);
  }, 120_000);

  it('a Home republish storm: 60 changes in a burst become a few views.publish per Home, none refused, each ending on the latest state', async () => {
    h = await startHarness({ refreshSpacingMs: 1000 });
    const harness = h;
    await linkSeedChannels(harness);
    const inCna = { userId: PEOPLE.trainer.id, channelId: CHANNELS.cna.id };
    await harness.command('/team', 'join CNA', inCna);
    const publishesTo = (userId: string) => harness.fake.callsTo('views.publish').filter((c) => c.args.user_id === userId);
    const coordinator = PEOPLE.coordinator.id;
    const opened = await harness.slack.event({ type: 'app_home_opened', user: coordinator, channel: `D${coordinator}`, tab: 'home' });
    expect(opened.status).toBe(200);
    await harness.fake.waitFor(() => ok(publishesTo(coordinator)).length > 0, 10_000);
    const before = publishesTo(coordinator).length;

    // 60 new issues with no owner, as fast as they come: each changes the coordinator's control room.
    for (let i = 1; i <= 60; i++) expect((await harness.command('/issue', `new Storm issue ${i}`, inCna)).status).toBe(200);
    await harness.fake.waitFor(() => JSON.stringify(ok(publishesTo(coordinator)).at(-1)?.args.view).includes('60 open issues'), 30_000);
    // Settle: nothing more goes out once the last state is shown.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const storm = publishesTo(coordinator).slice(before);
    expect(refused(storm)).toEqual([]);
    expect(ok(storm).length).toBeLessThanOrEqual(15);
    expect(JSON.stringify(ok(storm).at(-1)?.args.view)).toContain('60 open issues');
    expect(refused(harness.fake.calls).map((c) => c.method)).toEqual([]);
  }, 120_000);
});
