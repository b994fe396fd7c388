import { and, asc, desc, eq, gte, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Storage } from '../../db/storage.js';
import { ballots, issues, voteOptions, votes } from '../../db/schema.js';
import { goalsNeedingAttention, type AttentionGoal } from '../goal/attention.js';
import { parseChoices, voteKey } from '../vote/rules.js';
import { instantRunoff, tallyCounts, type TallyBallot, type TallyOption } from '../vote/tally.js';
import { CLOSED_STATUSES, formatKey, isClosed } from '../issue/model.js';

/*
 * What a team has open, for a new meeting's agenda. Issues and votes belong to other features;
 * this module only reads their tables, so a meeting never depends on their services.
 */

/** Closed votes stay on the agenda this long, so the next meeting can act on the result. */
export const RECENT_VOTE_DAYS = 14;

export interface AgendaIssue {
  key: string;
  title: string;
  blocked: boolean;
  /** YYYY-MM-DD when overdue. */
  overdueSince?: string;
}

export interface AgendaVote {
  key: string;
  question: string;
  open: boolean;
  /** Leading (open) or winning (closed) option labels; several on a tie. */
  leaders: string[];
  ballots: number;
  /** An open vote whose creator chose to hide results until it closes. */
  hidden: boolean;
}

export interface TeamAgendaState {
  issues: AgendaIssue[];
  votes: AgendaVote[];
  /** Goals behind, overdue or stale (src/features/goal/attention.ts). */
  goals?: AttentionGoal[];
}

/** Blocked issues, and issues past their due date that are not closed; most urgent first. */
export async function agendaIssues(db: Storage, programTeamId: number, teamKey: string, today: string, limit = 30): Promise<AgendaIssue[]> {
  const rows = await db
    .select({ number: issues.number, title: issues.title, status: issues.status, dueDate: issues.dueDate })
    .from(issues)
    .where(
      and(
        eq(issues.programTeamId, programTeamId),
        or(eq(issues.status, 'blocked'), and(lt(issues.dueDate, today), notInArray(issues.status, [...CLOSED_STATUSES]))),
      ),
    )
    // Undated (blocked) issues first on both engines: PostgreSQL would sort nulls last.
    .orderBy(sql`case when ${issues.dueDate} is null then 0 else 1 end`, asc(issues.dueDate), asc(issues.number))
    .limit(limit)
    .all();
  return rows.map((r) => {
    const issue: AgendaIssue = { key: formatKey(teamKey, r.number), title: r.title, blocked: r.status === 'blocked' };
    if (r.dueDate !== null && r.dueDate < today && !isClosed(r.status)) issue.overdueSince = r.dueDate;
    return issue;
  });
}

/** Open votes and those closed in the last RECENT_VOTE_DAYS, with their leading options counted from the ballots. */
export async function agendaVotes(db: Storage, programTeamId: number, nowMs: number, limit = 10): Promise<AgendaVote[]> {
  const since = nowMs - RECENT_VOTE_DAYS * 24 * 60 * 60 * 1000;
  const rows = await db
    .select()
    .from(votes)
    .where(and(eq(votes.programTeamId, programTeamId), or(eq(votes.status, 'open'), gte(votes.closedAt, since))))
    .orderBy(desc(votes.createdAt), desc(votes.id))
    .limit(limit)
    .all();
  if (rows.length === 0) return [];
  const ids = rows.map((v) => v.id);
  const options = await db.select().from(voteOptions).where(inArray(voteOptions.voteId, ids)).orderBy(asc(voteOptions.voteId), asc(voteOptions.position)).all();
  const cast = await db.select({ voteId: ballots.voteId, choicesJson: ballots.choicesJson }).from(ballots).where(inArray(ballots.voteId, ids)).orderBy(asc(ballots.id)).all();
  return rows.map((vote) => {
    const tallyOptions: TallyOption[] = options.filter((o) => o.voteId === vote.id).map((o) => ({ id: o.id, label: o.label, position: o.position }));
    const tallyBallots: TallyBallot[] = cast.filter((b) => b.voteId === vote.id).map((b) => ({ voter: null, choices: parseChoices(b.choicesJson) }));
    const labelOf = new Map(tallyOptions.map((o) => [o.id, o.label]));
    // The same counting the vote feature uses: instant runoff for ranked votes, plain counts otherwise.
    const leaderIds =
      vote.method === 'ranked'
        ? [instantRunoff(tallyOptions, tallyBallots).winner].filter((id): id is number => id !== null)
        : tallyCounts(tallyOptions, tallyBallots).leaders;
    const open = vote.status === 'open';
    const hidden = open && vote.resultsVisibility !== 'live';
    return {
      key: voteKey(vote.number),
      question: vote.question,
      open,
      leaders: hidden ? [] : leaderIds.flatMap((id) => labelOf.get(id) ?? []),
      ballots: tallyBallots.length,
      hidden,
    };
  });
}

export async function teamAgendaState(db: Storage, programTeamId: number, teamKey: string, today: string, nowMs: number): Promise<TeamAgendaState> {
  return { goals: await goalsNeedingAttention(db, programTeamId, today), issues: await agendaIssues(db, programTeamId, teamKey, today), votes: await agendaVotes(db, programTeamId, nowMs) };
}

/** Slack's multiline input takes at most 3,000 characters; the agenda field allows the same. */
export const AGENDA_MAX = 3000;

/**
 * The agenda a new meeting starts with: plain text (it goes into an input, so no mrkdwn), one
 * line per item, and a count of whatever did not fit rather than a silent cut.
 */
export function agendaPrefill(state: TeamAgendaState, max = AGENDA_MAX): string {
  const sections: Array<{ heading: string; lines: string[] }> = [];
  if (state.goals !== undefined && state.goals.length > 0) {
    sections.push({ heading: 'Goals behind or stale', lines: state.goals.map((g) => `- ${g.key} ${g.name} (${g.why})`) });
  }
  if (state.issues.length > 0) {
    sections.push({
      heading: 'Blocked and overdue issues',
      lines: state.issues.map((i) => {
        const why = [i.blocked ? 'blocked' : undefined, i.overdueSince === undefined ? undefined : `overdue since ${i.overdueSince}`].filter(Boolean).join(', ');
        return `- ${i.key} ${i.title} (${why})`;
      }),
    });
  }
  if (state.votes.length > 0) {
    sections.push({
      heading: 'Votes',
      lines: state.votes.map((v) => {
        const ballotsText = `${v.ballots} ballot${v.ballots === 1 ? '' : 's'}`;
        let standing: string;
        if (v.hidden) standing = `open, results hidden until it closes, ${ballotsText}`;
        else if (v.leaders.length === 0) standing = v.open ? 'open, no ballots yet' : 'closed, no result';
        else standing = `${v.open ? 'open, leading' : 'closed, result'}: ${v.leaders.join(' / ')} (${ballotsText})`;
        return `- ${v.key} ${v.question} (${standing})`;
      }),
    });
  }
  if (sections.length === 0) return '';
  const out: string[] = [];
  let length = 0;
  let left = 0;
  for (const section of sections) {
    const lines = [section.heading, ...section.lines];
    lines.forEach((line, index) => {
      const extra = line.length + (out.length === 0 ? 0 : 1);
      // Keep room for the "…and N more" line.
      if (left > 0 || length + extra > max - 40) {
        if (index > 0) left++;
        return;
      }
      out.push(line);
      length += extra;
    });
    if (left === 0 && sections.indexOf(section) < sections.length - 1) {
      out.push('');
      length += 1;
    }
  }
  if (left > 0) out.push(`…and ${left} more item${left === 1 ? '' : 's'}`);
  return out.join('\n');
}
