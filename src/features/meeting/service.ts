import type { Actor } from '../../domain/actor.js';
import { fail, failMany, ok, type Problem, type Result } from '../../domain/result.js';
import { cancelPending, enqueue, enqueueRefresh, replacePending } from '../../outbox/outbox.js';
import { claimRequest, recordRequestResult, requestResult } from '../../slack/dedupe.js';
import { InputIds } from '../../slack/ids.js';
import type { ProgramTeam, TeamRepository } from '../team/repository.js';
import type { TeamService } from '../team/service.js';
import { AGENDA_MAX } from './agenda.js';
import { MEETING_MAX_MINUTES, type Meeting, type MeetingRepository, type MeetingWithTeam, type Rsvp, type RsvpAnswer, type RsvpCounts, type RsvpSummary } from './repository.js';
import { localToUtc } from '../../time/zone.js';
import {
  announcementView,
  cancelledNotice,
  LINK_MAX,
  MEETING_LIST_COUNTED,
  MEETING_LIST_SHOWN,
  meetingKey,
  movedNotice,
  PLACE_MAX,
  reminderView,
  TITLE_MAX,
  type ReminderKind,
} from './views.js';

export const ANNOUNCED_FOLLOW_UP = 'meeting.announced';
/** Outbox refresh kind of the announcement with its RSVPs (target `meeting:<meetingId>`). */
export const MEETING_REFRESH = 'meeting';
const MIN_DURATION = 15;
const MAX_DURATION = MEETING_MAX_MINUTES;
const HOUR_MS = 60 * 60 * 1000;
export const REMINDERS: ReadonlyArray<{ kind: ReminderKind; beforeMs: number }> = [
  { kind: '24h', beforeMs: 24 * HOUR_MS },
  { kind: '1h', beforeMs: HOUR_MS },
];

/* Outbox keys: each names one message for good, so a retry or a restart never sends it twice. */
const announceKey = (id: number): string => `meeting:${id}:announce`;
/** Reminders carry the sequence: an edit withdraws the old ones and queues new ones for the new time. */
export const reminderKey = (id: number, sequence: number, kind: ReminderKind): string => `meeting:${id}:s${sequence}:reminder:${kind}`;

/** What the modal sent, as strings; nothing here is trusted yet. */
export interface RawMeetingForm {
  teamId?: string | undefined;
  title?: string | undefined;
  date?: string | undefined;
  time?: string | undefined;
  duration?: string | undefined;
  place?: string | undefined;
  link?: string | undefined;
  agenda?: string | undefined;
}

export interface MeetingDetails {
  title: string;
  startsAt: Date;
  durationMinutes: number;
  place: string;
  link: string | null;
  agenda: string;
}

/** `M-7`, `m-7` or `7`. */
export function parseMeetingRef(text: string | undefined): number | undefined {
  const match = /^(?:m-?)?(\d{1,9})$/i.exec((text ?? '').trim());
  if (match?.[1] === undefined) return undefined;
  const n = Number(match[1]);
  return n > 0 ? n : undefined;
}

/** Only web links: a calendar or a Slack button must never carry `javascript:` or a local file. */
export function normaliseLink(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.hostname === '' || !url.hostname.includes('.')) return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

const tidy = (text: string | undefined): string => (text ?? '').trim();

/**
 * Checks every field at once so the modal shows each error beside its field. Times are the
 * scheduler's wall-clock time in `timeZone`, turned into a UTC instant (DST gaps refused).
 */
export function validateMeetingForm(raw: RawMeetingForm, timeZone: string, now: Date): Result<MeetingDetails> {
  const problems: Problem[] = [];
  const title = tidy(raw.title).replace(/\s+/g, ' ');
  if (title === '') problems.push({ code: 'invalid', message: 'Give the meeting a title.', field: InputIds.meetingTitle });
  else if (title.length > TITLE_MAX) problems.push({ code: 'invalid', message: `A title can be at most ${TITLE_MAX} characters; this one has ${title.length}.`, field: InputIds.meetingTitle });

  const duration = Number(raw.duration);
  if (!Number.isInteger(duration) || duration < MIN_DURATION || duration > MAX_DURATION) {
    problems.push({ code: 'invalid', message: 'A meeting lasts from 15 minutes to 8 hours.', field: InputIds.meetingDuration });
  }

  let startsAt: Date | undefined;
  const date = tidy(raw.date);
  const time = tidy(raw.time);
  if (date === '') problems.push({ code: 'invalid', message: 'Pick the date of the meeting.', field: InputIds.meetingDate });
  if (time === '') problems.push({ code: 'invalid', message: 'Pick the start time.', field: InputIds.meetingTime });
  if (date !== '' && time !== '') {
    const converted = localToUtc(date, time, timeZone);
    if (converted.ok) startsAt = converted.at;
    else if (converted.reason === 'invalid_date') problems.push({ code: 'invalid', message: 'That is not a date; pick one from the calendar.', field: InputIds.meetingDate });
    else if (converted.reason === 'nonexistent_local_time') {
      problems.push({ code: 'invalid', message: `${time} does not exist on ${date} in ${timeZone} (the clocks skip it for daylight saving); pick another time.`, field: InputIds.meetingTime });
    } else problems.push({ code: 'invalid', message: 'That is not a time; pick one from the list.', field: InputIds.meetingTime });
    if (startsAt !== undefined && startsAt.getTime() <= now.getTime()) {
      problems.push({ code: 'invalid', message: 'That date and time has already passed; pick one in the future.', field: InputIds.meetingDate });
      startsAt = undefined;
    }
  }

  const place = tidy(raw.place).replace(/\s+/g, ' ');
  if (place.length > PLACE_MAX) problems.push({ code: 'invalid', message: `A place can be at most ${PLACE_MAX} characters.`, field: InputIds.meetingPlace });
  const rawLink = tidy(raw.link);
  let link: string | null = null;
  if (rawLink !== '') {
    const normalised = rawLink.length > LINK_MAX ? undefined : normaliseLink(rawLink);
    if (normalised === undefined) problems.push({ code: 'invalid', message: 'That is not a web link; paste the full address, starting with https://', field: InputIds.meetingLink });
    else link = normalised;
  }
  if (place === '' && rawLink === '') problems.push({ code: 'invalid', message: 'Say where: a place, a video link, or both.', field: InputIds.meetingPlace });

  const agenda = (raw.agenda ?? '').replace(/\r\n?/g, '\n').trim();
  if (agenda.length > AGENDA_MAX) problems.push({ code: 'invalid', message: `The agenda can be at most ${AGENDA_MAX} characters.`, field: InputIds.meetingAgenda });

  if (problems.length > 0 || startsAt === undefined) return failMany(problems.length > 0 ? problems : [{ code: 'invalid', message: 'Pick a date and time.', field: InputIds.meetingDate }]);
  return ok({ title, startsAt, durationMinutes: duration, place, link, agenda });
}

export interface MeetingServiceDeps {
  repo: MeetingRepository;
  teams: TeamService;
  teamRepository: TeamRepository;
}

/** Meetings: scheduling, RSVPs, edits and cancellations, with the messages they cause queued in the same transaction. */
export class MeetingService {
  constructor(private readonly deps: MeetingServiceDeps) {}

  private get db() {
    return this.deps.repo.database;
  }

  async find(workspaceId: string, ref: string | undefined): Promise<Result<MeetingWithTeam>> {
    const number = parseMeetingRef(ref);
    if (number === undefined) {
      return ref === undefined || ref.trim() === ''
        ? fail('invalid', 'Say which meeting, for example M-7 (see /meeting list).')
        : fail('invalid', `"${ref}" is not a meeting id. Meeting ids look like M-7 (see /meeting list).`);
    }
    const found = await this.deps.repo.byNumber(workspaceId, number);
    return found === undefined ? fail('not_found', `There is no meeting ${meetingKey(number)}. See /meeting list for upcoming meetings.`) : ok(found);
  }

  async byId(workspaceId: string, id: number): Promise<MeetingWithTeam | undefined> {
    const found = await this.deps.repo.byId(id);
    return found?.meeting.workspaceId === workspaceId ? found : undefined;
  }

  async rsvps(meetingId: number): Promise<Rsvp[]> {
    return await this.deps.repo.rsvps(meetingId);
  }

  /** What `/meeting show` lists: counts per answer and the first `names` people of each. */
  async rsvpSummary(meetingId: number, names: number): Promise<RsvpSummary> {
    return await this.deps.repo.rsvpSummary(meetingId, names);
  }

  /** Upcoming meetings of a team (KEY, else the channel's team), or of every team outside team channels. */
  async list(workspaceId: string, key: string | undefined, channelId: string, now: Date): Promise<Result<{ scope: string; items: MeetingWithTeam[]; total: number; allTeams: boolean; counts: Map<number, RsvpCounts> }>> {
    let team: ProgramTeam | undefined;
    if (key !== undefined) {
      const resolved = await this.deps.teams.resolveTeam(workspaceId, key, channelId);
      if (!resolved.ok) return resolved;
      team = resolved.value;
    } else {
      team = await this.deps.teamRepository.byChannel(workspaceId, channelId);
    }
    const items = await this.deps.repo.upcoming(workspaceId, now.getTime(), team?.id, MEETING_LIST_SHOWN);
    const total = items.length < MEETING_LIST_SHOWN ? items.length : await this.deps.repo.countUpcoming(workspaceId, now.getTime(), team?.id, MEETING_LIST_COUNTED);
    return ok({ scope: team?.key ?? 'all teams', allTeams: team === undefined, items, total, counts: await this.deps.repo.countsFor(items.map((i) => i.meeting.id)) });
  }

  /** The team a new meeting defaults to, and the teams to choose from. */
  async teamChoices(workspaceId: string, channelId: string): Promise<{ teams: ProgramTeam[]; selected: ProgramTeam | undefined }> {
    return { teams: await this.deps.teamRepository.teams(workspaceId), selected: await this.deps.teamRepository.byChannel(workspaceId, channelId) };
  }

  /**
   * Schedules a meeting: stores it, queues its announcement in the team channel and the reminders
   * still ahead, all in one transaction. `requestKey` (`submissionKey` of the modal's submission)
   * makes a double submission create one meeting.
   */
  async create(
    actor: Actor,
    teamIdText: string | undefined,
    details: MeetingDetails,
    where: { timeZone: string; originChannelId: string | undefined },
    requestKey: string | undefined,
    now: Date,
  ): Promise<Result<{ meeting: Meeting; teamKey: string; channelId: string; duplicate: boolean }>> {
    const teamId = Number(teamIdText);
    const team = Number.isInteger(teamId) ? await this.deps.teamRepository.byId(teamId) : undefined;
    if (team === undefined || team.workspaceId !== actor.workspaceId) return fail('invalid', 'Choose the team the meeting is for.', InputIds.meetingTeam);
    const channelId = (await this.deps.teamRepository.channelsOf(team.id))[0] ?? announceableOrigin(where.originChannelId);
    if (channelId === undefined) {
      return fail('invalid', `${team.key} has no linked channel to announce the meeting in. A coordinator can link one with /team link ${team.key}, or schedule it from a channel.`, InputIds.meetingTeam);
    }
    const result = await this.db.transaction(async () => {
      if (requestKey !== undefined && !(await claimRequest(this.db, actor.workspaceId, requestKey, now))) {
        return { meeting: undefined, duplicateOf: earlierMeetingId(await requestResult(this.db, actor.workspaceId, requestKey)) };
      }
      const meeting = await this.deps.repo.insert({
        workspaceId: actor.workspaceId,
        number: await this.deps.repo.nextNumber(actor.workspaceId),
        programTeamId: team.id,
        title: details.title,
        startsAt: details.startsAt.getTime(),
        durationMinutes: details.durationMinutes,
        location: details.place,
        link: details.link,
        agenda: details.agenda,
        timeZone: where.timeZone,
        status: 'scheduled',
        creatorId: actor.userId,
        channelId,
        createdAt: now.getTime(),
        updatedAt: now.getTime(),
      });
      const view = announcementView({ meeting, teamKey: team.key, rsvps: [] });
      await enqueue(
        this.db,
        {
          workspaceId: actor.workspaceId,
          dedupeKey: announceKey(meeting.id),
          method: 'chat.postMessage',
          args: { channel: channelId, text: view.text, blocks: view.blocks, unfurl_links: false },
          notBefore: now,
          followUp: { kind: ANNOUNCED_FOLLOW_UP, ref: `${meeting.id}:${meeting.sequence}` },
        },
        now,
      );
      await this.queueReminders(meeting, team.key, channelId, now);
      // A repeated submission answers with this very meeting (see the duplicate branch above).
      if (requestKey !== undefined) await recordRequestResult(this.db, actor.workspaceId, requestKey, String(meeting.id));
      return { meeting, duplicateOf: undefined };
    });
    if (result.meeting !== undefined) return ok({ meeting: result.meeting, teamKey: team.key, channelId, duplicate: false });
    const earlier = result.duplicateOf === undefined ? undefined : await this.deps.repo.byId(result.duplicateOf);
    if (earlier === undefined || earlier.meeting.workspaceId !== actor.workspaceId) return fail('not_found', 'This form was already submitted and its meeting scheduled: see `/meeting list`.');
    return ok({ meeting: earlier.meeting, teamKey: earlier.teamKey, channelId: earlier.meeting.channelId ?? channelId, duplicate: true });
  }

  /** Changes time, place or agenda: RSVPs stay, reminders move, calendars see a new SEQUENCE, attendees hear of a new time or place. */
  async edit(actor: Actor, number: number, details: MeetingDetails, timeZone: string, now: Date, requestKey?: string): Promise<Result<{ meeting: Meeting; teamKey: string; notified: number }>> {
    const found = await this.editable(actor, number, 'meeting.edit', now);
    if (!found.ok) return found;
    const { meeting: lookedUp, teamKey } = found.value;
    const result = await this.db.transaction(async (): Promise<Result<{ meeting: Meeting; notified: number; duplicate: boolean }>> => {
      // Decided from the meeting as it is inside the write transaction: another instance may have
      // cancelled or edited it since it was looked up.
      const current = await this.deps.repo.byId(lookedUp.id);
      if (current === undefined) return fail('not_found', `${meetingKey(number)} no longer exists.`);
      const before = current.meeting;
      // The same form submitted twice at once saves once (one SEQUENCE bump, one set of notices);
      // the repeat answers with what the first one did.
      if (requestKey !== undefined && !(await claimRequest(this.db, actor.workspaceId, requestKey, now))) {
        return ok({ meeting: before, notified: Number((await requestResult(this.db, actor.workspaceId, requestKey)) ?? 0), duplicate: true });
      }
      const closed = this.closedReason(before, now);
      if (closed !== undefined) return fail('closed', closed);
      const meeting = await this.deps.repo.update(before.id, {
        title: details.title,
        startsAt: details.startsAt.getTime(),
        durationMinutes: details.durationMinutes,
        location: details.place,
        link: details.link,
        agenda: details.agenda,
        timeZone,
        sequence: before.sequence + 1,
        updatedAt: now.getTime(),
      });
      if (meeting === undefined) throw new Error(`meeting ${before.id} vanished during an edit`);
      await cancelPending(this.db, meeting.workspaceId, REMINDERS.map((r) => reminderKey(meeting.id, before.sequence, r.kind)));
      await this.queueReminders(meeting, teamKey, meeting.channelId, now);
      await this.refreshAnnouncement(meeting, teamKey, now);
      let notified = 0;
      const moved = meeting.startsAt !== before.startsAt || meeting.durationMinutes !== before.durationMinutes || meeting.location !== before.location || meeting.link !== before.link;
      if (moved) {
        for (const rsvp of await this.attendees(meeting.id)) {
          if (rsvp.userId === actor.userId) continue;
          const text = movedNotice(meeting, teamKey, actor.userId);
          await enqueue(this.db, { workspaceId: meeting.workspaceId, dedupeKey: `meeting:${meeting.id}:s${meeting.sequence}:changed:${rsvp.userId}`, method: 'chat.postMessage', args: { channel: rsvp.userId, text }, notBefore: now }, now);
          notified++;
        }
      }
      if (requestKey !== undefined) await recordRequestResult(this.db, actor.workspaceId, requestKey, String(notified));
      return ok({ meeting, notified, duplicate: false });
    });
    if (!result.ok) return result;
    if (!result.value.duplicate) await this.deps.teamRepository.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'meeting.edit', target: meetingKey(number), outcome: 'done', createdAt: now.getTime() });
    return ok({ meeting: result.value.meeting, teamKey, notified: result.value.notified });
  }

  /** Cancels: reminders withdrawn, the announcement struck through, Going and Maybe told by DM. */
  async cancel(actor: Actor, ref: string | undefined, now: Date): Promise<Result<{ meeting: Meeting; teamKey: string; notified: number }>> {
    const found = await this.find(actor.workspaceId, ref);
    if (!found.ok) return found;
    const checked = await this.editable(actor, found.value.meeting.number, 'meeting.cancel', now);
    if (!checked.ok) return checked;
    const { meeting: lookedUp, teamKey } = checked.value;
    const result = await this.db.transaction(async (): Promise<Result<{ meeting: Meeting; notified: number }>> => {
      // Read again inside the write transaction: cancelled or edited meanwhile by another instance.
      const before = (await this.deps.repo.byId(lookedUp.id))?.meeting;
      if (before === undefined) return fail('not_found', `${meetingKey(lookedUp.number)} no longer exists.`);
      const closed = this.closedReason(before, now);
      if (closed !== undefined) return fail('closed', closed);
      const meeting = await this.deps.repo.update(before.id, { status: 'cancelled', cancelledAt: now.getTime(), cancelledBy: actor.userId, updatedAt: now.getTime(), sequence: before.sequence + 1 });
      if (meeting === undefined) throw new Error(`meeting ${before.id} vanished during a cancellation`);
      await cancelPending(this.db, meeting.workspaceId, REMINDERS.map((r) => reminderKey(meeting.id, before.sequence, r.kind)));
      await this.refreshAnnouncement(meeting, teamKey, now, actor.userId);
      const attendees = (await this.attendees(meeting.id)).filter((r) => r.userId !== actor.userId);
      for (const rsvp of attendees) {
        await enqueue(
          this.db,
          {
            workspaceId: meeting.workspaceId,
            dedupeKey: `meeting:${meeting.id}:cancelled:${rsvp.userId}`,
            method: 'chat.postMessage',
            args: { channel: rsvp.userId, text: cancelledNotice(meeting, teamKey, actor.userId) },
            notBefore: now,
          },
          now,
        );
      }
      return ok({ meeting, notified: attendees.length });
    });
    if (!result.ok) return result;
    await this.deps.teamRepository.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'meeting.cancel', target: meetingKey(lookedUp.number), outcome: 'done', createdAt: now.getTime() });
    return ok({ meeting: result.value.meeting, teamKey, notified: result.value.notified });
  }

  /**
   * Records an answer; a new answer replaces the old one, the same answer twice (a double click)
   * changes nothing. The announcement is refreshed through the outbox, so updates reach Slack in
   * the order the answers were stored.
   */
  async rsvp(
    workspaceId: string,
    userId: string,
    meetingId: number,
    answer: RsvpAnswer,
    message: { channelId: string; ts: string } | undefined,
    now: Date,
  ): Promise<Result<{ meeting: Meeting; teamKey: string; previous: RsvpAnswer | undefined }>> {
    // One write transaction reads the meeting and records the answer, so a cancellation or an
    // edit by another instance cannot slip in between (and be redrawn away by this refresh).
    return await this.db.transaction(async (): Promise<Result<{ meeting: Meeting; teamKey: string; previous: RsvpAnswer | undefined }>> => {
      const found = await this.byId(workspaceId, meetingId);
      if (found === undefined) return fail('not_found', 'That meeting no longer exists.');
      const closed = this.closedReason(found.meeting, now);
      if (closed !== undefined) return fail('closed', closed);
      const before = await this.deps.repo.setRsvp(workspaceId, meetingId, userId, answer, now.getTime());
      if (before === answer) return ok({ meeting: found.meeting, teamKey: found.teamKey, previous: before });
      let meeting = found.meeting;
      // The click tells us where the announcement is, should its follow-up not have recorded it.
      if (message !== undefined && (meeting.messageTs === null || meeting.channelId === null)) {
        await this.deps.repo.setMessage(meeting.id, message.channelId, message.ts);
        meeting = { ...meeting, channelId: message.channelId, messageTs: message.ts };
      }
      await this.refreshAnnouncement(meeting, found.teamKey, now);
      return ok({ meeting: found.meeting, teamKey: found.teamKey, previous: before });
    });
  }

  /** The announcement as it should look now; the outbox renders it when it sends the meeting's refresh. */
  async renderAnnouncement(meetingId: number): Promise<Record<string, unknown> | undefined> {
    const found = await this.deps.repo.byId(meetingId);
    if (found === undefined) return undefined;
    const { meeting, teamKey } = found;
    if (meeting.channelId === null || meeting.messageTs === null) return undefined;
    const cancelledBy = meeting.status === 'cancelled' && meeting.cancelledBy !== null ? { cancelledBy: meeting.cancelledBy } : {};
    const view = announcementView({ meeting, teamKey, rsvps: await this.deps.repo.rsvps(meeting.id), ...cancelledBy });
    return { channel: meeting.channelId, ts: meeting.messageTs, text: view.text, blocks: view.blocks };
  }

  /**
   * Outbox follow-up: remembers where the announcement went, and catches up if the meeting changed
   * while it was in flight. One transaction, so an edit or a cancellation by another instance lands
   * wholly before it (and is caught up here) or wholly after (and refreshes the posted message itself).
   */
  async recordAnnouncement(ref: string, result: Record<string, unknown>, now: Date): Promise<void> {
    const [idText, sequenceText] = ref.split(':');
    const id = Number(idText);
    const channel = result.channel;
    const ts = result.ts;
    if (!Number.isInteger(id) || typeof channel !== 'string' || typeof ts !== 'string') return;
    await this.db.transaction(async () => {
      await this.deps.repo.setMessage(id, channel, ts);
      const found = await this.deps.repo.byId(id);
      if (found === undefined) return;
      if (String(found.meeting.sequence) !== sequenceText || found.meeting.status === 'cancelled') {
        await this.refreshAnnouncement({ ...found.meeting, channelId: channel, messageTs: ts }, found.teamKey, now);
      }
    });
  }

  /**
   * The calendar file; a cancelled meeting gets a CANCEL file so calendars remove it. ical.js and
   * the time zone table load with the first file asked for, not at start (README, Performance).
   */
  async calendarFile(found: MeetingWithTeam, now: Date): Promise<{ filename: string; content: string; title: string }> {
    const { buildIcs, icsFilename } = await import('./ics.js');
    const { meeting, teamKey } = found;
    const description = [meeting.agenda, `${teamKey} meeting ${meetingKey(meeting.number)}, scheduled in Slack with Alliance.`].filter((s) => s !== '').join('\n\n');
    const content = buildIcs({
      uid: `meeting-${meeting.id}@alliance.${meeting.workspaceId}`,
      sequence: meeting.sequence,
      startsAt: new Date(meeting.startsAt),
      durationMinutes: meeting.durationMinutes,
      timeZone: meeting.timeZone,
      title: `${meetingKey(meeting.number)} ${meeting.title}`,
      ...(meeting.location === '' ? {} : { location: meeting.location }),
      ...(meeting.link === null ? {} : { url: meeting.link }),
      description: meeting.link === null ? description : `${description}\n\nJoin: ${meeting.link}`,
      status: meeting.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
      stamp: now,
    });
    return { filename: icsFilename(meeting.number, meeting.title), content, title: `${meetingKey(meeting.number)} ${meeting.title}` };
  }

  /** The meeting, if this person may change it now; a refusal is audited. */
  async editable(actor: Actor, number: number, action: string, now: Date): Promise<Result<MeetingWithTeam>> {
    const found = await this.deps.repo.byNumber(actor.workspaceId, number);
    if (found === undefined) return fail('not_found', `There is no meeting ${meetingKey(number)}. See /meeting list for upcoming meetings.`);
    const isCreator = found.meeting.creatorId === actor.userId;
    const isCoordinator = actor.isCoordinator && !actor.isExternal;
    if (!isCreator && !isCoordinator) {
      await this.deps.teams.auditRefusal(actor, action, meetingKey(number), 'not the scheduler or a coordinator', now);
      return fail('forbidden', `Only the person who scheduled ${meetingKey(number)} or a coordinator can change or cancel it.`);
    }
    const closed = this.closedReason(found.meeting, now);
    if (closed !== undefined) return fail('closed', closed);
    return ok(found);
  }

  private closedReason(meeting: Meeting, now: Date): string | undefined {
    const key = meetingKey(meeting.number);
    if (meeting.status === 'cancelled') return `${key} was cancelled.`;
    if (meeting.startsAt <= now.getTime()) return `${key} has already started or taken place.`;
    return undefined;
  }

  private async attendees(meetingId: number): Promise<Rsvp[]> {
    return (await this.deps.repo.rsvps(meetingId)).filter((r) => r.answer === 'going' || r.answer === 'maybe');
  }

  /**
   * Reminders are outbox messages held until their time (`notBefore`), each under a key naming
   * the meeting, its sequence and the reminder: queued in the transaction that schedules or moves
   * the meeting, sent once by whichever instance's outbox leases it, withdrawn by an edit or a
   * cancellation in the transaction that makes it.
   */
  private async queueReminders(meeting: Meeting, teamKey: string, channelId: string | null, now: Date): Promise<void> {
    if (channelId === null) return;
    for (const reminder of REMINDERS) {
      const at = meeting.startsAt - reminder.beforeMs;
      // Only reminders still ahead: a meeting set up 3 hours out gets the 1-hour reminder alone.
      if (at <= now.getTime()) continue;
      const view = reminderView(meeting, teamKey, reminder.kind);
      await enqueue(
        this.db,
        {
          workspaceId: meeting.workspaceId,
          dedupeKey: reminderKey(meeting.id, meeting.sequence, reminder.kind),
          method: 'chat.postMessage',
          args: { channel: channelId, text: view.text, blocks: view.blocks, unfurl_links: false },
          notBefore: new Date(at),
        },
        now,
      );
    }
  }

  /**
   * Brings the announcement up to date. Posted already: the meeting's coalesced refresh (rendered
   * from the database when sent, so a burst of RSVPs is one chat.update with every answer). Not yet
   * posted: the queued post is rewritten, or withdrawn when the meeting was cancelled.
   */
  private async refreshAnnouncement(meeting: Meeting, teamKey: string, now: Date, cancelledBy?: string): Promise<void> {
    if (meeting.channelId !== null && meeting.messageTs !== null) {
      await enqueueRefresh(this.db, { workspaceId: meeting.workspaceId, kind: MEETING_REFRESH, ref: String(meeting.id) }, now);
      return;
    }
    if (meeting.status === 'cancelled') {
      await cancelPending(this.db, meeting.workspaceId, [announceKey(meeting.id)]);
      return;
    }
    const view = announcementView({ meeting, teamKey, rsvps: await this.deps.repo.rsvps(meeting.id), ...(cancelledBy === undefined ? {} : { cancelledBy }) });
    await replacePending(this.db, meeting.workspaceId, announceKey(meeting.id), { channel: meeting.channelId, text: view.text, blocks: view.blocks, unfurl_links: false }, now);
  }
}

/** A DM between two people is no place for a team announcement, and the bot cannot post there anyway. */
function announceableOrigin(channelId: string | undefined): string | undefined {
  return channelId !== undefined && /^[CG][A-Z0-9]+$/.test(channelId) ? channelId : undefined;
}

/** The meeting a repeated form made the first time, if its answer was recorded (PostgreSQL refuses NaN as an id). */
function earlierMeetingId(result: string | undefined): number | undefined {
  const id = Number(result);
  return result === undefined || !Number.isSafeInteger(id) ? undefined : id;
}
