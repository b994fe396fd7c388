import type { GoalDigestItem } from '../goal/digest.js';
import { instantRunoff, tallyCounts, type TallyOption } from '../vote/tally.js';
import { parseJsonText } from '../../domain/json.js';
import { eligibleCount, parseChoices, voteKey } from '../vote/rules.js';
import type {
  ClosedVoteRow,
  DigestTeam,
  Electorate,
  IssueRow,
  IssueState,
  Listed,
  MeetingRow,
  OpenVoteRow,
  StatusChangeRow,
  StatusCounts,
  TeamFigures,
  TeamLists,
} from './queries.js';
import { formatKey, OPEN_STATUSES } from '../issue/model.js';
import { meetingKey } from '../meeting/views.js';

/*
 * Pure: turns what the queries read into what a digest says. No clock (the period is given), no I/O.
 */

export const UPCOMING_MEETING_DAYS = 14;
/** Items a digest lists per section before "…and N more" (the views show this many at most). */
export const LISTED_ITEMS = 8;
/**
 * Low-turnout votes read per team for the roll-up. A team's roll-up line is cut at Slack's 3,000
 * characters and each entry ("V-1 (0 of 1 people), ") takes at least 21, so more could never show.
 */
export const LOW_TURNOUT_READ = 150;
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
  /** Each list holds its first LISTED_ITEMS and the total, for "…and N more". */
  opened: Listed<IssueItem>;
  closed: Listed<IssueItem>;
  overdue: Listed<IssueItem>;
  blockedIssues: Listed<IssueItem>;
  unowned: Listed<IssueItem>;
  meetings: Listed<MeetingItem>;
  openVotes: Listed<OpenVoteItem>;
  closedVotes: Listed<ClosedVoteItem>;
  priorities: Listed<IssueItem>;
  /** The team's goals (open, and closed in the period), most worrying first; the digest opens with them. */
  goals?: GoalDigestItem[];
}

/** One team in the coordinators' roll-up: its figures and what needs attention. */
export interface RollupTeam {
  team: { key: string; name: string };
  open: CountWithChange;
  inProgress: CountWithChange;
  blocked: CountWithChange;
  openedCount: CountWithChange;
  closedCount: CountWithChange;
  overdue: number;
  blockedIssues: number;
  unowned: number;
  nextMeetingAt: number | null;
  /** Open votes below LOW_TURNOUT_SHARE, in the digest's order (at most LOW_TURNOUT_READ). */
  lowTurnout: OpenVoteItem[];
  /** The team's goals, for the roll-up's cross-team goals section. */
  goals?: GoalDigestItem[];
}


const item = (teamKey: string, i: IssueRow): IssueItem => ({
  key: formatKey(teamKey, i.number),
  title: i.title,
  status: i.status,
  ownerId: i.ownerId,
  dueDate: i.dueDate,
  priority: i.priority,
});

/**
 * Each issue's status at instant `t` (issues created before `t` only): the `from` of its first
 * status change at or after `t`, or its current status when it has not changed since. This needs
 * only the changes after `t`, and is right even for issues that predate event logging.
 */
export function statusesAt(issuesList: readonly IssueState[], changes: readonly StatusChangeRow[], t: number): Map<number, string> {
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

const TRACKED: readonly string[] = OPEN_STATUSES;
const isTracked = (status: string | undefined): status is keyof StatusCounts => TRACKED.includes(status ?? '');

/**
 * Status counts at instant `t`: the issues created before `t` counted by their current status,
 * corrected for each issue whose status changed since `t` (its status then, from `statusesAt`).
 */
export function statusCountsAt(current: StatusCounts, changed: readonly IssueState[], changes: readonly StatusChangeRow[], t: number): StatusCounts {
  const counts = { ...current };
  const then = statusesAt(changed, changes, t);
  for (const issue of changed) {
    const was = then.get(issue.id);
    if (was === undefined) continue;
    if (isTracked(issue.status)) counts[issue.status]--;
    if (isTracked(was)) counts[was]++;
  }
  return counts;
}


interface StoredResult {
  winner?: unknown;
  ranking?: unknown;
}

/** The winning option's label: from the stored result, else recounted from the ballots. */
export function voteWinner(vote: ClosedVoteRow): { winner: string | null; ballots: number | null } {
  const labelOf = (id: unknown): string | null => vote.options.find((o) => o.id === id)?.label ?? null;
  // A result stored in another shape falls through to a recount from the ballots.
  const result = vote.resultJson === null ? undefined : (parseJsonText(vote.resultJson) as StoredResult | undefined);
  if (result !== undefined && result !== null && typeof result === 'object') {
    if (typeof result.winner === 'number') return { winner: labelOf(result.winner), ballots: null };
    if (result.winner === null) return { winner: null, ballots: null };
    if (Array.isArray(result.ranking) && result.ranking.length > 0) return { winner: labelOf(result.ranking[0]), ballots: null };
  }
  const options: TallyOption[] = vote.options;
  const parsed = vote.ballots.map((b) => {
    return { voter: null, choices: parseChoices(b.choicesJson) };
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

/**
 * How many could vote, by the vote's own eligibility rule (`eligibleCount`, the same one the
 * ballot counts by): the channel's members at the vote's last count for *everyone* votes, the
 * team's members or organisations otherwise. Null when nobody or unknown (turnout is then unknown).
 */
export function eligibleVoters(electorate: Electorate, vote: Pick<OpenVoteRow, 'eligibility' | 'electorateSize'>): number | null {
  const n = eligibleCount(vote.eligibility, { channelMembers: vote.electorateSize, teamMembers: electorate.memberCount, teamOrganisations: electorate.organisationCount });
  return n === null || n === 0 ? null : n;
}

export function turnout(vote: OpenVoteItem): number | null {
  return vote.eligible === null || vote.eligible === 0 ? null : vote.ballots / vote.eligible;
}

export function openVoteItem(v: OpenVoteRow, electorate: Electorate): OpenVoteItem {
  return {
    key: voteKey(v.number),
    question: v.question,
    closesAt: v.closesAt,
    ballots: Number(v.ballots),
    eligible: eligibleVoters(electorate, v),
    eligibleUnit: isOrganisationVote(v.eligibility) ? 'organisations' : 'people',
  };
}

const meetingItem = (m: MeetingRow): MeetingItem => ({
  key: meetingKey(m.number),
  title: m.title,
  startsAt: m.startsAt,
  going: Number(m.going),
  maybe: Number(m.maybe),
  declined: Number(m.declined),
});

const mapListed = <T, U>(list: Listed<T>, f: (t: T) => U): Listed<U> => ({ items: list.items.map(f), total: list.total });

interface StatusFigures {
  open: CountWithChange;
  inProgress: CountWithChange;
  blocked: CountWithChange;
  openedCount: CountWithChange;
  closedCount: CountWithChange;
}

function statusFigures(f: TeamFigures, period: Period): StatusFigures {
  const atStart = statusCountsAt(f.currentAtStart, f.changedIssues, f.statusChanges, period.start);
  const atEnd = statusCountsAt(f.currentAtEnd, f.changedIssues, f.statusChanges, period.end);
  return {
    open: { now: atEnd.open, before: atStart.open },
    inProgress: { now: atEnd.in_progress, before: atStart.in_progress },
    blocked: { now: atEnd.blocked, before: atStart.blocked },
    openedCount: { now: f.openedNow, before: f.openedBefore },
    closedCount: { now: f.closedNow, before: f.closedBefore },
  };
}

/** What one team's digest shows for `period`, with `previous` for the comparisons. */
export function buildTeamDigest(team: DigestTeam, figures: TeamFigures, lists: TeamLists, electorate: Electorate, period: Period, previous: Period): TeamDigest {
  const k = team.key;
  const issues = (list: Listed<IssueRow>) => mapListed(list, (i) => item(k, i));
  return {
    team: { key: team.key, name: team.name },
    period,
    previous,
    ...statusFigures(figures, period),
    opened: issues(lists.opened),
    closed: issues(lists.closed),
    overdue: issues(lists.overdue),
    blockedIssues: issues(lists.blocked),
    unowned: issues(lists.unowned),
    meetings: mapListed(lists.meetings, meetingItem),
    openVotes: mapListed(lists.openVotes, (v) => openVoteItem(v, electorate)),
    closedVotes: mapListed(lists.closedVotes, (v) => ({ key: voteKey(v.number), question: v.question, ...voteWinner(v) })),
    priorities: issues(lists.priorities),
  };
}

/** One team's roll-up entry, from the same figures as its digest. */
export function buildRollupTeam(team: DigestTeam, figures: TeamFigures, period: Period, nextMeeting: number | null, lowTurnout: readonly OpenVoteRow[], electorate: Electorate): RollupTeam {
  return {
    team: { key: team.key, name: team.name },
    ...statusFigures(figures, period),
    overdue: figures.overdue,
    blockedIssues: figures.blocked,
    unowned: figures.unowned,
    nextMeetingAt: nextMeeting,
    lowTurnout: lowTurnout.map((v) => openVoteItem(v, electorate)),
  };
}

/** Nothing happened in the period and nothing is coming up. */
export function isQuiet(d: TeamDigest): boolean {
  return (
    d.opened.total === 0 &&
    d.closed.total === 0 &&
    d.meetings.total === 0 &&
    d.openVotes.total === 0 &&
    d.closedVotes.total === 0 &&
    d.open.now === d.open.before &&
    d.inProgress.now === d.inProgress.before &&
    d.blocked.now === d.blocked.before
  );
}

export const isLowTurnout = (v: OpenVoteItem): boolean => {
  const share = turnout(v);
  return share !== null && share < LOW_TURNOUT_SHARE;
};
