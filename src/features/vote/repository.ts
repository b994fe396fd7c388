import { and, asc, desc, eq, inArray, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { ballots, issueEvents, issues, organisations, programTeams, voteOptions, votes } from '../../db/schema.js';
import { CLOSED_STATUSES } from '../issue/model.js';

export type Vote = typeof votes.$inferSelect;
export type VoteOption = typeof voteOptions.$inferSelect;
export type Ballot = typeof ballots.$inferSelect;

export type VoteMethod = 'single' | 'multiple' | 'ranked';
export type Eligibility = 'everyone' | 'members' | 'organisation';
export type ResultsVisibility = 'live' | 'closed';

export interface NewVote {
  workspaceId: string;
  programTeamId: number;
  question: string;
  method: VoteMethod;
  maxChoices: number;
  eligibility: Eligibility;
  anonymous: boolean;
  resultsVisibility: ResultsVisibility;
  closesAt: number | null;
  creatorId: string;
  channelId: string;
  createdAt: number;
  /** The electorate counted when the vote was started. */
  electorateSize: number;
}

export interface OpenIssue {
  id: number;
  programTeamId: number;
  teamKey: string;
  number: number;
  title: string;
}

/** Issue statuses that are finished; every other status counts as open. */

/** Votes, their options and ballots. Wraps drizzle; the rules live in the service. */
export class VoteRepository {
  constructor(private readonly db: Db) {}

  /** Call inside an immediate transaction: the number is max+1 per workspace. */
  insert(vote: NewVote, options: Array<{ label: string; issueId: number | null }>): { vote: Vote; options: VoteOption[] } {
    const next = this.db
      .select({ n: sql<number>`coalesce(max(${votes.number}), 0) + 1` })
      .from(votes)
      .where(eq(votes.workspaceId, vote.workspaceId))
      .get();
    const created = this.db
      .insert(votes)
      .values({ ...vote, number: next?.n ?? 1, status: 'open', electorateCountedAt: vote.createdAt })
      .returning()
      .get();
    const rows = options.map((o, position) =>
      this.db.insert(voteOptions).values({ workspaceId: vote.workspaceId, voteId: created.id, position, label: o.label, issueId: o.issueId }).returning().get(),
    );
    return { vote: created, options: rows };
  }

  byId(id: number): Vote | undefined {
    return this.db.select().from(votes).where(eq(votes.id, id)).get();
  }

  byNumber(workspaceId: string, number: number): Vote | undefined {
    return this.db.select().from(votes).where(and(eq(votes.workspaceId, workspaceId), eq(votes.number, number))).get();
  }

  options(voteId: number): VoteOption[] {
    return this.db.select().from(voteOptions).where(eq(voteOptions.voteId, voteId)).orderBy(asc(voteOptions.position)).all();
  }

  ballots(voteId: number): Ballot[] {
    return this.db.select().from(ballots).where(eq(ballots.voteId, voteId)).orderBy(asc(ballots.id)).all();
  }

  ballotByKey(voteId: number, voterKey: string): Ballot | undefined {
    return this.db.select().from(ballots).where(and(eq(ballots.voteId, voteId), eq(ballots.voterKey, voterKey))).get();
  }

  /** One ballot per (vote, voter key): a second write replaces the first, so a double click counts once. */
  upsertBallot(ballot: { workspaceId: string; voteId: number; voterKey: string; organisationId: number | null; castBy: string | null; castByHash: string; choicesJson: string; now: number; id?: number }): void {
    const { now, ...values } = ballot;
    this.db
      .insert(ballots)
      .values({ ...values, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [ballots.voteId, ballots.voterKey],
        set: { organisationId: values.organisationId, castBy: values.castBy, castByHash: values.castByHash, choicesJson: values.choicesJson, updatedAt: now },
      })
      .run();
  }

  deleteBallot(voteId: number, voterKey: string): boolean {
    return this.db.delete(ballots).where(and(eq(ballots.voteId, voteId), eq(ballots.voterKey, voterKey))).run().changes > 0;
  }

  setMessage(voteId: number, channelId: string, messageTs: string): void {
    this.db.update(votes).set({ channelId, messageTs }).where(eq(votes.id, voteId)).run();
  }

  /** The electorate's size at a successful count: what digests show, and what a close falls back to when the channel cannot be listed. */
  recordElectorate(voteId: number, size: number, now: number): void {
    this.db.update(votes).set({ electorateSize: size, electorateCountedAt: now }).where(eq(votes.id, voteId)).run();
  }

  /** Atomic: only one caller (of two instances, or the job and a command) gets true. */
  markClosed(voteId: number, now: number): boolean {
    return this.db
      .update(votes)
      .set({ status: 'closed', closedAt: now })
      .where(and(eq(votes.id, voteId), eq(votes.status, 'open')))
      .run().changes > 0;
  }

  storeResult(voteId: number, resultJson: string): void {
    this.db.update(votes).set({ resultJson }).where(eq(votes.id, voteId)).run();
  }

  dueForClosing(now: number): Vote[] {
    return this.db
      .select()
      .from(votes)
      .where(and(eq(votes.status, 'open'), isNotNull(votes.closesAt), lte(votes.closesAt, now)))
      .orderBy(asc(votes.closesAt), asc(votes.id))
      .all();
  }

  list(workspaceId: string, programTeamId: number | undefined, limit: number): Array<Vote & { teamKey: string; ballotCount: number }> {
    const where = programTeamId === undefined ? eq(votes.workspaceId, workspaceId) : and(eq(votes.workspaceId, workspaceId), eq(votes.programTeamId, programTeamId));
    return this.db
      .select({
        vote: votes,
        teamKey: programTeams.key,
        ballotCount: sql<number>`(select count(*) from ${ballots} where ${ballots.voteId} = ${votes.id})`,
      })
      .from(votes)
      .innerJoin(programTeams, eq(programTeams.id, votes.programTeamId))
      .where(where)
      // Open votes first, then the most recent.
      .orderBy(sql`case when ${votes.status} = 'open' then 0 else 1 end`, desc(votes.number))
      .limit(limit)
      .all()
      .map((r) => ({ ...r.vote, teamKey: r.teamKey, ballotCount: r.ballotCount }));
  }

  organisationNames(ids: number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    return new Map(this.db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, ids)).all().map((o) => [o.id, o.name]));
  }

  openIssues(workspaceId: string, limit: number): OpenIssue[] {
    return this.db
      .select({ id: issues.id, programTeamId: issues.programTeamId, teamKey: programTeams.key, number: issues.number, title: issues.title })
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(and(eq(issues.workspaceId, workspaceId), notInArray(issues.status, [...CLOSED_STATUSES])))
      .orderBy(asc(programTeams.key), asc(issues.number))
      .limit(limit)
      .all();
  }

  openIssuesByIds(workspaceId: string, ids: number[]): OpenIssue[] {
    if (ids.length === 0) return [];
    return this.db
      .select({ id: issues.id, programTeamId: issues.programTeamId, teamKey: programTeams.key, number: issues.number, title: issues.title })
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(and(eq(issues.workspaceId, workspaceId), inArray(issues.id, ids), notInArray(issues.status, [...CLOSED_STATUSES])))
      .all();
  }

  countOpenIssues(workspaceId: string): number {
    return (
      this.db
        .select({ n: sql<number>`count(*)` })
        .from(issues)
        .where(and(eq(issues.workspaceId, workspaceId), notInArray(issues.status, [...CLOSED_STATUSES])))
        .get()?.n ?? 0
    );
  }

  /**
   * Writes a closed vote's ranking as the team's priorities: ranked issues get 1…n, and every other
   * issue of the team loses a priority it had, so the list never mixes two votes' rankings. Each change
   * is an `issue_events` row of kind `priority`.
   */
  writePriorities(workspaceId: string, programTeamId: number, ranking: number[], actorId: string, note: string, now: number): number {
    const wanted = new Map(ranking.map((issueId, i) => [issueId, i + 1]));
    const current = this.db
      .select({ id: issues.id, priority: issues.priority })
      .from(issues)
      .where(and(eq(issues.programTeamId, programTeamId), sql`(${issues.priority} is not null or ${issues.id} in (${sql.join([...wanted.keys(), -1].map((id) => sql`${id}`), sql`, `)}))`))
      .all();
    let changed = 0;
    for (const row of current) {
      const next = wanted.get(row.id) ?? null;
      if (next === row.priority) continue;
      this.db.update(issues).set({ priority: next, updatedAt: now }).where(eq(issues.id, row.id)).run();
      this.db
        .insert(issueEvents)
        .values({
          workspaceId,
          issueId: row.id,
          programTeamId,
          actorId,
          kind: 'priority',
          fromValue: row.priority === null ? null : String(row.priority),
          toValue: next === null ? null : String(next),
          note,
          createdAt: now,
        })
        .run();
      changed++;
    }
    return changed;
  }
}
