import type Database from 'better-sqlite3';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { organisations, people, programTeams, teamMembers } from '../../db/schema.js';
import { CLOSED_STATUSES, OPEN_STATUSES, STATUSES, statusSqlList } from '../issue/model.js';

/*
 * Read-only queries the digest needs. The issue, meeting and vote features own these tables; the
 * digest only reads them, so it stays correct whatever those features' services look like, as long
 * as the stored values keep their meaning (the vocabulary is src/features/issue/model.ts: STATUSES, CLOSED_STATUSES).
 */

/** Every status an issue can have, as stored in `issues.status`. */

export interface DigestTeam {
  id: number;
  key: string;
  name: string;
  createdAt: number;
}

/** An issue as a digest lists it. */
export interface IssueRow {
  id: number;
  number: number;
  title: string;
  status: string;
  ownerId: string | null;
  dueDate: string | null;
  priority: number | null;
}

export interface StatusChangeRow {
  issueId: number;
  fromValue: string;
  toValue: string;
  createdAt: number;
  id: number;
}

/** What `statusesAt` needs of an issue. */
export interface IssueState {
  id: number;
  status: string;
  createdAt: number;
}

export interface MeetingRow {
  id: number;
  number: number;
  title: string;
  startsAt: number;
  going: number;
  maybe: number;
  declined: number;
}

export interface OpenVoteRow {
  id: number;
  number: number;
  question: string;
  closesAt: number | null;
  eligibility: string;
  /** Everyone-in-the-channel votes: the channel's members at the vote's last count. */
  electorateSize: number | null;
  ballots: number;
}

export interface ClosedVoteRow {
  id: number;
  number: number;
  question: string;
  method: string;
  closedAt: number;
  resultJson: string | null;
  options: Array<{ id: number; label: string; position: number }>;
  ballots: Array<{ choicesJson: string }>;
}

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
export function listTeams(db: Db, workspaceId: string): DigestTeam[] {
  return db
    .select({ id: programTeams.id, key: programTeams.key, name: programTeams.name, createdAt: programTeams.createdAt })
    .from(programTeams)
    .where(eq(programTeams.workspaceId, workspaceId))
    .orderBy(asc(programTeams.key))
    .all();
}

export function teamByKey(db: Db, workspaceId: string, key: string): DigestTeam | undefined {
  return listTeams(db, workspaceId).find((t) => t.key === key.toUpperCase());
}


/*
 * The digest's queries cost what the digest shows, not the team's history: counts come from
 * indexes (see the digest indexes in src/db/schema.ts), lists are read with LIMIT plus a count for
 * "…and N more", and only status changes since the period's start are read. Raw SQL through
 * better-sqlite3, because the partial indexes are used only when a query repeats their literal
 * condition (a bound parameter would not match).
 */

/** An open issue is one not closed; this text must equal the partial indexes' condition. */
const NOT_CLOSED = `status not in ${statusSqlList(CLOSED_STATUSES)}`;
const STATUS_LIST = statusSqlList(STATUSES.map((s) => s.id));
const CLOSED_LIST = statusSqlList(CLOSED_STATUSES);
const ISSUE_COLUMNS = 'id, number, title, status, owner_id as ownerId, due_date as dueDate, priority';

type Params = Record<string, string | number | null>;
const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement, kept per connection: the digest runs the same few for every team. */
function prepared(db: Db, text: string): Database.Statement {
  let cache = statements.get(db.$client);
  if (cache === undefined) {
    cache = new Map();
    statements.set(db.$client, cache);
  }
  let statement = cache.get(text);
  if (statement === undefined) {
    statement = db.$client.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

const all = <T>(db: Db, text: string, params: Params): T[] => prepared(db, text).all(params) as T[];
const countOf = (db: Db, text: string, params: Params): number => (prepared(db, text).get(params) as { n: number | null } | undefined)?.n ?? 0;

const OVERDUE = `${NOT_CLOSED} and due_date is not null and due_date < @today`;
const UNOWNED = `${NOT_CLOSED} and owner_id is null`;
/**
 * The planner's statistics average rows per owner, so it takes `owner_id is null` for a handful of
 * rows and would skip-scan issues_owner over every unowned issue of the workspace: name the index.
 */
const from = (where: string): string => (where === UNOWNED ? 'issues indexed by issues_open_unowned' : 'issues');
const RANKED = `${NOT_CLOSED} and priority is not null`;
const CREATED_IN = 'created_at >= @start and created_at < @end';
const CLOSED_IN = `closed_at >= @start and closed_at < @end and status in ${CLOSED_LIST}`;

/** The issues of a team matching `where`, in `order`: the first `limit`, and how many match. */
function listIssues(db: Db, where: string, order: string, params: Params, limit: number): Listed<IssueRow> {
  const total = countOf(db, `select count(*) as n from ${from(where)} where program_team_id = @team and ${where}`, params);
  const items = total === 0 || limit === 0 ? [] : all<IssueRow>(db, `select ${ISSUE_COLUMNS} from ${from(where)} where program_team_id = @team and ${where} order by ${order} limit @limit`, { ...params, limit });
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
 * statement (the roll-up). A status change is any event moving an issue between two statuses, whatever
 * the issue feature calls its kind ('status', 'resolved', 'reopened' …); owner or category changes
 * never carry two statuses. Events carry their issue's team, so issue_events_team_since (covering)
 * gives a team's events since `since` in (created_at, id) order, and only those: neither the team's
 * history before `since` nor other teams' events are read. Each change's issue is then read by id for
 * its current status and creation time.
 */
export function statusChangesSince(db: Db, scope: { team: number } | { workspace: string }, since: number): Map<number, StatusChanges> {
  // For the roll-up, one index range per team of the workspace, team by team: each team's changes
  // still come in (created_at, id) order, which is all the grouping below needs.
  const teams = 'team' in scope ? 'e.program_team_id = @team' : 'e.program_team_id in (select id from program_teams where team_id = @workspace)';
  const rows = all<StatusChangeRow & { teamId: number; status: string; issueCreatedAt: number }>(
    db,
    `select e.issue_id as issueId, e.from_value as fromValue, e.to_value as toValue, e.created_at as createdAt, e.id as id,
            e.program_team_id as teamId, i.status as status, i.created_at as issueCreatedAt
       from issue_events e indexed by issue_events_team_since cross join issues i
      where ${teams} and e.created_at >= @since and i.id = e.issue_id
        and e.from_value in ${STATUS_LIST} and e.to_value in ${STATUS_LIST}
      order by e.program_team_id, e.created_at, e.id`,
    { ...scope, since },
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
export function teamFigures(db: Db, teamId: number, period: Window, previous: Window, today: string, changes?: StatusChanges): TeamFigures {
  const team = { team: teamId };
  const currentAtStart: StatusCounts = { open: 0, in_progress: 0, blocked: 0 };
  const currentAtEnd: StatusCounts = { open: 0, in_progress: 0, blocked: 0 };
  const byStatus = all<{ status: keyof StatusCounts; atStart: number; atEnd: number }>(
    db,
    `select status, sum(created_at < @start) as atStart, sum(created_at < @end) as atEnd
       from issues where program_team_id = @team and status in ${statusSqlList(OPEN_STATUSES)} group by status`,
    { ...team, start: period.start, end: period.end },
  );
  for (const row of byStatus) {
    currentAtStart[row.status] = row.atStart;
    currentAtEnd[row.status] = row.atEnd;
  }
  const { changedIssues, statusChanges } = changes ?? statusChangesSince(db, { team: teamId }, Math.min(period.start, period.end)).get(teamId) ?? NO_CHANGES;
  const flows = (where: string) => {
    const p = { ...team, start: period.start, end: period.end };
    const q = { ...team, start: previous.start, end: previous.end };
    const text = `select count(*) as n from issues where program_team_id = @team and ${where}`;
    return { now: countOf(db, text, p), before: countOf(db, text, q) };
  };
  const opened = flows(CREATED_IN);
  const closed = flows(CLOSED_IN);
  const count = (where: string) => countOf(db, `select count(*) as n from ${from(where)} where program_team_id = @team and ${where}`, { ...team, today });
  return {
    currentAtStart,
    currentAtEnd,
    changedIssues,
    statusChanges,
    openedNow: opened.now,
    openedBefore: opened.before,
    closedNow: closed.now,
    closedBefore: closed.before,
    overdue: count(OVERDUE),
    blocked: count("status = 'blocked'"),
    unowned: count(UNOWNED),
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
export function teamLists(db: Db, teamId: number, w: ListWindow): TeamLists {
  const team = { team: teamId };
  const inPeriod = { ...team, start: w.period.start, end: w.period.end };
  return {
    opened: listIssues(db, CREATED_IN, 'number', inPeriod, w.limit),
    closed: listIssues(db, CLOSED_IN, 'closed_at, number', inPeriod, w.limit),
    overdue: listIssues(db, OVERDUE, 'due_date, number', { ...team, today: w.today }, w.limit),
    blocked: listIssues(db, "status = 'blocked'", 'number', team, w.limit),
    unowned: listIssues(db, UNOWNED, 'number', team, w.limit),
    priorities: listIssues(db, RANKED, 'priority, number', team, w.limit),
    meetings: upcomingMeetings(db, teamId, w.meetingsFrom, w.meetingsUntil, w.limit),
    openVotes: openVotes(db, teamId, w.limit),
    closedVotes: closedVotes(db, teamId, w.period, w.limit),
  };
}

const UPCOMING = `program_team_id = @team and status = 'scheduled' and starts_at >= @from and starts_at < @until`;

function upcomingMeetings(db: Db, teamId: number, from: number, until: number, limit: number): Listed<MeetingRow> {
  const params = { team: teamId, from, until };
  const total = countOf(db, `select count(*) as n from meetings where ${UPCOMING}`, params);
  if (total === 0) return { items: [], total };
  const rows = all<Omit<MeetingRow, 'going' | 'maybe' | 'declined'>>(
    db,
    `select id, number, title, starts_at as startsAt from meetings where ${UPCOMING} order by starts_at, id limit @limit`,
    { ...params, limit },
  );
  // RSVPs only for the meetings shown.
  const items = rows.map((m) => {
    const answers = all<{ answer: string; n: number }>(db, 'select answer, count(*) as n from meeting_rsvps where meeting_id = @meeting group by answer', { meeting: m.id });
    const of = (answer: string) => answers.find((a) => a.answer === answer)?.n ?? 0;
    return { ...m, going: of('going'), maybe: of('maybe'), declined: of('declined') };
  });
  return { items, total };
}

/** The earliest upcoming meeting's start, for the roll-up. */
export function nextMeetingAt(db: Db, teamId: number, from: number, until: number): number | null {
  return (prepared(db, `select min(starts_at) as at from meetings where ${UPCOMING}`).get({ team: teamId, from, until }) as { at: number | null } | undefined)?.at ?? null;
}

const OPEN_VOTES = "program_team_id = @team and status = 'open'";
const OPEN_VOTE_ORDER = 'closes_at is null, closes_at, number';
const ballotCount = (db: Db, voteId: number): number => countOf(db, 'select count(*) as n from ballots where vote_id = @vote', { vote: voteId });

function openVotes(db: Db, teamId: number, limit: number): Listed<OpenVoteRow> {
  const total = countOf(db, `select count(*) as n from votes where ${OPEN_VOTES}`, { team: teamId });
  if (total === 0) return { items: [], total };
  const rows = all<Omit<OpenVoteRow, 'ballots'>>(
    db,
    `select id, number, question, closes_at as closesAt, eligibility, electorate_size as electorateSize from votes where ${OPEN_VOTES} order by ${OPEN_VOTE_ORDER} limit @limit`,
    { team: teamId, limit },
  );
  // Turnout only for the votes shown.
  return { items: rows.map((v) => ({ ...v, ballots: ballotCount(db, v.id) })), total };
}

/**
 * Open votes whose turnout is below `share` of their electorate, in the digest's order, at most
 * `max` of them: ballots are counted vote by vote only until that many are found.
 */
export function lowTurnoutVotes(db: Db, teamId: number, electorate: (vote: Pick<OpenVoteRow, 'eligibility' | 'electorateSize'>) => number | null, share: number, max: number): OpenVoteRow[] {
  const found: OpenVoteRow[] = [];
  if (max <= 0) return found;
  const rows = all<Omit<OpenVoteRow, 'ballots'>>(
    db,
    `select id, number, question, closes_at as closesAt, eligibility, electorate_size as electorateSize from votes where ${OPEN_VOTES} order by ${OPEN_VOTE_ORDER}`,
    { team: teamId },
  );
  for (const v of rows) {
    const eligible = electorate(v);
    if (eligible === null || eligible === 0) continue;
    const ballots = ballotCount(db, v.id);
    if (ballots / eligible < share) found.push({ ...v, ballots });
    if (found.length >= max) break;
  }
  return found;
}

function closedVotes(db: Db, teamId: number, period: Window, limit: number): Listed<ClosedVoteRow> {
  const where = "program_team_id = @team and status = 'closed' and closed_at >= @start and closed_at < @end";
  const params = { team: teamId, start: period.start, end: period.end };
  const total = countOf(db, `select count(*) as n from votes where ${where}`, params);
  if (total === 0) return { items: [], total };
  const rows = all<Omit<ClosedVoteRow, 'options' | 'ballots'>>(
    db,
    `select id, number, question, method, closed_at as closedAt, result_json as resultJson from votes where ${where} order by closed_at, number limit @limit`,
    { ...params, limit },
  );
  // Options and, when no result is stored to read the winner from, ballots: only for the votes shown.
  const items = rows.map((v) => ({
    ...v,
    options: all<{ id: number; label: string; position: number }>(db, 'select id, label, position from vote_options where vote_id = @vote order by position', { vote: v.id }),
    ballots: v.resultJson === null ? all<{ choicesJson: string }>(db, 'select choices_json as choicesJson from ballots where vote_id = @vote', { vote: v.id }) : [],
  }));
  return { items, total };
}

/** Who can vote in a team's votes: its members, and the organisations they belong to. */
export function teamElectorate(db: Db, teamId: number): Electorate {
  const memberCount = db.select({ n: count() }).from(teamMembers).where(eq(teamMembers.programTeamId, teamId)).get()?.n ?? 0;
  const organisationCount =
    db
      .select({ n: sql<number>`count(distinct ${organisations.id})` })
      .from(teamMembers)
      .innerJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(teamMembers.programTeamId, teamId))
      .get()?.n ?? 0;
  return { memberCount, organisationCount };
}
