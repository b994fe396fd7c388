import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { ActionIds, CommandNames, InputIds, ViewIds } from '../../slack/ids.js';
import { decodeValue, STALE_PAYLOAD_MESSAGE, submissionKey } from '../../slack/payload.js';
import { fieldErrors, problemText } from '../../slack/reply.js';
import { meetingCommand, parseModalMetadata, sendCalendarFile, type MeetingCommandDeps } from './command.js';
import { MeetingRepository, type RsvpAnswer } from './repository.js';
import { ANNOUNCED_FOLLOW_UP, MEETING_REFRESH, MeetingService, validateMeetingForm, type RawMeetingForm } from './service.js';
import { agendaPrefill, teamAgendaState } from './agenda.js';
import { utcToLocalParts } from '../../time/zone.js';
import { doneModal } from '../../slack/blocks.js';
import { DEFAULT_DURATION, editedText, isAgendaBlock, meetingKey, meetingModal, RSVP_ACTION_PATTERN, RSVP_LABELS, scheduledText } from './views.js';

const inputState = z.object({
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_date: z.string().nullish(),
  selected_time: z.string().nullish(),
});

const submission = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string().min(1) }).nullish(),
  view: z.object({
    id: z.string().min(1),
    hash: z.string().default(''),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), inputState)) }),
  }),
});

/** An RSVP or calendar button's value: the meeting id. */
const meetingIdValue = z.string().regex(/^\d{1,12}$/).transform(Number);

const buttonClick = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string().min(1) }).nullish(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
});

type Values = z.infer<typeof submission>['view']['state']['values'];

/** Inputs use block_id === action_id, so each value is one lookup. */
function readForm(values: Values): RawMeetingForm {
  const field = (id: string) => values[id]?.[id];
  return {
    teamId: field(InputIds.meetingTeam)?.selected_option?.value,
    title: field(InputIds.meetingTitle)?.value ?? undefined,
    date: field(InputIds.meetingDate)?.selected_date ?? undefined,
    time: field(InputIds.meetingTime)?.selected_time ?? undefined,
    duration: field(InputIds.meetingDuration)?.selected_option?.value,
    place: field(InputIds.meetingPlace)?.value ?? undefined,
    link: field(InputIds.meetingLink)?.value ?? undefined,
    agenda: agendaState(values)?.value ?? undefined,
  };
}

function agendaState(values: Values): z.infer<typeof inputState> | undefined {
  const blockId = Object.keys(values).find(isAgendaBlock);
  return blockId === undefined ? undefined : values[blockId]?.[InputIds.meetingAgenda];
}

const teamSwitch = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string().min(1) }).nullish(),
  actions: z.array(z.object({ selected_option: z.object({ value: z.string().regex(/^\d{1,12}$/) }) })).min(1),
  view: z.object({
    id: z.string().min(1),
    hash: z.string().optional(),
    private_metadata: z.string().default(''),
    blocks: z.array(z.object({ block_id: z.string().optional(), element: z.object({ initial_value: z.string().optional() }).optional() })),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), inputState)) }),
  }),
});

const STALE_FORM = 'This form could not be read (it may be out of date); close it and run /meeting again.';

/** `/meeting`, its two modals, the RSVP and calendar buttons, and the announcement follow-up. */
export function registerMeetings(app: App, deps: ListenerDeps): void {
  const repo = new MeetingRepository(deps.db);
  const meetings = new MeetingService({ repo, teams: deps.teams, teamRepository: deps.teamRepository });
  const commandDeps: MeetingCommandDeps = {
    db: deps.db,
    meetings,
    now: deps.now,
    outbox: deps.outbox,
    client: deps.client,
    defaultTimeZone: (workspaceId) => deps.zones.zoneFor(workspaceId),
    timeZoneOf: (workspaceId, userId) => deps.actors.timeZoneOf(workspaceId, userId),
  };
  registerCommand(app, CommandNames.meeting, meetingCommand(commandDeps), { actors: deps.actors });

  deps.refreshers[MEETING_REFRESH] = async (ref) => meetings.renderAnnouncement(Number(ref));
  deps.followUps[ANNOUNCED_FOLLOW_UP] = async (_db, ref, result) => {
    await meetings.recordAnnouncement(ref, result, deps.now());
    deps.outbox.kick();
  };

  app.view(ViewIds.meetingNew, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const metadata = parsed.success ? parseModalMetadata(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || metadata === undefined) {
      await ack({ response_action: 'errors', errors: { [InputIds.meetingTitle]: STALE_FORM } });
      return;
    }
    const { user, team, view } = parsed.data;
    const workspaceId = team?.id ?? user.team_id ?? '';
    const now = deps.now();
    const form = readForm(view.state.values);
    const details = validateMeetingForm(form, metadata.tz, now);
    const teamMissing = form.teamId === undefined ? [{ code: 'invalid' as const, message: 'Choose the team the meeting is for.', field: InputIds.meetingTeam }] : [];
    if (!details.ok || teamMissing.length > 0) {
      const problems = [...teamMissing, ...(details.ok ? [] : (details.problems ?? [details.problem]))];
      await ack({ response_action: 'errors', errors: fieldErrors(problems, InputIds.meetingTitle) });
      return;
    }
    const actor = await deps.actors.resolve(workspaceId, user.id);
    const created = await meetings.create(actor, form.teamId, details.value, { timeZone: metadata.tz, originChannelId: metadata.origin }, submissionKey(body), now);
    if (!created.ok) {
      await ack({ response_action: 'errors', errors: fieldErrors(created.problems ?? [created.problem], InputIds.meetingTeam) });
      return;
    }
    // The same form submitted twice gets the same answer, naming the meeting the first one made.
    const { meeting, channelId, duplicate } = created.value;
    await ack({ response_action: 'update', view: doneModal(`${meetingKey(meeting.number)} scheduled`, scheduledText(meeting, channelId)) });
    if (!duplicate) deps.outbox.kick();
  });

  app.view(ViewIds.meetingEdit, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const metadata = parsed.success ? parseModalMetadata(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || metadata?.meeting === undefined) {
      await ack({ response_action: 'errors', errors: { [InputIds.meetingTitle]: STALE_FORM } });
      return;
    }
    const { user, team, view } = parsed.data;
    const workspaceId = team?.id ?? user.team_id ?? '';
    const now = deps.now();
    const details = validateMeetingForm(readForm(view.state.values), metadata.tz, now);
    if (!details.ok) {
      await ack({ response_action: 'errors', errors: fieldErrors(details.problems ?? [details.problem], InputIds.meetingTitle) });
      return;
    }
    const actor = await deps.actors.resolve(workspaceId, user.id);
    const edited = await meetings.edit(actor, metadata.meeting, details.value, metadata.tz, now, submissionKey(body));
    if (!edited.ok) {
      await ack({ response_action: 'errors', errors: { [InputIds.meetingTitle]: edited.problem.message } });
      return;
    }
    await ack({ response_action: 'update', view: doneModal(`${meetingKey(edited.value.meeting.number)} saved`, editedText(edited.value.meeting, edited.value.notified)) });
    deps.outbox.kick();
  });

  /**
   * Another team chosen in the new-meeting form: the agenda is refilled with that team's open
   * items, unless the person already edited it (their text is never thrown away).
   */
  app.action(InputIds.meetingTeam, async ({ ack, body, client }) => {
    await ack();
    const parsed = teamSwitch.safeParse(body);
    if (!parsed.success) return;
    const { user, team, actions, view } = parsed.data;
    const metadata = parseModalMetadata(view.private_metadata);
    if (metadata === undefined) return;
    const agendaBlock = view.blocks.find((b) => b.block_id !== undefined && isAgendaBlock(b.block_id));
    const typed = agendaState(view.state.values)?.value ?? '';
    const prefilled = agendaBlock?.element?.initial_value ?? '';
    if (typed.trim() !== '' && typed !== prefilled) return;
    const workspaceId = team?.id ?? user.team_id ?? '';
    const { teams } = await meetings.teamChoices(workspaceId, '');
    const chosen = teams.find((t) => String(t.id) === actions[0]?.selected_option.value);
    if (chosen === undefined) return;
    const now = deps.now();
    const agenda = agendaPrefill(await teamAgendaState(deps.db, chosen.id, chosen.key, utcToLocalParts(now, metadata.tz).date, now.getTime()));
    const form = readForm(view.state.values);
    await client.views.update({
      view_id: view.id,
      ...(view.hash === undefined ? {} : { hash: view.hash }),
      view: meetingModal({
        mode: 'new',
        teams: teams.map((t) => ({ id: t.id, key: t.key, name: t.name })),
        selectedTeamId: chosen.id,
        timeZone: metadata.tz,
        values: { title: form.title ?? '', date: form.date, time: form.time, duration: Number(form.duration ?? DEFAULT_DURATION), place: form.place ?? '', link: form.link ?? '', agenda },
        privateMetadata: view.private_metadata,
        agendaBlockId: `${InputIds.meetingAgenda}_t${chosen.id}`,
      }),
    });
  });

  app.action(RSVP_ACTION_PATTERN, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = buttonClick.safeParse(body);
    const [action] = parsed.success ? parsed.data.actions : [];
    const answer = RSVP_ACTION_PATTERN.exec(action?.action_id ?? '')?.[1] as RsvpAnswer | undefined;
    const meetingId = decodeValue(meetingIdValue, action?.value);
    if (!parsed.success || action === undefined || answer === undefined || !meetingId.ok) {
      // A changed button value: say so privately; nothing is recorded.
      await respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${STALE_PAYLOAD_MESSAGE}` });
      return;
    }
    const { user, team, container, channel, message } = parsed.data;
    const channelId = container?.channel_id ?? channel?.id;
    const ts = container?.message_ts ?? message?.ts;
    const workspaceId = team?.id ?? user.team_id ?? '';
    const now = deps.now();
    const result = await meetings.rsvp(workspaceId, user.id, meetingId.value, answer, channelId !== undefined && ts !== undefined ? { channelId, ts } : undefined, now);
    // On the Home tab (no channel) the answer goes on top of the Home.
    const tell = async (text: string) => {
      if (channelId !== undefined) await client.chat.postEphemeral({ channel: channelId, user: user.id, text });
      else await deps.home.respondVia(body, respond)(text);
    };
    if (!result.ok) {
      await tell(problemText(result.problem));
      return;
    }
    deps.outbox.kick();
    if (result.value.previous !== answer) {
      const key = meetingKey(result.value.meeting.number);
      await tell(`Got it: *${RSVP_LABELS[answer].heading}* for *${key}*. You can change your answer any time.`);
    }
  });

  app.action(ActionIds.meetingIcs, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = buttonClick.safeParse(body);
    const meetingId = decodeValue(meetingIdValue, parsed.success ? parsed.data.actions[0]?.value : undefined);
    if (!parsed.success || !meetingId.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${STALE_PAYLOAD_MESSAGE}` });
      return;
    }
    const { user, team, container, channel } = parsed.data;
    const workspaceId = team?.id ?? user.team_id ?? '';
    const found = await meetings.byId(workspaceId, meetingId.value);
    const channelId = container?.channel_id ?? channel?.id;
    if (found === undefined) {
      if (channelId !== undefined) await client.chat.postEphemeral({ channel: channelId, user: user.id, text: ':mag: That meeting no longer exists.' });
      return;
    }
    await sendCalendarFile(client, meetings, found, user.id, deps.now());
    if (channelId !== undefined) {
      await client.chat.postEphemeral({ channel: channelId, user: user.id, text: `:calendar: The calendar file for *${meetingKey(found.meeting.number)}* is in your direct messages with Alliance.` });
    }
  });
}
