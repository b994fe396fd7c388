/**
 * Every modal that stores something, submitted three times at once with the same view (a person
 * double-clicking Submit, or Slack resending after a lost answer), stores one record; and a double
 * click on the RSVP and ballot buttons arriving at once leaves one RSVP and one ballot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionIds, InputIds, ViewIds } from '../../src/slack/ids.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';
import { inputValues, type InputValue, type SlackHttpResponse, type ViewInput } from '../rig/slack-request.js';

const clock = new Date('2026-10-20T12:00:00Z');
const member = PEOPLE.henryFord1.id;
const inCna = { userId: member, channelId: CHANNELS.cna.id };

type Opened = ViewInput & { id: string; hash?: string; private_metadata: string; callback_id: string; blocks: Array<Record<string, unknown>> };

describe('the same submission or click arriving several times at once has its effect once', () => {
  let h: Harness;
  let cnaId: number;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', inCna);
    await h.command('/team', 'join CNA', { userId: PEOPLE.trainer.id, channelId: CHANNELS.cna.id });
    cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Runs a command (or a click) that opens a modal, and returns the view Slack opened. */
  const opens = async (action: () => Promise<unknown>): Promise<Opened> => {
    const before = h.fake.callsTo('views.open').length;
    await action();
    const call = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    expect(call.error).toBeUndefined();
    return call.args.view as Opened;
  };
  /** The same view, same id, same hash and same values, submitted three times at once. */
  const thrice = async (view: Opened, values: Record<string, Record<string, InputValue>>, userId = member): Promise<SlackHttpResponse[]> => {
    n += 1;
    const state = inputValues(Object.fromEntries(Object.entries(values).map(([id, v]) => [id, v])));
    const submit = () => h.slack.viewSubmission({ view, viewId: `V0TWICE${n}`, hash: `1700000000.${n}`, userId, values: state, privateMetadata: view.private_metadata, callbackId: view.callback_id });
    const answers = await Promise.all([submit(), submit(), submit()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    return answers;
  };
  const one = (id: string, value: InputValue) => ({ [id]: { [id]: value } });

  it('issue_new: one issue, one announcement, and every answer names it', async () => {
    const issues = await h.count('issues');
    const view = await opens(() => h.command('/issue', 'new', inCna));
    const answers = await thrice(view, {
      ...one(InputIds.issueTitle, 'Clinical sites cap students at four'),
      ...one(InputIds.issueDetails, ''),
      ...one(InputIds.issueCategory, { type: 'static_select', selected_option: 'other' }),
      ...one(InputIds.issueTeam, { type: 'static_select', selected_option: String(cnaId) }),
      ...one(InputIds.issueOwner, { type: 'users_select', selected_user: null }),
      ...one(InputIds.issueDue, { type: 'datepicker', selected_date: null }),
    });
    expect(await h.count('issues')).toBe(issues + 1);
    expect(await h.query("select * from outbox where dedupe_key like 'issue-new:%'")).toHaveLength(1);
    const keys = answers.map((a) => /CNA-\d+/.exec(a.body)?.[0]);
    expect(new Set(keys)).toEqual(new Set(['CNA-1']));
  });

  it('issue_edit: one set of changes in the history, and every answer names the changes', async () => {
    const view = await opens(() => h.command('/issue', 'edit CNA-1', inCna));
    const answers = await thrice(view, {
      ...one(InputIds.issueTitle, 'Clinical sites cap students at three'),
      ...one(InputIds.issueDetails, 'Beaumont and Ascension both.'),
      ...one(InputIds.issueCategory, { type: 'static_select', selected_option: 'other' }),
      ...one(InputIds.issueOwner, { type: 'users_select', selected_user: null }),
      ...one(InputIds.issueDue, { type: 'datepicker', selected_date: null }),
    });
    const kinds = (await h.query<{ kind: string }>("select kind from issue_events where kind != 'created' order by id")).map((e) => e.kind);
    expect(kinds).toEqual(['title', 'details']);
    // The copies get the first one's answer ("Saved … changed title, details"), not "Nothing changed".
    const views = answers.map((a) => JSON.stringify((a.json as { view?: unknown }).view));
    expect(new Set(views)).toHaveProperty('size', 1);
    expect(views[0]).toContain('changed title, details');
  });

  const meetingForm = (time: string) => ({
    ...one(InputIds.meetingTeam, { type: 'static_select', selected_option: { value: String(cnaId) } }),
    ...one(InputIds.meetingTitle, 'Placement slots'),
    ...one(InputIds.meetingDate, { type: 'datepicker', selected_date: '2026-11-02' }),
    ...one(InputIds.meetingTime, { type: 'timepicker', selected_time: time }),
    ...one(InputIds.meetingDuration, { type: 'static_select', selected_option: { value: '60' } }),
    ...one(InputIds.meetingPlace, 'Henry Ford Hospital, room 2'),
    ...one(InputIds.meetingLink, { type: 'url_text_input', value: null }),
    ...one(InputIds.meetingAgenda, { type: 'plain_text_input', value: null }),
  });

  it('meeting_new: one meeting, one announcement, one set of reminders, and every answer names it', async () => {
    const view = await opens(() => h.command('/meeting', 'new', inCna));
    const answers = await thrice(view, meetingForm('10:00'));
    expect(await h.count('meetings')).toBe(1);
    expect((await h.query("select dedupe_key from outbox where dedupe_key like 'meeting:%'")).length).toBe(3); // announcement + 24 h and 1 h reminders
    const views = answers.map((a) => JSON.stringify((a.json as { view?: unknown }).view));
    expect(new Set(views)).toHaveProperty('size', 1);
    expect(views[0]).toContain('M-1 scheduled');
  });

  it('meeting_edit: one SEQUENCE bump, one notice per attendee, one audit row', async () => {
    await h.flush(clock);
    const m = (await h.query<{ id: number; message_ts: string }>('select id, message_ts from meetings'))[0];
    await h.slack.blockAction({ actionId: 'meeting_rsvp_going', blockId: `meeting_actions_${m?.id}`, value: String(m?.id), userId: PEOPLE.trainer.id, channelId: CHANNELS.cna.id, messageTs: m?.message_ts });
    await h.fake.waitFor(async () => await h.count('meeting_rsvps') === 1);
    const view = await opens(() => h.command('/meeting', 'edit M-1', inCna));
    const answers = await thrice(view, meetingForm('11:00'));
    expect(await h.query('select sequence from meetings')).toEqual([{ sequence: 1 }]);
    expect(await h.query("select dedupe_key from outbox where dedupe_key like '%:changed:%'")).toHaveLength(1);
    expect(await h.query("select * from audit_log where action = 'meeting.edit' and outcome = 'done'")).toHaveLength(1);
    // Every answer says the same thing: saved, one attendee told.
    expect(new Set(answers.map((a) => JSON.stringify((a.json as { view?: unknown }).view)))).toHaveProperty('size', 1);
  });

  it('an RSVP double click arriving at once leaves one answer', async () => {
    const m = (await h.query<{ id: number; message_ts: string }>('select id, message_ts from meetings'))[0];
    const click = () => h.slack.blockAction({ actionId: 'meeting_rsvp_maybe', blockId: `meeting_actions_${m?.id}`, value: String(m?.id), userId: PEOPLE.corewell.id, channelId: CHANNELS.cna.id, messageTs: m?.message_ts });
    await Promise.all([click(), click(), click()]);
    await h.fake.waitFor(async () => await h.count('meeting_rsvps') === 2);
    await h.flush(clock);
    expect(await h.query('select answer from meeting_rsvps where user_id = ?', PEOPLE.corewell.id)).toEqual([{ answer: 'maybe' }]);
  });

  const voteForm = (method: string) => ({
    ...one(InputIds.voteTeam, { type: 'static_select', selected_option: { value: String(cnaId) } }),
    ...one(InputIds.voteQuestion, `Which first (${method})?`),
    ...one(InputIds.voteOptions, 'Transport\nChildcare\nWages'),
    ...one(InputIds.voteMethod, { type: 'radio_buttons', selected_option: { value: method } }),
    ...one(InputIds.voteMaxChoices, ''),
    ...one(InputIds.voteEligibility, { type: 'radio_buttons', selected_option: { value: 'members' } }),
    ...one(InputIds.voteAnonymous, { type: 'checkboxes', selected_options: [] }),
    ...one(InputIds.voteVisibility, { type: 'radio_buttons', selected_option: { value: 'live' } }),
    ...one(InputIds.voteCloseDate, { type: 'datepicker', selected_date: null }),
    ...one(InputIds.voteCloseTime, { type: 'timepicker', selected_time: null }),
  });

  it('vote_new: one vote, one ballot message, and every answer names the same vote', async () => {
    const view = await opens(() => h.command('/vote', 'new', inCna));
    const answers = await thrice(view, voteForm('ranked'));
    expect(await h.count('votes')).toBe(1);
    expect(await h.query("select * from outbox where dedupe_key like 'vote:%:post'")).toHaveLength(1);
    expect(answers.map((a) => /V-\d+/.exec(a.body)?.[0])).toEqual(['V-1', 'V-1', 'V-1']);
  });

  it('vote_rank: one ballot for a ranking submitted three times at once', async () => {
    await h.flush(clock);
    const vote = (await h.query<{ id: number; message_ts: string }>('select id, message_ts from votes'))[0];
    const view = await opens(() => h.slack.blockAction({ actionId: ActionIds.voteRankOpen, blockId: 'x', value: String(vote?.id), userId: member, channelId: CHANNELS.cna.id, messageTs: vote?.message_ts }));
    expect(view.callback_id).toBe(ViewIds.voteRank);
    const options = await h.query<{ id: number }>('select id from vote_options where vote_id = ? order by position', vote?.id);
    const first = `${InputIds.voteRankPrefix}1`;
    const second = `${InputIds.voteRankPrefix}2`;
    await thrice(view, {
      ...one(first, { type: 'static_select', selected_option: { value: String(options[2]?.id) } }),
      ...one(second, { type: 'static_select', selected_option: { value: String(options[0]?.id) } }),
    });
    expect(await h.query('select choices_json from ballots where vote_id = ?', vote?.id)).toEqual([{ choices_json: JSON.stringify([options[2]?.id, options[0]?.id]) }]);
  });

  it('a ballot double click arriving at once leaves one ballot', async () => {
    const view = await opens(() => h.command('/vote', 'new', inCna));
    await thrice(view, voteForm('single'));
    await h.flush(clock);
    const vote = (await h.query<{ id: number; message_ts: string }>("select id, message_ts from votes where method = 'single'"))[0];
    const option = (await h.query<{ id: number }>('select id from vote_options where vote_id = ? order by position', vote?.id))[1];
    const before = h.fake.responses.length;
    const click = () => h.slack.blockAction({ actionId: ActionIds.voteChoose, blockId: 'b', value: `${vote?.id}:${option?.id}`, userId: PEOPLE.trainer.id, channelId: CHANNELS.cna.id, messageTs: vote?.message_ts });
    await Promise.all([click(), click(), click()]);
    await h.fake.waitFor(() => h.fake.responses.length >= before + 3);
    expect(await h.query('select choices_json from ballots where vote_id = ?', vote?.id)).toEqual([{ choices_json: JSON.stringify([option?.id]) }]);
  });
});
