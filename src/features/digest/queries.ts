import { and, asc, count, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import {
  ballots,
  issueEvents,
  issues,
  meetingRsvps,
  meetings,
  organisations,
  people,
  programTeams,
  teamChannels,
  teamMembers,
  voteOptions,
  votes,
} from '../../db/schema.js';

/*
 * Read-only queries the digest needs. The issue, meeting and vote features own these tables; the
 * digest only reads them, so it stays correct whatever those features' services look like, as long
 * as the stored values keep their meaning (see ISSUE_STATUSES and friends below).
 */

/** Every status an issue can have, as stored in `issues.status`. */
export const ISSUE_STATUSES = ['open', 'in_progress', 'blocked', 'resolved', 'dropped'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
export const CLOSED_STATUSES: readonly string[] = ['resolved', 'dropped'];
export const isClosedStatus = (status: string): boolean => CLOSED_STATUSES.includes(status);

export interface DigestTeam {
  id: number;
  key: string;
  name: string;
  createdAt: number;
}

export interface IssueRow {
  id: number;
  number: number;
  title: string;
  status: string;
  ownerId: string | null;
  dueDate: string | null;
  priority: number | null;
  createdAt: number;
  closedAt: number | null;
}

export interface StatusChangeRow {
  issueId: number;
  fromValue: string;
  toValue: string;
  createdAt: number;
  id: number;
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

export interface TeamData {
  issues: IssueRow[];
  /** Status changes at or after `since`, oldest first: enough to rebuild each issue's status at any instant >= since. */
  statusChanges: StatusChangeRow[];
  meetings: MeetingRow[];
  openVotes: OpenVoteRow[];
  closedVotes: ClosedVoteRow[];
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

export function teamChannelIds(db: Db, programTeamId: number): string[] {
  return db
    .select({ channelId: teamChannels.channelId })
    .from(teamChannels)
    .where(eq(teamChannels.programTeamId, programTeamId))
    .orderBy(asc(teamChannels.createdAt))
    .all()
    .map((r) => r.channelId);
}

export interface TeamDataWindow {
  /** The earliest instant whose issue statuses must be reconstructed (the previous period's start). */
  since: number;
  /** Meetings starting in [from, until) are "upcoming". */
  meetingsFrom: number;
  meetingsUntil: number;
}

/** Everything one team's digest shows, read in a handful of indexed queries. */
export function loadTeamData(db: Db, team: DigestTeam, window: TeamDataWindow): TeamData {
  const teamIssues = db
    .select({
      id: issues.id,
      number: issues.number,
      title: issues.title,
      status: issues.status,
      ownerId: issues.ownerId,
      dueDate: issues.dueDate,
      priority: issues.priority,
      createdAt: issues.createdAt,
      closedAt: issues.closedAt,
    })
    .from(issues)
    .where(eq(issues.programTeamId, team.id))
    .orderBy(asc(issues.number))
    .all();

  const statuses = [...ISSUE_STATUSES];
  // A status change is any event moving an issue between two statuses, whatever the issue feature
  // calls its kind ('status', 'resolved', 'reopened' …); owner or category changes never carry two statuses.
  const statusChanges = db
    .select({ issueId: issueEvents.issueId, fromValue: issueEvents.fromValue, toValue: issueEvents.toValue, createdAt: issueEvents.createdAt, id: issueEvents.id })
    .from(issueEvents)
    .innerJoin(issues, eq(issues.id, issueEvents.issueId))
    .where(
      and(
        eq(issues.programTeamId, team.id),
        gte(issueEvents.createdAt, window.since),
        inArray(issueEvents.fromValue, statuses),
        inArray(issueEvents.toValue, statuses),
      ),
    )
    .orderBy(asc(issueEvents.createdAt), asc(issueEvents.id))
    .all()
    .map((e) => ({ ...e, fromValue: e.fromValue ?? '', toValue: e.toValue ?? '' }));

  const upcoming = db
    .select({
      id: meetings.id,
      number: meetings.number,
      title: meetings.title,
      startsAt: meetings.startsAt,
      going: sql<number>`coalesce(sum(case when ${meetingRsvps.answer} = 'going' then 1 else 0 end), 0)`,
      maybe: sql<number>`coalesce(sum(case when ${meetingRsvps.answer} = 'maybe' then 1 else 0 end), 0)`,
      declined: sql<number>`coalesce(sum(case when ${meetingRsvps.answer} = 'declined' then 1 else 0 end), 0)`,
    })
    .from(meetings)
    .leftJoin(meetingRsvps, eq(meetingRsvps.meetingId, meetings.id))
    .where(
      and(
        eq(meetings.programTeamId, team.id),
        eq(meetings.status, 'scheduled'),
        gte(meetings.startsAt, window.meetingsFrom),
        lt(meetings.startsAt, window.meetingsUntil),
      ),
    )
    .groupBy(meetings.id)
    .orderBy(asc(meetings.startsAt), asc(meetings.id))
    .all();

  const openVoteRows = db
    .select({ id: votes.id, number: votes.number, question: votes.question, closesAt: votes.closesAt, eligibility: votes.eligibility })
    .from(votes)
    .where(and(eq(votes.programTeamId, team.id), eq(votes.status, 'open')))
    .orderBy(sql`${votes.closesAt} is null`, asc(votes.closesAt), asc(votes.number))
    .all();
  const openIds = openVoteRows.map((v) => v.id);
  const ballotCounts =
    openIds.length === 0
      ? []
      : db.select({ voteId: ballots.voteId, n: count() }).from(ballots).where(inArray(ballots.voteId, openIds)).groupBy(ballots.voteId).all();
  const openVotes: OpenVoteRow[] = openVoteRows.map((v) => ({ ...v, ballots: ballotCounts.find((b) => b.voteId === v.id)?.n ?? 0 }));

  const closedVoteRows = db
    .select({
      id: votes.id,
      number: votes.number,
      question: votes.question,
      method: votes.method,
      closedAt: votes.closedAt,
      resultJson: votes.resultJson,
    })
    .from(votes)
    .where(and(eq(votes.programTeamId, team.id), eq(votes.status, 'closed'), gte(votes.closedAt, window.since)))
    .orderBy(asc(votes.closedAt), asc(votes.number))
    .all();
  const closedIds = closedVoteRows.map((v) => v.id);
  const options =
    closedIds.length === 0
      ? []
      : db
          .select({ voteId: voteOptions.voteId, id: voteOptions.id, label: voteOptions.label, position: voteOptions.position })
          .from(voteOptions)
          .where(inArray(voteOptions.voteId, closedIds))
          .orderBy(asc(voteOptions.position))
          .all();
  // Ballots are only needed when a closed vote has no stored result to read the winner from.
  const needBallots = closedVoteRows.filter((v) => v.resultJson === null).map((v) => v.id);
  const closedBallots =
    needBallots.length === 0
      ? []
      : db.select({ voteId: ballots.voteId, choicesJson: ballots.choicesJson }).from(ballots).where(inArray(ballots.voteId, needBallots)).all();
  const closedVotes: ClosedVoteRow[] = closedVoteRows.map((v) => ({
    ...v,
    closedAt: v.closedAt ?? 0,
    options: options.filter((o) => o.voteId === v.id).map(({ id, label, position }) => ({ id, label, position })),
    ballots: closedBallots.filter((b) => b.voteId === v.id).map(({ choicesJson }) => ({ choicesJson })),
  }));

  const memberCount =
    db.select({ n: count() }).from(teamMembers).where(eq(teamMembers.programTeamId, team.id)).get()?.n ?? 0;
  const organisationCount =
    db
      .select({ n: sql<number>`count(distinct ${organisations.id})` })
      .from(teamMembers)
      .innerJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(teamMembers.programTeamId, team.id))
      .get()?.n ?? 0;

  return { issues: teamIssues, statusChanges, meetings: upcoming, openVotes, closedVotes, memberCount, organisationCount };
}
