import { and, asc, eq, gt, inArray, max, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { meetingRsvps, meetings, programTeams } from '../../db/schema.js';

export type Meeting = typeof meetings.$inferSelect;
export type NewMeeting = typeof meetings.$inferInsert;

export const RSVP_ANSWERS = ['going', 'maybe', 'declined'] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

export interface Rsvp {
  userId: string;
  answer: RsvpAnswer;
  updatedAt: number;
}

export interface MeetingWithTeam {
  meeting: Meeting;
  teamKey: string;
  teamName: string;
}

export type RsvpCounts = Record<RsvpAnswer, number>;

const isAnswer = (value: string): value is RsvpAnswer => (RSVP_ANSWERS as readonly string[]).includes(value);

/** Meetings and their RSVPs. Wraps drizzle; the rules live in the service. */
export class MeetingRepository {
  constructor(private readonly db: Db) {}

  get database(): Db {
    return this.db;
  }

  /** Call inside an immediate transaction: the unique index on (workspace, number) guards the rest. */
  nextNumber(workspaceId: string): number {
    const row = this.db.select({ n: max(meetings.number) }).from(meetings).where(eq(meetings.workspaceId, workspaceId)).get();
    return (row?.n ?? 0) + 1;
  }

  insert(meeting: NewMeeting): Meeting {
    return this.db.insert(meetings).values(meeting).returning().get();
  }

  update(id: number, changes: Partial<NewMeeting>): Meeting | undefined {
    return this.db.update(meetings).set(changes).where(eq(meetings.id, id)).returning().get();
  }

  byId(id: number): MeetingWithTeam | undefined {
    return this.withTeam(eq(meetings.id, id));
  }

  byNumber(workspaceId: string, number: number): MeetingWithTeam | undefined {
    return this.withTeam(and(eq(meetings.workspaceId, workspaceId), eq(meetings.number, number)));
  }

  /** Scheduled meetings that have not ended yet, soonest first; optionally one team's. */
  upcoming(workspaceId: string, nowMs: number, programTeamId?: number): MeetingWithTeam[] {
    const rows = this.db
      .select({ meeting: meetings, teamKey: programTeams.key, teamName: programTeams.name })
      .from(meetings)
      .innerJoin(programTeams, eq(programTeams.id, meetings.programTeamId))
      .where(
        and(
          eq(meetings.workspaceId, workspaceId),
          eq(meetings.status, 'scheduled'),
          gt(sql`${meetings.startsAt} + ${meetings.durationMinutes} * 60000`, nowMs),
          programTeamId === undefined ? undefined : eq(meetings.programTeamId, programTeamId),
        ),
      )
      .orderBy(asc(meetings.startsAt), asc(meetings.number))
      .all();
    return rows;
  }

  setMessage(id: number, channelId: string, messageTs: string): void {
    this.db.update(meetings).set({ channelId, messageTs }).where(eq(meetings.id, id)).run();
  }

  /** Upsert: a person has one answer per meeting, and a new answer replaces the old one. */
  setRsvp(workspaceId: string, meetingId: number, userId: string, answer: RsvpAnswer, nowMs: number): RsvpAnswer | undefined {
    const previous = this.db
      .select({ answer: meetingRsvps.answer })
      .from(meetingRsvps)
      .where(and(eq(meetingRsvps.meetingId, meetingId), eq(meetingRsvps.userId, userId)))
      .get();
    this.db
      .insert(meetingRsvps)
      .values({ workspaceId, meetingId, userId, answer, updatedAt: nowMs })
      .onConflictDoUpdate({ target: [meetingRsvps.meetingId, meetingRsvps.userId], set: { answer, updatedAt: nowMs } })
      .run();
    return previous !== undefined && isAnswer(previous.answer) ? previous.answer : undefined;
  }

  /** Everyone's answer, in the order they first answered (stable names on the announcement). */
  rsvps(meetingId: number): Rsvp[] {
    return this.db
      .select({ userId: meetingRsvps.userId, answer: meetingRsvps.answer, updatedAt: meetingRsvps.updatedAt })
      .from(meetingRsvps)
      .where(eq(meetingRsvps.meetingId, meetingId))
      .orderBy(asc(sql`rowid`))
      .all()
      .flatMap((r) => (isAnswer(r.answer) ? [{ userId: r.userId, answer: r.answer, updatedAt: r.updatedAt }] : []));
  }

  countsFor(meetingIds: number[]): Map<number, RsvpCounts> {
    const result = new Map<number, RsvpCounts>();
    if (meetingIds.length === 0) return result;
    const rows = this.db
      .select({ meetingId: meetingRsvps.meetingId, answer: meetingRsvps.answer, n: sql<number>`count(*)` })
      .from(meetingRsvps)
      .where(inArray(meetingRsvps.meetingId, meetingIds))
      .groupBy(meetingRsvps.meetingId, meetingRsvps.answer)
      .all();
    for (const id of meetingIds) result.set(id, { going: 0, maybe: 0, declined: 0 });
    for (const row of rows) {
      const counts = result.get(row.meetingId);
      if (counts !== undefined && isAnswer(row.answer)) counts[row.answer] = row.n;
    }
    return result;
  }

  private withTeam(where: ReturnType<typeof and>): MeetingWithTeam | undefined {
    return this.db
      .select({ meeting: meetings, teamKey: programTeams.key, teamName: programTeams.name })
      .from(meetings)
      .innerJoin(programTeams, eq(programTeams.id, meetings.programTeamId))
      .where(where)
      .get();
  }
}
