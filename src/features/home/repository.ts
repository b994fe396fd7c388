import { sql, type SQL } from 'drizzle-orm';
import { indexedBy, startsWith } from '../../db/portable.js';
import type { Storage } from '../../db/storage.js';
import { CLOSED_STATUSES, OPEN_STATUSES, statusSqlList } from '../issue/model.js';

/*
 * What a Home tab reads. A Home is rebuilt on every open and every republish, so each query reads
 * what the Home shows and no more: lists with a LIMIT and a count for "N more", counts from indexes
 * (the partial index issues_open_due is used only when a query repeats its condition's literal
 * text, hence hand-written SQL).
 */

const NOT_CLOSED = sql.raw(`status not in ${statusSqlList(CLOSED_STATUSES)}`);
const OPEN_STATUS_LIST = sql.raw(statusSqlList(OPEN_STATUSES));
/** Anonymous per-person votes: the ballot's key is a keyed hash of the vote and the person. */
const HASHED = sql.raw("(v.anonymous = 1 and v.eligibility <> 'organisation')");
/** The longest a meeting can last (the form allows 8 hours). */
const MAX_MEETING_MS = 8 * 60 * 60 * 1000;

/** The person's teams' open votes still taking ballots at `now` (over `votes v`). */
const openVotesOfMine = (ws: string, user: string, now: number): SQL =>
  sql`v.program_team_id in (select program_team_id from team_members where team_id = ${ws} and user_id = ${user})
  and v.status = 'open' and (v.closes_at is null or v.closes_at > ${now})`;
/** One-per-organisation votes wait only for people with an organisation recorded. */
const votableByMe = (org: number | null): SQL => (org === null ? sql`v.eligibility <> 'organisation'` : sql`1 = 1`);
/** The person's named ballot on `v` (theirs, or their organisation's); keys as src/features/vote/rules.ts writes them. */
const myBallot = (user: string, org: number | null): SQL =>
  sql`select 1 from ballots b where b.vote_id = v.id and b.voter_key = case when v.eligibility = 'organisation' then ${org === null ? null : `org:${org}`} else ${`user:${user}`} end`;

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
  /** Which key its anonymous ballots are keyed with (src/features/vote/rules.ts `voteBallotKey`). */
  ballotKeyScheme: number;
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

/** Every method is one or two index lookups. */
export class HomeRepository {
  constructor(private readonly db: Storage) {}

  private async one<T extends Record<string, unknown>>(query: SQL): Promise<T | undefined> {
    return (await this.db.rows<T>(query))[0];
  }

  async myTeams(ws: string, user: string): Promise<TeamRef[]> {
    return await this.db.rows<TeamRef & Record<string, unknown>>(
      sql`select t.id, t.key, t.name from team_members m join program_teams t on t.id = m.program_team_id
          where m.team_id = ${ws} and m.user_id = ${user} order by t.key`,
    );
  }

  async organisationOf(ws: string, user: string): Promise<number | null> {
    return (await this.one<{ id: number | null }>(sql`select organisation_id as id from people where team_id = ${ws} and user_id = ${user}`))?.id ?? null;
  }

  /**
   * Open votes of the person's teams waiting for their ballot (or their organisation's), soonest
   * deadline first: the first `limit`, how many in all, and how many one-per-organisation votes they
   * cannot vote on because no organisation is recorded for them. `hashedWaiting` says whether an
   * anonymous per-person vote has no ballot of theirs (its key is a hash only the caller can compute).
   */
  async waitingVotes(
    ws: string,
    user: string,
    now: number,
    org: number | null,
    limit: number,
    hashedWaiting: (vote: { id: number; eligibility: string; anonymous: number; ballotKeyScheme: number }) => Promise<boolean>,
  ): Promise<{ items: OpenVoteRow[]; total: number; needOrganisation: number }> {
    const mine = openVotesOfMine(ws, user, now);
    // Open votes of the person's teams still taking ballots, soonest deadline first, without the
    // person's (or their organisation's) ballot. An anonymous per-person ballot is stored under a
    // keyed hash SQL cannot compute: those votes come back as candidates and are checked here.
    // Read a few more than a page: some anonymous candidates may turn out to have the person's ballot.
    const candidates = await this.db.rows<OpenVoteRow & Record<string, unknown>>(
      sql`select v.id, v.number, v.program_team_id as "programTeamId", t.key as "teamKey", v.question, v.method, v.max_choices as "maxChoices",
                 v.eligibility, v.anonymous, v.ballot_key_scheme as "ballotKeyScheme", v.closes_at as "closesAt", v.channel_id as "channelId"
          from votes v join program_teams t on t.id = v.program_team_id
          where ${mine} and ${votableByMe(org)} and (${HASHED} or not exists (${myBallot(user, org)}))
          order by v.closes_at is null, v.closes_at, v.number limit ${limit * 4}`,
    );
    const items: OpenVoteRow[] = [];
    for (const row of candidates) {
      if (items.length === limit) break;
      if (!(row.anonymous === 1 && row.eligibility !== 'organisation') || (await hashedWaiting(row))) items.push(row);
    }
    const named =
      (await this.one<{ n: number }>(sql`select count(*) as n from votes v where ${mine} and ${votableByMe(org)} and not ${HASHED} and not exists (${myBallot(user, org)})`))?.n ?? 0;
    let hashed = 0;
    for (const vote of await this.db.rows<{ id: number; eligibility: string; anonymous: number; ballotKeyScheme: number }>(
      sql`select v.id, v.eligibility, v.anonymous, v.ballot_key_scheme as "ballotKeyScheme" from votes v where ${mine} and ${HASHED}`,
    )) {
      if (await hashedWaiting(vote)) hashed++;
    }
    const needOrganisation = org === null ? ((await this.one<{ n: number }>(sql`select count(*) as n from votes v where ${mine} and v.eligibility = 'organisation'`))?.n ?? 0) : 0;
    return { items, total: named + hashed, needOrganisation };
  }

  async hasBallot(voteId: number, voterKey: string): Promise<boolean> {
    return (await this.one(sql`select 1 as one from ballots where vote_id = ${voteId} and voter_key = ${voterKey}`)) !== undefined;
  }

  async options(voteId: number): Promise<OptionRow[]> {
    return await this.db.rows<OptionRow & Record<string, unknown>>(sql`select id, vote_id as "voteId", label, position from vote_options where vote_id = ${voteId} order by position`);
  }

  /** Open issues the person owns: overdue first, then by due date, then the rest. */
  async myIssues(ws: string, user: string, today: string, limit: number): Promise<{ items: MyIssueRow[]; total: number }> {
    const total = (await this.one<{ n: number }>(sql`select count(*) as n from issues where team_id = ${ws} and owner_id = ${user} and ${NOT_CLOSED}`))?.n ?? 0;
    if (total === 0) return { items: [], total };
    const items = await this.db.rows<MyIssueRow & Record<string, unknown>>(
      sql`select i.id, t.key as "teamKey", i.number, i.title, i.status, i.due_date as "dueDate"
          from issues i join program_teams t on t.id = i.program_team_id
          where i.team_id = ${ws} and i.owner_id = ${user} and i.${NOT_CLOSED}
          order by (i.due_date is not null and i.due_date < ${today}) desc, i.due_date is null, i.due_date, i.updated_at desc, i.id
          limit ${limit}`,
    );
    return { items, total };
  }

  /** Meetings of the person's teams that have not ended, soonest first, with the person's answer. */
  async upcomingMeetings(ws: string, user: string, now: number, limit: number): Promise<{ items: MeetingRow[]; total: number }> {
    // A meeting lasts at most 8 hours, so only those starting since then can still be on: an index range.
    const earliest = now - MAX_MEETING_MS;
    // From the person's teams into each team's meetings by start (SQLite's planner would otherwise scan every meeting).
    const total =
      (
        await this.one<{ n: number }>(
          sql`select count(*) as n from team_members tm join meetings m${indexedBy(this.db.engine, 'meetings_team_start')} on m.program_team_id = tm.program_team_id
              where tm.team_id = ${ws} and tm.user_id = ${user} and m.starts_at > ${earliest} and m.status = 'scheduled' and m.starts_at + m.duration_minutes * 60000 > ${now}`,
        )
      )?.n ?? 0;
    if (total === 0) return { items: [], total };
    const items = await this.db.rows<MeetingRow & Record<string, unknown>>(
      sql`select m.id, m.number, t.key as "teamKey", m.title, m.starts_at as "startsAt", m.duration_minutes as "durationMinutes",
                 m.location, m.link, r.answer
          from meetings m join program_teams t on t.id = m.program_team_id
          left join meeting_rsvps r on r.meeting_id = m.id and r.user_id = ${user}
          where m.program_team_id in (select program_team_id from team_members where team_id = ${ws} and user_id = ${user})
            and m.status = 'scheduled' and m.starts_at > ${earliest} and m.starts_at + m.duration_minutes * 60000 > ${now}
          order by m.starts_at, m.number limit ${limit}`,
    );
    return { items, total };
  }

  async allTeams(ws: string): Promise<TeamRef[]> {
    return await this.db.rows<TeamRef & Record<string, unknown>>(sql`select id, key, name from program_teams where team_id = ${ws} order by key`);
  }

  async health(teamId: number, today: string): Promise<HealthCounts> {
    // Kept by triggers (issue_status_counts): reading them costs the same whatever the team's size.
    const counts = await this.db.rows<{ status: string; n: number }>(
      sql`select status, count as n from issue_status_counts where program_team_id = ${teamId} and status in ${OPEN_STATUS_LIST}`,
    );
    const open = counts.reduce((sum, c) => sum + c.n, 0);
    const blocked = counts.find((c) => c.status === 'blocked')?.n ?? 0;
    const overdue =
      (await this.one<{ n: number }>(sql`select count(*) as n from issues where program_team_id = ${teamId} and ${NOT_CLOSED} and due_date is not null and due_date < ${today}`))?.n ?? 0;
    return { open, blocked, overdue };
  }

  async nextMeetingAt(teamId: number, now: number): Promise<number | null> {
    return (await this.one<{ at: number | null }>(sql`select min(starts_at) as at from meetings where program_team_id = ${teamId} and status = 'scheduled' and starts_at >= ${now}`))?.at ?? null;
  }

  /** When a digest of this scope (a team key) last reached Slack, or was claimed by the scheduled job. */
  async lastDigestAt(ws: string, scope: string): Promise<number | null> {
    // Delivered digests, scheduled (`digest:KEY:…`) or sent by hand (`digest-send:KEY:…`).
    const key = sql`dedupe_key`;
    const engine = this.db.engine;
    const sent = (
      await this.one<{ at: number | null }>(
        sql`select max(sent_at) as at from outbox where team_id = ${ws} and status = 'sent'
            and (${startsWith(engine, key, `digest:${scope}:`)} or ${startsWith(engine, key, `digest-send:${scope}:`)})`,
      )
    )?.at;
    const claimed = (await this.one<{ at: number | null }>(sql`select max(created_at) as at from digest_runs where team_id = ${ws} and scope = ${scope}`))?.at;
    const known = [sent, claimed].filter((t): t is number => typeof t === 'number');
    return known.length === 0 ? null : Math.max(...known);
  }

  async schedules(ws: string): Promise<Map<string, { cron: string; timeZone: string }>> {
    const rows = await this.db.rows<{ scope: string; cron: string; timeZone: string }>(sql`select scope, cron, time_zone as "timeZone" from digest_schedules where team_id = ${ws}`);
    return new Map(rows.map((s) => [s.scope, { cron: s.cron, timeZone: s.timeZone }]));
  }
}
