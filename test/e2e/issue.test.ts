import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { BOT_TOKEN, linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { inputValues, type ViewInput } from '../rig/slack-request.js';

/** 2025-03-10 10:00 in Detroit. */
let clock = new Date('2025-03-10T14:00:00Z');

const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });
const inGeneral = (userId: string) => ({ userId, channelId: CHANNELS.general.id });
const member = PEOPLE.henryFord1.id; // joins CNA below
const outsider = PEOPLE.trinity.id; // on no team, reports nothing
const coordinator = PEOPLE.coordinator.id;

interface Form {
  title?: string;
  details?: string;
  category?: string;
  team?: number | null;
  owner?: string | null;
  due?: string | null;
}

const formValues = (f: Form, withTeam = true) =>
  inputValues({
    issue_title: { issue_title: f.title ?? '' },
    issue_details: { issue_details: f.details ?? '' },
    issue_category: { issue_category: { type: 'static_select', selected_option: f.category ?? 'other' } },
    ...(withTeam ? { issue_team: { issue_team: { type: 'static_select', selected_option: f.team === undefined || f.team === null ? null : String(f.team) } } } : {}),
    issue_owner: { issue_owner: { type: 'users_select', selected_user: f.owner ?? null } },
    issue_due: { issue_due: { type: 'datepicker', selected_date: f.due ?? null } },
  });

describe('/issue over signed HTTP', () => {
  let h: Harness;
  let cnaId: number;
  let maId: number;
  const issueCount = () => h.count('issues');
  const row = async (key: string) => {
    const [teamKey, number] = key.split('-');
    const rows = await h.query<Record<string, unknown>>(
      'select i.* from issues i join program_teams t on t.id = i.program_team_id where t.key = ? and i.number = ?',
      teamKey,
      Number(number),
    );
    return rows[0];
  };
  /** Runs something that opens a modal (after its ack) and returns the view Slack opened. */
  const opens = async (action: () => Promise<unknown>): Promise<ViewInput> => {
    const before = h.fake.callsTo('views.open').length;
    await action();
    const call = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    expect(call.error).toBeUndefined();
    return [...h.fake.views.values()].at(-1) as ViewInput;
  };
  const submit = async (view: ViewInput, userId: string, form: Form, extra: { viewId?: string; hash?: string } = {}) => {
    const response = await h.slack.viewSubmission({ view, userId, values: formValues(form, view.callback_id === 'issue_new'), ...extra });
    return { status: response.status, body: (response.body === '' ? {} : JSON.parse(response.body)) as Record<string, unknown> };
  };

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', inCna(member));
    cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
    maId = (await h.query<{ id: number }>("select id from program_teams where key = 'MA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers help (and an empty command) with every subcommand', async () => {
    for (const text of ['', 'help']) {
      const ack = await h.command('/issue', text, inCna(member));
      expect(ack.response_type).toBe('ephemeral');
      for (const sub of ['new', 'list', 'show', 'status', 'assign', 'due', 'comment', 'edit']) expect(ack.text).toContain(`/issue ${sub}`);
    }
    expect((await h.command('/issue', 'frobnicate', inCna(member))).text).toContain('has no subcommand "frobnicate"');
  });

  it('creates an issue from text in a team channel at once, answers with the key and announces it in the team channel', async () => {
    const ack = await h.command('/issue', 'new Not enough clinical placements for spring', inCna(member));
    expect(ack.text).toContain('Logged *CNA-1*');
    expect(ack.text).toContain(`Announced in <#${CHANNELS.cna.id}>`);
    expect(visibleText(ack)).toContain('Not enough clinical placements for spring');
    expect(await row('CNA-1')).toMatchObject({ title: 'Not enough clinical placements for spring', status: 'open', category: 'other', reporter_id: member, owner_id: null });
    expect(await h.query("select kind from issue_events where issue_id = (select id from issues where number = 1 and program_team_id = ?)", cnaId)).toEqual([{ kind: 'created' }]);
    await h.flush();
    const posted = h.fake.messages(CHANNELS.cna.id).filter((m) => !m.ephemeral && JSON.stringify(m.blocks).includes('CNA-1'));
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]?.blocks)).toContain('issue_start');
    expect(h.fake.messages(CHANNELS.ma.id).filter((m) => JSON.stringify(m.blocks ?? []).includes('CNA-1'))).toEqual([]);
    const second = await h.command('/issue', 'new Curriculum misses telehealth skills\nEmployers asked for it twice.', inCna(member));
    expect(second.text).toContain('Logged *CNA-2*');
    expect(await row('CNA-2')).toMatchObject({ title: 'Curriculum misses telehealth skills', details: 'Employers asked for it twice.' });
  });

  it('numbers issues per team', async () => {
    const ack = await h.command('/issue', 'new Few MA externship sites', { userId: member, channelId: CHANNELS.ma.id });
    expect(ack.text).toContain('Logged *MA-1*');
  });

  it('opens the form for /issue new with the channel team picked, and logs one issue even if the form arrives twice', async () => {
    const view = await opens(() => h.command('/issue', 'new', inCna(member)));
    expect(view.callback_id).toBe('issue_new');
    expect(JSON.stringify(view.blocks)).toContain(`"initial_option":{"text":{"type":"plain_text","text":"CNA · Certified Nursing Assistant"},"value":"${cnaId}"}`);
    const before = await issueCount();
    const form = { title: 'Low awareness of CNA careers in high schools', details: 'Counsellors do not know the pathway.', category: 'youth_exposure', team: cnaId, owner: PEOPLE.trainer.id, due: '2025-04-01' };
    const first = await submit(view, member, form, { hash: 'h-1' });
    expect(first.body.response_action).toBe('update');
    expect(JSON.stringify(first.body.view)).toContain('Logged *CNA-3*');
    const again = await submit(view, member, form, { hash: 'h-1' });
    expect(JSON.stringify(again.body.view)).toContain('already submitted');
    expect(JSON.stringify(again.body.view)).toContain('CNA-3');
    expect(await issueCount()).toBe(before + 1);
    expect(await row('CNA-3')).toMatchObject({ category: 'youth_exposure', owner_id: PEOPLE.trainer.id, due_date: '2025-04-01', details: 'Counsellors do not know the pathway.' });
    await h.flush();
    expect(h.fake.messages(CHANNELS.cna.id).filter((m) => JSON.stringify(m.blocks ?? []).includes('CNA-3'))).toHaveLength(1);
  });

  it('shows every form error beside its field and stores nothing', async () => {
    const view = await opens(() => h.command('/issue', 'new', inGeneral(member)));
    const before = await issueCount();
    const empty = await submit(view, member, { title: '   ', team: null, due: '2025-03-09' });
    expect(empty.body.response_action).toBe('errors');
    expect(Object.keys(empty.body.errors as object).sort()).toEqual(['issue_due', 'issue_team', 'issue_title']);
    expect(JSON.stringify(empty.body.errors)).toContain('in the past');
    const long = await submit(view, member, { title: 'x'.repeat(151), team: cnaId, details: 'y'.repeat(3001) });
    expect(long.body.errors).toMatchObject({ issue_title: expect.stringContaining('at most 150'), issue_details: expect.stringContaining('at most 3000') });
    const badTeam = await submit(view, member, { title: 'Fine title', team: 99999 });
    expect(badTeam.body.errors).toMatchObject({ issue_team: expect.stringContaining('Pick the team') });
    const badCategory = await submit(view, member, { title: 'Fine title', team: cnaId, category: 'gossip' });
    expect(badCategory.body.errors).toMatchObject({ issue_category: expect.any(String) });
    expect(await issueCount()).toBe(before);
  });

  it('opens the form with the title filled and the team to pick when /issue new Title is typed outside a team channel', async () => {
    const before = await issueCount();
    let ack: { text?: string } = {};
    const view = await opens(async () => {
      ack = await h.command('/issue', 'new Phlebotomy seats are full', inGeneral(outsider));
    });
    expect(ack.text ?? '').toBe('');
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).toContain('"initial_value":"Phlebotomy seats are full"');
    expect(blocks).not.toContain('"initial_option":{"text":{"type":"plain_text","text":"CNA');
    expect(await issueCount()).toBe(before);
    const done = await submit(view, outsider, { title: 'Phlebotomy seats are full', team: maId });
    expect(JSON.stringify(done.body.view)).toContain('Logged *MA-2*');
  });

  it('tells the person when the team has no linked channel to announce in', async () => {
    await h.command('/team', 'create PHLEB Phlebotomy Technician', inGeneral(coordinator));
    const phleb = (await h.query<{ id: number }>("select id from program_teams where key = 'PHLEB'"))[0]?.id ?? 0;
    const view = await opens(() => h.command('/issue', 'new', inGeneral(member)));
    const done = await submit(view, member, { title: 'Draw stations short', team: phleb });
    expect(JSON.stringify(done.body.view)).toContain('Logged *PHLEB-1*');
    expect(JSON.stringify(done.body.view)).toContain('PHLEB has no linked channel, so nothing was announced');
  });

  it('refuses an over-long title typed as text and stores nothing', async () => {
    const before = await issueCount();
    const ack = await h.command('/issue', `new ${'z'.repeat(151)}`, inCna(member));
    expect(ack.text).toContain('at most 150 characters');
    expect(await issueCount()).toBe(before);
  });

  it('turns a message into an issue with Log as issue: form prefilled, link kept, thread reply with the key', async () => {
    const poster = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url });
    const posted = await poster.chat.postMessage({ channel: CHANNELS.cna.id, text: 'Sterile &amp; clean: our lab has no autoclave\nStudents practise on paper only.' });
    const ts = String(posted.ts);
    const view = await opens(() =>
      h.slack.messageShortcut({ callbackId: 'log_as_issue', userId: PEOPLE.corewell.id, channelId: CHANNELS.cna.id, message: { ts, text: 'Sterile &amp; clean: our lab has no autoclave\nStudents practise on paper only.', user: PEOPLE.corewell.id } }),
    );
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).toContain('"initial_value":"Sterile & clean: our lab has no autoclave"');
    expect(blocks).toContain('Students practise on paper only.');
    expect(blocks).toContain('"initial_option":{"text":{"type":"plain_text","text":"CNA · Certified Nursing Assistant"}');
    const done = await submit(view, PEOPLE.corewell.id, { title: 'Sterile & clean: our lab has no autoclave', details: 'Students practise on paper only.', team: cnaId, category: 'training_program' });
    const key = /Logged \*(CNA-\d+)\*/.exec(JSON.stringify(done.body.view))?.[1] ?? 'none';
    // The link is fetched after the form was answered.
    await h.fake.waitFor(async () => (await row(key))?.source_permalink);
    expect(await row(key)).toMatchObject({ source_channel_id: CHANNELS.cna.id, source_ts: ts, source_permalink: expect.stringContaining(`/archives/${CHANNELS.cna.id}/p`) });
    await h.flush();
    const reply = h.fake.messages(CHANNELS.cna.id).find((m) => m.threadTs === ts);
    expect(reply?.text).toContain(`Logged as *${key}*`);
    const show = await h.command('/issue', `show ${key}`, inCna(member));
    expect(visibleText(show)).toContain('|a message>');
  });

  it('still logs a message as an issue when Slack will not give its permalink', async () => {
    h.fake.failNext('chat.getPermalink', { error: 'message_not_found' });
    const view = await opens(() =>
      h.slack.messageShortcut({ callbackId: 'log_as_issue', userId: member, channelId: CHANNELS.general.id, message: { ts: '1741600000.000100', text: 'A general remark', user: member } }),
    );
    expect(JSON.stringify(view.blocks)).not.toContain('"initial_option":{"text":{"type":"plain_text","text":"CNA');
    const done = await submit(view, member, { title: 'A general remark', team: cnaId });
    const key = /Logged \*(CNA-\d+)\*/.exec(JSON.stringify(done.body.view))?.[1] ?? 'none';
    expect(await row(key)).toMatchObject({ source_permalink: null, source_ts: '1741600000.000100' });
  });

  it('lists open issues of the channel team by default with key, title, status, owner and due date', async () => {
    const ack = await h.command('/issue', 'list', inCna(member));
    const text = visibleText(ack);
    expect(text).toContain('Open issues · CNA');
    expect(text).toContain('*CNA-3* Low awareness of CNA careers in high schools');
    expect(text).toContain(`<@${PEOPLE.trainer.id}>`);
    expect(text).toContain('due 2025-04-01');
    expect(text).not.toContain('MA-1');
    const ma = await h.command('/issue', 'list MA all', inCna(member));
    expect(visibleText(ma)).toContain('MA-1');
    expect(visibleText(ma)).not.toContain('CNA-1');
    const unknown = await h.command('/issue', 'list NOPE', inCna(member));
    expect(unknown.text).toContain('There is no team NOPE');
    const bad = await h.command('/issue', 'list CNA open extra', inCna(member));
    expect(bad.text).toContain('Usage');
  });

  it('lists the teams a person is on when typed outside a team channel, and every team for a newcomer', async () => {
    const mine = await h.command('/issue', 'list', inGeneral(member));
    expect(visibleText(mine)).toContain('Open issues · CNA');
    expect(visibleText(mine)).not.toContain('MA-1');
    const newcomer = await h.command('/issue', 'list', inGeneral(PEOPLE.analyst.id));
    expect(visibleText(newcomer)).toContain('all teams');
    expect(visibleText(newcomer)).toContain('MA-1');
    expect(visibleText(newcomer)).toContain('not on a team yet');
  });

  it('shows every field and the history of an issue', async () => {
    await h.command('/issue', 'comment CNA-3 Talked to two counsellors.', inCna(member));
    const ack = await h.command('/issue', 'show cna-3', inCna(member));
    const text = visibleText(ack);
    for (const part of ['*CNA-3* · Low awareness', 'Youth exposure', 'Counsellors do not know the pathway.', `<@${PEOPLE.trainer.id}>`, '2025-04-01', `<@${member}>`, 'History', 'logged it', 'commented: Talked to two counsellors.']) {
      expect(text).toContain(part);
    }
    expect((await h.command('/issue', 'show CNA-999', inCna(member))).text).toContain('There is no issue CNA-999');
    expect((await h.command('/issue', 'show banana', inCna(member))).text).toContain('is not an issue key');
    expect((await h.command('/issue', 'show', inCna(member))).text).toContain('Usage');
  });

  it('changes status with a note, records when it closed, and reopens', async () => {
    const started = await h.command('/issue', 'status CNA-1 in progress talking to Beaumont', inCna(member));
    expect(started.text).toContain('*CNA-1* is now *In progress*');
    expect(await row('CNA-1')).toMatchObject({ status: 'in_progress', closed_at: null });
    const resolved = await h.command('/issue', 'status CNA-1 resolved placements found', inCna(member));
    expect(resolved.text).toContain('*Resolved*');
    expect(await row('CNA-1')).toMatchObject({ status: 'resolved', closed_at: clock.getTime() });
    const same = await h.command('/issue', 'status CNA-1 resolved', inCna(member));
    expect(same.text).toContain('already *Resolved*');
    const reopened = await h.command('/issue', 'status CNA-1 open', inCna(member));
    expect(reopened.text).toContain('*Open*');
    expect(await row('CNA-1')).toMatchObject({ status: 'open', closed_at: null });
    const events = await h.query<{ kind: string; program_team_id: number; from_value: string; to_value: string; note: string | null }>(
      "select kind, program_team_id, from_value, to_value, note from issue_events where kind in ('created', 'status') and issue_id = (select id from issues where program_team_id = ? and number = 1) order by id",
      cnaId,
    );
    // Every event records its issue's team: digests read a team's status changes by it.
    expect(events).toEqual([
      { kind: 'created', program_team_id: cnaId, from_value: null, to_value: 'CNA-1', note: null },
      { kind: 'status', program_team_id: cnaId, from_value: 'open', to_value: 'in_progress', note: 'talking to Beaumont' },
      { kind: 'status', program_team_id: cnaId, from_value: 'in_progress', to_value: 'resolved', note: 'placements found' },
      { kind: 'status', program_team_id: cnaId, from_value: 'resolved', to_value: 'open', note: null },
    ]);
  });

  it('refuses a bad status, an unknown key and a missing status, storing nothing', async () => {
    const before = await h.count('issue_events');
    expect((await h.command('/issue', 'status CNA-1 finished', inCna(member))).text).toContain('"finished" is not a status. Use open, in-progress, blocked, resolved or dropped');
    expect((await h.command('/issue', 'status CNA-404 resolved', inCna(member))).text).toContain('There is no issue CNA-404');
    expect((await h.command('/issue', 'status CNA-1', inCna(member))).text).toContain('Usage');
    expect(await h.count('issue_events')).toBe(before);
  });

  it('assigns and unassigns an owner', async () => {
    const ack = await h.command('/issue', `assign CNA-2 <@${PEOPLE.corewell.id}|priya>`, inCna(member));
    expect(ack.text).toContain(`assigned to <@${PEOPLE.corewell.id}>`);
    expect(await row('CNA-2')).toMatchObject({ owner_id: PEOPLE.corewell.id });
    const none = await h.command('/issue', 'assign CNA-2 none', inCna(member));
    expect(none.text).toContain('assigned to nobody');
    expect(await row('CNA-2')).toMatchObject({ owner_id: null });
    const before = await h.count('issue_events');
    expect((await h.command('/issue', 'assign CNA-2 priya', inCna(member))).text).toContain('is not a person');
    expect((await h.command('/issue', 'assign CNA-2', inCna(member))).text).toContain('Usage');
    expect(await h.count('issue_events')).toBe(before);
  });

  it('sets and clears a due date, refusing impossible and past dates', async () => {
    expect((await h.command('/issue', 'due CNA-2 2025-03-20', inCna(member))).text).toContain('is due 2025-03-20');
    expect(await row('CNA-2')).toMatchObject({ due_date: '2025-03-20' });
    const before = await h.count('issue_events');
    expect((await h.command('/issue', 'due CNA-2 2025-02-30', inCna(member))).text).toContain('"2025-02-30" is not a date. Use YYYY-MM-DD');
    expect((await h.command('/issue', 'due CNA-2 03/20/2025', inCna(member))).text).toContain('is not a date');
    expect((await h.command('/issue', 'due CNA-2 2025-03-09', inCna(member))).text).toContain('in the past');
    expect(await h.count('issue_events')).toBe(before);
    expect(await row('CNA-2')).toMatchObject({ due_date: '2025-03-20' });
    expect((await h.command('/issue', 'due CNA-2 none', inCna(member))).text).toContain('has no due date');
    expect(await row('CNA-2')).toMatchObject({ due_date: null });
  });

  it('adds comments to the history, refusing an empty one', async () => {
    const before = await h.count('issue_events');
    expect((await h.command('/issue', 'comment CNA-2', inCna(member))).text).toContain('Write the comment after the key');
    expect(await h.count('issue_events')).toBe(before);
    const ack = await h.command('/issue', 'comment CNA-2 Met with   the WCC dean.\nShe agrees.', inCna(member));
    expect(ack.text).toContain('comment is in the history');
    expect(await h.query("select note from issue_events where kind = 'comment' order by id desc limit 1")).toEqual([{ note: 'Met with   the WCC dean.\nShe agrees.' }]);
  });

  it('edits through a prefilled form, recording each changed field', async () => {
    const view = await opens(() => h.command('/issue', 'edit CNA-2', inCna(member)));
    expect(view.callback_id).toBe('issue_edit');
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"Curriculum misses telehealth skills"');
    const updatedBefore = (await row('CNA-2'))?.updated_at;
    clock = new Date(clock.getTime() + 60_000);
    const saved = await submit(view, member, { title: 'Curriculum misses telehealth and EHR skills', details: 'Employers asked for it twice.', category: 'curriculum', owner: member, due: '2025-05-01' });
    expect(JSON.stringify(saved.body.view)).toContain('Saved *CNA-2*');
    expect(await row('CNA-2')).toMatchObject({ title: 'Curriculum misses telehealth and EHR skills', category: 'curriculum', owner_id: member, due_date: '2025-05-01' });
    expect((await row('CNA-2'))?.updated_at).toBeGreaterThan(Number(updatedBefore));
    const kinds = await h.query<{ kind: string }>("select kind from issue_events where issue_id = (select id from issues where program_team_id = ? and number = 2) and created_at = ? order by id", cnaId, clock.getTime());
    expect(kinds.map((k) => k.kind)).toEqual(['title', 'category', 'owner', 'due']);
    // The form opened again (a new view) and saved with nothing changed. (The very same submission
    // again would be a duplicate, answered as the first: robust-double-submissions.)
    const unchanged = await submit(view, member, { title: 'Curriculum misses telehealth and EHR skills', details: 'Employers asked for it twice.', category: 'curriculum', owner: member, due: '2025-05-01' }, { viewId: 'V0EDITAGAIN', hash: '1700000001.again' });
    expect(JSON.stringify(unchanged.body.view)).toContain('Nothing changed');
    // Opened once more (a saved view takes no second submission: its id and hash are claimed).
    const bad = await submit(view, member, { title: '', category: 'curriculum', due: '2024-01-01' }, { viewId: 'V0EDITBAD', hash: '1700000002.bad' });
    expect(bad.body.response_action).toBe('errors');
    expect(Object.keys(bad.body.errors as object).sort()).toEqual(['issue_due', 'issue_title']);
  });

  it('refuses changes by someone who is not the reporter, owner, a team member or a coordinator, and audits it', async () => {
    const before = { events: await h.count('issue_events'), row: await row('CNA-2') };
    for (const text of ['status CNA-2 dropped', `assign CNA-2 <@${outsider}>`, 'due CNA-2 2025-06-01', 'comment CNA-2 drive-by', 'edit CNA-2']) {
      const ack = await h.command('/issue', text, inGeneral(outsider));
      expect(ack.text, text).toContain('Only CNA team members, the reporter, the owner and coordinators can change CNA-2');
    }
    expect(await h.count('issue_events')).toBe(before.events);
    expect(await row('CNA-2')).toEqual(before.row);
    const audit = await h.query<{ action: string; target: string; outcome: string }>("select action, target, outcome from audit_log where actor_id = ? order by id", outsider);
    expect(audit.map((a) => a.action)).toEqual(['issue.status', 'issue.assign', 'issue.due', 'issue.comment', 'issue.edit']);
    expect(audit.every((a) => a.target === 'CNA-2' && a.outcome === 'refused')).toBe(true);
  });

  it('lets the reporter, the owner and a coordinator change an issue without being on the team', async () => {
    // MA-2 was reported by the outsider through the form.
    expect((await h.command('/issue', 'status MA-2 blocked', inGeneral(outsider))).text).toContain('*Blocked*');
    expect((await h.command('/issue', `assign MA-2 <@${PEOPLE.analyst.id}>`, inGeneral(coordinator))).text).toContain('assigned to');
    expect((await h.command('/issue', 'comment MA-2 on it', inGeneral(PEOPLE.analyst.id))).text).toContain('comment is in the history');
  });

  it('lists closed, all, mine and overdue issues', async () => {
    await h.command('/issue', 'status CNA-1 dropped no longer relevant', inCna(member));
    const closed = visibleText(await h.command('/issue', 'list closed', inCna(member)));
    expect(closed).toContain('CNA-1');
    expect(closed).not.toContain('CNA-2');
    expect(visibleText(await h.command('/issue', 'list', inCna(member)))).not.toContain('*CNA-1*');
    const all = visibleText(await h.command('/issue', 'list all', inCna(member)));
    expect(all).toContain('*CNA-1*');
    expect(all).toContain('*CNA-2*');
    const mine = visibleText(await h.command('/issue', 'list mine', inGeneral(member)));
    expect(mine).toContain('*CNA-2*');
    expect(mine).not.toContain('*CNA-3*');
    clock = new Date('2025-04-02T14:00:00Z');
    const overdue = visibleText(await h.command('/issue', 'list CNA overdue', inGeneral(member)));
    expect(overdue).toContain('*CNA-3*');
    expect(overdue).toContain('overdue');
    expect(overdue).not.toContain('*CNA-2*');
    clock = new Date('2025-03-10T15:00:00Z');
    expect(visibleText(await h.command('/issue', 'list overdue', inCna(member)))).toContain('No overdue issues for CNA');
  });

  it('escapes typed text everywhere so nobody can ping or spoof through the bot', async () => {
    const nasty = `<!channel> <@${coordinator}> <https://evil.example|click> & co`;
    const ack = await h.command('/issue', `new ${nasty}`, inCna(member));
    const key = /Logged \*(CNA-\d+)\*/.exec(ack.text ?? '')?.[1] ?? 'none';
    await h.command('/issue', `comment ${key} <!here> look`, inCna(member));
    await h.command('/issue', `status ${key} blocked <!everyone>`, inCna(member));
    await h.flush();
    const announcement = h.fake.messages(CHANNELS.cna.id).find((m) => JSON.stringify(m.blocks ?? []).includes(`*${key}*`));
    const surfaces = [
      visibleText(ack),
      visibleText(await h.command('/issue', `show ${key}`, inCna(member))),
      visibleText(await h.command('/issue', 'list', inCna(member))),
      JSON.stringify(announcement),
    ];
    for (const surface of surfaces) {
      expect(surface).toContain('&lt;!channel&gt;');
      for (const raw of ['<!channel>', '<!here>', '<!everyone>', `<@${coordinator}>`, '<https://evil']) expect(surface).not.toContain(raw);
    }
    expect((await row(key))?.title).toBe(nasty);
  });

  it('Start, Resolve and Assign to me work for team members on the announcement and redraw it', async () => {
    await h.command('/issue', 'new Buttons test issue', inCna(PEOPLE.henryFord2.id));
    await h.flush();
    const message = h.fake.messages(CHANNELS.cna.id).find((m) => JSON.stringify(m.blocks ?? []).includes('Buttons test issue'));
    expect(message).toBeDefined();
    const key = /\*(CNA-\d+)\*/.exec(JSON.stringify(message?.blocks))?.[1] ?? 'none';
    const id = String((await row(key))?.id);
    const click = async (actionId: string, userId: string, value = id) => {
      const responses = h.fake.responses.length;
      const res = await h.slack.blockAction({ actionId, blockId: 'issue_actions', value, userId, channelId: CHANNELS.cna.id, messageTs: message?.ts ?? '' });
      expect(res.status).toBe(200);
      return h.fake.waitFor(() => h.fake.responses[responses]);
    };
    await click('issue_start', member);
    expect(await row(key)).toMatchObject({ status: 'in_progress' });
    expect(JSON.stringify(h.fake.messages(CHANNELS.cna.id).find((m) => m.ts === message?.ts)?.blocks)).toContain(`<@${member}> started *${key}*`);
    await click('issue_assign_me', member);
    expect(await row(key)).toMatchObject({ owner_id: member });
    const refused = await click('issue_resolve', outsider);
    expect(refused.body).toMatchObject({ replace_original: false, text: expect.stringContaining('Only CNA team members') });
    expect(await row(key)).toMatchObject({ status: 'in_progress' });
    expect(await h.query("select action from audit_log where actor_id = ? order by id desc limit 1", outsider)).toEqual([{ action: 'issue.status' }]);
    await click('issue_resolve', coordinator);
    expect(await row(key)).toMatchObject({ status: 'resolved' });
    const redrawn = JSON.stringify(h.fake.messages(CHANNELS.cna.id).find((m) => m.ts === message?.ts)?.blocks);
    expect(redrawn).toContain('Resolved');
    expect(redrawn).not.toContain('issue_resolve');
    const tampered = await click('issue_start', member, 'DROP TABLE');
    expect(tampered.body).toMatchObject({ text: expect.stringContaining('out of date') });
    const missing = await click('issue_start', member, '987654');
    expect(missing.body).toMatchObject({ text: expect.stringContaining('no longer exists') });
  });

  it('redraws the detail view in place when its buttons are used', async () => {
    const show = await h.command('/issue', 'show CNA-3', inCna(member));
    expect(JSON.stringify(show.blocks)).toContain('issue_detail_actions');
    const responses = h.fake.responses.length;
    await h.slack.blockAction({ actionId: 'issue_start', blockId: 'issue_detail_actions', value: String((await row('CNA-3'))?.id), userId: member, channelId: CHANNELS.cna.id, isEphemeral: true });
    const response = await h.fake.waitFor(() => h.fake.responses[responses]);
    expect(response.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(response.body)).toContain('History');
    expect(JSON.stringify(response.body)).toContain('to *In progress*');
  });
  it('accepts a due date of today in Detroit even when it is already tomorrow in UTC', async () => {
    const saved = clock;
    clock = new Date('2025-03-11T02:30:00Z'); // 22:30 on 10 March in Detroit
    try {
      const view = await opens(() => h.command('/issue', 'new', inCna(member)));
      const result = await submit(view, member, { title: 'Due today in Detroit', team: cnaId, due: '2025-03-10' });
      expect(result.body.response_action).toBe('update');
    } finally {
      clock = saved;
    }
  });
});
