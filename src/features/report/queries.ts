/**
 * What a report reads, page by page. The big tables are read a page at a time: issues, meetings
 * with their RSVPs and decided votes by key, each page after the last key the caller saw (keyset
 * paging, never `offset`), and the status changes and ballots of the page's own issues and votes.
 * So a report over years of data holds one page in memory on either engine, and never holds the
 * connection between pages (SQLite has one: requests run between a report's pages). SQL in the
 * common subset of SQLite and PostgreSQL (src/db/storage.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import { jsonValues } from '../../db/portable.js';
import type { Storage } from '../../db/storage.js';

/**
 * Rows per page. A page is dropped before the next is read, and short-lived rows keep the heap
 * small: fewer of them are still alive when V8 collects young objects, so fewer move to the old
 * generation, which it lets grow before collecting (issue pages of 500 rather than 2,000 gave the
 * 100× quarter's report a peak 10 to 15 MB lower, in the same time). A page of meetings carries
 * each meeting's RSVP counts, and a page of votes their stored results (about 2 KB each).
 */
export interface PageSizes {
  issues: number;
  meetings: number;
  votes: number;
  /** A team's status changes, read into a compact store before its issues (./status-changes.ts). */
  changes: number;
}
export const PAGE_SIZES: PageSizes = { issues: 500, meetings: 250, votes: 250, changes: 4000 };

/** Where a page starts: after this (time, id) key, in (time, id) order. */
export interface PageKey {
  at: number;
  id: number;
}

/** Before the first row of every table (times and ids are positive). */
export const FIRST_PAGE: PageKey = { at: Number.MIN_SAFE_INTEGER, id: 0 };

/** The SQLite page cache while a report reads, in KiB (SQLite's own default size). */
const REPORT_CACHE_KIB = 2000;

/** The statuses an issue moves between (issue_events kind 'status'). */
const STATUSES = sql.raw(`('open', 'in_progress', 'blocked', 'resolved', 'dropped')`);

export interface ReportTeam {
  id: number;
  key: string;
  name: string;
}

export interface IssueReportRow {
  id: number;
  number: number;
  title: string;
  category: string;
  status: string;
  ownerId: string | null;
  reporterId: string;
  dueDate: string | null;
  createdAt: number;
  closedAt: number | null;
}

export interface MeetingReportRow {
  id: number;
  number: number;
  title: string;
  startsAt: number;
  durationMinutes: number;
  status: string;
}

export interface DecidedVoteRow {
  id: number;
  number: number;
  question: string;
  method: string;
  eligibility: string;
  anonymous: number;
  createdAt: number;
  closedAt: number;
  resultJson: string | null;
  /** Everyone-in-the-channel votes: the channel's members when last counted. */
  electorateSize: number | null;
}

export interface VoteOptionRow {
  id: number;
  voteId: number;
  position: number;
  label: string;
}

export interface BallotsByOrganisation {
  voteId: number;
  organisation: string;
  ballots: number;
}

export interface GoalReportRow {
  id: number;
  number: number;
  kind: string;
  name: string;
  unit: string;
  baseline: number | null;
  target: number | null;
  direction: string | null;
  startDate: string;
  targetDate: string;
  status: string;
  ownerId: string;
  createdAt: number;
  closedAt: number | null;
}

export interface GoalReadingRow {
  goalId: number;
  asOf: string;
  value: number;
  note: string;
  recordedBy: string;
}

export class ReportQueries {
  constructor(
    private readonly db: Storage,
    /** Tests pass tiny pages to cross many page boundaries with little data. */
    readonly pages: PageSizes = PAGE_SIZES,
  ) {}

  /**
   * SQLite picks an index by its statistics and guesses wrong on these queries (see each); PostgreSQL
   * has no index hints, and its planner picks the right one from its own statistics.
   */
  private indexedBy(index: string): SQL {
    return this.db.engine === 'sqlite' ? sql.raw(` indexed by ${index}`) : sql.empty();
  }

  /**
   * SQLite only: shrinks the connection's page cache to SQLite's own default (2 MB) while a report
   * reads, and returns what puts the previous size back. better-sqlite3 opens connections with a
   * 16 MB cache, which a report's long reads fill, 7 to 11 MB of the 100× quarter's peak memory;
   * the report reads each page once, so a large cache saves it nothing. Requests that run between
   * its pages get the small cache for those seconds (their pages come from the OS's file cache).
   */
  async smallPageCache(): Promise<() => Promise<void>> {
    if (this.db.engine !== 'sqlite') return async () => {};
    const [row] = await this.db.values<[number]>(sql`pragma cache_size`);
    const previous = row?.[0];
    if (previous === undefined || (previous < 0 ? -previous : previous * 4) <= REPORT_CACHE_KIB) return async () => {};
    await this.db.execute(sql.raw(`pragma cache_size = -${REPORT_CACHE_KIB}`));
    return async () => {
      await this.db.execute(sql.raw(`pragma cache_size = ${Math.trunc(previous)}`));
    };
  }

  async teams(workspaceId: string, keys: readonly string[] | 'all'): Promise<ReportTeam[]> {
    const rows = await this.db.rows<ReportTeam & Record<string, unknown>>(sql`select id, key, name from program_teams where team_id = ${workspaceId} order by key`);
    return keys === 'all' ? rows : rows.filter((t) => keys.includes(t.key));
  }

  /** One page of a team's issues alive in the period (opened before its end, not closed before its start), by number. */
  async issuesPage(teamId: number, start: number, end: number, afterNumber: number): Promise<IssueReportRow[]> {
    // By number through the team's report index (src/db/schema.ts, issues_team_report), which holds
    // every column read here: each page starts where the last ended, and no table row is read (a
    // team's rows are spread over the whole table). Left to itself SQLite picks the created_at index
    // and sorts every page, which is quadratic in pages.
    // Read as arrays (`values`): better-sqlite3 builds a row object key by key, which was about a
    // third of the time of reading these pages; a JavaScript object literal costs little.
    const rows = await this.db.values<[number, number, string, string, string, string | null, string, string | null, number, number | null]>(
      sql`select i.id, i.number, i.title, i.category, i.status, i.owner_id, i.reporter_id, i.due_date, i.created_at, i.closed_at
            from issues i${this.indexedBy('issues_team_report')}
           where i.program_team_id = ${teamId} and i.number > ${afterNumber} and i.created_at < ${end} and (i.closed_at is null or i.closed_at >= ${start})
           order by i.number
           limit ${this.pages.issues}`,
    );
    return rows.map(([id, number, title, category, status, ownerId, reporterId, dueDate, createdAt, closedAt]) => ({ id, number, title, category, status, ownerId, reporterId, dueDate, createdAt, closedAt }));
  }

  /**
   * One page of a team's status changes from `since`, in (time, id) order after `after`, as
   * [issue id, time, event id, from, to]: read along the team's events index
   * (issue_events_team_since, which covers kind and values, so no event's row is read). Reading them
   * per page of issues instead took one index seek per issue, scattered over the issue index: at
   * 100× data, 0.74 s for the quarter against 0.26 s for every team's changes read this way.
   */
  async statusChangesPage(teamId: number, since: number, after: PageKey): Promise<Array<[number, number, number, string, string]>> {
    const from = Math.max(since, after.at);
    return this.db.values<[number, number, number, string, string]>(
      sql`select issue_id, created_at, id, from_value, to_value
            from issue_events${this.indexedBy('issue_events_team_since')}
           where program_team_id = ${teamId} and created_at >= ${from} and (created_at > ${after.at} or id > ${after.id})
             and from_value in ${STATUSES} and to_value in ${STATUSES} and kind = 'status'
           order by created_at, id
           limit ${this.pages.changes}`,
    );
  }

  /** Every person's organisation, read once per report (people are few; issues are many). */
  async organisationsOfPeople(workspaceId: string): Promise<Map<string, string>> {
    const rows = await this.db.rows<{ userId: string; name: string }>(
      sql`select p.user_id as "userId", o.name as name from people p join organisations o on o.id = p.organisation_id where p.team_id = ${workspaceId}`,
    );
    return new Map(rows.map((r) => [r.userId, r.name]));
  }

  /** One page of a team's meetings starting in the period (at most `pages.meetings`, after `after` in (start, id) order). */
  async meetingsPage(teamId: number, start: number, end: number, after: PageKey): Promise<MeetingReportRow[]> {
    const from = Math.max(start, after.at);
    return this.db.rows<MeetingReportRow & Record<string, unknown>>(
      sql`select id, number, title, starts_at as "startsAt", duration_minutes as "durationMinutes", status from meetings
           where program_team_id = ${teamId} and starts_at >= ${from} and starts_at < ${end} and (starts_at > ${after.at} or id > ${after.id})
           order by starts_at, id
           limit ${this.pages.meetings}`,
    );
  }

  /**
   * Every RSVP of some meetings (a page of them), as [meeting id, answer, person], from the answer
   * index alone (meeting_rsvps_answer). The report counts them per organisation from the people it
   * read once: joining each RSVP to its person and organisation and grouping in SQL took 0.49 s of
   * the 100× quarter (200,000 RSVPs), reading them this way 0.09 s.
   */
  async rsvpAnswers(meetingIds: readonly number[]): Promise<Array<[number, string, string]>> {
    if (meetingIds.length === 0) return [];
    return this.db.values<[number, string, string]>(
      sql`select meeting_id, answer, user_id from meeting_rsvps${this.indexedBy('meeting_rsvps_answer')} where meeting_id in ${jsonValues(this.db.engine, meetingIds)}`,
    );
  }

  /** One page of a team's votes closed (decided) in the period, after `after` in (closing time, number) order (`after.id` is a number). */
  async decidedVotesPage(teamId: number, start: number, end: number, after: PageKey): Promise<DecidedVoteRow[]> {
    const from = Math.max(start, after.at);
    return this.db.rows<DecidedVoteRow & Record<string, unknown>>(
      sql`select id, number, question, method, eligibility, anonymous, created_at as "createdAt", closed_at as "closedAt", result_json as "resultJson", electorate_size as "electorateSize"
            from votes
           where program_team_id = ${teamId} and status = 'closed' and closed_at >= ${from} and closed_at < ${end} and (closed_at > ${after.at} or number > ${after.id})
           order by closed_at, number
           limit ${this.pages.votes}`,
    );
  }

  async voteOptions(voteIds: readonly number[]): Promise<VoteOptionRow[]> {
    if (voteIds.length === 0) return [];
    return this.db.rows<VoteOptionRow & Record<string, unknown>>(
      sql`select id, vote_id as "voteId", position, label from vote_options where vote_id in ${jsonValues(this.db.engine, voteIds)} order by vote_id, position`,
    );
  }

  /** Choices of every ballot of a vote (no voter: reports never say who chose what). */
  async ballotChoices(voteId: number): Promise<string[]> {
    return (await this.db.rows<{ c: string }>(sql`select choices_json as c from ballots where vote_id = ${voteId}`)).map((r) => r.c);
  }

  /** Ballots per organisation of the ballot (the voter's organisation when it was cast). */
  async ballotsByOrganisation(voteIds: readonly number[]): Promise<BallotsByOrganisation[]> {
    if (voteIds.length === 0) return [];
    return this.db.rows<BallotsByOrganisation & Record<string, unknown>>(
      // Counted per organisation id from the (vote, organisation) index alone, then named: joining
      // each ballot to its organisation before counting read a million rows for the 100× quarter.
      sql`select g.vote_id as "voteId", coalesce(o.name, '') as organisation, sum(g.ballots) as ballots
            from (select vote_id, organisation_id, count(*) as ballots from ballots${this.indexedBy('ballots_vote_organisation')}
                   where vote_id in ${jsonValues(this.db.engine, voteIds)}
                   group by vote_id, organisation_id) g
            left join organisations o on o.id = g.organisation_id
           group by g.vote_id, coalesce(o.name, '')`,
    );
  }

  /** Organisations with someone on the team now, with how many of the team's people each has. */
  async teamOrganisations(teamId: number): Promise<Array<{ organisation: string; members: number }>> {
    return this.db.rows<{ organisation: string; members: number }>(
      sql`select o.name as organisation, count(*) as members
            from team_members m join people p on p.team_id = m.team_id and p.user_id = m.user_id
            join organisations o on o.id = p.organisation_id
           where m.program_team_id = ${teamId} group by o.id, o.name order by o.name`,
    );
  }

  /** A team's goals that were open at some time in the period (set up before its end, not closed before its start). */
  async goals(teamId: number, start: number, end: number): Promise<GoalReportRow[]> {
    return this.db.rows<GoalReportRow & Record<string, unknown>>(
      sql`select id, number, kind, name, unit, baseline, target, direction, start_date as "startDate", target_date as "targetDate", status,
                 owner_id as "ownerId", created_at as "createdAt", closed_at as "closedAt"
            from goals where program_team_id = ${teamId} and created_at < ${end} and (closed_at is null or closed_at >= ${start}) order by number`,
    );
  }

  /** Current readings (not replaced by a later one for the same date) up to a day, oldest first. */
  async goalReadings(goalIds: readonly number[], untilDay: string): Promise<GoalReadingRow[]> {
    if (goalIds.length === 0) return [];
    return this.db.rows<GoalReadingRow & Record<string, unknown>>(
      sql`select goal_id as "goalId", as_of as "asOf", value, note, recorded_by as "recordedBy" from goal_readings
           where goal_id in ${jsonValues(this.db.engine, goalIds)} and superseded_at is null and as_of <= ${untilDay} order by goal_id, as_of, id`,
    );
  }

  async memberCount(teamId: number): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(sql`select count(*) as n from team_members where program_team_id = ${teamId}`);
    return row?.n ?? 0;
  }
}
