import { and, asc, eq, gt, inArray, max, sql } from 'drizzle-orm';
import type { Storage } from '../../db/storage.js';
import { meetingRsvps, meetings, programTeams } from '../../db/schema.js';

export type Meeting = typeof meetings.$inferSelect;
export type NewMeeting = typeof meetings.$inferInsert;

/** The longest a meeting may last (the form refuses longer): what `upcoming` relies on to start its index read at the present. */
export const MEETING_MAX_MINUTES = 8 * 60;

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

/** A meeting's answers for `/meeting show`: how many gave each, and the first few who did. */
export interface RsvpSummary {
  counts: RsvpCounts;
  /** Per answer, at most the number of names asked for, in the order they answered. */
  first: Record<RsvpAnswer, string[]>;
}

const isAnswer = (value: string): value is RsvpAnswer => (RSVP_ANSWERS as readonly string[]).includes(value);

/** Meetings and their RSVPs. Wraps drizzle; the rules live in the service. */
export class MeetingRepository {
  constructor(private readonly db: Storage) {}

  get database(): Storage {
    return this.db;
  }

  /** Call inside a transaction: the unique index on (workspace, number) guards the rest. */
  async nextNumber(workspaceId: string): Promise<number> {
    const row = await this.db.select({ n: max(meetings.number) }).from(meetings).where(eq(meetings.workspaceId, workspaceId)).get();
    return (row?.n ?? 0) + 1;
  }

  async insert(meeting: NewMeeting): Promise<Meeting> {
    return await this.db.insert(meetings).values(meeting).returning().get();
  }

  async update(id: number, changes: Partial<NewMeeting>): Promise<Meeting | undefined> {
    return await this.db.update(meetings).set(changes).where(eq(meetings.id, id)).returning().get();
  }

  async byId(id: number): Promise<MeetingWithTeam | undefined> {
    return this.withTeam(eq(meetings.id, id));
  }

  async byNumber(workspaceId: string, number: number): Promise<MeetingWithTeam | undefined> {
    return this.withTeam(and(eq(meetings.workspaceId, workspaceId), eq(meetings.number, number)));
  }

  /**
   * Scheduled meetings that have not ended yet, soonest first, at most `limit`; optionally one
   * team's. `/meeting list` answers in its ack, so it reads a page, never every meeting ahead.
   */
  async upcoming(workspaceId: string, nowMs: number, programTeamId: number | undefined, limit: number): Promise<MeetingWithTeam[]> {
    return await this.db
      .select({ meeting: meetings, teamKey: programTeams.key, teamName: programTeams.name })
      .from(meetings)
      .innerJoin(programTeams, eq(programTeams.id, meetings.programTeamId))
      .where(this.upcomingWhere(workspaceId, nowMs, programTeamId))
      .orderBy(asc(meetings.startsAt), asc(meetings.number))
      .limit(limit)
      .all();
  }

  /**
   * How many meetings `upcoming` would list without its limit, counted up to `atMost` (a list's
   * header says "more than N" beyond it), so the count too stays bounded however many are ahead.
   */
  async countUpcoming(workspaceId: string, nowMs: number, programTeamId: number | undefined, atMost: number): Promise<number> {
    const [row] = await this.db.rows<{ n: number | string }>(
      sql`select count(*) as n from (select 1 from ${meetings} where ${this.upcomingWhere(workspaceId, nowMs, programTeamId)} limit ${atMost}) ahead`,
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Not ended yet. A meeting lasts at most MEETING_MAX_MINUTES, so none that started before now
   * minus that can still be on: that bound lets the (team, start) and (workspace, status, start)
   * indexes start at the present instead of reading the whole history.
   */
  private upcomingWhere(workspaceId: string, nowMs: number, programTeamId: number | undefined) {
    return and(
      eq(meetings.workspaceId, workspaceId),
      eq(meetings.status, 'scheduled'),
      gt(meetings.startsAt, nowMs - MEETING_MAX_MINUTES * 60_000),
      gt(sql`${meetings.startsAt} + ${meetings.durationMinutes} * 60000`, nowMs),
      programTeamId === undefined ? undefined : eq(meetings.programTeamId, programTeamId),
    );
  }

  async setMessage(id: number, channelId: string, messageTs: string): Promise<void> {
    await this.db.update(meetings).set({ channelId, messageTs }).where(eq(meetings.id, id)).run();
  }

  /**
   * A person has one answer per meeting: a new answer replaces the old one (an upsert on (meeting,
   * person)), and the same answer again writes nothing, so it keeps its place in the list. Returns
   * the previous answer. Call inside a transaction.
   */
  async setRsvp(workspaceId: string, meetingId: number, userId: string, answer: RsvpAnswer, nowMs: number): Promise<RsvpAnswer | undefined> {
    const previous = await this.db
      .select({ answer: meetingRsvps.answer })
      .from(meetingRsvps)
      .where(and(eq(meetingRsvps.meetingId, meetingId), eq(meetingRsvps.userId, userId)))
      .get();
    const before = previous !== undefined && isAnswer(previous.answer) ? previous.answer : undefined;
    if (before === answer) return before;
    await this.db
      .insert(meetingRsvps)
      .values({ workspaceId, meetingId, userId, answer, updatedAt: nowMs })
      .onConflictDoUpdate({ target: [meetingRsvps.meetingId, meetingRsvps.userId], set: { answer, updatedAt: nowMs } })
      .run();
    return before;
  }

  /**
   * Everyone's answer, in the order they gave it (stable names on the announcement: a name moves
   * only when its person changes their answer). Ties, within one millisecond, by user id.
   */
  async rsvps(meetingId: number): Promise<Rsvp[]> {
    const rows = await this.db
      .select({ userId: meetingRsvps.userId, answer: meetingRsvps.answer, updatedAt: meetingRsvps.updatedAt })
      .from(meetingRsvps)
      .where(eq(meetingRsvps.meetingId, meetingId))
      .orderBy(asc(meetingRsvps.updatedAt), asc(meetingRsvps.userId))
      .all();
    return rows.flatMap((r) => (isAnswer(r.answer) ? [{ userId: r.userId, answer: r.answer, updatedAt: r.updatedAt }] : []));
  }

  /**
   * Counts per answer and the first `names` people of each answer, read along meeting_rsvps_answer
   * (the counts from the index alone): what `/meeting show` reads before its ack does not grow
   * with the number of people who answered, beyond counting their index entries.
   */
  async rsvpSummary(meetingId: number, names: number): Promise<RsvpSummary> {
    const summary: RsvpSummary = { counts: { going: 0, maybe: 0, declined: 0 }, first: { going: [], maybe: [], declined: [] } };
    const counts = await this.db
      .select({ answer: meetingRsvps.answer, n: sql<number>`count(*)`.mapWith(Number) })
      .from(meetingRsvps)
      .where(eq(meetingRsvps.meetingId, meetingId))
      .groupBy(meetingRsvps.answer)
      .all();
    for (const row of counts) if (isAnswer(row.answer)) summary.counts[row.answer] = row.n;
    // One statement for the three answers' first names: each a limited range of the index.
    const firstOf = (answer: RsvpAnswer) =>
      sql`select * from (select answer, user_id as "userId" from meeting_rsvps where meeting_id = ${meetingId} and answer = ${answer} order by updated_at, user_id limit ${names}) as ${sql.identifier(`first_${answer}`)}`;
    const rows = await this.db.rows<{ answer: string; userId: string }>(sql.join(RSVP_ANSWERS.map(firstOf), sql` union all `));
    for (const row of rows) if (isAnswer(row.answer)) summary.first[row.answer].push(row.userId);
    return summary;
  }

  async countsFor(meetingIds: number[]): Promise<Map<number, RsvpCounts>> {
    const result = new Map<number, RsvpCounts>();
    if (meetingIds.length === 0) return result;
    const rows = await this.db
      .select({ meetingId: meetingRsvps.meetingId, answer: meetingRsvps.answer, n: sql<number>`count(*)`.mapWith(Number) })
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

  private async withTeam(where: ReturnType<typeof and>): Promise<MeetingWithTeam | undefined> {
    return await this.db
      .select({ meeting: meetings, teamKey: programTeams.key, teamName: programTeams.name })
      .from(meetings)
      .innerJoin(programTeams, eq(programTeams.id, meetings.programTeamId))
      .where(where)
      .get();
  }
}
