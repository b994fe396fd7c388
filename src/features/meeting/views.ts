import type { ActionsBlock, Button, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { chunkLines, context, section, SECTION_MAX, textInput } from '../../slack/blocks.js';
import { ActionIds, InputIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionUser, plain } from '../../slack/mrkdwn.js';
import type { Meeting, MeetingWithTeam, Rsvp, RsvpAnswer, RsvpCounts, RsvpSummary } from './repository.js';
import { slackDate } from '../../slack/date-token.js';
import { formatInZone } from '../../time/zone.js';

const HEADER_MAX = 150;
/** Slack allows 50 blocks a message; a list keeps two for its header and footer. */
/** `/meeting list` shows this many meetings (soonest first) and reads no more before its ack. */
export const MEETING_LIST_SHOWN = 40;
/** Beyond this many meetings ahead, the list's header says "more than" rather than counting them all. */
export const MEETING_LIST_COUNTED = 1000;
/** Names shown per answer on the announcement; the count is always exact. */
/** Names listed per answer on the announcement and in `/meeting show`; the rest are "and N more". */
export const MAX_NAMES = 40;

export const TITLE_MAX = 120;
export const PLACE_MAX = 200;
export const LINK_MAX = 1000;

/** 15 minutes to 8 hours, as the issue asks. */
export const DURATIONS = [15, 30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 420, 480] as const;
export const DEFAULT_DURATION = 60;

export const meetingKey = (number: number): string => `M-${number}`;

export const RSVP_LABELS: Record<RsvpAnswer, { button: string; heading: string; emoji: string }> = {
  going: { button: 'Going', heading: 'Going', emoji: ':white_check_mark:' },
  maybe: { button: 'Maybe', heading: 'Maybe', emoji: ':grey_question:' },
  declined: { button: "Can't go", heading: "Can't go", emoji: ':x:' },
};

/** Three buttons sit in one actions block, and Slack wants action ids unique within a block. */
export const rsvpActionId = (answer: RsvpAnswer): string => `${ActionIds.meetingRsvp}_${answer}`;
export const RSVP_ACTION_PATTERN = new RegExp(`^${ActionIds.meetingRsvp}_(going|maybe|declined)$`);

export const MEETING_HELP = [
  '*`/meeting`: team meetings with RSVPs, reminders and calendar files*',
  '`/meeting new`: schedule a meeting (a form; times are in your own Slack time zone)',
  '`/meeting list [KEY]`: upcoming meetings with RSVP counts (KEY defaults to this channel’s team; all teams elsewhere)',
  '`/meeting show M-7`: one meeting with who is coming',
  '`/meeting ics M-7`: get the calendar file (.ics) for Outlook, Google or Apple Calendar in a direct message',
  '`/meeting edit M-7`: change the time, place or agenda (the scheduler or a coordinator; RSVPs are kept)',
  '`/meeting cancel M-7`: cancel it (the scheduler or a coordinator; people who said Going or Maybe are told)',
  'The team channel gets the announcement with RSVP buttons, and reminders 24 hours and 1 hour before the start.',
].join('\n');

/* ---------- time and place ---------- */

/** "Tuesday, November 3rd, 2026 at 10:00 AM" in each reader's own zone, with a fallback in the meeting's zone. */
export function whenText(meeting: Pick<Meeting, 'startsAt' | 'durationMinutes' | 'timeZone'>): string {
  const end = meeting.startsAt + meeting.durationMinutes * 60_000;
  return `${slackDate(meeting.startsAt, meeting.timeZone, 'long')} to ${slackDate(end, meeting.timeZone, 'time')} (${durationText(meeting.durationMinutes)})`;
}

export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** A URL is safe inside `<url|label>` once `|` and `>` cannot end the link early. */
export function linkMrkdwn(url: string, label: string): string {
  const href = escapeMrkdwn(url.replace(/\|/g, '%7C'));
  return `<${href}|${escapeMrkdwn(label)}>`;
}

export function whereText(meeting: Pick<Meeting, 'location' | 'link'>): string {
  const parts: string[] = [];
  if (meeting.location !== '') parts.push(escapeMrkdwn(meeting.location));
  if (meeting.link !== null && meeting.link !== '') parts.push(linkMrkdwn(meeting.link, 'Join the call'));
  return parts.length === 0 ? '_not set_' : parts.join(' · ');
}


function agendaBlock(agenda: string): KnownBlock | undefined {
  if (agenda.trim() === '') return undefined;
  return section(`*Agenda*\n${escapeMrkdwn(agenda)}`);
}

function rsvpLines(rsvps: Rsvp[]): string {
  const summary: RsvpSummary = { counts: { going: 0, maybe: 0, declined: 0 }, first: { going: [], maybe: [], declined: [] } };
  for (const r of rsvps) {
    summary.counts[r.answer] += 1;
    if (summary.first[r.answer].length < MAX_NAMES) summary.first[r.answer].push(r.userId);
  }
  return summaryLines(summary);
}

function summaryLines(summary: RsvpSummary): string {
  return (['going', 'maybe', 'declined'] as const).map((answer) => {
    const count = summary.counts[answer];
    const label = RSVP_LABELS[answer];
    const names = summary.first[answer].slice(0, MAX_NAMES).map(mentionUser);
    const more = count > names.length ? ` and ${count - names.length} more` : '';
    return `${label.emoji} *${label.heading} (${count})*${names.length > 0 ? `: ${names.join(', ')}${more}` : ''}`;
  }).join('\n');
}

/* ---------- the announcement ---------- */

export interface AnnouncementModel {
  meeting: Meeting;
  teamKey: string;
  rsvps: Rsvp[];
  /** Who cancelled it, for the cancelled announcement. */
  cancelledBy?: string;
}

export function announcementView(model: AnnouncementModel): { text: string; blocks: KnownBlock[] } {
  const { meeting, teamKey } = model;
  const key = meetingKey(meeting.number);
  const cancelled = meeting.status === 'cancelled';
  const fallback = formatInZone(new Date(meeting.startsAt), meeting.timeZone);
  if (cancelled) {
    const by = model.cancelledBy === undefined ? '' : ` by ${mentionUser(model.cancelledBy)}`;
    return {
      text: `Cancelled: ${key} ${escapeMrkdwn(meeting.title)} (${fallback})`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: plain(`Cancelled: ${key} · ${meeting.title}`, HEADER_MAX) } },
        section(`~*${key}* · ${escapeMrkdwn(meeting.title)}~\n~${whenText(meeting)}~\n:no_entry: This ${escapeMrkdwn(teamKey)} meeting was *cancelled*${by}.`),
      ],
    };
  }
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`${key} · ${meeting.title}`, HEADER_MAX) } },
    section(
      [
        `*When:* ${whenText(meeting)}`,
        `*Where:* ${whereText(meeting)}`,
        `*Team:* ${escapeMrkdwn(teamKey)} · scheduled by ${mentionUser(meeting.creatorId)}`,
      ].join('\n'),
    ),
  ];
  const agenda = agendaBlock(meeting.agenda);
  if (agenda !== undefined) blocks.push(agenda);
  blocks.push(section(rsvpLines(model.rsvps)));
  const buttons: Button[] = (['going', 'maybe', 'declined'] as const).map((answer) => ({
    type: 'button',
    action_id: rsvpActionId(answer),
    text: { type: 'plain_text', text: RSVP_LABELS[answer].button },
    value: `${meeting.id}`,
    ...(answer === 'going' ? { style: 'primary' as const } : {}),
  }));
  buttons.push({ type: 'button', action_id: ActionIds.meetingIcs, text: { type: 'plain_text', text: 'Add to calendar' }, value: `${meeting.id}` });
  const actions: ActionsBlock = { type: 'actions', block_id: `meeting_actions_${meeting.id}`, elements: buttons };
  blocks.push(actions);
  blocks.push(context(`${key} · times show in your own time zone · \`/meeting ics ${key}\` for the calendar file`));
  // The top-level text feeds notifications, which read mrkdwn: escaped like everything else.
  return { text: `${key} ${escapeMrkdwn(meeting.title)}: ${fallback}`, blocks };
}

/* ---------- reminders and notices ---------- */

export type ReminderKind = '24h' | '1h';

export function reminderView(meeting: Meeting, teamKey: string, kind: ReminderKind): { text: string; blocks: KnownBlock[] } {
  const key = meetingKey(meeting.number);
  const lead = kind === '24h' ? 'tomorrow' : 'in 1 hour';
  const blocks: KnownBlock[] = [
    section(
      [
        `:alarm_clock: *${key}* · ${escapeMrkdwn(meeting.title)} starts ${lead}.`,
        `*When:* ${whenText(meeting)}`,
        `*Where:* ${whereText(meeting)}`,
      ].join('\n'),
    ),
  ];
  const agenda = agendaBlock(meeting.agenda);
  if (agenda !== undefined) blocks.push(agenda);
  blocks.push(context(`${escapeMrkdwn(teamKey)} meeting · RSVP on the announcement · \`/meeting show ${key}\``));
  return { text: `Reminder: ${key} ${escapeMrkdwn(meeting.title)} starts ${lead} (${formatInZone(new Date(meeting.startsAt), meeting.timeZone)})`, blocks };
}

export function cancelledNotice(meeting: Meeting, teamKey: string, by: string): string {
  return `:no_entry: *${meetingKey(meeting.number)}* · ${escapeMrkdwn(meeting.title)} (${escapeMrkdwn(teamKey)}), planned for ${whenText(meeting)}, was cancelled by ${mentionUser(by)}. You had said Going or Maybe, so we are letting you know.`;
}

export function movedNotice(meeting: Meeting, teamKey: string, by: string): string {
  return `:calendar: *${meetingKey(meeting.number)}* · ${escapeMrkdwn(meeting.title)} (${escapeMrkdwn(teamKey)}) was changed by ${mentionUser(by)}. It is now ${whenText(meeting)}, at ${whereText(meeting)}. Your RSVP still stands; \`/meeting ics ${meetingKey(meeting.number)}\` gets the updated calendar file.`;
}

/* ---------- list and show ---------- */

/** `items`: the first meetings ahead (at most MEETING_LIST_SHOWN); `total`: how many there are, counted up to MEETING_LIST_COUNTED. */
export function listView(items: MeetingWithTeam[], counts: Map<number, RsvpCounts>, scope: string, total = items.length, allTeams = false): { text: string; blocks: KnownBlock[] } {
  if (items.length === 0) {
    return { text: `No upcoming meetings for ${escapeMrkdwn(scope)}. Schedule one with \`/meeting new\`.`, blocks: [] };
  }
  const lines = items.map(({ meeting, teamKey }) => {
    const c = counts.get(meeting.id) ?? { going: 0, maybe: 0, declined: 0 };
    return `*${meetingKey(meeting.number)}* · ${escapeMrkdwn(meeting.title)} (${escapeMrkdwn(teamKey)})\n${whenText(meeting)}\n${RSVP_LABELS.going.emoji} ${c.going} going · ${RSVP_LABELS.maybe.emoji} ${c.maybe} maybe · ${RSVP_LABELS.declined.emoji} ${c.declined} can't go`;
  });
  const shown = lines.slice(0, MEETING_LIST_SHOWN);
  const counted = Math.max(total, items.length);
  const howMany = counted >= MEETING_LIST_COUNTED ? `more than ${(MEETING_LIST_COUNTED - 1).toLocaleString('en-US')}` : String(counted);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`Upcoming meetings: ${scope} (${howMany})`, HEADER_MAX) } },
    ...chunkLines(shown, SECTION_MAX, MEETING_LIST_SHOWN).map(section),
  ];
  if (counted > shown.length) {
    const rest = counted >= MEETING_LIST_COUNTED ? 'more' : `${counted - shown.length} more`;
    const narrower = allTeams ? ' `/meeting list KEY` lists one team’s.' : '';
    blocks.push(context(`…and ${rest} later; these are the soonest ${shown.length}.${narrower}`));
  }
  return { text: `${howMany} upcoming meeting${counted === 1 ? '' : 's'}: ${scope}`, blocks };
}

export function showView(item: MeetingWithTeam, rsvps: RsvpSummary): { text: string; blocks: KnownBlock[] } {
  const { meeting, teamKey, teamName } = item;
  const key = meetingKey(meeting.number);
  const status = meeting.status === 'cancelled' ? ' · *cancelled*' : '';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`${key} · ${meeting.title}`, HEADER_MAX) } },
    section(
      [
        `*When:* ${whenText(meeting)}${status}`,
        `*Where:* ${whereText(meeting)}`,
        `*Team:* ${escapeMrkdwn(teamKey)} · ${escapeMrkdwn(teamName)} · scheduled by ${mentionUser(meeting.creatorId)}`,
      ].join('\n'),
    ),
  ];
  const agenda = agendaBlock(meeting.agenda);
  if (agenda !== undefined) blocks.push(agenda);
  blocks.push(section(summaryLines(rsvps)));
  return { text: `${key} ${escapeMrkdwn(meeting.title)}`, blocks };
}

/* ---------- the modal ---------- */

export interface MeetingFormValues {
  title: string;
  date?: string;
  time?: string;
  duration: number;
  place: string;
  link: string;
  agenda: string;
}

export interface MeetingModalModel {
  mode: 'new' | 'edit';
  /** New: the teams to pick from. Edit: the meeting's team, shown but fixed. */
  teams: Array<{ id: number; key: string; name: string }>;
  selectedTeamId?: number;
  meetingNumber?: number;
  timeZone: string;
  values: MeetingFormValues;
  privateMetadata: string;
  /**
   * Slack keeps what a person typed in an input across views.update unless its block id changes,
   * so a new team's agenda goes into a block with a new id (always starting with meeting_agenda).
   */
  agendaBlockId?: string;
}

export const isAgendaBlock = (blockId: string): boolean => blockId === InputIds.meetingAgenda || blockId.startsWith(`${InputIds.meetingAgenda}_t`);

/** Static selects take at most 100 options. */
const MAX_TEAM_OPTIONS = 100;

const durationOption = (minutes: number): PlainTextOption => ({ text: { type: 'plain_text', text: durationText(minutes) }, value: String(minutes) });

export function meetingModal(model: MeetingModalModel): ModalView {
  const { values } = model;
  const blocks: KnownBlock[] = [];
  if (model.mode === 'new') {
    const options: PlainTextOption[] = model.teams.slice(0, MAX_TEAM_OPTIONS).map((t) => ({
      text: { type: 'plain_text', text: plain(`${t.key} · ${t.name}`, 75) },
      value: String(t.id),
    }));
    const selected = options.find((o) => o.value === String(model.selectedTeamId));
    blocks.push({
      type: 'input',
      block_id: InputIds.meetingTeam,
      // Choosing another team refreshes the agenda with that team's open items.
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Team' },
      element: {
        type: 'static_select',
        action_id: InputIds.meetingTeam,
        placeholder: { type: 'plain_text', text: 'Choose the program team' },
        options,
        ...(selected === undefined ? {} : { initial_option: selected }),
      },
    });
  } else {
    const team = model.teams[0];
    blocks.push(context(`*${meetingKey(model.meetingNumber ?? 0)}* · team *${escapeMrkdwn(team?.key ?? '')}*. RSVPs are kept; reminders move with the time.`));
  }
  blocks.push(
    textInput({ id: InputIds.meetingTitle, label: 'Title', maxLength: TITLE_MAX, placeholder: 'e.g. CNA clinical placements working session', initial: values.title }),
    {
      type: 'input',
      block_id: InputIds.meetingDate,
      label: { type: 'plain_text', text: 'Date' },
      element: { type: 'datepicker', action_id: InputIds.meetingDate, ...(values.date === undefined ? {} : { initial_date: values.date }) },
    },
    {
      type: 'input',
      block_id: InputIds.meetingTime,
      label: { type: 'plain_text', text: 'Start time' },
      hint: { type: 'plain_text', text: `In your time zone: ${model.timeZone}` },
      element: {
        type: 'timepicker',
        action_id: InputIds.meetingTime,
        timezone: model.timeZone,
        ...(values.time === undefined ? {} : { initial_time: values.time }),
      },
    },
    {
      type: 'input',
      block_id: InputIds.meetingDuration,
      label: { type: 'plain_text', text: 'Duration' },
      element: {
        type: 'static_select',
        action_id: InputIds.meetingDuration,
        options: DURATIONS.map(durationOption),
        initial_option: durationOption((DURATIONS as readonly number[]).includes(values.duration) ? values.duration : DEFAULT_DURATION),
      },
    },
    textInput({
      id: InputIds.meetingPlace,
      label: 'Place',
      optional: true,
      hint: 'A room and address, a video link below, or both.',
      maxLength: PLACE_MAX,
      placeholder: 'e.g. Henry Ford Hospital, Education Center room 2',
      initial: values.place,
    }),
    {
      type: 'input',
      block_id: InputIds.meetingLink,
      optional: true,
      label: { type: 'plain_text', text: 'Video link' },
      element: {
        type: 'url_text_input',
        action_id: InputIds.meetingLink,
        placeholder: { type: 'plain_text', text: 'https://…' },
        ...(values.link === '' ? {} : { initial_value: values.link }),
      },
    },
    textInput({
      id: InputIds.meetingAgenda,
      blockId: model.agendaBlockId ?? InputIds.meetingAgenda,
      label: 'Agenda',
      optional: true,
      hint: 'Starts with the team’s blocked and overdue issues and current votes; edit freely.',
      multiline: true,
      maxLength: 3000,
      initial: values.agenda,
    }),
  );
  return {
    type: 'modal',
    callback_id: model.mode === 'new' ? ViewIds.meetingNew : ViewIds.meetingEdit,
    title: { type: 'plain_text', text: model.mode === 'new' ? 'Schedule a meeting' : plain(`Edit ${meetingKey(model.meetingNumber ?? 0)}`, 24) },
    submit: { type: 'plain_text', text: model.mode === 'new' ? 'Schedule' : 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: model.privateMetadata,
    blocks,
  };
}


export function scheduledText(meeting: Meeting, channelId: string): string {
  const key = meetingKey(meeting.number);
  return `:white_check_mark: *${key}* · ${escapeMrkdwn(meeting.title)} is scheduled for ${whenText(meeting)}.\nThe announcement with RSVP buttons goes to <#${channelId}>; reminders follow 24 hours and 1 hour before. \`/meeting ics ${key}\` gets the calendar file.`;
}

export function editedText(meeting: Meeting, notified: number): string {
  const key = meetingKey(meeting.number);
  const told = notified === 0 ? '' : ` ${notified} ${notified === 1 ? 'person' : 'people'} who said Going or Maybe will hear of the change.`;
  return `:white_check_mark: Saved *${key}* · ${escapeMrkdwn(meeting.title)}: ${whenText(meeting)}. The announcement is updated, RSVPs are kept and the reminders follow the new time.${told}`;
}
