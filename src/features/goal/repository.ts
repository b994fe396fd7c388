import { and, asc, desc, eq, gte, inArray, isNull, lte, max, sql } from 'drizzle-orm';
import { affectedRows, type Storage } from '../../db/storage.js';
import { goalEvents, goalIssues, goalReadings, goalStaleReminders, goalVotes, goals, issues, organisations, programTeams } from '../../db/schema.js';
import { formatKey } from '../issue/model.js';

export type GoalRow = typeof goals.$inferSelect;
export type GoalReading = typeof goalReadings.$inferSelect;
export type GoalEvent = typeof goalEvents.$inferSelect;

/** A goal with its team's key and name and its organisation's name: what views need. */
export interface Goal extends GoalRow {
  teamKey: string;
  teamName: string;
  organisationName: string | null;
}

export type NewGoal = Omit<typeof goals.$inferInsert, 'id' | 'number' | 'status' | 'updatedAt' | 'closedAt' | 'closeNote' | 'announcementTs'>;
export type GoalPatch = Partial<Pick<GoalRow, 'name' | 'unit' | 'baseline' | 'target' | 'direction' | 'targetDate' | 'status' | 'ownerId' | 'organisationId' | 'closeNote' | 'closedAt'>> & { updatedAt: number };

const withTeam = { goal: goals, teamKey: programTeams.key, teamName: programTeams.name, organisationName: organisations.name };
const flatten = (row: { goal: GoalRow; teamKey: string; teamName: string; organisationName: string | null }): Goal => ({
  ...row.goal,
  teamKey: row.teamKey,
  teamName: row.teamName,
  organisationName: row.organisationName,
});

/**
 * Goals, their readings, history, linked issues and stale-reminder claims. Wraps drizzle; the rules
 * live in the service and in pace.ts.
 *
 * STABLE API for other features (home, reports):
 *   openOfTeam(programTeamId), ofTeam(programTeamId, statuses), currentReadings(goalIds) → Map,
 *   readingsSince(goalId), byNumber(workspaceId, n), ofWorkspace(workspaceId, statuses)
 */
export class GoalRepository {
  constructor(private readonly db: Storage) {}

  private select() {
    return this.db
      .select(withTeam)
      .from(goals)
      .innerJoin(programTeams, eq(programTeams.id, goals.programTeamId))
      .leftJoin(organisations, eq(organisations.id, goals.organisationId));
  }

  /** Call inside a transaction: G-n is counted per workspace; the unique index guards any race left. */
  async insert(goal: NewGoal): Promise<GoalRow> {
    const next = await this.db.select({ n: max(goals.number) }).from(goals).where(eq(goals.workspaceId, goal.workspaceId)).get();
    return await this.db
      .insert(goals)
      .values({ ...goal, number: (next?.n ?? 0) + 1, status: 'open', updatedAt: goal.createdAt })
      .returning()
      .get();
  }

  async update(id: number, patch: GoalPatch): Promise<void> {
    await this.db.update(goals).set(patch).where(eq(goals.id, id)).run();
  }

  /** Where the announcement was posted; written by the outbox follow-up after chat.postMessage. */
  async setAnnouncement(id: number, channelId: string, ts: string): Promise<void> {
    await this.db.update(goals).set({ announcementChannelId: channelId, announcementTs: ts }).where(eq(goals.id, id)).run();
  }

  /** By id alone: for outbox follow-ups, which know the id they queued and nothing else. */
  async get(id: number): Promise<Goal | undefined> {
    const row = await this.select().where(eq(goals.id, id)).get();
    return row === undefined ? undefined : flatten(row);
  }

  async byNumber(workspaceId: string, number: number): Promise<Goal | undefined> {
    const row = await this.select().where(and(eq(goals.workspaceId, workspaceId), eq(goals.number, number))).get();
    return row === undefined ? undefined : flatten(row);
  }

  async byId(workspaceId: string, id: number): Promise<Goal | undefined> {
    const row = await this.select().where(and(eq(goals.workspaceId, workspaceId), eq(goals.id, id))).get();
    return row === undefined ? undefined : flatten(row);
  }

  /** A team's goals closed (achieved or dropped) within [start, end], in G-n order: digests show them once. */
  async closedBetween(programTeamId: number, start: number, end: number): Promise<Goal[]> {
    const rows = await this.select()
      .where(and(eq(goals.programTeamId, programTeamId), inArray(goals.status, ['achieved', 'dropped']), gte(goals.closedAt, start), lte(goals.closedAt, end)))
      .orderBy(asc(goals.number))
      .all();
    return rows.map(flatten);
  }

  /** A team's goals with the given statuses, in G-n order. */
  async ofTeam(programTeamId: number, statuses: readonly string[] = ['open']): Promise<Goal[]> {
    const rows = await this.select()
      .where(and(eq(goals.programTeamId, programTeamId), inArray(goals.status, [...statuses])))
      .orderBy(asc(goals.number))
      .all();
    return rows.map(flatten);
  }

  async openOfTeam(programTeamId: number): Promise<Goal[]> {
    return await this.ofTeam(programTeamId, ['open']);
  }

  async ofWorkspace(workspaceId: string, statuses: readonly string[] = ['open']): Promise<Goal[]> {
    const rows = await this.select()
      .where(and(eq(goals.workspaceId, workspaceId), inArray(goals.status, [...statuses])))
      .orderBy(asc(programTeams.key), asc(goals.number))
      .all();
    return rows.map(flatten);
  }

  async countOfTeam(programTeamId: number, statuses: readonly string[]): Promise<number> {
    const row = await this.db.select({ n: sql<number>`count(*)` }).from(goals).where(and(eq(goals.programTeamId, programTeamId), inArray(goals.status, [...statuses]))).get();
    return row?.n ?? 0;
  }

  /** The current reading of `asOf`, if any (the one a new reading for that date replaces). */
  async currentReadingOn(goalId: number, asOf: string): Promise<GoalReading | undefined> {
    return await this.db
      .select()
      .from(goalReadings)
      .where(and(eq(goalReadings.goalId, goalId), eq(goalReadings.asOf, asOf), isNull(goalReadings.supersededAt)))
      .get();
  }

  /** Records a reading; supersedes (never deletes) the current reading of the same date. Call inside a transaction. */
  async addReading(reading: {
    workspaceId: string;
    goalId: number;
    asOf: string;
    value: number;
    note: string;
    recordedBy: string;
    createdAt: number;
  }): Promise<{ reading: GoalReading; replaced: GoalReading | undefined }> {
    const replaced = await this.currentReadingOn(reading.goalId, reading.asOf);
    if (replaced !== undefined) await this.db.update(goalReadings).set({ supersededAt: reading.createdAt }).where(eq(goalReadings.id, replaced.id)).run();
    const row = await this.db.insert(goalReadings).values(reading).returning().get();
    return { reading: row, replaced };
  }

  /** Every reading, superseded ones included, newest as-of first (history). */
  async allReadings(goalId: number): Promise<GoalReading[]> {
    return await this.db.select().from(goalReadings).where(eq(goalReadings.goalId, goalId)).orderBy(desc(goalReadings.asOf), desc(goalReadings.id)).all();
  }

  /** The current readings of a goal, oldest first (what pace counts). */
  async readings(goalId: number): Promise<GoalReading[]> {
    return await this.db
      .select()
      .from(goalReadings)
      .where(and(eq(goalReadings.goalId, goalId), isNull(goalReadings.supersededAt)))
      .orderBy(asc(goalReadings.asOf))
      .all();
  }

  /** Current readings of many goals at once, oldest first per goal. */
  async currentReadings(goalIds: readonly number[]): Promise<Map<number, GoalReading[]>> {
    const byGoal = new Map<number, GoalReading[]>(goalIds.map((id) => [id, []]));
    if (goalIds.length === 0) return byGoal;
    const rows = await this.db
      .select()
      .from(goalReadings)
      .where(and(inArray(goalReadings.goalId, [...goalIds]), isNull(goalReadings.supersededAt)))
      .orderBy(asc(goalReadings.goalId), asc(goalReadings.asOf))
      .all();
    for (const row of rows) byGoal.get(row.goalId)?.push(row);
    return byGoal;
  }

  async addEvent(event: { workspaceId: string; goalId: number; actorId: string; kind: string; fromValue?: string | null; toValue?: string | null; note?: string | null; createdAt: number }): Promise<void> {
    await this.db.insert(goalEvents).values(event).run();
  }

  async events(goalId: number): Promise<GoalEvent[]> {
    return await this.db.select().from(goalEvents).where(eq(goalEvents.goalId, goalId)).orderBy(desc(goalEvents.createdAt), desc(goalEvents.id)).all();
  }

  async link(link: { workspaceId: string; goalId: number; issueId: number; linkedBy: string; createdAt: number }): Promise<boolean> {
    return affectedRows(await this.db.insert(goalIssues).values(link).onConflictDoNothing().run()) > 0;
  }

  async unlink(goalId: number, issueId: number): Promise<boolean> {
    return affectedRows(await this.db.delete(goalIssues).where(and(eq(goalIssues.goalId, goalId), eq(goalIssues.issueId, issueId))).run()) > 0;
  }

  /** Linked issues as keys (CNA-12) with title and status. */
  async linkedIssues(goalId: number): Promise<Array<{ issueId: number; key: string; title: string; status: string }>> {
    const rows = await this.db
      .select({ issueId: issues.id, teamKey: programTeams.key, number: issues.number, title: issues.title, status: issues.status })
      .from(goalIssues)
      .innerJoin(issues, eq(issues.id, goalIssues.issueId))
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(eq(goalIssues.goalId, goalId))
      .orderBy(asc(programTeams.key), asc(issues.number))
      .all();
    return rows.map((r) => ({ issueId: r.issueId, key: formatKey(r.teamKey, r.number), title: r.title, status: r.status }));
  }

  /** The goals an issue is linked to (the issue card and `/issue show` name them). */
  async goalsOfIssue(issueId: number): Promise<Array<{ number: number; name: string }>> {
    return await this.db
      .select({ number: goals.number, name: goals.name })
      .from(goalIssues)
      .innerJoin(goals, eq(goals.id, goalIssues.goalId))
      .where(eq(goalIssues.issueId, issueId))
      .orderBy(asc(goals.number))
      .all();
  }

  async linkVote(link: { workspaceId: string; voteId: number; goalId: number; createdAt: number }): Promise<void> {
    await this.db.insert(goalVotes).values(link).onConflictDoNothing().run();
  }

  async goalOfVote(voteId: number): Promise<{ number: number; name: string } | undefined> {
    return await this.db.select({ number: goals.number, name: goals.name }).from(goalVotes).innerJoin(goals, eq(goals.id, goalVotes.goalId)).where(eq(goalVotes.voteId, voteId)).get();
  }

  /** Claims the stale reminder of one period; false when it was already claimed (by this or another instance). */
  async claimStaleReminder(claim: { workspaceId: string; goalId: number; staleSince: string; ownerId: string; claimedBy: string; createdAt: number }): Promise<boolean> {
    return affectedRows(await this.db.insert(goalStaleReminders).values(claim).onConflictDoNothing().run()) > 0;
  }
}
