import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issues } from '../../src/db/schema.js';
import { runDigests } from '../../src/features/digest/job.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { laterAnswer } from '../rig/later-answer.js';

const coordinator = { userId: PEOPLE.coordinator.id, channelId: CHANNELS.general.id };
const employer = { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id };
const inCna = { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.cna.id };
const MINUTE = 60_000;

/** Monday 9 March 2026, 10:00 in Detroit (EDT): the weekly 08:00 digest has already gone. */
const START = new Date('2026-03-09T14:00:00Z');

// Posted digests only: a preview is an ephemeral message to the person who asked.
const digestMessages = (h: Harness, channel: string) =>
  h.fake.messages(channel).filter((m) => m.ephemeral !== true && ((m.text ?? '').includes('digest') || (m.text ?? '').includes('roll-up')));

async function addIssue(h: Harness, key: string, n: number, title: string, createdAt: Date): Promise<void> {
  const [team] = await h.query<{ id: number }>('select id from program_teams where key = ?', key);
  await h.alliance.deps.db
    .insert(issues)
    .values({ workspaceId: h.alliance.workspaceId, programTeamId: team?.id ?? 0, number: n, title, category: 'general', status: 'open', reporterId: PEOPLE.henryFord1.id, createdAt: createdAt.getTime(), updatedAt: createdAt.getTime() })
    .run();
}

describe('/digest over signed HTTP', () => {
  let h: Harness;
  let clock = START;
  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    await addIssue(h, 'CNA', 1, 'Clinical placement shortage', new Date('2026-03-05T15:00:00Z'));
  });
  afterAll(async () => {
    await h.stop();
  });
  const preview = (target: string, as: { userId: string; channelId: string }) => laterAnswer(h, '/digest', `preview ${target}`.trim(), as, /^:hourglass_flowing_sand: Building a preview/);

  it('answers help (and an empty command) with every subcommand, ephemerally', async () => {
    for (const text of ['', 'help']) {
      const ack = await h.command('/digest', text, employer);
      expect(ack.response_type).toBe('ephemeral');
      for (const sub of ['preview [KEY]', 'preview all', 'send [KEY]', 'send all', 'schedule', 'schedule [KEY|rollup] CRON', 'subscribe', 'unsubscribe']) {
        expect(ack.text).toContain(`/digest ${sub}`);
      }
    }
  });

  it('previews a team digest only to the person asking, just after the ack, and stores or sends nothing', async () => {
    const outboxBefore = await h.count('outbox');
    const ack = await preview('CNA', employer);
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'CNA digest · 2 Mar 2026 – 9 Mar 2026' } });
    expect(visibleText(ack)).toContain('• *CNA-1* Clinical placement shortage · open · _no owner_');
    // In a linked channel the team is implied.
    const implied = await preview('', inCna);
    expect(implied.blocks?.[0]).toEqual(ack.blocks?.[0]);
    expect(await h.count('outbox')).toBe(outboxBefore);
    expect(await h.count('digest_runs')).toBe(0);
  });

  it('previews the coordinators’ roll-up with `all`', async () => {
    const ack = await preview('all', employer);
    const text = visibleText(ack);
    expect(text).toContain('Coordinators’ roll-up · 2 Mar 2026 – 9 Mar 2026');
    expect(text).toContain('*CNA* · Certified Nursing Assistant');
    expect(text).toContain('*SPT* · Sterile Processing Technician');
    expect(text).toContain('1 with no owner');
  });

  it('answers in the ack that the preview is coming; the preview itself is built after the ack', async () => {
    const before = h.fake.responses.length;
    const ack = await h.command('/digest', 'preview CNA', employer);
    expect(ack.text).toBe(':hourglass_flowing_sand: Building a preview of *CNA*’s digest; it will be here in a moment.');
    expect(ack.blocks).toBeUndefined();
    const answer = await h.fake.waitFor(() => h.fake.responses[before]);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('CNA') as unknown });
    // Posted to the channel for the asker only, as the ack's answer was.
    const shown = h.fake.messages(employer.channelId).at(-1);
    expect(shown).toMatchObject({ ephemeral: true, user: employer.userId });
  });

  it('asks politely for a team where the channel has none, or the key is unknown', async () => {
    expect((await h.command('/digest', 'preview', employer)).text).toContain('This channel is not linked to a team');
    expect((await h.command('/digest', 'preview NURSE', employer)).text).toContain('There is no team NURSE');
    expect((await h.command('/digest', 'preview CNA MA', employer)).text).toContain('Usage: `/digest preview [KEY|all]`');
    expect((await h.command('/digest', 'frobnicate', employer)).text).toContain('has no subcommand "frobnicate"');
  });

  it('shows every schedule with its next run time in ALLIANCE_TIMEZONE', async () => {
    const ack = await h.command('/digest', 'schedule', employer);
    const text = visibleText(ack);
    expect(text).toContain('times in America/Detroit');
    expect(text).toContain('*CNA* · every Monday at 08:00 (`0 8 * * 1`, default) · next: Mon, 16 Mar 2026, 08:00');
    expect(text).toContain('*Roll-up* (coordinators) · every Monday at 08:00');
  });

  it('refuses a bad schedule with the reason and an example, storing nothing', async () => {
    const ack = await h.command('/digest', 'schedule CNA 61 * * * *', coordinator);
    expect(ack.text).toContain('Sorry, I can');
    expect(ack.text).toContain('minute must be between 0 and 59');
    expect(ack.text).toContain('`0 8 * * 1` means Mondays at 08:00');
    expect(await h.count('digest_schedules')).toBe(0);
  });

  it('refuses schedule changes and sends from non-coordinators, audits them and changes nothing', async () => {
    expect((await h.command('/digest', 'schedule CNA 0 9 * * 1', employer)).text).toContain('Only coordinators');
    expect((await h.command('/digest', 'send CNA', employer)).text).toContain('Only coordinators');
    expect(await h.count('digest_schedules')).toBe(0);
    expect(await h.query("select * from outbox where dedupe_key like 'digest%'")).toEqual([]);
    const refused = await h.query<{ action: string }>("select action from audit_log where outcome = 'refused' and actor_id = ? order by id", PEOPLE.henryFord1.id);
    expect(refused.map((r) => r.action)).toEqual(['digest.schedule', 'digest.send']);
  });

  it('sends one digest when a team’s schedule is set to every minute and the job runs', async () => {
    clock = new Date(START.getTime() + 20_000);
    const ack = await h.command('/digest', 'schedule CNA * * * * *', coordinator);
    expect(ack.text).toContain('*CNA*’s digest now goes out every minute (`* * * * *`, America/Detroit). Next: Mon, 9 Mar 2026, 10:01 · Mon, 9 Mar 2026, 10:02');
    expect(await h.query('select scope, cron, time_zone from digest_schedules')).toEqual([{ scope: 'CNA', cron: '* * * * *', time_zone: 'America/Detroit' }]);

    // The minute the schedule was set in has passed its run: nothing until the next minute.
    clock = new Date(START.getTime() + 30_000);
    await h.alliance.runJob('digest', clock);
    await h.flush();
    expect(digestMessages(h, CHANNELS.cna.id)).toEqual([]);

    clock = new Date(START.getTime() + MINUTE);
    await h.alliance.runJob('digest', clock);
    await h.alliance.runJob('digest', new Date(clock.getTime() + 20_000));
    await h.flush();
    const sent = digestMessages(h, CHANNELS.cna.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'CNA digest · 9 Mar 2026, 10:00 – 9 Mar 2026, 10:01' } });
    // Other teams keep the weekly default; today's 08:00 predates them (they were created at 10:00).
    expect(digestMessages(h, CHANNELS.ma.id)).toEqual([]);
    expect(await h.query('select scope from digest_runs')).toEqual([{ scope: 'CNA' }]);
  });

  it('sends the next minute’s digest after the next tick, and stops when set back to the default', async () => {
    clock = new Date(START.getTime() + 2 * MINUTE);
    await h.alliance.runJob('digest', clock);
    await h.flush();
    expect(digestMessages(h, CHANNELS.cna.id)).toHaveLength(2);
    const reset = await h.command('/digest', 'schedule CNA default', coordinator);
    expect(reset.text).toContain('every Monday at 08:00');
    clock = new Date(START.getTime() + 3 * MINUTE);
    await h.alliance.runJob('digest', clock);
    await h.flush();
    expect(digestMessages(h, CHANNELS.cna.id)).toHaveLength(2);
  });

  it('lets a coordinator send a team digest now; a Slack failure is retried and it still arrives once', async () => {
    h.fake.failNext('chat.postMessage', { error: 'internal_error' });
    const ack = await h.command('/digest', 'send MA', coordinator);
    expect(ack.text).toContain(`MA → <#${CHANNELS.ma.id}>`);
    await h.flush();
    expect(digestMessages(h, CHANNELS.ma.id)).toEqual([]);
    await h.flush(new Date(clock.getTime() + MINUTE));
    await h.flush(new Date(clock.getTime() + 2 * MINUTE));
    expect(digestMessages(h, CHANNELS.ma.id)).toHaveLength(1);
    expect((await h.query<{ n: number }>("select count(*) as n from outbox where dedupe_key like 'digest-send:MA:%'"))[0]?.n).toBe(1);
  });

  it('sends the roll-up by direct message to coordinators and subscribers; unsubscribing stops it', async () => {
    expect((await h.command('/digest', 'subscribe', { userId: PEOPLE.analyst.id, channelId: CHANNELS.general.id })).text).toContain('You will get the coordinators’ roll-up');
    expect((await h.command('/digest', 'subscribe', { userId: PEOPLE.analyst.id, channelId: CHANNELS.general.id })).text).toContain('already subscribed');
    expect((await h.command('/digest', 'subscribe', { userId: PEOPLE.partner.id, channelId: CHANNELS.general.id })).text).toContain('Slack Connect');
    const ack = await h.command('/digest', 'send rollup', coordinator);
    expect(ack.text).toContain(`the roll-up → <@${PEOPLE.coordinator.id}>, <@${PEOPLE.analyst.id}>`);
    await h.flush();
    expect(digestMessages(h, PEOPLE.coordinator.id)).toHaveLength(1);
    expect(digestMessages(h, PEOPLE.analyst.id)).toHaveLength(1);
    expect(digestMessages(h, PEOPLE.partner.id)).toEqual([]);

    expect((await h.command('/digest', 'unsubscribe', { userId: PEOPLE.analyst.id, channelId: CHANNELS.general.id })).text).toContain('You are unsubscribed');
    clock = new Date(clock.getTime() + 1000);
    await h.command('/digest', 'send rollup', coordinator);
    await h.flush();
    expect(digestMessages(h, PEOPLE.coordinator.id)).toHaveLength(2);
    expect(digestMessages(h, PEOPLE.analyst.id)).toHaveLength(1);
  });

  it('sends every team and the roll-up with `send all`', async () => {
    clock = new Date(clock.getTime() + 1000);
    const before = [CHANNELS.cna.id, CHANNELS.ma.id, CHANNELS.spt.id, PEOPLE.coordinator.id].map((c) => digestMessages(h, c).length);
    await h.command('/digest', 'send all', coordinator);
    await h.flush();
    const after = [CHANNELS.cna.id, CHANNELS.ma.id, CHANNELS.spt.id, PEOPLE.coordinator.id].map((c) => digestMessages(h, c).length);
    expect(after).toEqual(before.map((n) => n + 1));
  });

  it('changes the roll-up schedule with `rollup`', async () => {
    const ack = await h.command('/digest', 'schedule rollup 30 7 * * mon-fri', coordinator);
    expect(ack.text).toContain('The coordinators’ roll-up now goes out every weekday (Monday to Friday) at 07:30');
    expect(await h.query("select cron from digest_schedules where scope = '*'")).toEqual([{ cron: '30 7 * * mon-fri' }]);
  });
});

describe('digests across a restart', () => {
  it('delivers a scheduled digest whose send was interrupted exactly once after the app comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-digest-restart-'));
    const dbPath = join(dir, 'alliance.db');
    const clock = START;
    try {
      const first = await startHarness({ now: () => clock, dbPath });
      await linkSeedChannels(first);
      await first.command('/digest', 'schedule SPT * * * * *', coordinator);
      // The job claims and queues the digest; the process dies while sending it (the row is leased, not sent).
      const at = new Date(START.getTime() + MINUTE);
      const summary = await runDigests({ db: first.alliance.deps.db, now: at, logger: first.alliance.logger, workspaceId: first.alliance.workspaceId, timeZone: 'America/Detroit', configCoordinators: [PEOPLE.coordinator.id], instanceId: 'dead' });
      expect(summary.sent.map((s) => s.scope)).toEqual(['SPT']);
      await first.execute("update outbox set status = 'sending', lease_until = ? where dedupe_key like 'digest:SPT:%'", at.getTime() + MINUTE);
      await first.stop();

      const second = await startHarness({ now: () => clock, dbPath });
      try {
        // Same minute again on the new instance: already claimed, nothing new is queued.
        await second.alliance.runJob('digest', new Date(at.getTime() + 10_000));
        await second.flush(new Date(at.getTime() + 10_000));
        expect(digestMessages(second, CHANNELS.spt.id)).toEqual([]);
        // The dead instance's lease runs out and the new one delivers it.
        await second.flush(new Date(at.getTime() + 2 * MINUTE));
        expect(digestMessages(second, CHANNELS.spt.id)).toHaveLength(1);
        await second.flush(new Date(at.getTime() + 5 * MINUTE));
        expect(digestMessages(second, CHANNELS.spt.id)).toHaveLength(1);
        expect(await second.query("select count(*) as n from outbox where dedupe_key like 'digest:SPT:%'")).toEqual([{ n: 1 }]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
