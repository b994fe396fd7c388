/**
 * What a report reads, page by page. Each query returns at most PAGE rows and the caller asks for
 * the next page after the last key it saw (keyset paging), so a report over years of data never
 * holds more than one page in memory, and never keeps an SQLite statement open across an `await`
 * (better-sqlite3 runs one statement at a time per connection; requests must not wait on a report).
 */
import type { Db } from '../../db/open.js';

export const PAGE = 2000;

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

export interface StatusChangeRow {
  issueId: number;
  at: number;
  from: string;
  to: string;
}

export interface MeetingRsvpRow {
  id: number;
  number: number;
  title: string;
  startsAt: number;
  durationMinutes: number;
  status: string;
  /** '' for people with no organisation recorded (and for a meeting with no RSVP at all, answer null). */
  organisation: string;
  answer: string | null;
  people: number;
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
  constructor(private readonly db: Db) {}

  private get sqlite() {
    return this.db.$client;
  }

  teams(workspaceId: string, keys: readonly string[] | 'all'): ReportTeam[] {
    const rows = this.sqlite.prepare('select id, key, name from program_teams where team_id = ? order by key').all(workspaceId) as ReportTeam[];
    return keys === 'all' ? rows : rows.filter((t) => keys.includes(t.key));
  }

  /** One page of a team's issues alive in the period (opened before its end, not closed before its start), by number. */
  issuesPage(teamId: number, start: number, end: number, afterNumber: number): IssueReportRow[] {
    return this.sqlite
      .prepare(
        `select i.id, i.number, i.title, i.category, i.status, i.owner_id as ownerId, i.reporter_id as reporterId,
                i.due_date as dueDate, i.created_at as createdAt, i.closed_at as closedAt
           -- By number through the (team, number) index: each page starts where the last ended. Left to
           -- itself SQLite picks the created_at index and sorts every page, which is quadratic in pages.
           from issues i indexed by issues_team_number
          where i.program_team_id = @team and i.number > @after and i.created_at < @end and (i.closed_at is null or i.closed_at >= @start)
          order by i.number
          limit ${PAGE}`,
      )
      .all({ team: teamId, start, end, after: afterNumber }) as IssueReportRow[];
  }

  /**
   * A team's status changes from `since` (to `until`), oldest first, read from the team's events
   * index (src/db/schema.ts, issue_events_team_since): the period's changes, or those after its end
   * (whose first `from` per issue is that issue's status when the period ended). Bounded by the
   * team's activity in that window, not by its history.
   */
  statusChanges(teamId: number, since: number, until?: number): StatusChangeRow[] {
    return this.sqlite
      .prepare(
        `select issue_id as issueId, created_at as at, coalesce(from_value, '') as "from", coalesce(to_value, '') as "to"
           from issue_events indexed by issue_events_team_since
          -- A status change always goes from one status to another. Testing that first, on the index's own
          -- columns, lets SQLite skip reading the row of every other event (created, owner, due date…).
          where program_team_id = ? and created_at >= ? and created_at < ?
            and from_value in ('open', 'in_progress', 'blocked', 'resolved', 'dropped') and to_value in ('open', 'in_progress', 'blocked', 'resolved', 'dropped')
            and kind = 'status'
          order by created_at, id`,
      )
      .all(teamId, since, until ?? Number.MAX_SAFE_INTEGER) as StatusChangeRow[];
  }

  /** Every person's organisation, read once per report (people are few; issues are many). */
  organisationsOfPeople(workspaceId: string): Map<string, string> {
    const rows = this.sqlite
      .prepare('select p.user_id as userId, o.name as name from people p join organisations o on o.id = p.organisation_id where p.team_id = ?')
      .all(workspaceId) as Array<{ userId: string; name: string }>;
    return new Map(rows.map((r) => [r.userId, r.name]));
  }

  /** A team's meetings starting in the period with their RSVPs counted per organisation and answer. */
  meetingRsvps(teamId: number, start: number, end: number): MeetingRsvpRow[] {
    return this.sqlite
      .prepare(
        `select m.id, m.number, m.title, m.starts_at as startsAt, m.duration_minutes as durationMinutes, m.status,
                coalesce(o.name, '') as organisation, r.answer, count(r.user_id) as people
           from meetings m
           left join meeting_rsvps r on r.meeting_id = m.id
           left join people p on p.team_id = r.team_id and p.user_id = r.user_id
           left join organisations o on o.id = p.organisation_id
          where m.program_team_id = ? and m.starts_at >= ? and m.starts_at < ?
          group by m.id, coalesce(o.name, ''), r.answer
          order by m.starts_at, m.id, coalesce(o.name, ''), r.answer`,
      )
      .all(teamId, start, end) as MeetingRsvpRow[];
  }

  /** A team's votes closed (decided) in the period. */
  decidedVotes(teamId: number, start: number, end: number): DecidedVoteRow[] {
    return this.sqlite
      .prepare(
        `select id, number, question, method, eligibility, anonymous, created_at as createdAt, closed_at as closedAt, result_json as resultJson, electorate_size as electorateSize
           from votes where program_team_id = ? and status = 'closed' and closed_at >= ? and closed_at < ? order by closed_at, number`,
      )
      .all(teamId, start, end) as DecidedVoteRow[];
  }

  voteOptions(voteIds: readonly number[]): VoteOptionRow[] {
    if (voteIds.length === 0) return [];
    return this.sqlite
      .prepare(`select id, vote_id as voteId, position, label from vote_options where vote_id in (select value from json_each(?)) order by vote_id, position`)
      .all(JSON.stringify(voteIds)) as VoteOptionRow[];
  }

  /** Choices of every ballot of a vote (no voter: reports never say who chose what). */
  ballotChoices(voteId: number): string[] {
    return (this.sqlite.prepare('select choices_json as c from ballots where vote_id = ?').all(voteId) as Array<{ c: string }>).map((r) => r.c);
  }

  /** Ballots per organisation of the ballot (the voter's organisation when it was cast). */
  ballotsByOrganisation(voteIds: readonly number[]): BallotsByOrganisation[] {
    if (voteIds.length === 0) return [];
    return this.sqlite
      .prepare(
        `select b.vote_id as voteId, coalesce(o.name, '') as organisation, count(*) as ballots
           from ballots b left join organisations o on o.id = b.organisation_id
          where b.vote_id in (select value from json_each(?))
          group by b.vote_id, coalesce(o.name, '')`,
      )
      .all(JSON.stringify(voteIds)) as BallotsByOrganisation[];
  }

  /** Organisations with someone on the team now, with how many of the team's people each has. */
  teamOrganisations(teamId: number): Array<{ organisation: string; members: number }> {
    return this.sqlite
      .prepare(
        `select o.name as organisation, count(*) as members
           from team_members m join people p on p.team_id = m.team_id and p.user_id = m.user_id
           join organisations o on o.id = p.organisation_id
          where m.program_team_id = ? group by o.id order by o.name`,
      )
      .all(teamId) as Array<{ organisation: string; members: number }>;
  }

  /** A team's goals that were open at some time in the period (set up before its end, not closed before its start). */
  goals(teamId: number, start: number, end: number): GoalReportRow[] {
    return this.sqlite
      .prepare(
        `select id, number, kind, name, unit, baseline, target, direction, start_date as startDate, target_date as targetDate, status,
                owner_id as ownerId, created_at as createdAt, closed_at as closedAt
           from goals where program_team_id = ? and created_at < ? and (closed_at is null or closed_at >= ?) order by number`,
      )
      .all(teamId, end, start) as GoalReportRow[];
  }

  /** Current readings (not replaced by a later one for the same date) up to a day, oldest first. */
  goalReadings(goalIds: readonly number[], untilDay: string): GoalReadingRow[] {
    if (goalIds.length === 0) return [];
    return this.sqlite
      .prepare(
        `select goal_id as goalId, as_of as asOf, value, note, recorded_by as recordedBy from goal_readings
          where goal_id in (select value from json_each(?)) and superseded_at is null and as_of <= ? order by goal_id, as_of, id`,
      )
      .all(JSON.stringify(goalIds), untilDay) as GoalReadingRow[];
  }

  memberCount(teamId: number): number {
    return (this.sqlite.prepare('select count(*) as n from team_members where program_team_id = ?').get(teamId) as { n: number }).n;
  }
}
