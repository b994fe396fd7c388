import type Database from 'better-sqlite3';
import type { Db } from '../../db/open.js';
import { CLOSED_STATUSES, OPEN_STATUSES, statusSqlList } from '../issue/model.js';

/*
 * What a Home tab reads. A Home is rebuilt on every open and every republish, so each query reads
 * what the Home shows and no more: lists with a LIMIT and a count for "N more", counts from indexes
 * (the partial index issues_open_due is used only when a query repeats its condition's literal
 * text, hence raw SQL through statements prepared once).
 */

const NOT_CLOSED = `status not in ${statusSqlList(CLOSED_STATUSES)}`;
const OPEN_VOTES_OF_MINE = `v.program_team_id in (select program_team_id from team_members where team_id = @ws and user_id = @user)
  and v.status = 'open' and (v.closes_at is null or v.closes_at > @now)`;
/** Anonymous per-person votes: the ballot's key is a keyed hash of the vote and the person. */
const HASHED = "(v.anonymous = 1 and v.eligibility <> 'organisation')";
const MY_BALLOT = "select 1 from ballots b where b.vote_id = v.id and b.voter_key = case when v.eligibility = 'organisation' then 'org:' || @org else 'user:' || @user end";
/** The longest a meeting can last (the form allows 8 hours). */
const MAX_MEETING_MS = 8 * 60 * 60 * 1000;

export interface TeamRef {
  id: number;
  key: string;
  name: string;
}

export interface OpenVoteRow {
  id: number;
  number: number;
  programTeamId: number;
  teamKey: string;
  question: string;
  method: string;
  maxChoices: number;
  eligibility: string;
  anonymous: number;
  closesAt: number | null;
  channelId: string | null;
}

export interface OptionRow {
  id: number;
  voteId: number;
  label: string;
  position: number;
}

export interface MyIssueRow {
  id: number;
  teamKey: string;
  number: number;
  title: string;
  status: string;
  dueDate: string | null;
}

export interface MeetingRow {
  id: number;
  number: number;
  teamKey: string;
  title: string;
  startsAt: number;
  durationMinutes: number;
  location: string;
  link: string | null;
  answer: string | null;
}

export interface HealthCounts {
  open: number;
  blocked: number;
  overdue: number;
}

type Row = Record<string, unknown>;

/** Prepared once per connection; every method is one or two index lookups. */
export class HomeRepository {
  private readonly statements: Record<string, Database.Statement>;

  constructor(db: Db) {
    const prepare = (text: string) => db.$client.prepare(text);
    this.statements = {
      myTeams: prepare(
        `select t.id, t.key, t.name from team_members m join program_teams t on t.id = m.program_team_id
         where m.team_id = @ws and m.user_id = @user order by t.key`,
      ),
      organisation: prepare('select organisation_id as id from people where team_id = @ws and user_id = @user'),
      // Open votes of the person's teams still taking ballots, soonest deadline first, without the
      // person's (or their organisation's) ballot. An anonymous per-person ballot is stored under a
      // keyed hash SQL cannot compute: those votes come back as candidates and are checked by the caller.
      waitingVotes: prepare(
        `select v.id, v.number, v.program_team_id as programTeamId, t.key as teamKey, v.question, v.method, v.max_choices as maxChoices,
                v.eligibility, v.anonymous, v.closes_at as closesAt, v.channel_id as channelId
         from votes v join program_teams t on t.id = v.program_team_id
         where ${OPEN_VOTES_OF_MINE} and (v.eligibility <> 'organisation' or @org is not null) and (${HASHED} or not exists (${MY_BALLOT}))
         order by v.closes_at is null, v.closes_at, v.number limit @cap`,
      ),
      waitingNamedCount: prepare(
        `select count(*) as n from votes v where ${OPEN_VOTES_OF_MINE} and (v.eligibility <> 'organisation' or @org is not null) and not ${HASHED} and not exists (${MY_BALLOT})`,
      ),
      hashedVotes: prepare(`select v.id, v.eligibility, v.anonymous from votes v where ${OPEN_VOTES_OF_MINE} and ${HASHED}`),
      needOrganisation: prepare(`select count(*) as n from votes v where ${OPEN_VOTES_OF_MINE} and v.eligibility = 'organisation'`),
      options: prepare('select id, vote_id as voteId, label, position from vote_options where vote_id = @vote order by position'),
      myIssuesCount: prepare(`select count(*) as n from issues where team_id = @ws and owner_id = @user and ${NOT_CLOSED}`),
      myIssues: prepare(
        `select i.id, t.key as teamKey, i.number, i.title, i.status, i.due_date as dueDate
         from issues i join program_teams t on t.id = i.program_team_id
         where i.team_id = @ws and i.owner_id = @user and i.${NOT_CLOSED}
         order by (i.due_date is not null and i.due_date < @today) desc, i.due_date is null, i.due_date, i.updated_at desc, i.id
         limit @limit`,
      ),
      // From the person's teams into each team's meetings by start (the planner would otherwise scan every meeting).
      meetingsCount: prepare(
        `select count(*) as n from team_members tm join meetings m indexed by meetings_team_start on m.program_team_id = tm.program_team_id
         where tm.team_id = @ws and tm.user_id = @user and m.starts_at > @earliest and m.status = 'scheduled' and m.starts_at + m.duration_minutes * 60000 > @now`,
      ),
      meetings: prepare(
        `select m.id, m.number, t.key as teamKey, m.title, m.starts_at as startsAt, m.duration_minutes as durationMinutes,
                m.location, m.link, r.answer
         from meetings m join program_teams t on t.id = m.program_team_id
         left join meeting_rsvps r on r.meeting_id = m.id and r.user_id = @user
         where m.program_team_id in (select program_team_id from team_members where team_id = @ws and user_id = @user)
           and m.status = 'scheduled' and m.starts_at > @earliest and m.starts_at + m.duration_minutes * 60000 > @now
         order by m.starts_at, m.number limit @limit`,
      ),
      allTeams: prepare('select id, key, name from program_teams where team_id = @ws order by key'),
      // Kept by triggers (issue_status_counts): reading them costs the same whatever the team's size.
      statusCounts: prepare(
        `select status, count as n from issue_status_counts where program_team_id = @team and status in ${statusSqlList(OPEN_STATUSES)}`,
      ),
      overdue: prepare(`select count(*) as n from issues where program_team_id = @team and ${NOT_CLOSED} and due_date is not null and due_date < @today`),
      nextMeeting: prepare("select min(starts_at) as at from meetings where program_team_id = @team and status = 'scheduled' and starts_at >= @now"),
      // Delivered digests, scheduled (`digest:KEY:…`) or sent by hand (`digest-send:KEY:…`): a key range reads the unique index.
      lastDigestSent: prepare(
        `select max(sent_at) as at from outbox where team_id = @ws and status = 'sent'
           and ((dedupe_key >= @scheduled and dedupe_key < @scheduledEnd) or (dedupe_key >= @manual and dedupe_key < @manualEnd))`,
      ),
      lastDigestRun: prepare('select max(created_at) as at from digest_runs where team_id = @ws and scope = @scope'),
      schedules: prepare('select scope, cron, time_zone as timeZone from digest_schedules where team_id = @ws'),
    };
  }

  private all<T>(name: string, params: Row): T[] {
    return this.statement(name).all(params) as T[];
  }

  private get<T>(name: string, params: Row): T | undefined {
    return this.statement(name).get(params) as T | undefined;
  }

  private statement(name: string): Database.Statement {
    const statement = this.statements[name];
    if (statement === undefined) throw new Error(`no home query ${name}`);
    return statement;
  }

  myTeams(ws: string, user: string): TeamRef[] {
    return this.all('myTeams', { ws, user });
  }

  organisationOf(ws: string, user: string): number | null {
    return this.get<{ id: number | null }>('organisation', { ws, user })?.id ?? null;
  }

  /**
   * Open votes of the person's teams waiting for their ballot (or their organisation's), soonest
   * deadline first: the first `limit`, how many in all, and how many one-per-organisation votes they
   * cannot vote on because no organisation is recorded for them. `hashedWaiting` says whether an
   * anonymous per-person vote has no ballot of theirs (its key is a hash only the caller can compute).
   */
  waitingVotes(
    ws: string,
    user: string,
    now: number,
    org: number | null,
    limit: number,
    hashedWaiting: (vote: { id: number; eligibility: string; anonymous: number }) => boolean,
  ): { items: OpenVoteRow[]; total: number; needOrganisation: number } {
    const params = { ws, user, now, org };
    // Read a few more than a page: some anonymous candidates may turn out to have the person's ballot.
    const candidates = this.all<OpenVoteRow>('waitingVotes', { ...params, cap: limit * 4 });
    const items = candidates.filter((row) => !(row.anonymous === 1 && row.eligibility !== 'organisation') || hashedWaiting(row)).slice(0, limit);
    const named = this.get<{ n: number }>('waitingNamedCount', params)?.n ?? 0;
    const hashed = this.all<{ id: number; eligibility: string; anonymous: number }>('hashedVotes', params).filter(hashedWaiting).length;
    const needOrganisation = org === null ? (this.get<{ n: number }>('needOrganisation', params)?.n ?? 0) : 0;
    return { items, total: named + hashed, needOrganisation };
  }

  hasBallot(voteId: number, voterKey: string): boolean {
    return this.get('hasBallot', { vote: voteId, key: voterKey }) !== undefined;
  }

  options(voteId: number): OptionRow[] {
    return this.all('options', { vote: voteId });
  }

  /** Open issues the person owns: overdue first, then by due date, then the rest. */
  myIssues(ws: string, user: string, today: string, limit: number): { items: MyIssueRow[]; total: number } {
    const total = this.get<{ n: number }>('myIssuesCount', { ws, user })?.n ?? 0;
    return { items: total === 0 ? [] : this.all('myIssues', { ws, user, today, limit }), total };
  }

  /** Meetings of the person's teams that have not ended, soonest first, with the person's answer. */
  upcomingMeetings(ws: string, user: string, now: number, limit: number): { items: MeetingRow[]; total: number } {
    // A meeting lasts at most 8 hours, so only those starting since then can still be on: an index range.
    const earliest = now - MAX_MEETING_MS;
    const total = this.get<{ n: number }>('meetingsCount', { ws, user, now, earliest })?.n ?? 0;
    return { items: total === 0 ? [] : this.all('meetings', { ws, user, now, earliest, limit }), total };
  }

  allTeams(ws: string): TeamRef[] {
    return this.all('allTeams', { ws });
  }

  health(teamId: number, today: string): HealthCounts {
    const counts = this.all<{ status: string; n: number }>('statusCounts', { team: teamId });
    const open = counts.reduce((sum, c) => sum + c.n, 0);
    const blocked = counts.find((c) => c.status === 'blocked')?.n ?? 0;
    const overdue = this.get<{ n: number }>('overdue', { team: teamId, today })?.n ?? 0;
    return { open, blocked, overdue };
  }

  nextMeetingAt(teamId: number, now: number): number | null {
    return this.get<{ at: number | null }>('nextMeeting', { team: teamId, now })?.at ?? null;
  }

  /** When a digest of this scope (a team key) last reached Slack, or was claimed by the scheduled job. */
  lastDigestAt(ws: string, scope: string): number | null {
    const sent = this.get<{ at: number | null }>('lastDigestSent', {
      ws,
      scheduled: `digest:${scope}:`,
      scheduledEnd: `digest:${scope};`,
      manual: `digest-send:${scope}:`,
      manualEnd: `digest-send:${scope};`,
    })?.at;
    const claimed = this.get<{ at: number | null }>('lastDigestRun', { ws, scope })?.at;
    const known = [sent, claimed].filter((t): t is number => typeof t === 'number');
    return known.length === 0 ? null : Math.max(...known);
  }

  schedules(ws: string): Map<string, { cron: string; timeZone: string }> {
    return new Map(this.all<{ scope: string; cron: string; timeZone: string }>('schedules', { ws }).map((s) => [s.scope, { cron: s.cron, timeZone: s.timeZone }]));
  }
}
