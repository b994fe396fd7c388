import { and, asc, count, desc, eq, inArray, isNotNull, lt, max, sql, type SQL } from 'drizzle-orm';
import type { Storage } from '../../db/storage.js';
import { goalIssues, goals, issueEvents, issues, issueStatusCounts, programTeams } from '../../db/schema.js';
import { CLOSED_STATUSES, OPEN_STATUSES, type ListScope } from './model.js';

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

/**
 * Issues and their history. Wraps drizzle; the rules live in the service.
 *
 * `/issue show` and `/issue list` run on every such command. Their queries are built per call, but
 * always with the same SQL text for the same shape (values are parameters, never spliced in: a list
 * differs only by scope, number of teams and whether it is the first page), so the SQLite engine's
 * statement cache compiles each shape once and PostgreSQL sees a handful of distinct statements.
 */
export class IssueRepository {
  constructor(private readonly db: Storage) {}

  /** One issue as cards and `/issue show` render it: with the goals it is linked to. */
  private async withGoals(issue: Issue): Promise<Issue> {
    const linked = await this.db
      .select({ number: goals.number, name: goals.name })
      .from(goalIssues)
      .innerJoin(goals, eq(goals.id, goalIssues.goalId))
      .where(eq(goalIssues.issueId, issue.id))
      .orderBy(asc(goals.number))
      .all();
    return { ...issue, goals: linked };
  }

  /**
   * Call inside a transaction: the next number is read and used in it, so keys stay unique and
   * gap-free (SQLite: one writer; PostgreSQL: SERIALIZABLE re-runs the loser). The unique
   * (team, number) index guards any race left.
   */
  async insert(issue: NewIssue): Promise<IssueRow> {
    const next = await this.db
      .select({ n: max(issues.number) })
      .from(issues)
      .where(eq(issues.programTeamId, issue.programTeamId))
      .get();
    const number = (next?.n ?? 0) + 1;
    const row = await this.db
      .insert(issues)
      .values({ ...issue, number, status: 'open', updatedAt: issue.createdAt })
      .returning()
      .get();
    if (row === undefined) throw new Error(`Inserting issue ${number} of team ${issue.programTeamId} returned no row`);
    return row;
  }

  async update(id: number, patch: IssuePatch): Promise<void> {
    await this.db.update(issues).set(patch).where(eq(issues.id, id)).run();
  }

  /** Returns the new event's id (status changes key their thread reply by it). */
  async addEvent(event: NewIssueEvent): Promise<number> {
    const row = await this.db.insert(issueEvents).values(event).returning({ id: issueEvents.id }).get();
    if (row === undefined) throw new Error(`Inserting a ${event.kind} event of issue ${event.issueId} returned no row`);
    return row.id;
  }

  /** Where the announcement was posted; written by the outbox follow-up after chat.postMessage. */
  async setAnnouncement(id: number, channelId: string, ts: string): Promise<void> {
    await this.db.update(issues).set({ announcementChannelId: channelId, announcementTs: ts }).where(eq(issues.id, id)).run();
  }

  async commentCount(issueId: number): Promise<number> {
    const row = await this.db.select({ n: count() }).from(issueEvents).where(and(eq(issueEvents.issueId, issueId), eq(issueEvents.kind, 'comment'))).get();
    return row?.n ?? 0;
  }

  async statusEvents(issueId: number): Promise<IssueEventRow[]> {
    return await this.db.select().from(issueEvents).where(and(eq(issueEvents.issueId, issueId), eq(issueEvents.kind, 'status'))).orderBy(asc(issueEvents.id)).all();
  }

  async byKey(workspaceId: string, teamKey: string, number: number): Promise<Issue | undefined> {
    const row = await this.db
      .select(withTeam)
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(and(eq(issues.workspaceId, workspaceId), eq(programTeams.key, teamKey.toUpperCase()), eq(issues.number, number)))
      .get();
    return row === undefined ? undefined : await this.withGoals(flatten(row));
  }

  async byId(workspaceId: string, id: number): Promise<Issue | undefined> {
    const row = await this.db
      .select(withTeam)
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(and(eq(issues.workspaceId, workspaceId), eq(issues.id, id)))
      .get();
    return row === undefined ? undefined : await this.withGoals(flatten(row));
  }

  /** By id alone: for outbox follow-ups, which know the id they queued and nothing else. */
  async get(id: number): Promise<Issue | undefined> {
    const row = await this.db.select(withTeam).from(issues).innerJoin(programTeams, eq(programTeams.id, issues.programTeamId)).where(eq(issues.id, id)).get();
    return row === undefined ? undefined : await this.withGoals(flatten(row));
  }

  async events(issueId: number): Promise<IssueEventRow[]> {
    return await this.db.select().from(issueEvents).where(eq(issueEvents.issueId, issueId)).orderBy(asc(issueEvents.createdAt), asc(issueEvents.id)).all();
  }

  /**
   * One page of a list: issues a priority vote ranked come first (1 = top), then the newest
   * activity. `id` breaks ties so pages never overlap or skip.
   */
  async list(filter: IssueFilter, offset: number, limit: number): Promise<Issue[]> {
    return (await this.listQuery(filter, offset, limit).all()).map(flatten);
  }

  /**
   * How many issues the list has. Scopes that are sets of statuses (open, closed, all) add up the
   * per-status counters the triggers keep in the same transaction as every issue change, so the
   * total costs a handful of rows however many issues there are; `mine` and `overdue` depend on
   * owner and date, and are counted from their index.
   */
  async count(filter: IssueFilter): Promise<number> {
    const statuses = STATUSES_OF_SCOPE[filter.scope];
    if (statuses === undefined) return (await this.countQuery(filter).get())?.n ?? 0;
    const teams =
      filter.teamIds !== undefined
        ? inArray(issueStatusCounts.programTeamId, filter.teamIds)
        : inArray(issueStatusCounts.programTeamId, this.db.select({ id: programTeams.id }).from(programTeams).where(eq(programTeams.workspaceId, filter.workspaceId)));
    const row = await this.db
      .select({ n: sql<number | null>`sum(${issueStatusCounts.count})` })
      .from(issueStatusCounts)
      .where(and(teams, statuses === 'every' ? undefined : inArray(issueStatusCounts.status, [...statuses])))
      .get();
    return Number(row?.n ?? 0);
  }

  /** `list`'s statement; its SQL text depends only on the scope, the number of teams and whether offset is 0 (values are parameters). */
  listQuery(filter: IssueFilter, offset: number, limit: number) {
    return this.db
      .select(withTeam)
      .from(issues)
      .innerJoin(programTeams, eq(programTeams.id, issues.programTeamId))
      .where(this.where(filter))
      .orderBy(sql`${issues.priority} is null`, asc(issues.priority), desc(issues.updatedAt), desc(issues.id))
      .limit(limit)
      .offset(offset);
  }

  /** `count`'s statement; like `listQuery`, one SQL text per scope and number of teams. */
  countQuery(filter: IssueFilter) {
    return this.db.select({ n: count() }).from(issues).where(this.where(filter));
  }

  private where(filter: IssueFilter): SQL | undefined {
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
