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
  ownerOrganisation: string | null;
  reporterId: string;
  dueDate: string | null;
  createdAt: number;
  closedAt: number | null;
  /** The status when the period ended: the `from` of its first status change after the end, else the current one. */
  statusAtEnd: string;
  /** Status changes in the period, oldest first, as "ms|from|to" joined by ";". */
  changes: string | null;
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
        `select i.id, i.number, i.title, i.category, i.status, i.owner_id as ownerId, o.name as ownerOrganisation, i.reporter_id as reporterId,
                i.due_date as dueDate, i.created_at as createdAt, i.closed_at as closedAt,
                coalesce((select e.from_value from issue_events e where e.issue_id = i.id and e.kind = 'status' and e.created_at >= @end
                          order by e.created_at, e.id limit 1), i.status) as statusAtEnd,
                (select group_concat(e.created_at || '|' || coalesce(e.from_value, '') || '|' || coalesce(e.to_value, ''), ';')
                   from (select created_at, from_value, to_value from issue_events
                          where issue_id = i.id and kind = 'status' and created_at >= @start and created_at < @end order by created_at, id) e) as changes
           from issues i
           left join people p on p.team_id = i.team_id and p.user_id = i.owner_id
           left join organisations o on o.id = p.organisation_id
          where i.program_team_id = @team and i.number > @after and i.created_at < @end and (i.closed_at is null or i.closed_at >= @start)
          order by i.number
          limit ${PAGE}`,
      )
      .all({ team: teamId, start, end, after: afterNumber }) as IssueReportRow[];
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

  memberCount(teamId: number): number {
    return (this.sqlite.prepare('select count(*) as n from team_members where program_team_id = ?').get(teamId) as { n: number }).n;
  }
}
