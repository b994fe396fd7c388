import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { inputValues, type ViewInput } from '../rig/slack-request.js';
import { validateMessage } from '../../src/fake-slack/block-kit-limits.js';
import { laterAnswer } from '../rig/later-answer.js';

/** Monday 2026-11-30, 10:00 in Detroit. */
let clock = new Date('2026-11-30T15:00:00Z');

const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });
const inSpt = (userId: string) => ({ userId, channelId: CHANNELS.spt.id });
const member = PEOPLE.henryFord1.id; // joins CNA and SPT below
const colleague = PEOPLE.corewell.id; // joins CNA below
const outsider = PEOPLE.trinity.id; // on no team
const partner = PEOPLE.partner.id; // partner workspace, joins CNA below
const coordinator = PEOPLE.coordinator.id;

/** The app on a fresh database with the seed teams linked to their channels and `member` on CNA. */
async function startWithTeams(): Promise<Harness> {
  const h = await startHarness({ now: () => clock });
  await linkSeedChannels(h);
  await h.command('/team', 'join CNA', inCna(member));
  return h;
}

describe('/goal over signed HTTP', () => {
  let h: Harness;
  const goal = async (n: number) => (await h.query<Record<string, unknown>>('select * from goals where number = ?', n))[0];
  const readings = (n: number) => h.query<{ value: number; as_of: string; superseded_at: number | null; note: string }>('select r.* from goal_readings r join goals g on g.id = r.goal_id where g.number = ? order by r.id', n);
  const stored = async () => ({ goals: await h.count('goals'), readings: await h.count('goal_readings'), events: await h.count('goal_events'), links: await h.count('goal_issues') });
  const lastAudit = async () => (await h.query<{ actor_id: string; action: string; outcome: string; target: string }>('select * from audit_log order by id desc limit 1'))[0];

  beforeAll(async () => {
    h = await startWithTeams();
    await h.command('/team', 'join SPT', inSpt(member));
    await h.command('/team', 'join CNA', inCna(colleague));
    // A partner-workspace guest is put on the team by a coordinator.
    await h.command('/team', `add <@${partner}> CNA`, inCna(coordinator));
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers help (and an empty command) with every subcommand and the pace rule', async () => {
    for (const text of ['', 'help']) {
      const ack = await h.command('/goal', text, inCna(member));
      expect(ack.response_type).toBe('ephemeral');
      for (const sub of ['new', 'update', 'done', 'list', 'show', 'edit', 'close', 'link', 'unlink']) expect(ack.text).toContain(`/goal ${sub}`);
      expect(ack.text).toContain('within 10%');
    }
    expect((await h.command('/goal', 'frobnicate', inCna(member))).text).toContain('has no subcommand "frobnicate"');
  });

  it('sets a measure from the quick form (G-1), owned by its proposer, and announces it in the team channel', async () => {
    const ack = await h.command('/goal', 'new CNA Clinical placement slots from 22 to 40 slots by 2027-06-30', inCna(member));
    expect(ack.text).toContain('Set *G-1*');
    const row = await goal(1);
    expect(row).toMatchObject({ kind: 'measure', name: 'Clinical placement slots', unit: 'slots', baseline: 22, target: 40, direction: 'up', start_date: '2026-11-30', target_date: '2027-06-30', owner_id: member, status: 'open' });
    await h.flush();
    const posted = h.fake.messages(CHANNELS.cna.id).find((m) => m.text?.includes('G-1'));
    expect(posted?.text).toContain('set a new *CNA* goal');
    expect(JSON.stringify(posted?.blocks)).toContain('goal_record_reading');
  });

  it('sets a milestone from the quick form in a team channel without naming the team', async () => {
    const ack = await h.command('/goal', 'new State approves the new SPT curriculum by 2027-03-01', inSpt(member));
    expect(ack.text).toContain('Set *G-2*');
    expect(await goal(2)).toMatchObject({ kind: 'milestone', baseline: null, target: null, program_team_id: (await h.query<{ id: number }>("select id from program_teams where key = 'SPT'"))[0]?.id });
  });

  it('refuses bad goals with a clear message and stores nothing', async () => {
    const before = await stored();
    const cases: Array<[string, string]> = [
      ['new CNA Slots from 22 to 40 by 2020-01-01', 'must be in the future'],
      ['new CNA Slots from 22 to 40 by 2026-11-30', 'must be in the future'],
      ['new CNA Slots from 22 to 40 by 2026-02-30', 'is not a date'],
      ['new CNA Slots from 22 to 22 by 2027-01-01', 'must differ from the baseline'],
      ['new CNA Slots from lots to 40 by 2027-01-01', '"lots" is not a number'],
      ['new CNA Slots from 1 to 40 *<!channel>* by 2027-01-01', 'no formatting'],
      ['new CNA Slots from 1 to 40 averyveryverylongunitname by 2027-01-01', 'at most 20'],
      [`new CNA ${'x'.repeat(130)} by 2027-01-01`, 'at most 120'],
      ['new Slots from 1 to 40 by 2027-01-01', 'Say which team'],
    ];
    for (const [text, expected] of cases) {
      const ack = await h.command('/goal', text, { userId: member, channelId: CHANNELS.general.id });
      expect(ack.text, text).toContain(expected);
    }
    expect(await stored()).toEqual(before);
  });

  it('lets only team members (and coordinators) propose, and audits the refusal', async () => {
    const before = await stored();
    const ack = await h.command('/goal', 'new CNA Students reached from 100 to 400 by 2027-06-30', inCna(outsider));
    expect(ack.text).toContain('Only members of CNA');
    expect(await stored()).toEqual(before);
    expect(await lastAudit()).toMatchObject({ actor_id: outsider, action: 'goal.new', outcome: 'refused', target: 'CNA' });
    expect((await h.command('/goal', 'new CNA Students reached from 100 to 400 students by 2027-06-30', inCna(coordinator))).text).toContain('Set *G-3*');
  });

  it('records readings, today by default or as of a past date, and a second reading for a date replaces the first and says so', async () => {
    const first = await h.command('/goal', 'update G-1 26 two new sites at Henry Ford', inCna(colleague));
    expect(first.text).toContain('Recorded *26* slots for *G-1* as of 2026-11-30');
    const past = await h.command('/goal', 'update g-1 24 as of 2026-11-15 from the October survey', inCna(member));
    expect(past.text).toContain('as of 2026-11-15');
    const again = await h.command('/goal', 'update G-1 28 corrected count', inCna(member));
    expect(again.text).toContain('replacing the reading of 26');
    const rows = await readings(1);
    expect(rows.map((r) => [r.as_of, r.value, r.superseded_at === null, r.note])).toEqual([
      ['2026-11-30', 26, false, 'two new sites at Henry Ford'],
      ['2026-11-15', 24, true, 'from the October survey'],
      ['2026-11-30', 28, true, 'corrected count'],
    ]);
    // The channel announcement is redrawn with the latest reading.
    await h.flush();
    const card = h.fake.messages(CHANNELS.cna.id).find((m) => m.text?.includes('G-1: Clinical placement slots'));
    expect(JSON.stringify(card?.blocks)).toContain('28 of 40 slots (from 22)');
    expect(card?.updatedTs).toBeDefined();
    const show = await h.command('/goal', 'show G-1', inCna(outsider));
    const text = visibleText(show);
    expect(text).toContain('28 of 40 slots');
    expect(text).toContain('~replaced');
    expect(text).toContain('Readings* (3');
  });

  it('refuses bad readings with a clear message and stores nothing', async () => {
    const before = await stored();
    const cases: Array<[string, string]> = [
      ['update G-1 lots', '"lots" is not a number'],
      ['update G-99 5', 'There is no goal G-99'],
      ['update CNA-1 5', 'is not a goal id'],
      ['update G-1 5 as of 2026-12-01', 'future date'],
      ['update G-1 5 as of yesterday', 'is not a date'],
      [`update G-1 5 ${'n'.repeat(10_000)}`, 'at most 500'],
      ['update G-2 5', 'is a milestone'],
      ['update G-1', 'Usage'],
    ];
    for (const [text, expected] of cases) expect((await h.command('/goal', text, inCna(member))).text, text.slice(0, 40)).toContain(expected);
    expect(await stored()).toEqual(before);
  });

  it('refuses a reading from someone not on the team and audits it', async () => {
    const before = await stored();
    const ack = await h.command('/goal', 'update G-1 30', inCna(outsider));
    expect(ack.text).toContain('Only members of CNA');
    expect(await stored()).toEqual(before);
    expect(await lastAudit()).toMatchObject({ actor_id: outsider, action: 'goal.update', outcome: 'refused', target: 'G-1' });
  });

  it('lets the owner and coordinators change a goal, not other members nor a partner-workspace guest, and audits refusals', async () => {
    const before = await stored();
    for (const who of [colleague, partner]) {
      const ack = await h.command('/goal', 'close G-1 dropped', inCna(who));
      expect(ack.text).toContain(who === partner ? 'partner workspace' : 'Only the owner of G-1');
      expect(await lastAudit()).toMatchObject({ actor_id: who, action: 'goal.close', outcome: 'refused' });
      expect((await h.command('/goal', 'edit G-1', inCna(who))).text).toContain(who === partner ? 'partner workspace' : 'Only the owner');
      expect(await lastAudit()).toMatchObject({ actor_id: who, action: 'goal.edit', outcome: 'refused' });
    }
    // A partner guest on the team may still record a reading.
    expect((await h.command('/goal', 'update G-3 120', inCna(partner))).text).toContain('Recorded *120* students');
    expect((await stored()).goals).toBe(before.goals);
  });

  it('lists goals of the channel team with value, pace and days left', async () => {
    const ack = await h.command('/goal', 'list', inCna(member));
    const text = visibleText(ack);
    expect(text).toContain('*G-1* Clinical placement slots · 28 of 40 slots (from 22)');
    expect(text).toContain('212 days left');
    expect(text).not.toContain('G-2');
    expect(visibleText(await h.command('/goal', 'list SPT all', inCna(member)))).toContain('G-2');
    expect((await h.command('/goal', 'list CNA open extra', inCna(member))).text).toContain('Usage');
  });

  it('links and unlinks issues, and the issue card and /issue show name the goal', async () => {
    await h.command('/issue', 'new Placement sites need preceptors', inCna(member));
    expect((await h.command('/goal', 'link G-1 CNA-1', inCna(member))).text).toContain('Linked *CNA-1* to *G-1*');
    expect((await h.command('/goal', 'link G-1 CNA-1', inCna(member))).text).toContain('already linked');
    expect((await h.command('/goal', 'link G-1 CNA-77', inCna(member))).text).toContain('There is no issue CNA-77');
    expect(visibleText(await h.command('/goal', 'show G-1', inCna(member)))).toContain('*CNA-1* Placement sites need preceptors');
    expect(visibleText(await h.command('/issue', 'show CNA-1', inCna(member)))).toContain('Goal *G-1* Clinical placement slots');
    await h.flush();
    // The channel card is redrawn to name the goal.
    const card = h.fake.messages(CHANNELS.cna.id).find((m) => m.text?.includes('CNA-1'));
    expect(JSON.stringify(card?.blocks)).toContain('Goal *G-1* Clinical placement slots');
    expect((await h.command('/goal', 'unlink G-1 CNA-1', inCna(member))).text).toContain('Unlinked *CNA-1*');
    expect(await h.count('goal_issues')).toBe(0);
    await h.command('/goal', 'link G-1 CNA-1', inCna(coordinator));
  });

  it('marks a milestone done (owner only; members refused) and announces it', async () => {
    expect((await h.command('/goal', 'done G-2', inSpt(colleague))).text).toContain('Only the owner of G-2');
    expect((await h.command('/goal', 'done G-1', inCna(member))).text).toContain('is a measure');
    const ack = await h.command('/goal', 'done G-2 approved at the November board', inSpt(member));
    expect(ack.text).toContain('G-2');
    expect(await goal(2)).toMatchObject({ status: 'achieved', close_note: 'approved at the November board' });
    await h.flush();
    expect(h.fake.messages(CHANNELS.spt.id).some((m) => m.text?.includes('as *achieved*: approved at the November board'))).toBe(true);
    expect((await h.command('/goal', 'done G-2', inSpt(member))).text).toContain('was closed as achieved');
  });

  it('closes a goal as dropped (coordinator) with an announcement; a closed goal takes no readings', async () => {
    const ack = await h.command('/goal', 'close G-3 dropped funding ended <!channel>', inCna(coordinator));
    expect(ack.text).toContain('dropped');
    await h.flush();
    const post = h.fake.messages(CHANNELS.cna.id).find((m) => m.text?.includes('dropped *G-3*'));
    expect(post?.text).toContain('funding ended &lt;!channel&gt;');
    expect((await h.command('/goal', 'update G-3 130', inCna(member))).text).toContain('closed as dropped');
  });
});

describe('/goal forms and buttons', () => {
  let h: Harness;
  let cnaId: number;
  beforeAll(async () => {
    h = await startWithTeams();
    cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  const opens = async (action: () => Promise<unknown>): Promise<ViewInput> => {
    const before = h.fake.callsTo('views.open').length;
    await action();
    const call = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    expect(call.error).toBeUndefined();
    return [...h.fake.views.values()].at(-1) as ViewInput;
  };
  const goalForm = (f: { team?: number; kind?: string; name?: string; unit?: string; baseline?: string; target?: string; date?: string | null }) =>
    inputValues({
      goal_team: { goal_team: { type: 'static_select', selected_option: f.team === undefined ? null : String(f.team) } },
      goal_kind: { goal_kind: { type: 'radio_buttons', selected_option: f.kind ?? 'measure' } },
      goal_name: { goal_name: f.name ?? '' },
      goal_unit: { goal_unit: f.unit ?? '' },
      goal_baseline: { goal_baseline: f.baseline ?? '' },
      goal_target: { goal_target: f.target ?? '' },
      goal_target_date: { goal_target_date: { type: 'datepicker', selected_date: f.date ?? null } },
      goal_owner: { goal_owner: { type: 'users_select', selected_user: null } },
    });

  it('opens the new-goal form with the channel team picked, and shows every field error beside its field, storing nothing', async () => {
    const view = await opens(() => h.command('/goal', 'new', inCna(member)));
    expect(view.callback_id).toBe('goal_new');
    expect(JSON.stringify(view.blocks)).toContain(`"initial_option":{"text":{"type":"plain_text","text":"CNA · Certified Nursing Assistant"},"value":"${cnaId}"}`);
    const response = await h.slack.viewSubmission({ view, userId: member, values: goalForm({ team: cnaId, name: '', unit: '**bold**', baseline: 'ten', target: '40', date: '2026-01-01' }) });
    const body = JSON.parse(response.body) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(['goal_baseline', 'goal_name', 'goal_target_date', 'goal_unit']);
    expect(body.errors.goal_target_date).toContain('must be in the future');
    const same = await h.slack.viewSubmission({ view, userId: member, values: goalForm({ team: cnaId, name: 'Slots', baseline: '40', target: '40', date: '2027-01-01' }) });
    expect(JSON.parse(same.body).errors).toEqual({ goal_target: expect.stringContaining('must differ') });
    expect(await h.count('goals')).toBe(0);
  });

  it('sets a goal from the form, once even when submitted twice', async () => {
    const view = await opens(() => h.command('/goal', 'new', inCna(member)));
    const values = goalForm({ team: cnaId, name: 'MA apprentices hired', unit: 'apprentices', baseline: '5', target: '25', date: '2027-06-30' });
    const first = await h.slack.viewSubmission({ view, userId: member, values });
    const second = await h.slack.viewSubmission({ view, userId: member, values });
    expect(JSON.stringify(JSON.parse(first.body))).toContain('Set G-1');
    expect(JSON.stringify(JSON.parse(second.body))).toContain('Already G-1');
    expect(await h.count('goals')).toBe(1);
  });

  it('records a reading through the "Record a reading" button and its form, with field errors first', async () => {
    const id = (await h.query<{ id: number }>('select id from goals where number = 1'))[0]?.id;
    const view = await opens(() => h.slack.blockAction({ actionId: 'goal_record_reading', blockId: 'goal_actions', value: String(id), userId: member, channelId: CHANNELS.cna.id }));
    expect(view.callback_id).toBe('goal_reading');
    const bad = await h.slack.viewSubmission({ view, userId: member, values: inputValues({ goal_value: { goal_value: 'lots' }, goal_as_of: { goal_as_of: { type: 'datepicker', selected_date: '2026-12-25' } }, goal_note: { goal_note: '' } }) });
    expect(Object.keys(JSON.parse(bad.body).errors).sort()).toEqual(['goal_as_of', 'goal_value']);
    expect(await h.count('goal_readings')).toBe(0);
    const good = await h.slack.viewSubmission({ view, userId: member, values: inputValues({ goal_value: { goal_value: '9' }, goal_as_of: { goal_as_of: { type: 'datepicker', selected_date: '2026-11-30' } }, goal_note: { goal_note: 'spring cohort' } }) });
    expect(good.body).toContain('Recorded *9* for *G-1*');
    expect(await h.query('select value, note from goal_readings')).toEqual([{ value: 9, note: 'spring cohort' }]);
    // The announcement was still on its way when the reading came in: once posted, it is brought up to date.
    await h.flush();
    await h.flush();
    const card = h.fake.messages(CHANNELS.cna.id).find((m) => m.text?.includes('G-1: MA apprentices hired'));
    expect(JSON.stringify(card?.blocks)).toContain('9 of 25 apprentices (from 5)');
  });

  it('edits a goal through its form (owner): changed fields go into the history, bad fields get errors beside them', async () => {
    const view = await opens(() => h.command('/goal', 'edit G-1', inCna(member)));
    expect(view.callback_id).toBe('goal_edit');
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).not.toContain('goal_team');
    expect(blocks).toContain('"initial_value":"MA apprentices hired"');
    const edit = (f: Record<string, string | null>) =>
      inputValues({
        goal_name: { goal_name: f.name ?? 'MA apprentices hired' },
        goal_unit: { goal_unit: f.unit ?? 'apprentices' },
        goal_baseline: { goal_baseline: f.baseline ?? '5' },
        goal_target: { goal_target: f.target ?? '25' },
        goal_target_date: { goal_target_date: { type: 'datepicker', selected_date: f.date ?? '2027-06-30' } },
        goal_owner: { goal_owner: { type: 'users_select', selected_user: f.owner ?? member } },
      });
    const bad = await h.slack.viewSubmission({ view, userId: member, values: edit({ target: '5', date: '2025-01-01' }) });
    expect(Object.keys(JSON.parse(bad.body).errors).sort()).toEqual(['goal_target', 'goal_target_date']);
    const good = await h.slack.viewSubmission({ view, userId: member, values: edit({ target: '30', owner: PEOPLE.corewell.id }) });
    expect(good.body).toContain('changed target, owner');
    expect(await h.query('select target, owner_id from goals where number = 1')).toEqual([{ target: 30, owner_id: PEOPLE.corewell.id }]);
    expect((await h.query<{ from_value: string; to_value: string }>("select from_value, to_value from goal_events where kind = 'edit' order by id")).map((e) => `${e.from_value} → ${e.to_value}`)).toEqual([
      'target: 25 → 30',
      `owner: ${member} → ${PEOPLE.corewell.id}`,
    ]);
    // The former owner, a plain member now, may no longer edit it.
    const refused = await h.slack.viewSubmission({ view, userId: member, values: edit({ target: '35' }) });
    expect(refused.body).toContain('Only the owner of G-1');
    expect(await h.query('select target from goals where number = 1')).toEqual([{ target: 30 }]);
  });

  it('marks a milestone done with its "Mark done" button (owner), announcing it; others are told why not', async () => {
    await h.command('/goal', 'new CNA Employer partners sign the placement MOU by 2027-02-01', inCna(member));
    const id = (await h.query<{ id: number }>('select id from goals where number = 2'))[0]?.id;
    await h.slack.blockAction({ actionId: 'goal_mark_done', blockId: 'goal_actions', value: String(id), userId: PEOPLE.corewell.id, channelId: CHANNELS.cna.id });
    await h.fake.waitFor(() => h.fake.responses.find((r) => JSON.stringify(r.body).includes('Only the owner of G-2')));
    expect(await h.query('select status from goals where number = 2')).toEqual([{ status: 'open' }]);
    await h.slack.blockAction({ actionId: 'goal_mark_done', blockId: 'goal_actions', value: String(id), userId: member, channelId: CHANNELS.cna.id });
    await h.fake.waitFor(() => h.fake.responses.find((r) => JSON.stringify(r.body).includes('marked *G-2* done')));
    expect(await h.query('select status from goals where number = 2')).toEqual([{ status: 'achieved' }]);
    await h.flush();
    expect(h.fake.messages(CHANNELS.cna.id).some((m) => m.text?.includes('marked *G-2* · Employer partners sign the placement MOU as *achieved*'))).toBe(true);
  });

  it('answers a tampered button or form politely and stores nothing', async () => {
    const res = await h.slack.blockAction({ actionId: 'goal_mark_done', blockId: 'goal_actions', value: 'DROP TABLE', userId: member, channelId: CHANNELS.cna.id });
    expect(res.status).toBe(200);
    const told = await h.fake.waitFor(() => h.fake.responses.find((r) => JSON.stringify(r.body).includes('out of date')));
    expect(told).toBeDefined();
  });
});

describe('the stale reminder', () => {
  it('sends the owner one direct message per stale period, across a restart and two instances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-goal-stale-'));
    const dbPath = join(dir, 'alliance.db');
    try {
      clock = new Date('2026-11-30T15:00:00Z');
      const first = await startHarness({ now: () => clock, dbPath });
      await linkSeedChannels(first);
      await first.command('/team', 'join CNA', inCna(member));
      await first.command('/goal', 'new CNA Clinical placement slots from 22 to 40 by 2027-06-30', inCna(member));
      // 29 days on: not stale yet.
      await first.alliance.runJob('goal-stale', new Date('2026-12-29T15:00:00Z'));
      expect(await first.count('goal_stale_reminders')).toBe(0);
      // 30 days on: stale; a second run the same hour queues nothing more.
      const at = new Date('2026-12-30T15:00:00Z');
      await first.alliance.runJob('goal-stale', at);
      await first.alliance.runJob('goal-stale', at);
      await first.stop();
      // After a restart, two instances on the same file run the job at the same moment, an hour later.
      const second = await startHarness({ now: () => clock, dbPath });
      const third = await startHarness({ now: () => clock, dbPath });
      const later = new Date(at.getTime() + 3_600_000);
      await Promise.all([second.alliance.runJob('goal-stale', later), third.alliance.runJob('goal-stale', later)]);
      await third.stop();
      await second.flush(new Date(at.getTime() + 3_600_000));
      const dms = second.fake.messages(member).filter((m) => m.text?.includes('has had no reading'));
      expect(dms).toHaveLength(1);
      expect(dms[0]?.text).toContain('G-1');
      expect(await second.count('goal_stale_reminders')).toBe(1);
      // A reading ends the period; 30 days after it, the owner is asked again, once.
      clock = new Date('2027-01-05T15:00:00Z');
      await second.command('/goal', 'update G-1 25', inCna(member));
      await second.alliance.runJob('goal-stale', new Date('2027-02-04T15:00:00Z'));
      await second.alliance.runJob('goal-stale', new Date('2027-02-05T15:00:00Z'));
      expect(await second.count('goal_stale_reminders')).toBe(2);
      expect(await second.query('select count(*) as n from outbox where dedupe_key like ?', 'goal-stale:%')).toEqual([{ n: 2 }]);
      await second.stop();
    } finally {
      clock = new Date('2026-11-30T15:00:00Z');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('goals in digests, lists and limits', () => {
  let h: Harness;
  beforeAll(async () => {
    clock = new Date('2026-11-30T15:00:00Z');
    h = await startWithTeams();
  });
  afterAll(async () => {
    await h.stop();
  });
  const texts = (ack: { blocks?: unknown[] }) => (ack.blocks ?? []).map((b) => JSON.stringify(b));

  it('opens a quiet week’s team digest with its goals: value, change since the previous digest, pace, stale, days left', async () => {
    // Set three weeks ago (clock moved back), read then; a week ago 24; today 28.
    clock = new Date('2026-11-09T15:00:00Z');
    await h.command('/goal', 'new CNA Clinical placement slots from 22 to 40 slots by 2027-06-30', inCna(member));
    await h.command('/goal', 'new CNA Employer partners sign the MOU by 2026-12-10', inCna(member));
    clock = new Date('2026-11-30T15:00:00Z');
    await h.command('/goal', 'update G-1 24 as of 2026-11-20', inCna(member));
    await h.command('/goal', 'update G-1 28', inCna(member));
    const ack = await laterAnswer(h, '/digest', 'preview CNA', inCna(member), /Building a preview/);
    const blocks = texts(ack);
    // Header, then the goals, then the rest of the digest (a quiet week: no issues, meetings or votes).
    expect(blocks[0]).toContain('"type":"header"');
    expect(blocks[1]).toContain(':dart: *Goals (2 open)*');
    expect(blocks[1]).toContain('*G-1* Clinical placement slots · 28 of 40 slots (from 22) · +4 this week · :large_green_circle: On track · 212 days left');
    expect(blocks[1]).toContain('*G-2* Employer partners sign the MOU · not done yet · :large_yellow_circle: At risk · 10 days left');
    // At risk comes before on track.
    expect(blocks[1]?.indexOf('G-2')).toBeLessThan(blocks[1]?.indexOf('G-1') ?? 0);
    expect(blocks[2]).toContain('A quiet week for *CNA*');
  });

  it('flags a stale goal and lists it first in the roll-up’s cross-team goals section, sorted by risk', async () => {
    await h.command('/goal', 'new MA Medical assistant apprentices hired from 5 to 25 by 2027-06-30', { userId: coordinator, channelId: CHANNELS.ma.id });
    clock = new Date('2027-01-15T15:00:00Z');
    const team = await laterAnswer(h, '/digest', 'preview MA', { userId: coordinator, channelId: CHANNELS.ma.id }, /Building a preview/);
    expect(texts(team)[1]).toContain('stale');
    const rollup = await laterAnswer(h, '/digest', 'preview all', inCna(coordinator), /Building a preview/);
    const section = texts(rollup).find((b) => b.includes('Goals across teams')) ?? '';
    expect(section).toContain('behind or overdue');
    // G-2 (CNA) is overdue and G-3 (MA) behind, both before G-1 (CNA), on track: worst first, then by team.
    const [g2, g3, g1] = ['CNA · *G-2*', 'MA · *G-3*', 'CNA · *G-1*'].map((k) => section.indexOf(k));
    expect(g2).toBeGreaterThan(0);
    expect(g3).toBeGreaterThan(g2 ?? 0);
    expect(g1).toBeGreaterThan(g3 ?? 0);
    expect(section).toContain('MA · *G-3* Medical assistant apprentices hired · 5 of 25 (from 5) · no reading yet · :red_circle: Behind · :hourglass: stale');
    // A new meeting's agenda starts with the goals that are behind, overdue or stale.
    const before = h.fake.callsTo('views.open').length;
    await h.command('/meeting', 'new', inCna(member));
    const opened = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    const agenda = JSON.stringify(opened.args.view);
    expect(agenda).toContain('Goals behind or stale\\n- G-2 Employer partners sign the MOU (overdue, due 2026-12-10, no reading for 67 days)\\n- G-1 Clinical placement slots (on track, 28 of 40 slots, no reading for 46 days)');
    clock = new Date('2026-11-30T15:00:00Z');
  });

  it('keeps digests, the roll-up, lists and goal messages within Block Kit limits with 30 goals a team, listing all 30', async () => {
    clock = new Date('2026-11-30T15:00:00Z');
    for (let i = 0; i < 30; i++) {
      await h.command('/goal', `new SPT ${'Sterile processing technicians trained at site number'} ${i + 1} from 0 to ${10 + i} technicians by 2027-0${1 + (i % 9)}-15`, { userId: coordinator, channelId: CHANNELS.spt.id });
    }
    expect((await h.query<{ n: number }>("select count(*) as n from goals g join program_teams t on t.id = g.program_team_id where t.key = 'SPT'"))[0]?.n).toBe(30);
    const digest = await laterAnswer(h, '/digest', 'preview SPT', inSpt(coordinator), /Building a preview/);
    expect(validateMessage({ text: digest.text, blocks: digest.blocks })).toEqual([]);
    const goalText = texts(digest).filter((b) => b.includes('*G-')).join('');
    expect(goalText.match(/\*G-\d+\*/g)?.length).toBe(30);
    const rollup = await laterAnswer(h, '/digest', 'preview all', inSpt(coordinator), /Building a preview/);
    expect(validateMessage({ text: rollup.text, blocks: rollup.blocks })).toEqual([]);
    const list = await h.command('/goal', 'list SPT', inSpt(coordinator));
    expect(validateMessage({ text: list.text, blocks: list.blocks })).toEqual([]);
    expect(visibleText(list).match(/\*G-\d+\*/g)?.length).toBe(30);
    const show = await h.command('/goal', 'show G-10', inSpt(coordinator));
    expect(validateMessage({ text: show.text, blocks: show.blocks })).toEqual([]);
  });

  it('escapes names, units and notes everywhere they are posted', async () => {
    await h.command('/goal', 'new CNA <!channel> <@U0HFH0002> *slots* from 1 to 9 by 2027-06-30', inCna(member));
    const key = `G-${(await h.query<{ n: number }>('select max(number) as n from goals'))[0]?.n}`;
    await h.command('/goal', `update ${key} 3 see <https://evil.example|here> & <!here>`, inCna(member));
    for (const ack of [await h.command('/goal', `show ${key}`, inCna(member)), await h.command('/goal', 'list CNA', inCna(member)), await laterAnswer(h, '/digest', 'preview CNA', inCna(member), /Building a preview/)]) {
      const text = visibleText(ack);
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<!here>');
      expect(text).not.toContain('<https://evil');
    }
    await h.flush();
    const announced = JSON.stringify(h.fake.messages(CHANNELS.cna.id).filter((m) => m.text?.includes(key)));
    expect(announced).toContain('&lt;!channel&gt;');
    expect(announced).not.toContain('<!channel>');
  });
});

describe('a vote for a goal', () => {
  let h: Harness;
  beforeAll(async () => {
    clock = new Date('2026-11-30T15:00:00Z');
    h = await startWithTeams();
    await h.command('/goal', 'new CNA Clinical placement slots from 22 to 40 slots by 2027-06-30', inCna(member));
    await h.command('/goal', 'new SPT State approves the new SPT curriculum by 2027-03-01', inSpt(coordinator));
  });
  afterAll(async () => {
    await h.stop();
  });

  it('starts a vote "for goal G-1" and names the goal on the ballot', async () => {
    const ack = await h.command('/vote', 'new for goal G-1 Which sites add placement slots first? | Henry Ford | Corewell', inCna(member));
    expect(ack.text).toContain('(for goal *G-1*)');
    await h.flush();
    const ballot = h.fake.messages(CHANNELS.cna.id).find((m) => JSON.stringify(m.blocks ?? []).includes('Which sites add placement slots first?'));
    expect(JSON.stringify(ballot?.blocks)).toContain(':dart: For goal *G-1* · Clinical placement slots');
    expect(JSON.stringify(ballot?.blocks)).not.toContain('for goal G-1 Which');
    expect(await h.query('select g.number from goal_votes gv join goals g on g.id = gv.goal_id')).toEqual([{ number: 1 }]);
  });

  it('starts a vote for a goal through the form: "/vote new for goal G-1" preselects it, another team’s goal is refused beside the field', async () => {
    const before = h.fake.callsTo('views.open').length;
    await h.command('/vote', 'new for goal G-1', inCna(member));
    await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    const view = [...h.fake.views.values()].at(-1) as ViewInput;
    expect(JSON.stringify(view.blocks)).toMatch(/"block_id":"vote_goal".*"initial_option":\{"text":\{"type":"plain_text","text":"G-1 · CNA · Clinical placement slots"\}/);
    const cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
    const goalId = async (n: number) => String((await h.query<{ id: number }>('select id from goals where number = ?', n))[0]?.id);
    const form = (goal: string) =>
      inputValues({
        vote_team: { vote_team: { type: 'static_select', selected_option: String(cnaId) } },
        vote_question: { vote_question: 'Which hospital pilots the new preceptor model?' },
        vote_options: { vote_options: 'Henry Ford\nCorewell' },
        vote_method: { vote_method: { type: 'radio_buttons', selected_option: 'single' } },
        vote_eligibility: { vote_eligibility: { type: 'radio_buttons', selected_option: 'members' } },
        vote_visibility: { vote_visibility: { type: 'radio_buttons', selected_option: 'live' } },
        vote_goal: { vote_goal: { type: 'static_select', selected_option: goal } },
      });
    const votes = await h.count('votes');
    const wrong = await h.slack.viewSubmission({ view, userId: member, values: form(await goalId(2)) });
    expect(JSON.parse(wrong.body).errors).toEqual({ vote_goal: expect.stringContaining('G-2 is a goal of SPT') });
    expect(await h.count('votes')).toBe(votes);
    const right = await h.slack.viewSubmission({ view, userId: member, values: form(await goalId(1)) });
    expect(right.body).toContain('is open');
    await h.flush();
    const ballot = h.fake.messages(CHANNELS.cna.id).find((m) => JSON.stringify(m.blocks ?? []).includes('preceptor model'));
    expect(JSON.stringify(ballot?.blocks)).toContain(':dart: For goal *G-1* · Clinical placement slots');
  });

  it('refuses an unknown goal or another team’s goal and starts nothing', async () => {
    const before = await h.count('votes');
    expect((await h.command('/vote', 'new for goal G-9 Which? | A | B', inCna(member))).text).toContain('There is no goal G-9');
    expect((await h.command('/vote', 'new for goal G-2 Which? | A | B', inCna(member))).text).toContain('G-2 is a goal of SPT');
    expect(await h.count('votes')).toBe(before);
  });
});
