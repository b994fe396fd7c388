import { instantRunoff, tallyCounts, type TallyOption } from '../vote/tally.js';
import { isClosedStatus, type ClosedVoteRow, type DigestTeam, type IssueRow, type StatusChangeRow, type TeamData } from './queries.js';

/*
 * Pure: turns what the queries read into what a digest says. No clock (the period is given), no I/O.
 */

export const UPCOMING_MEETING_DAYS = 14;
/** An open vote with fewer than this share of its eligible voters is flagged in the roll-up. */
export const LOW_TURNOUT_SHARE = 0.5;

export interface Period {
  start: number;
  end: number;
}

export interface CountWithChange {
  now: number;
  /** The same count at the start of the period (or over the previous period, for flows). */
  before: number;
}

export interface IssueItem {
  key: string;
  title: string;
  status: string;
  ownerId: string | null;
  dueDate: string | null;
  priority: number | null;
}

export interface MeetingItem {
  key: string;
  title: string;
  startsAt: number;
  going: number;
  maybe: number;
  declined: number;
}

export interface OpenVoteItem {
  key: string;
  question: string;
  closesAt: number | null;
  ballots: number;
  /** Who could vote: people on the team, or organisations with someone on it; null when unknown (nobody). */
  eligible: number | null;
  eligibleUnit: 'people' | 'organisations';
}

export interface ClosedVoteItem {
  key: string;
  question: string;
  winner: string | null;
  ballots: number | null;
}

export interface TeamDigest {
  team: { key: string; name: string };
  period: Period;
  previous: Period;
  /** Status counts at the end of the period, compared with its start. */
  open: CountWithChange;
  inProgress: CountWithChange;
  blocked: CountWithChange;
  /** Issues opened and closed in the period, compared with the previous period. */
  openedCount: CountWithChange;
  closedCount: CountWithChange;
  opened: IssueItem[];
  closed: IssueItem[];
  overdue: IssueItem[];
  blockedIssues: IssueItem[];
  unowned: IssueItem[];
  meetings: MeetingItem[];
  openVotes: OpenVoteItem[];
  closedVotes: ClosedVoteItem[];
  priorities: IssueItem[];
}

export const issueKey = (teamKey: string, n: number): string => `${teamKey}-${n}`;
export const meetingKey = (n: number): string => `M-${n}`;
export const voteKey = (n: number): string => `V-${n}`;

const item = (teamKey: string, i: IssueRow): IssueItem => ({
  key: issueKey(teamKey, i.number),
  title: i.title,
  status: i.status,
  ownerId: i.ownerId,
  dueDate: i.dueDate,
  priority: i.priority,
});

const within = (ms: number | null, p: Period): boolean => ms !== null && ms >= p.start && ms < p.end;

/**
 * Each issue's status at instant `t` (issues created before `t` only): the `from` of its first
 * status change at or after `t`, or its current status when it has not changed since. This needs
 * only the changes after `t`, and is right even for issues that predate event logging.
 */
export function statusesAt(issuesList: readonly IssueRow[], changes: readonly StatusChangeRow[], t: number): Map<number, string> {
  const firstAfter = new Map<number, string>();
  for (const change of changes) {
    if (change.createdAt >= t && !firstAfter.has(change.issueId)) firstAfter.set(change.issueId, change.fromValue);
  }
  const result = new Map<number, string>();
  for (const issue of issuesList) {
    if (issue.createdAt >= t) continue;
    result.set(issue.id, firstAfter.get(issue.id) ?? issue.status);
  }
  return result;
}

function countStatus(statuses: Map<number, string>, status: string): number {
  let n = 0;
  for (const s of statuses.values()) if (s === status) n++;
  return n;
}

/** The local calendar date ('YYYY-MM-DD') of an instant in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** Parsed JSON, or undefined for text that is not JSON (a damaged row must not stop a digest). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface StoredResult {
  winner?: unknown;
  ranking?: unknown;
}

/** The winning option's label: from the stored result, else recounted from the ballots. */
export function voteWinner(vote: ClosedVoteRow): { winner: string | null; ballots: number | null } {
  const labelOf = (id: unknown): string | null => vote.options.find((o) => o.id === id)?.label ?? null;
  // A result stored in another shape falls through to a recount from the ballots.
  const result = vote.resultJson === null ? undefined : (parseJson(vote.resultJson) as StoredResult | undefined);
  if (result !== undefined && result !== null && typeof result === 'object') {
    if (typeof result.winner === 'number') return { winner: labelOf(result.winner), ballots: null };
    if (result.winner === null) return { winner: null, ballots: null };
    if (Array.isArray(result.ranking) && result.ranking.length > 0) return { winner: labelOf(result.ranking[0]), ballots: null };
  }
  const options: TallyOption[] = vote.options;
  const parsed = vote.ballots.map((b) => {
    const choices = parseJson(b.choicesJson);
    return { voter: null, choices: Array.isArray(choices) ? choices.filter((c): c is number => typeof c === 'number') : [] };
  });
  if (vote.method === 'ranked') {
    const runoff = instantRunoff(options, parsed);
    return { winner: runoff.winner === null ? null : labelOf(runoff.winner), ballots: parsed.length };
  }
  const counts = tallyCounts(options, parsed);
  // A tie for first place has no single winner to report.
  return { winner: counts.leaders.length === 1 ? labelOf(counts.leaders[0]) : null, ballots: parsed.length };
}

const isOrganisationVote = (eligibility: string): boolean => /^org/i.test(eligibility);

export function turnout(vote: OpenVoteItem): number | null {
  return vote.eligible === null || vote.eligible === 0 ? null : vote.ballots / vote.eligible;
}

/** What one team's digest shows for `period`, with `previous` for the comparisons. */
export function buildTeamDigest(team: DigestTeam, data: TeamData, period: Period, previous: Period, timeZone: string): TeamDigest {
  const k = team.key;
  const atStart = statusesAt(data.issues, data.statusChanges, period.start);
  const atEnd = statusesAt(data.issues, data.statusChanges, period.end);
  const open = data.issues.filter((i) => !isClosedStatus(i.status));
  const today = localDate(period.end, timeZone);
  const closedIn = (p: Period) => data.issues.filter((i) => isClosedStatus(i.status) && within(i.closedAt, p));
  const createdIn = (p: Period) => data.issues.filter((i) => within(i.createdAt, p));

  return {
    team: { key: team.key, name: team.name },
    period,
    previous,
    open: { now: countStatus(atEnd, 'open'), before: countStatus(atStart, 'open') },
    inProgress: { now: countStatus(atEnd, 'in_progress'), before: countStatus(atStart, 'in_progress') },
    blocked: { now: countStatus(atEnd, 'blocked'), before: countStatus(atStart, 'blocked') },
    openedCount: { now: createdIn(period).length, before: createdIn(previous).length },
    closedCount: { now: closedIn(period).length, before: closedIn(previous).length },
    opened: createdIn(period).map((i) => item(k, i)),
    closed: closedIn(period)
      .sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0))
      .map((i) => item(k, i)),
    overdue: open
      .filter((i) => i.dueDate !== null && i.dueDate < today)
      .sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || a.number - b.number)
      .map((i) => item(k, i)),
    blockedIssues: open.filter((i) => i.status === 'blocked').map((i) => item(k, i)),
    unowned: open.filter((i) => i.ownerId === null).map((i) => item(k, i)),
    meetings: data.meetings.map((m) => ({
      key: meetingKey(m.number),
      title: m.title,
      startsAt: m.startsAt,
      going: Number(m.going),
      maybe: Number(m.maybe),
      declined: Number(m.declined),
    })),
    openVotes: data.openVotes.map((v) => {
      const byOrg = isOrganisationVote(v.eligibility);
      const eligible = byOrg ? data.organisationCount : data.memberCount;
      return {
        key: voteKey(v.number),
        question: v.question,
        closesAt: v.closesAt,
        ballots: Number(v.ballots),
        eligible: eligible === 0 ? null : eligible,
        eligibleUnit: byOrg ? 'organisations' : 'people',
      };
    }),
    closedVotes: data.closedVotes
      .filter((v) => within(v.closedAt, period))
      .map((v) => ({ key: voteKey(v.number), question: v.question, ...voteWinner(v) })),
    priorities: open
      .filter((i) => i.priority !== null)
      .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || a.number - b.number)
      .map((i) => item(k, i)),
  };
}

/** Nothing happened in the period and nothing is coming up. */
export function isQuiet(d: TeamDigest): boolean {
  return (
    d.opened.length === 0 &&
    d.closed.length === 0 &&
    d.meetings.length === 0 &&
    d.openVotes.length === 0 &&
    d.closedVotes.length === 0 &&
    d.open.now === d.open.before &&
    d.inProgress.now === d.inProgress.before &&
    d.blocked.now === d.blocked.before
  );
}

export function lowTurnoutVotes(d: TeamDigest): OpenVoteItem[] {
  return d.openVotes.filter((v) => {
    const share = turnout(v);
    return share !== null && share < LOW_TURNOUT_SHARE;
  });
}
