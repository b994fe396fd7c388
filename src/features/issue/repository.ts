import { and, asc, count, desc, eq, inArray, isNotNull, lt, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Storage } from '../../db/storage.js';
import { goalIssues, goals, issueEvents, issues, issueStatusCounts, programTeams } from '../../db/schema.js';
import { CLOSED_STATUSES, ISSUE_HISTORY_SHOWN, OPEN_STATUSES, type ListScope } from './model.js';

export type IssueRow = typeof issues.$inferSelect;
export type IssueEventRow = typeof issueEvents.$inferSelect;

/** An issue with its team's key and name: everything a view needs to show it. */
export interface Issue extends IssueRow {
  teamKey: string;
  teamName: string;
  /** Goals the issue is linked to (`/goal link`); filled in when one issue is read, absent in lists. */
  goals?: Array<{ number: number; name: string }>;
}

export interface IssueFilter {
  workspaceId: string;
  /** Program team ids to include; undefined means every team in the workspace. */
  teamIds?: number[];
  scope: ListScope;
  /** Who is asking: `mine` means issues they own. */
  userId: string;
  /** Today's date (YYYY-MM-DD) in the collaborative's zone: `overdue` means due before it. */
  today: string;
}

export type IssuePatch = Partial<Pick<IssueRow, 'title' | 'details' | 'category' | 'status' | 'ownerId' | 'dueDate' | 'sourcePermalink' | 'closedAt'>> & {
  updatedAt: number;
};

export interface NewIssue {
  workspaceId: string;
  programTeamId: number;
  title: string;
  details: string;
  category: string;
  ownerId: string | null;
  dueDate: string | null;
  reporterId: string;
  sourcePermalink: string | null;
  sourceChannelId: string | null;
  sourceTs: string | null;
  /** The team channel the announcement is queued for; its ts arrives once it is posted. */
  announcementChannelId: string | null;
  createdAt: number;
}

export interface NewIssueEvent {
  workspaceId: string;
  issueId: number;
  /** The issue's team (digests read a team's events by it). */
  programTeamId: number;
  actorId: string;
  kind: string;
  fromValue?: string | null;
  toValue?: string | null;
  note?: string | null;
  createdAt: number;
}

/** The statuses a list scope covers, where the scope is only a set of statuses (its total then comes from the counters). */
const STATUSES_OF_SCOPE: Partial<Record<ListScope, readonly string[] | 'every'>> = { open: OPEN_STATUSES, closed: CLOSED_STATUSES, all: 'every' };

const withTeam = { issue: issues, teamKey: programTeams.key, teamName: programTeams.name };
const flatten = (row: { issue: IssueRow; teamKey: string; teamName: string }): Issue => ({ ...row.issue, teamKey: row.teamKey, teamName: row.teamName });

/** A list filter's values, or the placeholders that stand for them in a prepared query. */
interface FilterTerms {
  workspaceId: string | Placeholder;
  teamIds?: ReadonlyArray<number | Placeholder> | undefined;
  scope: ListScope;
  userId: string | Placeholder;
  today: string | Placeholder;
}

/** Distinct list shapes (scope × number of teams) worth keeping prepared; any more are built per call. */
const MAX_PREPARED_LISTS = 64;

/**
 * `/issue show`'s reads, as prepared queries: drizzle builds each one's SQL text once, and a call
 * only fills in its parameters (building the text anew per call was ~18% of the app's busy time
 * on SQLite). They run through the storage like any query, so on the transaction's connection
 * inside one.
 */
function prepareShowReads(db: Storage) {
  const issueId = sql.placeholder('issueId');
  // The issue with its team and, in the same statement, its goals as a JSON array: one round trip
  // on PostgreSQL for what took two.
  const goalsJson =
    db.engine === 'postgres'
      ? sql<unknown>`(select json_agg(json_build_object('number', ${goals.number}, 'name', ${goals.name}) order by ${goals.number}) from ${goalIssues} inner join ${goals} on ${goals.id} = ${goalIssues.goalId} where ${goalIssues.issueId} = ${issues.id})`
      : sql<unknown>`(select json_group_array(json_object('number', ${goals.number}, 'name', ${goals.name}) order by ${goals.number}) from ${goalIssues} inner join ${goals} on ${goals.id} = ${goalIssues.goalId} where ${goalIssues.issueId} = ${issues.id})`;
  const withTeamFrom = () => db.select({ ...withTeam, goalsJson }).from(issues).innerJoin(programTeams, eq(programTeams.id, issues.programTeamId));
  return {
    issueByKey: withTeamFrom()
      .where(and(eq(issues.workspaceId, sql.placeholder('workspaceId')), eq(programTeams.key, sql.placeholder('teamKey')), eq(issues.number, sql.placeholder('number'))))
      .prepare(),
    issueById: withTeamFrom()
      .where(and(eq(issues.workspaceId, sql.placeholder('workspaceId')), eq(issues.id, sql.placeholder('id'))))
      .prepare(),
    issueByIdAlone: withTeamFrom().where(eq(issues.id, sql.placeholder('id'))).prepare(),
    // Newest first, bounded: the history shown before an ack must not grow with the issue's life.
    latestEventsOfIssue: db
      .select()
      .from(issueEvents)
      .where(eq(issueEvents.issueId, issueId))
      .orderBy(desc(issueEvents.createdAt), desc(issueEvents.id))
      .limit(ISSUE_HISTORY_SHOWN + 1)
      .prepare(),
    commentsOfIssue: db
      .select({ n: count() })
      .from(issueEvents)
      .where(and(eq(issueEvents.issueId, issueId), eq(issueEvents.kind, 'comment')))
      .prepare(),
    statusEventsOfIssue: db
      .select()
      .from(issueEvents)
      .where(and(eq(issueEvents.issueId, issueId), eq(issueEvents.kind, 'status')))
      .orderBy(asc(issueEvents.id))
      .prepare(),
  };
}

const issuesCounted = (row: { n: number } | undefined): number => row?.n ?? 0;
const countersAdded = (row: { n: number | null } | undefined): number => Number(row?.n ?? 0);

/** What logging an issue writes, prepared once per repository like the reads (see `IssueRepository`). */
function prepareCreateWrites(db: Storage) {
  const p = (name: string) => sql.placeholder(name);
  return {
    insertIssue: db
      .insert(issues)
      .values({
        workspaceId: p('workspaceId'),
        programTeamId: p('programTeamId'),
        // The team's next number, read by the insert itself: one statement (a round trip on
        // PostgreSQL, inside the team's turn) instead of a read and then the insert.
        number: sql`(select coalesce(max(${issues.number}), 0) + 1 from ${issues} where ${issues.programTeamId} = ${p('programTeamId')})`,
        title: p('title'),
        details: p('details'),
        category: p('category'),
        status: p('status'),
        ownerId: p('ownerId'),
        dueDate: p('dueDate'),
        reporterId: p('reporterId'),
        sourcePermalink: p('sourcePermalink'),
        sourceChannelId: p('sourceChannelId'),
        sourceTs: p('sourceTs'),
        announcementChannelId: p('announcementChannelId'),
        createdAt: p('createdAt'),
        updatedAt: p('createdAt'),
      })
      .returning()
      .prepare(),
    insertEvent: db
      .insert(issueEvents)
      .values({
        workspaceId: p('workspaceId'),
        issueId: p('issueId'),
        programTeamId: p('programTeamId'),
        actorId: p('actorId'),
        kind: p('kind'),
        fromValue: p('fromValue'),
        toValue: p('toValue'),
        note: p('note'),
        createdAt: p('createdAt'),
      })
      .returning({ id: issueEvents.id })
      .prepare(),
  };
}

/** A list filter's values as the parameters of its shape's prepared queries. */
function listParams(filter: IssueFilter, page: { limit?: number; offset?: number }): Record<string, unknown> {
  const params: Record<string, unknown> = { workspaceId: filter.workspaceId, userId: filter.userId, today: filter.today, ...page };
  filter.teamIds?.forEach((id, i) => {
    params[`team${i}`] = id;
  });
  return params;
}

/**
 * Issues and their history. Wraps drizzle; the rules live in the service.
 *
 * `/issue show` and `/issue list` run on every such command: their queries are prepared once per
 * repository (lists once per shape: scope and number of teams), so drizzle does not build their
 * SQL text again on each call. Values are always parameters, never spliced in, so the SQLite
 * engine's statement cache compiles each shape once and PostgreSQL sees a handful of statements.
 */
export class IssueRepository {
  // Prepared on first use: repositories are also built for a single call (inside transactions).
  private preparedShowReads: ReturnType<typeof prepareShowReads> | undefined;
  private readonly preparedLists = new Map<string, ReturnType<IssueRepository['prepareList']>>();

  constructor(private readonly db: Storage) {}

  private preparedCreateWrites: ReturnType<typeof prepareCreateWrites> | undefined;
  private get createWrites(): ReturnType<typeof prepareCreateWrites> {
    return (this.preparedCreateWrites ??= prepareCreateWrites(this.db));
  }

  private get showReads(): ReturnType<typeof prepareShowReads> {
    return (this.preparedShowReads ??= prepareShowReads(this.db));
  }

  /** One issue as cards and `/issue show` render it: with the goals it is linked to (read in the same statement). */
  private withGoals(row: { issue: IssueRow; teamKey: string; teamName: string; goalsJson: unknown }): Issue {
    // PostgreSQL's driver parses json (null when there are none); SQLite returns the text.
    const parsed: unknown = typeof row.goalsJson === 'string' ? JSON.parse(row.goalsJson) : row.goalsJson;
    const linked = Array.isArray(parsed) ? (parsed as Array<{ number: number; name: string }>) : [];
    return { ...flatten(row), goals: linked.map((g) => ({ number: Number(g.number), name: g.name })).sort((a, b) => a.number - b.number) };
  }

  /**
   * Call inside a transaction: the next number is read and used in it, so keys stay unique and
   * gap-free (SQLite: one writer; PostgreSQL: SERIALIZABLE re-runs the loser). The unique
   * (team, number) index guards any race left.
   */
  async insert(issue: NewIssue): Promise<IssueRow> {
    const row = await this.createWrites.insertIssue.get({ ...issue, status: 'open' });
    if (row === undefined) throw new Error(`Inserting an issue of team ${issue.programTeamId} returned no row`);
    return row;
  }

  async update(id: number, patch: IssuePatch): Promise<void> {
    await this.db.update(issues).set(patch).where(eq(issues.id, id)).run();
  }

  /** Returns the new event's id (status changes key their thread reply by it). */
  async addEvent(event: NewIssueEvent): Promise<number> {
    const row = await this.createWrites.insertEvent.get({ fromValue: null, toValue: null, note: null, ...event });
    if (row === undefined) throw new Error(`Inserting a ${event.kind} event of issue ${event.issueId} returned no row`);
    return row.id;
  }

  /**
   * Where the announcement was posted; written by the outbox follow-up after chat.postMessage.
   * Returns the issue's `updatedAt` (undefined when it is gone), so the follow-up reads no more
   * when nothing changed while the post was in flight.
   */
  async setAnnouncement(id: number, channelId: string, ts: string): Promise<number | undefined> {
    const row = await this.db.update(issues).set({ announcementChannelId: channelId, announcementTs: ts }).where(eq(issues.id, id)).returning({ updatedAt: issues.updatedAt }).get();
    return row?.updatedAt;
  }

  async commentCount(issueId: number): Promise<number> {
    return (await this.showReads.commentsOfIssue.get({ issueId }))?.n ?? 0;
  }

  async statusEvents(issueId: number): Promise<IssueEventRow[]> {
    return await this.showReads.statusEventsOfIssue.all({ issueId });
  }

  async byKey(workspaceId: string, teamKey: string, number: number): Promise<Issue | undefined> {
    const row = await this.showReads.issueByKey.get({ workspaceId, teamKey: teamKey.toUpperCase(), number });
    return row === undefined ? undefined : this.withGoals(row);
  }

  async byId(workspaceId: string, id: number): Promise<Issue | undefined> {
    const row = await this.showReads.issueById.get({ workspaceId, id });
    return row === undefined ? undefined : this.withGoals(row);
  }

  /** By id alone: for outbox follow-ups, which know the id they queued and nothing else. */
  async get(id: number): Promise<Issue | undefined> {
    const row = await this.showReads.issueByIdAlone.get({ id });
    return row === undefined ? undefined : this.withGoals(row);
  }

  /**
   * An issue's history, oldest first: its latest ISSUE_HISTORY_SHOWN events, and one more when
   * there are earlier ones (so the view can say so without counting them all).
   */
  async events(issueId: number): Promise<IssueEventRow[]> {
    return (await this.showReads.latestEventsOfIssue.all({ issueId })).reverse();
  }

  /**
   * One page of a list: issues a priority vote ranked come first (1 = top), then the newest
   * activity. `id` breaks ties so pages never overlap or skip.
   */
  async list(filter: IssueFilter, offset: number, limit: number): Promise<Issue[]> {
    const prepared = this.preparedList(filter);
    const rows = prepared === undefined ? await this.listQuery(filter, offset, limit).all() : await prepared.list.all(listParams(filter, { limit, offset }));
    return rows.map(flatten);
  }

  /**
   * How many issues the list has. Scopes that are sets of statuses (open, closed, all) add up the
   * per-status counters the triggers keep in the same transaction as every issue change, so the
   * total costs a handful of rows however many issues there are; `mine` and `overdue` depend on
   * owner and date, and are counted from their index.
   */
  async count(filter: IssueFilter): Promise<number> {
    const prepared = this.preparedList(filter);
    if (prepared !== undefined) return await prepared.count(listParams(filter, {}));
    return STATUSES_OF_SCOPE[filter.scope] === undefined ? issuesCounted(await this.countQuery(filter).get()) : countersAdded(await this.countersQuery(filter).get());
  }

  /** `list`'s statement; its SQL text depends only on the scope, the number of teams and whether offset is 0 (values are parameters). */
  listQuery(filter: IssueFilter, offset: number, limit: number) {
    return this.listQueryOf(filter, offset, limit);
  }

  /** `count`'s statement; like `listQuery`, one SQL text per scope and number of teams. */
  countQuery(filter: IssueFilter) {
    return this.countQueryOf(filter);
  }

  private listQueryOf(filter: FilterTerms, offset: number | Placeholder, limit: number | Placeholder) {
    return this.db
      .select(withTeam)
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(this.where(filter))
      .orderBy(sql`${issues.priority} is null`, asc(issues.priority), desc(issues.updatedAt), desc(issues.id))
      .limit(limit)
      .offset(offset);
  }

  private countQueryOf(filter: FilterTerms) {
    return this.db.select({ n: count() }).from(issues).where(this.where(filter));
  }

  /** The total of a scope that is a set of statuses (open, closed, all), added up from the per-status counters (see `count`). */
  private countersQuery(filter: FilterTerms) {
    const statuses = STATUSES_OF_SCOPE[filter.scope];
    const teams =
      filter.teamIds !== undefined
        ? inArray(issueStatusCounts.programTeamId, filter.teamIds)
        : inArray(issueStatusCounts.programTeamId, this.db.select({ id: programTeams.id }).from(programTeams).where(eq(programTeams.workspaceId, filter.workspaceId)));
    return this.db
      .select({ n: sql<number | null>`sum(${issueStatusCounts.count})` })
      .from(issueStatusCounts)
      .where(and(teams, statuses === undefined || statuses === 'every' ? undefined : inArray(issueStatusCounts.status, [...statuses])));
  }

  /** A list shape's queries (scope × number of teams), with placeholders for every value. */
  private prepareList(scope: ListScope, teamCount: number | undefined) {
    const terms: FilterTerms = {
      workspaceId: sql.placeholder('workspaceId'),
      teamIds: teamCount === undefined ? undefined : Array.from({ length: teamCount }, (_, i) => sql.placeholder(`team${i}`)),
      scope,
      userId: sql.placeholder('userId'),
      today: sql.placeholder('today'),
    };
    const list = this.listQueryOf(terms, sql.placeholder('offset'), sql.placeholder('limit')).prepare();
    let count: (params: Record<string, unknown>) => Promise<number>;
    if (STATUSES_OF_SCOPE[scope] === undefined) {
      const query = this.countQueryOf(terms).prepare();
      count = async (params) => issuesCounted(await query.get(params));
    } else {
      const query = this.countersQuery(terms).prepare();
      count = async (params) => countersAdded(await query.get(params));
    }
    return { list, count };
  }

  /** The queries of this filter's shape, prepared on first use; undefined past the cap (then built per call). */
  private preparedList(filter: IssueFilter): ReturnType<IssueRepository['prepareList']> | undefined {
    const key = `${filter.scope}:${filter.teamIds?.length ?? 'workspace'}`;
    let prepared = this.preparedLists.get(key);
    if (prepared === undefined && this.preparedLists.size < MAX_PREPARED_LISTS) {
      prepared = this.prepareList(filter.scope, filter.teamIds?.length);
      this.preparedLists.set(key, prepared);
    }
    return prepared;
  }

  private where(filter: FilterTerms): SQL | undefined {
    // Team ids belong to one workspace, so with them the workspace test is redundant, and leaving
    // it out lets counts be answered from the index alone (no row reads: 60 ms → 1 ms at 100× data).
    const conditions: Array<SQL | undefined> =
      filter.teamIds !== undefined ? [inArray(issues.programTeamId, filter.teamIds)] : [eq(issues.workspaceId, filter.workspaceId)];
    switch (filter.scope) {
      case 'open':
        conditions.push(inArray(issues.status, [...OPEN_STATUSES]));
        break;
      case 'closed':
        conditions.push(inArray(issues.status, [...CLOSED_STATUSES]));
        break;
      case 'all':
        break;
      case 'mine':
        conditions.push(inArray(issues.status, [...OPEN_STATUSES]), eq(issues.ownerId, filter.userId));
        break;
      case 'overdue':
        conditions.push(inArray(issues.status, [...OPEN_STATUSES]), isNotNull(issues.dueDate), lt(issues.dueDate, filter.today));
        break;
    }
    return and(...conditions);
  }
}
