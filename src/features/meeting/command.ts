import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Storage } from '../../db/storage.js';
import type { Clock } from '../../domain/result.js';
import type { Kicker } from '../../outbox/kicker.js';
import { escapeMrkdwn, mentionChannel } from '../../slack/mrkdwn.js';
import { decodeJson } from '../../slack/payload.js';
import { say, sayProblem } from '../../slack/reply.js';
import { CommandNames } from '../../slack/ids.js';
import { subcommandRouter, usageFor } from '../../slack/subcommands.js';
import { agendaPrefill, teamAgendaState } from './agenda.js';
import type { MeetingWithTeam } from './repository.js';
import { parseMeetingRef, type MeetingService } from './service.js';
import { isValidTimeZone, utcToLocalParts } from '../../time/zone.js';
import { DEFAULT_DURATION, listView, MAX_NAMES, MEETING_HELP, meetingKey, meetingModal, showView, TITLE_MAX } from './views.js';

export interface MeetingCommandDeps {
  db: Storage;
  meetings: MeetingService;
  now: Clock;
  outbox: Kicker;
  client: WebClient;
  /** The workspace's zone (`/team settings timezone`, else ALLIANCE_TIMEZONE), for a scheduler whose Slack profile has none. */
  defaultTimeZone: (workspaceId: string) => Promise<string>;
  timeZoneOf: (workspaceId: string, userId: string) => Promise<string | undefined>;
}

/** What the modal carries between opening and submission. Slack hands it back verbatim, but it is client-visible, so it is checked again. */
export const modalMetadata = z.object({
  tz: z.string().min(1).max(64).refine(isValidTimeZone),
  origin: z.string().regex(/^[CGD][A-Z0-9]{2,}$/).optional(),
  meeting: z.number().int().positive().optional(),
});
export type ModalMetadata = z.infer<typeof modalMetadata>;

export function parseModalMetadata(text: string): ModalMetadata | undefined {
  const decoded = decodeJson(modalMetadata, text);
  return decoded.ok ? decoded.value : undefined;
}

/** The scheduler's own zone from their Slack profile, else their workspace's. */
export async function schedulerZone(deps: Pick<MeetingCommandDeps, 'timeZoneOf' | 'defaultTimeZone'>, workspaceId: string, userId: string): Promise<string> {
  const tz = await deps.timeZoneOf(workspaceId, userId);
  return tz !== undefined && isValidTimeZone(tz) ? tz : await deps.defaultTimeZone(workspaceId);
}

const usage = usageFor(CommandNames.meeting);

/** Uploads a meeting's .ics into the person's DM with the bot. */
export async function sendCalendarFile(client: WebClient, meetings: MeetingService, found: MeetingWithTeam, userId: string, now: Date): Promise<void> {
  const file = await meetings.calendarFile(found, now);
  const dm = await client.conversations.open({ users: userId });
  const channelId = dm.channel?.id;
  if (channelId === undefined) throw new Error('conversations.open returned no channel');
  const cancelled = found.meeting.status === 'cancelled';
  await client.filesUploadV2({
    channel_id: channelId,
    file: Buffer.from(file.content, 'utf8'),
    filename: file.filename,
    title: file.title,
    initial_comment: cancelled
      ? `:no_entry: *${meetingKey(found.meeting.number)}* was cancelled. Open this file to remove it from your calendar.`
      : `:calendar: *${meetingKey(found.meeting.number)}* · ${escapeMrkdwn(found.meeting.title)}: open this file to add it to Outlook, Google or Apple Calendar.`,
  });
}

/** `/meeting …`: parses the text, calls the meeting service, renders the answer. */
export function meetingCommand(deps: MeetingCommandDeps) {
  return subcommandRouter({
    command: CommandNames.meeting,
    help: MEETING_HELP,
    now: deps.now,
    aliases: { schedule: 'new', calendar: 'ics' },
    handlers: {
      new: async ({ input, actor, rest, now }) => {
        const { teams, selected } = await deps.meetings.teamChoices(actor.workspaceId, input.channelId);
        if (teams.length === 0) return say('There are no program teams yet, so there is nobody to meet. A coordinator can add one with `/team create KEY Name`.');
        const tz = await schedulerZone(deps, actor.workspaceId, actor.userId);
        const today = utcToLocalParts(now, tz).date;
        const agenda = selected === undefined ? '' : agendaPrefill(await teamAgendaState(deps.db, selected.id, selected.key, today, now.getTime()));
        const metadata: ModalMetadata = { tz, ...(/^[CGD][A-Z0-9]{2,}$/.test(input.channelId) ? { origin: input.channelId } : {}) };
        return {
          kind: 'modal',
          view: meetingModal({
            mode: 'new',
            teams: teams.map((t) => ({ id: t.id, key: t.key, name: t.name })),
            ...(selected === undefined ? {} : { selectedTeamId: selected.id }),
            timeZone: tz,
            values: { title: rest.slice(0, TITLE_MAX), duration: DEFAULT_DURATION, place: '', link: '', agenda },
            privateMetadata: JSON.stringify(metadata),
          }),
        };
      },
      list: async ({ input, actor, args, now }) => {
        if (args.length > 1) return usage('/meeting list [KEY]');
        const listed = await deps.meetings.list(actor.workspaceId, args[0], input.channelId, now);
        if (!listed.ok) return sayProblem(listed.problem);
        const view = listView(listed.value.items, listed.value.counts, listed.value.scope, listed.value.total, listed.value.allTeams);
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      show: async ({ actor, args }) => {
        if (args.length !== 1) return usage('/meeting show M-7');
        const found = await deps.meetings.find(actor.workspaceId, args[0]);
        if (!found.ok) return sayProblem(found.problem);
        const view = showView(found.value, await deps.meetings.rsvpSummary(found.value.meeting.id, MAX_NAMES));
        return say(view.text, view.blocks);
      },
      ics: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/meeting ics M-7');
        const found = await deps.meetings.find(actor.workspaceId, args[0]);
        if (!found.ok) return sayProblem(found.problem);
        const key = meetingKey(found.value.meeting.number);
        return {
          kind: 'message',
          text: `:calendar: Sending you the calendar file for *${key}* in a direct message from Alliance.`,
          afterAck: () => sendCalendarFile(deps.client, deps.meetings, found.value, actor.userId, now),
        };
      },
      cancel: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/meeting cancel M-7');
        const cancelled = await deps.meetings.cancel(actor, args[0], now);
        if (!cancelled.ok) return sayProblem(cancelled.problem);
        deps.outbox.kick();
        const { meeting, notified } = cancelled.value;
        const told = notified === 0 ? 'Nobody had said Going or Maybe.' : `${notified} ${notified === 1 ? 'person who' : 'people who'} said Going or Maybe will get a direct message.`;
        const where = meeting.channelId === null ? '' : ` The announcement in ${mentionChannel(meeting.channelId)} now shows it as cancelled, and its reminders are withdrawn.`;
        return say(`:no_entry: Cancelled *${meetingKey(meeting.number)}* · ${escapeMrkdwn(meeting.title)}.${where} ${told}`);
      },
      edit: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/meeting edit M-7');
        const number = parseMeetingRef(args[0]);
        if (number === undefined) {
          const unknown = await deps.meetings.find(actor.workspaceId, args[0]);
          return unknown.ok ? usage('/meeting edit M-7') : sayProblem(unknown.problem);
        }
        const found = await deps.meetings.editable(actor, number, 'meeting.edit', now);
        if (!found.ok) return sayProblem(found.problem);
        const { meeting, teamKey, teamName } = found.value;
        const tz = await schedulerZone(deps, actor.workspaceId, actor.userId);
        const local = utcToLocalParts(new Date(meeting.startsAt), tz);
        const metadata: ModalMetadata = { tz, meeting: meeting.number };
        return {
          kind: 'modal',
          view: meetingModal({
            mode: 'edit',
            teams: [{ id: meeting.programTeamId, key: teamKey, name: teamName }],
            meetingNumber: meeting.number,
            timeZone: tz,
            values: { title: meeting.title, date: local.date, time: local.time, duration: meeting.durationMinutes, place: meeting.location, link: meeting.link ?? '', agenda: meeting.agenda },
            privateMetadata: JSON.stringify(metadata),
          }),
        };
      },
    },
  });
}
