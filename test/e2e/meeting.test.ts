import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/fake-slack/types.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { inputValues, type ViewInput } from '../rig/slack-request.js';

const HOUR = 60 * 60 * 1000;
/** The injected clock: tests move it; the app and the outbox read it. */
let clock = new Date('2026-10-20T12:00:00Z');

const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });
const creator = PEOPLE.henryFord1.id;

interface FormInput {
  teamId?: string | null;
  title?: string;
  date?: string | null;
  time?: string | null;
  duration?: string;
  place?: string | null;
  link?: string | null;
  agenda?: string | null;
}

function formValues(f: FormInput) {
  return inputValues({
    meeting_team: { meeting_team: { type: 'static_select', selected_option: f.teamId === undefined || f.teamId === null ? null : { value: f.teamId } } },
    meeting_title: { meeting_title: { type: 'plain_text_input', value: f.title ?? 'CNA clinical placements' } },
    meeting_date: { meeting_date: { type: 'datepicker', selected_date: f.date === undefined ? '2026-11-02' : f.date } },
    meeting_time: { meeting_time: { type: 'timepicker', selected_time: f.time === undefined ? '10:00' : f.time } },
    meeting_duration: { meeting_duration: { type: 'static_select', selected_option: { value: f.duration ?? '60' } } },
    meeting_place: { meeting_place: { type: 'plain_text_input', value: f.place === undefined ? 'Henry Ford Hospital, room 2' : f.place } },
    meeting_link: { meeting_link: { type: 'url_text_input', value: f.link ?? null } },
    meeting_agenda: { meeting_agenda: { type: 'plain_text_input', value: f.agenda ?? null } },
  });
}

type OpenedView = Omit<ViewInput, 'blocks'> & { blocks: Array<Record<string, unknown>>; private_metadata: string };

describe('/meeting over signed HTTP', () => {
  let h: Harness;
  let cnaTeamId: number;

  const lastOpenedView = (): OpenedView => [...h.fake.views.values()].at(-1) as OpenedView;
  const openNew = async (as = inCna(creator), text = 'new'): Promise<OpenedView> => {
    const before = h.fake.views.size;
    const ack = await h.command('/meeting', text, as);
    expect(ack.status).toBe(200);
    await h.fake.waitFor(() => h.fake.views.size > before);
    return lastOpenedView();
  };
  const submit = async (view: OpenedView, f: FormInput, userId = creator) => {
    const response = await h.slack.viewSubmission({ view, userId, values: formValues({ teamId: String(cnaTeamId), ...f }) });
    expect(response.status).toBe(200);
    return (response.json ?? {}) as { response_action?: string; errors?: Record<string, string>; view?: { blocks: unknown[] } };
  };
  const schedule = async (f: FormInput, userId = creator): Promise<number> => {
    const view = await openNew(inCna(userId));
    const ack = await submit(view, f, userId);
    expect(ack.response_action).toBe('update');
    await h.flush();
    const row = (await h.query<{ number: number }>('select max(number) as number from meetings'))[0];
    return row?.number ?? 0;
  };
  const meeting = async (number: number) =>
    (await h.query<{ id: number; starts_at: number; status: string; sequence: number; message_ts: string | null; channel_id: string; time_zone: string; link: string | null; location: string; agenda: string }>(
      'select * from meetings where number = ?',
      number,
    ))[0];
  const announcement = async (number: number): Promise<StoredMessage> => {
    const m = await meeting(number);
    const found = h.fake.messages(CHANNELS.cna.id).find((msg) => msg.ts === m?.message_ts);
    if (found === undefined) throw new Error(`no announcement for M-${number}`);
    return found;
  };
  const click = async (number: number, answer: 'going' | 'maybe' | 'declined', userId: string) => {
    const m = await meeting(number);
    if (m?.message_ts === null || m === undefined) throw new Error('announcement not posted');
    const response = await h.slack.blockAction({ actionId: `meeting_rsvp_${answer}`, blockId: `meeting_actions_${m.id}`, value: String(m.id), userId, channelId: CHANNELS.cna.id, messageTs: m.message_ts });
    expect(response.status).toBe(200);
  };
  const rsvpsOf = async (number: number) =>
    await h.query<{ user_id: string; answer: string }>('select r.user_id, r.answer from meeting_rsvps r join meetings m on m.id = r.meeting_id where m.number = ? order by r.user_id', number);
  const reminders = (number: number) => h.fake.messages(CHANNELS.cna.id).filter((m) => (m.text ?? '').startsWith(`Reminder: M-${number} `));

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    cnaTeamId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers help and an empty command with every subcommand', async () => {
    for (const text of ['', 'help']) {
      const ack = await h.command('/meeting', text, inCna(creator));
      expect(ack.response_type).toBe('ephemeral');
      for (const sub of ['new', 'list', 'show', 'ics', 'edit', 'cancel']) expect(ack.text).toContain(`/meeting ${sub}`);
    }
  });

  it('opens the modal with the channel’s team preselected, the scheduler’s time zone, and an agenda prefilled from blocked and overdue issues and leading vote options', async () => {
    const now = clock.getTime();
    const insertIssue = (number: number, title: string, status: string, dueDate: string | null) =>
      h.execute(
        "insert into issues (team_id, program_team_id, number, title, category, status, due_date, reporter_id, created_at, updated_at) values ('T0ALLIANCE', ?, ?, ?, 'other', ?, ?, 'U0HFH0001', ?, ?)",
        cnaTeamId,
        number,
        title,
        status,
        dueDate,
        now,
        now,
      );
    await insertIssue(1, 'Clinical placement slots', 'blocked', null);
    await insertIssue(2, 'Update skills checklist', 'in_progress', '2026-10-01');
    await insertIssue(3, 'Resolved long ago', 'resolved', '2026-09-01');
    await insertIssue(4, 'Due next month', 'open', '2026-11-30');
    // h.query only reads: rows are written with h.execute, then their ids looked up.
    await h.execute(
      "insert into votes (team_id, number, program_team_id, question, method, eligibility, results_visibility, status, creator_id, created_at) values ('T0ALLIANCE', 1, ?, 'Which recruiting event first?', 'single', 'everyone', 'live', 'open', 'U0COORD01', ?)",
      cnaTeamId,
      now,
    );
    const voteId = (await h.query<{ id: number }>("select id from votes where team_id = 'T0ALLIANCE' and number = 1"))[0]?.id ?? 0;
    const option = async (position: number, label: string): Promise<number> => {
      await h.execute("insert into vote_options (team_id, vote_id, position, label) values ('T0ALLIANCE', ?, ?, ?)", voteId, position, label);
      return (await h.query<{ id: number }>('select id from vote_options where vote_id = ? and position = ?', voteId, position))[0]?.id ?? 0;
    };
    const fair = await option(0, 'Spring job fair');
    const school = await option(1, 'High-school visits');
    const ballot = (voterKey: string, choice: number) =>
      h.execute("insert into ballots (team_id, vote_id, voter_key, cast_by_hash, choices_json, created_at, updated_at) values ('T0ALLIANCE', ?, ?, 'h', ?, ?, ?)", voteId, voterKey, JSON.stringify([choice]), now, now);
    await ballot('user:A', fair);
    await ballot('user:B', fair);
    await ballot('user:C', school);
    // A vote closed three weeks ago is no longer on the agenda.
    await h.execute(
      "insert into votes (team_id, number, program_team_id, question, method, eligibility, results_visibility, status, creator_id, created_at, closed_at) values ('T0ALLIANCE', 2, ?, 'Old question', 'single', 'everyone', 'live', 'closed', 'U0COORD01', ?, ?)",
      cnaTeamId,
      now - 30 * 24 * HOUR,
      now - 21 * 24 * HOUR,
    );

    const view = await openNew(inCna(creator));
    expect(view.callback_id).toBe('meeting_new');
    const byId = (id: string) => view.blocks.find((b) => b.block_id === id) as { element: Record<string, unknown> } | undefined;
    expect((byId('meeting_team')?.element.initial_option as { value: string }).value).toBe(String(cnaTeamId));
    expect(byId('meeting_time')?.element.timezone).toBe('America/Detroit');
    const agenda = String(byId('meeting_agenda')?.element.initial_value);
    expect(agenda).toContain('CNA-1 Clinical placement slots (blocked)');
    expect(agenda).toContain('CNA-2 Update skills checklist (overdue since 2026-10-01)');
    expect(agenda).not.toContain('CNA-3');
    expect(agenda).not.toContain('CNA-4');
    expect(agenda).toContain('V-1 Which recruiting event first? (open, leading: Spring job fair (3 ballots))');
    expect(agenda).not.toContain('Old question');
    expect(JSON.parse(view.private_metadata)).toMatchObject({ tz: 'America/Detroit', origin: CHANNELS.cna.id });

    // Someone in Chicago schedules in their own zone.
    const chicago = await openNew(inCna(PEOPLE.trinity.id));
    expect((chicago.blocks.find((b) => b.block_id === 'meeting_time') as { element: Record<string, unknown> }).element.timezone).toBe('America/Chicago');
  });

  it('refills the agenda when another team is chosen in a form opened outside a team channel, but never over edited text', async () => {
    const view = await openNew({ userId: creator, channelId: CHANNELS.general.id });
    const agendaOf = (v: OpenedView) => v.blocks.find((b) => String(b.block_id).startsWith('meeting_agenda')) as { block_id: string; element: { initial_value?: string } };
    expect(agendaOf(view).element.initial_value).toBeUndefined();
    const choose = async (v: OpenedView, agenda: string | null) => {
      const response = await h.slack.blockAction({
        actionId: 'meeting_team',
        blockId: 'meeting_team',
        selectedOption: { value: String(cnaTeamId) },
        userId: creator,
        view: v,
        stateValues: formValues({ teamId: String(cnaTeamId), agenda }),
      });
      expect(response.status).toBe(200);
    };
    await choose(view, null);
    const refilled = await h.fake.waitFor(() => {
      const current = h.fake.views.get(String(view.id)) as OpenedView | undefined;
      return current !== undefined && agendaOf(current).element.initial_value !== undefined ? current : undefined;
    });
    expect(agendaOf(refilled).block_id).toBe(`meeting_agenda_t${cnaTeamId}`);
    expect(agendaOf(refilled).element.initial_value).toContain('CNA-1 Clinical placement slots (blocked)');
    // With the person's own words in the agenda, choosing a team leaves the form alone.
    const updates = h.fake.callsTo('views.update').length;
    const handled = () => h.logs.filter((l) => l.includes('"what":"meeting_team"')).length;
    const handledBefore = handled();
    await choose(refilled, 'My own agenda');
    // The request log line is written once the listener has finished.
    await h.fake.waitFor(() => handled() > handledBefore);
    expect(h.fake.callsTo('views.update')).toHaveLength(updates);
  });

  it('schedules by modal: stores the UTC instant, shows M-1, and announces it in the team channel with RSVP buttons and Slack date formatting', async () => {
    const view = await openNew();
    const ack = await submit(view, { title: 'CNA placements <!channel>', agenda: 'Placements & slots' });
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view)).toContain('M-1');
    // A double submission of the same form (same view id and hash) creates nothing more.
    const again = await submit(view, { title: 'CNA placements <!channel>' });
    expect(again.errors).toBeUndefined();
    expect(await h.count('meetings')).toBe(1);
    await h.flush();
    const m = await meeting(1);
    // 10:00 in Detroit on 2 November 2026 is after the DST change: EST, UTC−5.
    expect(m?.starts_at).toBe(Date.parse('2026-11-02T15:00:00Z'));
    expect(m?.time_zone).toBe('America/Detroit');
    expect(m?.message_ts).not.toBeNull();
    const posted = await announcement(1);
    const text = visibleText({ text: posted.text ?? '', blocks: posted.blocks ?? [] });
    expect(text).toContain('M-1');
    expect(text).toContain(`<!date^${Date.parse('2026-11-02T15:00:00Z') / 1000}^`);
    expect(text).toContain('Henry Ford Hospital, room 2');
    expect(text).toContain('&lt;!channel&gt;');
    // Only the header, a plain_text object that Slack shows literally, carries the title as typed.
    const mrkdwnParts = [posted.text ?? '', JSON.stringify((posted.blocks ?? []).filter((b) => (b as { type: string }).type !== 'header'))].join('\n');
    expect(mrkdwnParts).not.toContain('<!channel>');
    expect(text).toContain('Placements &amp; slots');
    for (const id of ['meeting_rsvp_going', 'meeting_rsvp_maybe', 'meeting_rsvp_declined', 'meeting_ics']) expect(text).toContain(id);
    expect(h.fake.messages(CHANNELS.cna.id).filter((msg) => (msg.text ?? '').startsWith('M-1 '))).toHaveLength(1);
  });

  it('stores a Chicago scheduler’s time as their wall-clock time', async () => {
    const number = await schedule({ title: 'From Chicago', date: '2026-11-03', time: '09:00' }, PEOPLE.trinity.id);
    expect((await meeting(number))?.starts_at).toBe(Date.parse('2026-11-03T15:00:00Z'));
    expect((await meeting(number))?.time_zone).toBe('America/Chicago');
  });

  it('refuses bad input beside each field and stores nothing', async () => {
    const meetingsBefore = await h.count('meetings');
    const outboxBefore = await h.count('outbox');
    const view = await openNew();
    const past = await submit(view, { date: '2026-10-19', time: '10:00' });
    expect(past.response_action).toBe('errors');
    expect(past.errors?.meeting_date).toContain('future');
    const many = await submit(view, { duration: '600', link: 'javascript:alert(1)', title: '   ' });
    expect(many.errors?.meeting_duration).toContain('15 minutes to 8 hours');
    expect(many.errors?.meeting_link).toContain('web link');
    expect(many.errors?.meeting_title).toContain('title');
    const tooShort = await submit(view, { duration: '10' });
    expect(tooShort.errors?.meeting_duration).toContain('15 minutes');
    const nowhere = await submit(view, { place: null, link: null });
    expect(nowhere.errors?.meeting_place).toContain('Say where');
    // 02:30 on 8 March 2026 never happens in Detroit: the clocks jump from 2:00 to 3:00.
    clock = new Date('2026-02-01T12:00:00Z');
    const gap = await submit(await openNew(), { date: '2026-03-08', time: '02:30' });
    expect(gap.errors?.meeting_time).toContain('does not exist');
    clock = new Date('2026-10-20T12:00:00Z');
    const noTeam = await submit(view, { teamId: null });
    expect(noTeam.errors?.meeting_team).toContain('Choose the team');
    const tampered = await h.slack.viewSubmission({ view: { ...view, private_metadata: '{"tz":"Mars/Olympus"}' }, userId: creator, values: formValues({ teamId: String(cnaTeamId) }) });
    expect((tampered.json as { errors?: Record<string, string> }).errors?.meeting_title).toContain('could not be read');
    const otherWorkspaceTeam = await submit(view, { teamId: '99999' });
    expect(otherWorkspaceTeam.errors?.meeting_team).toContain('Choose the team');
    expect(await h.count('meetings')).toBe(meetingsBefore);
    expect(await h.count('outbox')).toBe(outboxBefore);
  });

  it('records RSVPs with live counts and names; a changed answer replaces the old one and a double click counts once', async () => {
    await click(1, 'going', PEOPLE.henryFord2.id);
    await click(1, 'going', PEOPLE.henryFord2.id);
    await click(1, 'maybe', PEOPLE.corewell.id);
    await click(1, 'going', PEOPLE.trainer.id);
    await h.fake.waitFor(async () => (await rsvpsOf(1)).length === 3);
    await h.flush();
    let text = JSON.stringify((await announcement(1)).blocks);
    expect(text).toContain(`Going (2)*: <@${PEOPLE.henryFord2.id}>, <@${PEOPLE.trainer.id}>`);
    expect(text).toContain(`Maybe (1)*: <@${PEOPLE.corewell.id}>`);
    await click(1, 'declined', PEOPLE.henryFord2.id);
    await h.fake.waitFor(async () => (await rsvpsOf(1)).find((r) => r.user_id === PEOPLE.henryFord2.id)?.answer === 'declined');
    await h.flush();
    expect(await rsvpsOf(1)).toHaveLength(3);
    text = JSON.stringify((await announcement(1)).blocks);
    expect(text).toContain(`Going (1)*: <@${PEOPLE.trainer.id}>`);
    expect(text).toContain(`Can't go (1)*: <@${PEOPLE.henryFord2.id}>`);
    const ephemerals = h.fake.messages(CHANNELS.cna.id).filter((m) => m.ephemeral && m.user === PEOPLE.henryFord2.id && (m.text ?? '').includes('M-1'));
    // Going once (the double click said nothing new), then Can't go.
    expect(ephemerals.map((m) => m.text)).toEqual([expect.stringContaining('*Going* for *M-1*'), expect.stringContaining("*Can't go* for *M-1*")]);
  });

  it('lists upcoming meetings with RSVP counts and shows one; unknown and malformed ids get a clear answer', async () => {
    const list = await h.command('/meeting', 'list', inCna(creator));
    const listed = visibleText(list);
    expect(listed).toContain('*M-1*');
    expect(listed).toContain('1 going · :grey_question: 1 maybe · :x: 1 can\'t go');
    const everywhere = await h.command('/meeting', 'list', { userId: creator, channelId: CHANNELS.general.id });
    expect(visibleText(everywhere)).toContain('all teams');
    expect((await h.command('/meeting', 'list MA', inCna(creator))).text).toContain('No upcoming meetings for MA');
    expect((await h.command('/meeting', 'list NOPE', inCna(creator))).text).toContain('There is no team NOPE');
    const show = await h.command('/meeting', 'show m-1', inCna(creator));
    expect(visibleText(show)).toContain(`<@${PEOPLE.trainer.id}>`);
    expect((await h.command('/meeting', 'show M-99', inCna(creator))).text).toContain('There is no meeting M-99');
    expect((await h.command('/meeting', 'show soon', inCna(creator))).text).toContain('is not a meeting id');
    expect((await h.command('/meeting', 'cancel', inCna(creator))).text).toContain('Usage');
  });

  it('sends reminders 24 hours and 1 hour before, once each, never before their time', async () => {
    const start = (await meeting(1))?.starts_at ?? 0;
    await h.flush(new Date(start - 25 * HOUR));
    expect(reminders(1)).toHaveLength(0);
    await h.flush(new Date(start - 24 * HOUR));
    expect(reminders(1)).toHaveLength(1);
    expect(reminders(1)[0]?.text).toContain('starts tomorrow');
    expect(JSON.stringify(reminders(1)[0]?.blocks)).toContain('Henry Ford Hospital, room 2');
    expect(JSON.stringify(reminders(1)[0]?.blocks)).toContain('Placements &amp; slots');
    await h.flush(new Date(start - 24 * HOUR + 60_000));
    expect(reminders(1)).toHaveLength(1);
    await h.flush(new Date(start - HOUR));
    await h.flush(new Date(start - HOUR + 1000));
    expect(reminders(1)).toHaveLength(2);
    expect(reminders(1)[1]?.text).toContain('starts in 1 hour');
  });

  it('queues only the reminders still ahead when the meeting is created', async () => {
    clock = new Date('2026-11-05T12:00:00Z');
    // 10:00 Detroit on 5 November is 15:00Z: three hours away, so only the 1-hour reminder.
    const number = await schedule({ title: 'Soon', date: '2026-11-05', time: '10:00' });
    const id = (await meeting(number))?.id;
    const keys = await h.query<{ dedupe_key: string }>("select dedupe_key from outbox where dedupe_key like ? and dedupe_key like '%reminder%'", `meeting:${id}:%`);
    expect(keys.map((k) => k.dedupe_key)).toEqual([`meeting:${id}:s0:reminder:1h`]);
    clock = new Date('2026-10-20T12:00:00Z');
  });

  it('edits by modal: prefilled in the editor’s zone, RSVPs kept, reminders moved, sequence bumped, announcement updated, attendees told', async () => {
    const number = await schedule({ title: 'Curriculum review', date: '2026-10-28', time: '14:00', link: 'https://meet.example.org/abc' });
    const before = await meeting(number);
    await click(number, 'going', PEOPLE.corewell.id);
    await h.fake.waitFor(async () => (await rsvpsOf(number)).length === 1);
    await h.flush();
    // Someone else may not edit it.
    const refused = await h.command('/meeting', `edit M-${number}`, inCna(PEOPLE.trainer.id));
    expect(refused.text).toContain('Only the person who scheduled');
    const opened = h.fake.views.size;
    await h.command('/meeting', `edit M-${number}`, inCna(creator));
    await h.fake.waitFor(() => h.fake.views.size > opened);
    const view = lastOpenedView();
    expect(view.callback_id).toBe('meeting_edit');
    const el = (id: string) => (view.blocks.find((b) => b.block_id === id) as { element: Record<string, unknown> }).element;
    expect(el('meeting_date').initial_date).toBe('2026-10-28');
    expect(el('meeting_time').initial_time).toBe('14:00');
    expect(el('meeting_link').initial_value).toBe('https://meet.example.org/abc');
    expect(el('meeting_title').initial_value).toBe('Curriculum review');

    const response = await h.slack.viewSubmission({
      view,
      userId: creator,
      values: formValues({ title: 'Curriculum review', date: '2026-10-29', time: '15:30', link: 'https://meet.example.org/abc', place: null, agenda: 'New agenda' }),
    });
    expect((response.json as { response_action?: string }).response_action).toBe('update');
    await h.flush();
    const after = await meeting(number);
    expect(after?.starts_at).toBe(Date.parse('2026-10-29T19:30:00Z'));
    expect(after?.sequence).toBe((before?.sequence ?? 0) + 1);
    expect(await rsvpsOf(number)).toEqual([{ user_id: PEOPLE.corewell.id, answer: 'going' }]);
    const pending = await h.query<{ dedupe_key: string; not_before: number; status: string }>('select dedupe_key, not_before, status from outbox where dedupe_key like ? order by id', `meeting:${after?.id}:%reminder%`);
    expect(pending).toEqual([
      { dedupe_key: `meeting:${after?.id}:s0:reminder:24h`, not_before: Date.parse('2026-10-27T18:00:00Z'), status: 'cancelled' },
      { dedupe_key: `meeting:${after?.id}:s0:reminder:1h`, not_before: Date.parse('2026-10-28T17:00:00Z'), status: 'cancelled' },
      { dedupe_key: `meeting:${after?.id}:s1:reminder:24h`, not_before: Date.parse('2026-10-28T19:30:00Z'), status: 'pending' },
      { dedupe_key: `meeting:${after?.id}:s1:reminder:1h`, not_before: Date.parse('2026-10-29T18:30:00Z'), status: 'pending' },
    ]);
    expect(JSON.stringify((await announcement(number)).blocks)).toContain(`<!date^${Date.parse('2026-10-29T19:30:00Z') / 1000}^`);
    expect(JSON.stringify((await announcement(number)).blocks)).toContain('New agenda');
    const dm = h.fake.messages(PEOPLE.corewell.id).find((m) => (m.text ?? '').includes(`M-${number}`));
    expect(dm?.text).toContain('was changed');
    // The old times never fire; the new one does, once.
    await h.flush(new Date('2026-10-28T17:00:00Z'));
    expect(reminders(number)).toHaveLength(0);
    await h.flush(new Date('2026-10-28T19:30:00Z'));
    expect(reminders(number)).toHaveLength(1);
  });

  it('cancels: others refused and audited; the announcement is struck through, Going and Maybe told by DM, reminders withdrawn', async () => {
    const number = await schedule({ title: 'Budget check-in', date: '2026-11-10', time: '11:00' });
    await click(number, 'going', PEOPLE.henryFord2.id);
    await click(number, 'maybe', PEOPLE.corewell.id);
    await click(number, 'declined', PEOPLE.trainer.id);
    await h.fake.waitFor(async () => (await rsvpsOf(number)).length === 3);
    await h.flush();

    const refused = await h.command('/meeting', `cancel M-${number}`, inCna(PEOPLE.trainer.id));
    expect(refused.text).toContain('Only the person who scheduled');
    expect((await meeting(number))?.status).toBe('scheduled');
    expect(await h.query('select * from audit_log where action = ? and actor_id = ? and outcome = ?', 'meeting.cancel', PEOPLE.trainer.id, 'refused')).toHaveLength(1);

    const ack = await h.command('/meeting', `cancel M-${number}`, inCna(creator));
    expect(ack.text).toContain(`Cancelled *M-${number}*`);
    expect(ack.text).toContain('2 people');
    await h.flush();
    expect((await meeting(number))?.status).toBe('cancelled');
    const posted = await announcement(number);
    expect(posted.blocks?.[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining('Cancelled') } });
    expect(JSON.stringify(posted.blocks)).toContain(`~*M-${number}*`);
    expect(JSON.stringify(posted.blocks)).not.toContain('meeting_rsvp_going');
    const dmText = (userId: string) => h.fake.messages(userId).filter((m) => (m.text ?? '').includes(`M-${number}*`) && (m.text ?? '').includes('cancelled'));
    expect(dmText(PEOPLE.henryFord2.id)).toHaveLength(1);
    expect(dmText(PEOPLE.corewell.id)).toHaveLength(1);
    expect(dmText(PEOPLE.trainer.id)).toHaveLength(0);
    const start = (await meeting(number))?.starts_at ?? 0;
    await h.flush(new Date(start - 24 * HOUR));
    await h.flush(new Date(start - HOUR));
    expect(reminders(number)).toHaveLength(0);
    // A late RSVP click, a second cancel and an edit are refused politely.
    await click(number, 'going', PEOPLE.analyst.id);
    await h.fake.waitFor(() => h.fake.messages(CHANNELS.cna.id).find((m) => m.ephemeral && m.user === PEOPLE.analyst.id));
    expect(await rsvpsOf(number)).toHaveLength(3);
    expect((await h.command('/meeting', `cancel M-${number}`, inCna(creator))).text).toContain('was cancelled');
    expect((await h.command('/meeting', `edit M-${number}`, inCna(creator))).text).toContain('was cancelled');
  });

  it('lets a coordinator cancel someone else’s meeting', async () => {
    const number = await schedule({ title: 'Coordinator cancels', date: '2026-11-12', time: '09:00' });
    const ack = await h.command('/meeting', `cancel M-${number}`, inCna(PEOPLE.coordinator.id));
    expect(ack.text).toContain(`Cancelled *M-${number}*`);
  });

  it('sends the calendar file by /meeting ics and by the announcement button; parsed back, it holds the right instant across the November DST change', async () => {
    const filesBefore = h.fake.files.length;
    const ack = await h.command('/meeting', 'ics M-1', inCna(PEOPLE.corewell.id));
    expect(ack.text).toContain('M-1');
    const file = await h.fake.waitFor(() => h.fake.files[filesBefore]);
    expect(file.filename).toBe('M-1-cna-placements-channel.ics');
    expect(file.channels).toEqual([h.fake.dmChannelId(PEOPLE.corewell.id)]);
    const cal = new ICAL.Component(ICAL.parse(file.content.toString('utf8')));
    const vevent = cal.getFirstSubcomponent('vevent');
    if (vevent === null) throw new Error('no VEVENT');
    const event = new ICAL.Event(vevent);
    // Scheduled in October (EDT) for 10:00 on 2 November (EST): 15:00 UTC, not 14:00.
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-11-02T15:00:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2026-11-02T16:00:00.000Z');
    expect(event.uid).toBe(`meeting-${(await meeting(1))?.id}@alliance.T0ALLIANCE`);
    expect(event.summary).toBe('M-1 CNA placements <!channel>');
    expect(event.location).toBe('Henry Ford Hospital, room 2');
    expect(event.description).toContain('Placements & slots');

    const m = await meeting(1);
    const filesBeforeButton = h.fake.files.length;
    await h.slack.blockAction({ actionId: 'meeting_ics', blockId: `meeting_actions_${m?.id}`, value: String(m?.id), userId: PEOPLE.trainer.id, channelId: CHANNELS.cna.id, messageTs: m?.message_ts ?? '' });
    const fromButton = await h.fake.waitFor(() => h.fake.files[filesBeforeButton]);
    expect(fromButton.channels).toEqual([h.fake.dmChannelId(PEOPLE.trainer.id)]);
    // The same instant (15:00 UTC), written on the scheduler's clock with its zone (issue #17: TZID + VTIMEZONE).
    expect(fromButton.content.toString('utf8')).toContain('DTSTART;TZID=America/Detroit:20261102T100000');
    const fromButtonEvent = new ICAL.Event(new ICAL.Component(ICAL.parse(fromButton.content.toString('utf8'))).getFirstSubcomponent('vevent') ?? undefined);
    expect(fromButtonEvent.startDate.toJSDate().toISOString()).toBe('2026-11-02T15:00:00.000Z');

    expect((await h.command('/meeting', 'ics M-404', inCna(creator))).text).toContain('There is no meeting M-404');
  });

  it('refuses to open the form when there is no team and answers unknown subcommands with help, escaped', async () => {
    const ack = await h.command('/meeting', '<!channel> now', inCna(creator));
    expect(ack.text).toContain('&lt;!channel&gt;');
    expect(ack.text).not.toContain('<!channel>');
  });
});

describe('/meeting reminders across a restart', () => {
  it('never sends a reminder twice, even after the app restarts on the same database', async () => {
    let now = new Date('2026-10-20T12:00:00Z');
    const first = await startHarness({ now: () => now });
    await linkSeedChannels(first);
    const dbPath = first.dbPath;
    const teamId = (await first.query<{ id: number }>("select id from program_teams where key = 'MA'"))[0]?.id;
    await first.command('/meeting', 'new', { userId: creator, channelId: CHANNELS.ma.id });
    await first.fake.waitFor(() => first.fake.views.size > 0);
    const view = [...first.fake.views.values()].at(-1) as OpenedView;
    await first.slack.viewSubmission({ view, userId: creator, values: formValues({ teamId: String(teamId), title: 'MA sync', date: '2026-10-22', time: '10:00' }) });
    await first.flush();
    now = new Date('2026-10-21T14:00:00Z');
    await first.flush(now);
    const sentBefore = first.fake.messages(CHANNELS.ma.id).filter((m) => (m.text ?? '').startsWith('Reminder: M-1 '));
    expect(sentBefore).toHaveLength(1);
    // Stop only the app (its database file stays), then start a fresh one on the same file.
    await first.alliance.stop();
    const second = await startHarness({ now: () => now, dbPath });
    await second.flush(now);
    expect(second.fake.messages(CHANNELS.ma.id).filter((m) => (m.text ?? '').startsWith('Reminder: M-1 '))).toHaveLength(0);
    await second.flush(new Date('2026-10-22T13:00:00Z'));
    expect(second.fake.messages(CHANNELS.ma.id).filter((m) => (m.text ?? '').startsWith('Reminder: M-1 '))).toHaveLength(1);
    await second.stop();
    // Stopping the first harness last closes its reader and removes the shared temporary database.
    await first.stop();
  });
});
