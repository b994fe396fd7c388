import { and, asc, desc, eq, inArray, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
import { indexedBy } from '../../db/portable.js';
import { affectedRows, type Storage } from '../../db/storage.js';
import { ballots, issueEvents, issues, issueStatusCounts, organisations, programTeams, voteOptions, votes } from '../../db/schema.js';
import { CLOSED_STATUSES, statusSqlList } from '../issue/model.js';

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
  /** Which key its anonymous ballots are keyed with, for its whole life (rules.ts `BallotKeyScheme`). */
  ballotKeyScheme: number;
}

export interface OpenIssue {
  id: number;
  programTeamId: number;
  teamKey: string;
  number: number;
  title: string;
}

/** Issue statuses that are finished; every other status counts as open. */

/**
 * What every ballot click runs, prepared: drizzle builds each query's SQL text once and a call only
 * fills in its parameters (see team/repository.ts). They run through the storage like any query,
 * so on the transaction's connection inside one.
 */
function prepareBallotQueries(db: Storage) {
  const voteId = sql.placeholder('voteId');
  return {
    voteById: db.select().from(votes).where(eq(votes.id, sql.placeholder('id'))).prepare(),
    options: db.select().from(voteOptions).where(eq(voteOptions.voteId, voteId)).orderBy(asc(voteOptions.position)).prepare(),
    ballots: db.select().from(ballots).where(eq(ballots.voteId, voteId)).orderBy(asc(ballots.id)).prepare(),
    ballotByKey: db.select().from(ballots).where(and(eq(ballots.voteId, voteId), eq(ballots.voterKey, sql.placeholder('voterKey')))).prepare(),
    // Counted ballots number up; anonymous ones bring their own random id.
    upsertBallot: upsertBallotQuery(db, false),
    upsertAnonymousBallot: upsertBallotQuery(db, true),
  };
}

function upsertBallotQuery(db: Storage, withId: boolean) {
  const p = (name: string) => sql.placeholder(name);
  return db
    .insert(ballots)
    .values({
      ...(withId ? { id: p('id') } : {}),
      workspaceId: p('workspaceId'),
      voteId: p('voteId'),
      voterKey: p('voterKey'),
      organisationId: p('organisationId'),
      castBy: p('castBy'),
      castByHash: p('castByHash'),
      choicesJson: p('choicesJson'),
      createdAt: p('now'),
      updatedAt: p('now'),
    })
    .onConflictDoUpdate({
      target: [ballots.voteId, ballots.voterKey],
      // The row we tried to insert: the same values, without naming the parameters twice.
      set: { organisationId: sql`excluded.organisation_id`, castBy: sql`excluded.cast_by`, castByHash: sql`excluded.cast_by_hash`, choicesJson: sql`excluded.choices_json`, updatedAt: sql`excluded.updated_at` },
    })
    .prepare();
}

/** Votes, their options and ballots. Wraps drizzle; the rules live in the service. */
export class VoteRepository {
  constructor(private readonly db: Storage) {}

  // Prepared on first use: repositories are also built for a single call.
  private preparedQueries: ReturnType<typeof prepareBallotQueries> | undefined;
  private get prepared(): ReturnType<typeof prepareBallotQueries> {
    return (this.preparedQueries ??= prepareBallotQueries(this.db));
  }

  /** Call inside a transaction: the number is max+1 per workspace (the unique index on (workspace, number) guards it). */
  async insert(vote: NewVote, options: Array<{ label: string; issueId: number | null }>): Promise<{ vote: Vote; options: VoteOption[] }> {
    const next = await this.db
      .select({ n: sql<number>`coalesce(max(${votes.number}), 0) + 1` })
      .from(votes)
      .where(eq(votes.workspaceId, vote.workspaceId))
      .get();
    const created = await this.db
      .insert(votes)
      .values({ ...vote, number: next?.n ?? 1, status: 'open', electorateCountedAt: vote.createdAt })
      .returning()
      .get();
    const rows: VoteOption[] = [];
    // One after another: the options' ids count up in their order on the ballot.
    for (const [position, o] of options.entries()) {
      rows.push(await this.db.insert(voteOptions).values({ workspaceId: vote.workspaceId, voteId: created.id, position, label: o.label, issueId: o.issueId }).returning().get());
    }
    return { vote: created, options: rows };
  }

  async byId(id: number): Promise<Vote | undefined> {
    return await this.prepared.voteById.get({ id });
  }

  async byNumber(workspaceId: string, number: number): Promise<Vote | undefined> {
    return await this.db.select().from(votes).where(and(eq(votes.workspaceId, workspaceId), eq(votes.number, number))).get();
  }

  async options(voteId: number): Promise<VoteOption[]> {
    return await this.prepared.options.all({ voteId });
  }

  async ballots(voteId: number): Promise<Ballot[]> {
    return await this.prepared.ballots.all({ voteId });
  }

  async ballotByKey(voteId: number, voterKey: string): Promise<Ballot | undefined> {
    return await this.prepared.ballotByKey.get({ voteId, voterKey });
  }

  /** One ballot per (vote, voter key): a second write replaces the first, so a double click counts once. */
  async upsertBallot(ballot: { workspaceId: string; voteId: number; voterKey: string; organisationId: number | null; castBy: string | null; castByHash: string; choicesJson: string; now: number; id?: number }): Promise<void> {
    if (ballot.id === undefined) await this.prepared.upsertBallot.run(ballot);
    else await this.prepared.upsertAnonymousBallot.run(ballot);
  }

  async deleteBallot(voteId: number, voterKey: string): Promise<boolean> {
    return affectedRows(await this.db.delete(ballots).where(and(eq(ballots.voteId, voteId), eq(ballots.voterKey, voterKey))).run()) > 0;
  }

  async setMessage(voteId: number, channelId: string, messageTs: string): Promise<void> {
    await this.db.update(votes).set({ channelId, messageTs }).where(eq(votes.id, voteId)).run();
  }

  /**
   * The electorate's size at a successful count: what digests show, and what a close falls back to when the channel cannot be listed.
   * Open votes only: a count that finishes after the vote closed must not rewrite the electorate it closed with.
   */
  async recordElectorate(voteId: number, size: number, now: number): Promise<void> {
    await this.db.update(votes).set({ electorateSize: size, electorateCountedAt: now }).where(and(eq(votes.id, voteId), eq(votes.status, 'open'))).run();
  }

  /** Atomic: only one caller (of two instances, or the job and a command) changes the row, and only that one gets true. */
  async markClosed(voteId: number, now: number): Promise<boolean> {
    const result = await this.db
      .update(votes)
      .set({ status: 'closed', closedAt: now })
      .where(and(eq(votes.id, voteId), eq(votes.status, 'open')))
      .run();
    return affectedRows(result) > 0;
  }

  async storeResult(voteId: number, resultJson: string): Promise<void> {
    await this.db.update(votes).set({ resultJson }).where(eq(votes.id, voteId)).run();
  }

  async dueForClosing(now: number): Promise<Vote[]> {
    return await this.db
      .select()
      .from(votes)
      .where(and(eq(votes.status, 'open'), isNotNull(votes.closesAt), lte(votes.closesAt, now)))
      .orderBy(asc(votes.closesAt), asc(votes.id))
      .all();
  }

  async list(workspaceId: string, programTeamId: number | undefined, limit: number): Promise<Array<Vote & { teamKey: string; ballotCount: number }>> {
    const where = programTeamId === undefined ? eq(votes.workspaceId, workspaceId) : and(eq(votes.workspaceId, workspaceId), eq(votes.programTeamId, programTeamId));
    const rows = await this.db
      .select({
        vote: votes,
        teamKey: programTeams.key,
        ballotCount: sql<number>`(select count(*) from ${ballots} where ${ballots.voteId} = ${votes.id})`.mapWith(Number),
      })
      .from(votes)
      .innerJoin(programTeams, eq(programTeams.id, votes.programTeamId))
      .where(where)
      // Open votes first, then the most recent.
      .orderBy(sql`case when ${votes.status} = 'open' then 0 else 1 end`, desc(votes.number))
      .limit(limit)
      .all();
    return rows.map((r) => ({ ...r.vote, teamKey: r.teamKey, ballotCount: r.ballotCount }));
  }

  async organisationNames(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, ids)).all();
    return new Map(rows.map((o) => [o.id, o.name]));
  }

  /**
   * The first `limit` open issues of the workspace, by team key then number (the vote form's
   * select). Read team by team along `issues_open_number`, a partial index of open issues only, so
   * the form reads `limit` rows before its ack, never the closed history or a sort of every issue.
   * On SQLite `cross join` keeps the teams (in key order) as the outer loop and `indexed by` holds
   * the index: its planner would otherwise walk the report's covering index and step over every
   * closed issue. The closed statuses are written out so the condition matches the index's own.
   */
  async openIssues(workspaceId: string, limit: number): Promise<OpenIssue[]> {
    const rows = await this.db.rows<{ id: number; programTeamId: number; teamKey: string; number: number; title: string }>(
      sql`select i.id as "id", i.program_team_id as "programTeamId", t.key as "teamKey", i.number as "number", i.title as "title"
          from program_teams t cross join issues i${indexedBy(this.db.engine, 'issues_open_number')}
          where t.team_id = ${workspaceId} and i.program_team_id = t.id and i.status not in ${sql.raw(statusSqlList(CLOSED_STATUSES))}
          order by t.key, i.number limit ${limit}`,
    );
    return rows.map((r) => ({ id: Number(r.id), programTeamId: Number(r.programTeamId), teamKey: r.teamKey, number: Number(r.number), title: r.title }));
  }

  async openIssuesByIds(workspaceId: string, ids: number[]): Promise<OpenIssue[]> {
    if (ids.length === 0) return [];
    return await this.db
      .select({ id: issues.id, programTeamId: issues.programTeamId, teamKey: programTeams.key, number: issues.number, title: issues.title })
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(and(eq(issues.workspaceId, workspaceId), inArray(issues.id, ids), notInArray(issues.status, [...CLOSED_STATUSES])))
      .all();
  }

  /**
   * How many open issues the workspace has (the form's hint when more than the select lists), added
   * up from the per-status counters the triggers keep (`issue_status_counts`): a few rows per team
   * however many issues there are, not a `count(*)` over the issues before the form's ack.
   */
  async countOpenIssues(workspaceId: string): Promise<number> {
    const row = await this.db
      .select({ n: sql<number | null>`sum(${issueStatusCounts.count})` })
      .from(issueStatusCounts)
      .innerJoin(programTeams, eq(programTeams.id, issueStatusCounts.programTeamId))
      .where(and(eq(programTeams.workspaceId, workspaceId), notInArray(issueStatusCounts.status, [...CLOSED_STATUSES])))
      .get();
    return Number(row?.n ?? 0);
  }

  /**
   * Writes a closed vote's ranking as the team's priorities: ranked issues get 1…n, and every other
   * issue of the team loses a priority it had, so the list never mixes two votes' rankings. Each change
   * is an `issue_events` row of kind `priority`. Call inside the closing transaction.
   */
  async writePriorities(workspaceId: string, programTeamId: number, ranking: number[], actorId: string, note: string, now: number): Promise<number> {
    const wanted = new Map(ranking.map((issueId, i) => [issueId, i + 1]));
    const current = await this.db
      .select({ id: issues.id, priority: issues.priority })
      .from(issues)
      .where(and(eq(issues.programTeamId, programTeamId), sql`(${issues.priority} is not null or ${issues.id} in (${sql.join([...wanted.keys(), -1].map((id) => sql`${id}`), sql`, `)}))`))
      .orderBy(asc(issues.id))
      .all();
    let changed = 0;
    for (const row of current) {
      const next = wanted.get(row.id) ?? null;
      if (next === row.priority) continue;
      await this.db.update(issues).set({ priority: next, updatedAt: now }).where(eq(issues.id, row.id)).run();
      await this.db
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
