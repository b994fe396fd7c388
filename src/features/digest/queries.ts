import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import { indexedBy } from '../../db/portable.js';
import type { Storage } from '../../db/storage.js';
import { organisations, people, programTeams, teamMembers } from '../../db/schema.js';
import { CLOSED_STATUSES, OPEN_STATUSES, STATUSES, statusSqlList } from '../issue/model.js';

/*
 * Read-only queries the digest needs. The issue, meeting and vote features own these tables; the
 * digest only reads them, so it stays correct whatever those features' services look like, as long
 * as the stored values keep their meaning (the vocabulary is src/features/issue/model.ts: STATUSES, CLOSED_STATUSES).
 */

export interface DigestTeam {
  id: number;
  key: string;
  name: string;
  createdAt: number;
}

/** An issue as a digest lists it. (Row shapes are type aliases, not interfaces: `db.rows<T>` needs them indexable.) */
export type IssueRow = {
  id: number;
  number: number;
  title: string;
  status: string;
  ownerId: string | null;
  dueDate: string | null;
  priority: number | null;
};

export type StatusChangeRow = {
  issueId: number;
  fromValue: string;
  toValue: string;
  createdAt: number;
  id: number;
};

/** What `statusesAt` needs of an issue. */
export interface IssueState {
  id: number;
  status: string;
  createdAt: number;
}

export type MeetingRow = {
  id: number;
  number: number;
  title: string;
  startsAt: number;
  going: number;
  maybe: number;
  declined: number;
};

export type OpenVoteRow = {
  id: number;
  number: number;
  question: string;
  closesAt: number | null;
  eligibility: string;
  /** Everyone-in-the-channel votes: the channel's members at the vote's last count. */
  electorateSize: number | null;
  ballots: number;
};

export type ClosedVoteRow = {
  id: number;
  number: number;
  question: string;
  method: string;
  closedAt: number;
  resultJson: string | null;
  options: Array<{ id: number; label: string; position: number }>;
  ballots: Array<{ choicesJson: string }>;
};

/** The first `items` of a list, and how many there are in all (for "…and N more"). */
export interface Listed<T> {
  items: T[];
  total: number;
}

export interface Window {
  start: number;
  end: number;
}

/** Status counts (open, in progress, blocked) of the issues that existed at an instant, as they stand now. */
export type StatusCounts = Record<'open' | 'in_progress' | 'blocked', number>;

/** Everything a digest counts, for one team; the same for its own digest and its roll-up line. */
export interface TeamFigures {
  /** Issues created before the period's start / end, by their current status. */
  currentAtStart: StatusCounts;
  currentAtEnd: StatusCounts;
  /** Issues whose status changed since the period's start, with those changes (oldest first). */
  changedIssues: IssueState[];
  statusChanges: StatusChangeRow[];
  openedNow: number;
  openedBefore: number;
  closedNow: number;
  closedBefore: number;
  overdue: number;
  blocked: number;
  unowned: number;
}

/** The lists one team's digest shows, each cut to `limit` with its total. */
export interface TeamLists {
  opened: Listed<IssueRow>;
  closed: Listed<IssueRow>;
  overdue: Listed<IssueRow>;
  blocked: Listed<IssueRow>;
  unowned: Listed<IssueRow>;
  priorities: Listed<IssueRow>;
  meetings: Listed<MeetingRow>;
  openVotes: Listed<OpenVoteRow>;
  closedVotes: Listed<ClosedVoteRow>;
}

export interface Electorate {
  memberCount: number;
  organisationCount: number;
}
export async function listTeams(db: Storage, workspaceId: string): Promise<DigestTeam[]> {
  return await db
    .select({ id: programTeams.id, key: programTeams.key, name: programTeams.name, createdAt: programTeams.createdAt })
    .from(programTeams)
    .where(eq(programTeams.workspaceId, workspaceId))
    .orderBy(asc(programTeams.key))
    .all();
}

export async function teamByKey(db: Storage, workspaceId: string, key: string): Promise<DigestTeam | undefined> {
  return (await listTeams(db, workspaceId)).find((t) => t.key === key.toUpperCase());
}


/*
 * The digest's queries cost what the digest shows, not the team's history: counts come from
 * indexes (see the digest indexes in src/db/schema.ts), lists are read with LIMIT plus a count for
 * "…and N more", and only status changes since the period's start are read. Hand-written SQL,
 * because the partial indexes are used only when a query repeats their literal condition (a bound
 * parameter would not match): the status lists are written into the text, everything else is a
 * parameter.
 */

/** An open issue is one not closed; this text must equal the partial indexes' condition. */
const NOT_CLOSED = sql.raw(`status not in ${statusSqlList(CLOSED_STATUSES)}`);
const STATUS_LIST = sql.raw(statusSqlList(STATUSES.map((s) => s.id)));
const CLOSED_LIST = sql.raw(statusSqlList(CLOSED_STATUSES));
const OPEN_LIST = sql.raw(statusSqlList(OPEN_STATUSES));
const ISSUE_COLUMNS = sql.raw('id, number, title, status, owner_id as "ownerId", due_date as "dueDate", priority');

/** Which issues of a team a count or list is about. */
interface IssueFilter {
  where: SQL;
  /**
   * The index SQLite must be told to use. The planner's statistics average rows per owner, so it
   * takes `owner_id is null` for a handful of rows and would skip-scan issues_owner over every
   * unowned issue of the workspace: the unowned filter names its index.
   */
  index?: string;
}

const overdueOn = (today: string): IssueFilter => ({ where: sql`${NOT_CLOSED} and due_date is not null and due_date < ${today}` });
const UNOWNED: IssueFilter = { where: sql`${NOT_CLOSED} and owner_id is null`, index: 'issues_open_unowned' };
const BLOCKED: IssueFilter = { where: sql`status = 'blocked'` };
const RANKED: IssueFilter = { where: sql`${NOT_CLOSED} and priority is not null` };
const createdIn = (w: Window): IssueFilter => ({ where: sql`created_at >= ${w.start} and created_at < ${w.end}` });
const closedIn = (w: Window): IssueFilter => ({ where: sql`closed_at >= ${w.start} and closed_at < ${w.end} and status in ${CLOSED_LIST}` });

const issuesOf = (db: Storage, teamId: number, filter: IssueFilter): SQL =>
  sql`from issues${filter.index === undefined ? sql.empty() : indexedBy(db.engine, filter.index)} where program_team_id = ${teamId} and ${filter.where}`;

/** The `n` of a `select count(*) as n …` (or any single-row `n`). */
async function countOf(db: Storage, query: SQL): Promise<number> {
  const [row] = await db.rows<{ n: number | null }>(query);
  return row?.n ?? 0;
}

/** The issues of a team matching `filter`, in `order`: the first `limit`, and how many match. */
async function listIssues(db: Storage, teamId: number, filter: IssueFilter, order: string, limit: number): Promise<Listed<IssueRow>> {
  const total = await countOf(db, sql`select count(*) as n ${issuesOf(db, teamId, filter)}`);
  const items =
    total === 0 || limit === 0 ? [] : await db.rows<IssueRow>(sql`select ${ISSUE_COLUMNS} ${issuesOf(db, teamId, filter)} order by ${sql.raw(order)} limit ${limit}`);
  return { items, total };
}

/** Issues whose status changed since an instant, and those changes (oldest first). */
export interface StatusChanges {
  changedIssues: IssueState[];
  statusChanges: StatusChangeRow[];
}

const NO_CHANGES: StatusChanges = { changedIssues: [], statusChanges: [] };

/**
 * Status changes at or after `since`, by team: of one team, or of every team of a workspace in one
 * statement (the roll-up). A status change is an event of kind 'status' (the issue feature's only
 * kind for one, as in the reports): other kinds may carry two status names too, a title renamed
 * from "open" to "blocked" for one, and are not changes of status. Events carry their issue's team, so issue_events_team_since (covering)
 * gives a team's events since `since` in (created_at, id) order, and only those: neither the team's
 * history before `since` nor other teams' events are read. Each change's issue is then read by id for
 * its current status and creation time.
 */
export async function statusChangesSince(db: Storage, scope: { team: number } | { workspace: string }, since: number): Promise<Map<number, StatusChanges>> {
  // For the roll-up, one index range per team of the workspace, team by team: each team's changes
  // still come in (created_at, id) order, which is all the grouping below needs.
  const teams = 'team' in scope ? sql`e.program_team_id = ${scope.team}` : sql`e.program_team_id in (select id from program_teams where team_id = ${scope.workspace})`;
  const rows = await db.rows<StatusChangeRow & { teamId: number; status: string; issueCreatedAt: number }>(
    sql`select e.issue_id as "issueId", e.from_value as "fromValue", e.to_value as "toValue", e.created_at as "createdAt", e.id as id,
            e.program_team_id as "teamId", i.status as status, i.created_at as "issueCreatedAt"
       from issue_events e${indexedBy(db.engine, 'issue_events_team_since')} cross join issues i
      where ${teams} and e.created_at >= ${since} and i.id = e.issue_id
        and e.kind = 'status' and e.from_value in ${STATUS_LIST} and e.to_value in ${STATUS_LIST}
      order by e.program_team_id, e.created_at, e.id`,
  );
  const byTeam = new Map<number, { issues: Map<number, IssueState>; changes: StatusChangeRow[] }>();
  for (const r of rows) {
    let team = byTeam.get(r.teamId);
    if (team === undefined) {
      team = { issues: new Map(), changes: [] };
      byTeam.set(r.teamId, team);
    }
    team.issues.set(r.issueId, { id: r.issueId, status: r.status, createdAt: r.issueCreatedAt });
    team.changes.push({ issueId: r.issueId, fromValue: r.fromValue, toValue: r.toValue, createdAt: r.createdAt, id: r.id });
  }
  return new Map([...byTeam].map(([teamId, t]) => [teamId, { changedIssues: [...t.issues.values()], statusChanges: t.changes }]));
}

/**
 * The counts behind one team's digest and its roll-up line. `today` is the local date at the
 * period's end; `changes` are the team's status changes since the period's start when already read.
 */
export async function teamFigures(db: Storage, teamId: number, period: Window, previous: Window, today: string, changes?: StatusChanges): Promise<TeamFigures> {
  const currentAtStart: StatusCounts = { open: 0, in_progress: 0, blocked: 0 };
  const currentAtEnd: StatusCounts = { open: 0, in_progress: 0, blocked: 0 };
  const byStatus = await db.rows<{ status: keyof StatusCounts; atStart: number; atEnd: number }>(
    sql`select status, sum(case when created_at < ${period.start} then 1 else 0 end) as "atStart", sum(case when created_at < ${period.end} then 1 else 0 end) as "atEnd"
       from issues where program_team_id = ${teamId} and status in ${OPEN_LIST} group by status`,
  );
  for (const row of byStatus) {
    currentAtStart[row.status] = row.atStart;
    currentAtEnd[row.status] = row.atEnd;
  }
  const { changedIssues, statusChanges } = changes ?? (await statusChangesSince(db, { team: teamId }, Math.min(period.start, period.end))).get(teamId) ?? NO_CHANGES;
  const count = (filter: IssueFilter): Promise<number> => countOf(db, sql`select count(*) as n ${issuesOf(db, teamId, filter)}`);
  return {
    currentAtStart,
    currentAtEnd,
    changedIssues,
    statusChanges,
    openedNow: await count(createdIn(period)),
    openedBefore: await count(createdIn(previous)),
    closedNow: await count(closedIn(period)),
    closedBefore: await count(closedIn(previous)),
    overdue: await count(overdueOn(today)),
    blocked: await count(BLOCKED),
    unowned: await count(UNOWNED),
  };
}

export interface ListWindow {
  period: Window;
  today: string;
  /** Meetings starting in [from, until) are "upcoming". */
  meetingsFrom: number;
  meetingsUntil: number;
  /** How many items of each list are read. */
  limit: number;
}

/** The lists of one team's digest: the first `limit` of each, with totals. */
export async function teamLists(db: Storage, teamId: number, w: ListWindow): Promise<TeamLists> {
  return {
    opened: await listIssues(db, teamId, createdIn(w.period), 'number', w.limit),
    closed: await listIssues(db, teamId, closedIn(w.period), 'closed_at, number', w.limit),
    overdue: await listIssues(db, teamId, overdueOn(w.today), 'due_date, number', w.limit),
    blocked: await listIssues(db, teamId, BLOCKED, 'number', w.limit),
    unowned: await listIssues(db, teamId, UNOWNED, 'number', w.limit),
    priorities: await listIssues(db, teamId, RANKED, 'priority, number', w.limit),
    meetings: await upcomingMeetings(db, teamId, w.meetingsFrom, w.meetingsUntil, w.limit),
    openVotes: await openVotes(db, teamId, w.limit),
    closedVotes: await closedVotes(db, teamId, w.period, w.limit),
  };
}

const upcoming = (teamId: number, from: number, until: number): SQL =>
  sql`program_team_id = ${teamId} and status = 'scheduled' and starts_at >= ${from} and starts_at < ${until}`;

async function upcomingMeetings(db: Storage, teamId: number, from: number, until: number, limit: number): Promise<Listed<MeetingRow>> {
  const where = upcoming(teamId, from, until);
  const total = await countOf(db, sql`select count(*) as n from meetings where ${where}`);
  if (total === 0) return { items: [], total };
  const rows = await db.rows<Omit<MeetingRow, 'going' | 'maybe' | 'declined'>>(
    sql`select id, number, title, starts_at as "startsAt" from meetings where ${where} order by starts_at, id limit ${limit}`,
  );
  // RSVPs only for the meetings shown.
  const items: MeetingRow[] = [];
  for (const m of rows) {
    const answers = await db.rows<{ answer: string; n: number }>(sql`select answer, count(*) as n from meeting_rsvps where meeting_id = ${m.id} group by answer`);
    const of = (answer: string) => answers.find((a) => a.answer === answer)?.n ?? 0;
    items.push({ ...m, going: of('going'), maybe: of('maybe'), declined: of('declined') });
  }
  return { items, total };
}

/** The earliest upcoming meeting's start, for the roll-up. */
export async function nextMeetingAt(db: Storage, teamId: number, from: number, until: number): Promise<number | null> {
  const [row] = await db.rows<{ at: number | null }>(sql`select min(starts_at) as at from meetings where ${upcoming(teamId, from, until)}`);
  return row?.at ?? null;
}

const openVotesOf = (teamId: number): SQL => sql`program_team_id = ${teamId} and status = 'open'`;
const OPEN_VOTE_ORDER = sql.raw('closes_at is null, closes_at, number');
const OPEN_VOTE_COLUMNS = sql.raw('id, number, question, closes_at as "closesAt", eligibility, electorate_size as "electorateSize"');
const ballotCount = (db: Storage, voteId: number): Promise<number> => countOf(db, sql`select count(*) as n from ballots where vote_id = ${voteId}`);

async function openVotes(db: Storage, teamId: number, limit: number): Promise<Listed<OpenVoteRow>> {
  const total = await countOf(db, sql`select count(*) as n from votes where ${openVotesOf(teamId)}`);
  if (total === 0) return { items: [], total };
  const rows = await db.rows<Omit<OpenVoteRow, 'ballots'>>(
    sql`select ${OPEN_VOTE_COLUMNS} from votes where ${openVotesOf(teamId)} order by ${OPEN_VOTE_ORDER} limit ${limit}`,
  );
  // Turnout only for the votes shown.
  const items: OpenVoteRow[] = [];
  for (const v of rows) items.push({ ...v, ballots: await ballotCount(db, v.id) });
  return { items, total };
}

/**
 * Open votes whose turnout is below `share` of their electorate, in the digest's order, at most
 * `max` of them: ballots are counted vote by vote only until that many are found.
 */
export async function lowTurnoutVotes(
  db: Storage,
  teamId: number,
  electorate: (vote: Pick<OpenVoteRow, 'eligibility' | 'electorateSize'>) => number | null,
  share: number,
  max: number,
): Promise<OpenVoteRow[]> {
  const found: OpenVoteRow[] = [];
  if (max <= 0) return found;
  const rows = await db.rows<Omit<OpenVoteRow, 'ballots'>>(sql`select ${OPEN_VOTE_COLUMNS} from votes where ${openVotesOf(teamId)} order by ${OPEN_VOTE_ORDER}`);
  for (const v of rows) {
    const eligible = electorate(v);
    if (eligible === null || eligible === 0) continue;
    const ballots = await ballotCount(db, v.id);
    if (ballots / eligible < share) found.push({ ...v, ballots });
    if (found.length >= max) break;
  }
  return found;
}

async function closedVotes(db: Storage, teamId: number, period: Window, limit: number): Promise<Listed<ClosedVoteRow>> {
  const where = sql`program_team_id = ${teamId} and status = 'closed' and closed_at >= ${period.start} and closed_at < ${period.end}`;
  const total = await countOf(db, sql`select count(*) as n from votes where ${where}`);
  if (total === 0) return { items: [], total };
  const rows = await db.rows<Omit<ClosedVoteRow, 'options' | 'ballots'>>(
    sql`select id, number, question, method, closed_at as "closedAt", result_json as "resultJson" from votes where ${where} order by closed_at, number limit ${limit}`,
  );
  // Options and, when no result is stored to read the winner from, ballots: only for the votes shown.
  const items: ClosedVoteRow[] = [];
  for (const v of rows) {
    items.push({
      ...v,
      options: await db.rows<{ id: number; label: string; position: number }>(sql`select id, label, position from vote_options where vote_id = ${v.id} order by position`),
      ballots: v.resultJson === null ? await db.rows<{ choicesJson: string }>(sql`select choices_json as "choicesJson" from ballots where vote_id = ${v.id}`) : [],
    });
  }
  return { items, total };
}

/** Who can vote in a team's votes: its members, and the organisations they belong to. */
export async function teamElectorate(db: Storage, teamId: number): Promise<Electorate> {
  const memberCount = (await db.select({ n: count() }).from(teamMembers).where(eq(teamMembers.programTeamId, teamId)).get())?.n ?? 0;
  const organisationCount =
    (
      await db
        .select({ n: sql<number>`count(distinct ${organisations.id})` })
        .from(teamMembers)
        .innerJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
        .innerJoin(organisations, eq(organisations.id, people.organisationId))
        .where(eq(teamMembers.programTeamId, teamId))
        .get()
    )?.n ?? 0;
  return { memberCount, organisationCount };
}
