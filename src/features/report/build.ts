/**
 * Builds a report: reads the period's data team by team (page by page), writes the CSV files as it
 * goes and keeps only the small aggregates that the summary and the charts need. Plain TypeScript:
 * no Slack here; `now`, the time zone and how to name a person are passed in.
 */
import { join } from 'node:path';
import { utcToLocalParts } from '../../time/zone.js';
import { instantRunoff, tallyCounts } from '../vote/tally.js';
import { parseChoices, voteKey, type VoteResult } from '../vote/rules.js';
import { openedResolvedChart, meetingAttendanceChart, voteTurnoutChart, type Chart, type OrganisationShare, type WeekCount } from './charts.js';
import { CsvFile } from './csv.js';
import { parseJsonText } from '../../domain/json.js';
import { weekIndex, weeksOf, type ReportPeriod } from './period.js';
import { ReportQueries, type DecidedVoteRow, type ReportTeam } from './queries.js';
import { formatKey, statusWord } from '../issue/model.js';
import { meetingKey } from '../meeting/views.js';

export interface TeamFiguresReport {
  key: string;
  name: string;
  opened: number;
  resolved: number;
  /** Blocked when the period ended. */
  blocked: number;
  /** Not resolved or dropped when the period ended. */
  openAtEnd: number;
  meetingsHeld: number;
  meetingsCancelled: number;
  meetingsAhead: number;
  /** Per organisation: meetings held where someone from it said Going, of the meetings held. */
  attendance: Array<{ organisation: string; meetings: number }>;
  votes: Array<{ key: string; question: string; winner: string | null; voted: number; eligible: number | null; unit: string; anonymous: boolean }>;
  /** Per organisation: decided votes it voted in, of those whose turnout by organisation may be shown. */
  turnout: Array<{ organisation: string; voted: number; of: number }>;
  weeks: WeekCount[];
}

export interface ReportFile {
  kind: 'csv' | 'png';
  filename: string;
  title: string;
  path?: string;
  png?: Buffer;
  altText?: string;
  rows?: number;
}

export interface BuiltReport {
  period: ReportPeriod;
  scope: 'team' | 'all';
  teams: TeamFiguresReport[];
  files: ReportFile[];
}

export interface BuildDeps {
  queries: ReportQueries;
  timeZone: string;
  now: Date;
  /** A person's display name for the CSVs (their Slack id when unknown). */
  nameOf: (userId: string) => string;
  /** Folder for the CSV files (the caller removes it after the upload). */
  dir: string;
  /** Skip the charts (the bench measures them separately when asked). */
  charts?: boolean;
  /** Lets requests run between pages of a long report. */
  breathe?: () => Promise<void>;
}

const ELIGIBILITY_WORDS: Record<string, string> = { everyone: 'everyone in the channel', members: 'team members', organisation: 'one per organisation' };
const METHOD_WORDS: Record<string, string> = { single: 'one option each', multiple: 'several options each', ranked: 'ranked (instant runoff)' };
const NO_ORGANISATION = '(no organisation recorded)';

export const ISSUE_COLUMNS = ['Team', 'Issue', 'Title', 'Category', 'Status at end of period', 'Status now', 'Owner', 'Owner organisation', 'Reporter', 'Opened', 'Due', 'Closed', 'Status changes in period'];
export const MEETING_COLUMNS = ['Team', 'Meeting', 'Title', 'Starts', 'Minutes', 'Status', 'Organisation', 'Going', 'Maybe', "Can't go"];
export const VOTE_COLUMNS = ['Team', 'Vote', 'Question', 'Method', 'Who votes', 'Anonymous', 'Opened', 'Closed', 'Option', 'Label', 'Votes', 'Final rank', 'Winner', 'Ballots cast', 'Could vote', 'Turnout %'];
export const TURNOUT_COLUMNS = ['Team', 'Vote', 'Question', 'Organisation', 'Voted'];

/** 'YYYY-MM-DD HH:mm' on the collaborative's clock: sortable, and Excel reads it as a date-time. */
const localDateTime = (ms: number, tz: string): string => {
  const p = utcToLocalParts(new Date(ms), tz);
  return `${p.date} ${p.time}`;
};
const localDate = (ms: number, tz: string): string => utcToLocalParts(new Date(ms), tz).date;

const parseResult = (json: string | null): VoteResult | undefined => {
  // A damaged row is recounted from the ballots rather than failing the report.
  return json === null ? undefined : (parseJsonText(json) as VoteResult | undefined);
};

export async function buildReport(deps: BuildDeps, teams: readonly ReportTeam[], period: ReportPeriod, scope: 'team' | 'all'): Promise<BuiltReport> {
  const tz = deps.timeZone;
  const breathe = deps.breathe ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  const weeks = weeksOf(period, tz);
  const slug = `${scope === 'all' ? 'all-teams' : (teams[0]?.key ?? 'team').toLowerCase()}-${period.slug}`;
  const issuesCsv = new CsvFile(join(deps.dir, `issues-${slug}.csv`), ISSUE_COLUMNS);
  const meetingsCsv = new CsvFile(join(deps.dir, `meetings-${slug}.csv`), MEETING_COLUMNS);
  const votesCsv = new CsvFile(join(deps.dir, `votes-${slug}.csv`), VOTE_COLUMNS);
  const turnoutCsv = new CsvFile(join(deps.dir, `vote-turnout-${slug}.csv`), TURNOUT_COLUMNS);
  const figures: TeamFiguresReport[] = [];
  try {
    for (const team of teams) {
      const f: TeamFiguresReport = {
        key: team.key,
        name: team.name,
        opened: 0,
        resolved: 0,
        blocked: 0,
        openAtEnd: 0,
        meetingsHeld: 0,
        meetingsCancelled: 0,
        meetingsAhead: 0,
        attendance: [],
        votes: [],
        turnout: [],
        weeks: weeks.map((w) => ({ team: team.key, week: w.label, opened: 0, resolved: 0 })),
      };
      await issuesOf(deps, team, period, f, issuesCsv, weeks, breathe);
      await meetingsOf(deps, team, period, f, meetingsCsv);
      await votesOf(deps, team, period, f, votesCsv, turnoutCsv);
      figures.push(f);
      await breathe();
    }
  } finally {
    await Promise.all([issuesCsv.close(), meetingsCsv.close(), votesCsv.close(), turnoutCsv.close()]);
  }
  const files: ReportFile[] = [
    { kind: 'csv', filename: fileName(issuesCsv.path), title: `Issues · ${period.label}`, path: issuesCsv.path, rows: issuesCsv.rows },
    { kind: 'csv', filename: fileName(meetingsCsv.path), title: `Meetings and RSVPs by organisation · ${period.label}`, path: meetingsCsv.path, rows: meetingsCsv.rows },
    { kind: 'csv', filename: fileName(votesCsv.path), title: `Votes, options and results · ${period.label}`, path: votesCsv.path, rows: votesCsv.rows },
    { kind: 'csv', filename: fileName(turnoutCsv.path), title: `Vote turnout by organisation · ${period.label}`, path: turnoutCsv.path, rows: turnoutCsv.rows },
  ];
  if (deps.charts !== false) {
    const subtitle = `${scope === 'all' ? 'All teams' : (teams[0]?.key ?? '')} · ${period.label}`;
    const charts: Chart[] = [
      await openedResolvedChart(figures.flatMap((f) => f.weeks), subtitle, { filename: `issues-per-week-${slug}.png` }),
      await meetingAttendanceChart(
        figures.flatMap((f) => f.attendance.map((a): OrganisationShare => ({ team: f.key, organisation: a.organisation, count: a.meetings, of: f.meetingsHeld }))),
        subtitle,
      ),
      await voteTurnoutChart(figures.flatMap((f) => f.turnout.map((t): OrganisationShare => ({ team: f.key, organisation: t.organisation, count: t.voted, of: t.of }))), subtitle),
    ];
    for (const c of charts) {
      const filename = c.filename.includes(slug) ? c.filename : c.filename.replace(/\.png$/, `-${slug}.png`);
      files.push({ kind: 'png', filename, title: c.title, png: c.png, altText: c.altText });
    }
  }
  return { period, scope, teams: figures, files };
}

const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

async function issuesOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, csv: CsvFile, weeks: ReturnType<typeof weeksOf>, breathe: () => Promise<void>): Promise<void> {
  const tz = deps.timeZone;
  let after = 0;
  for (;;) {
    const page = deps.queries.issuesPage(team.id, period.start, period.end, after);
    for (const issue of page) {
      if (issue.createdAt >= period.start) {
        f.opened += 1;
        const w = f.weeks[weekIndex(weeks, issue.createdAt)];
        if (w !== undefined) w.opened += 1;
      }
      const changes = (issue.changes ?? '')
        .split(';')
        .filter((c) => c !== '')
        .map((c) => {
          const [at, from, to] = c.split('|');
          return { at: Number(at), from: from ?? '', to: to ?? '' };
        });
      for (const change of changes) {
        if (change.to !== 'resolved') continue;
        f.resolved += 1;
        const w = f.weeks[weekIndex(weeks, change.at)];
        if (w !== undefined) w.resolved += 1;
      }
      if (issue.statusAtEnd === 'blocked') f.blocked += 1;
      if (issue.statusAtEnd !== 'resolved' && issue.statusAtEnd !== 'dropped') f.openAtEnd += 1;
      await csv.write([
        team.key,
        formatKey(team.key, issue.number),
        issue.title,
        issue.category.replace(/_/g, ' '),
        statusWord(issue.statusAtEnd),
        statusWord(issue.status),
        issue.ownerId === null ? '' : deps.nameOf(issue.ownerId),
        issue.ownerOrganisation,
        deps.nameOf(issue.reporterId),
        localDate(issue.createdAt, tz),
        issue.dueDate,
        issue.closedAt === null ? '' : localDate(issue.closedAt, tz),
        changes.map((c) => `${localDateTime(c.at, tz)} ${statusWord(c.from)} → ${statusWord(c.to)}`).join('; '),
      ]);
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < 2000) break;
    after = last.number;
    await breathe();
  }
}

async function meetingsOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, csv: CsvFile): Promise<void> {
  const tz = deps.timeZone;
  const now = deps.now.getTime();
  const rows = deps.queries.meetingRsvps(team.id, period.start, period.end);
  const attendance = new Map<string, number>();
  let current: number | undefined;
  // Rows come grouped by meeting, then organisation, then answer: one CSV row per meeting and organisation.
  let pending: { key: string; cells: Array<string | number>; going: number; maybe: number; declined: number } | undefined;
  const flush = async (): Promise<void> => {
    if (pending === undefined) return;
    await csv.write([...pending.cells, pending.going, pending.maybe, pending.declined]);
    pending = undefined;
  };
  for (const row of rows) {
    const status = row.status === 'cancelled' ? 'cancelled' : row.startsAt < now ? 'held' : 'ahead';
    if (row.id !== current) {
      current = row.id;
      if (status === 'held') f.meetingsHeld += 1;
      else if (status === 'cancelled') f.meetingsCancelled += 1;
      else f.meetingsAhead += 1;
    }
    const organisation = row.answer === null ? '' : row.organisation === '' ? NO_ORGANISATION : row.organisation;
    const key = `${row.id}:${organisation}`;
    if (pending?.key !== key) {
      await flush();
      pending = { key, cells: [team.key, meetingKey(row.number), row.title, localDateTime(row.startsAt, tz), row.durationMinutes, status, organisation], going: 0, maybe: 0, declined: 0 };
    }
    if (row.answer === 'going') {
      pending.going += row.people;
      if (status === 'held' && row.organisation !== '') attendance.set(row.organisation, (attendance.get(row.organisation) ?? 0) + 1);
    } else if (row.answer === 'maybe') pending.maybe += row.people;
    else if (row.answer === 'declined') pending.declined += row.people;
  }
  await flush();
  // Every organisation on the team appears, with 0 when nobody from it went.
  for (const { organisation } of deps.queries.teamOrganisations(team.id)) if (!attendance.has(organisation)) attendance.set(organisation, 0);
  f.attendance = [...attendance].map(([organisation, meetings]) => ({ organisation, meetings })).sort((a, b) => a.organisation.localeCompare(b.organisation));
  if (f.meetingsHeld === 0) f.attendance = [];
}

interface OptionOutcome {
  id: number;
  position: number;
  label: string;
  votes: number;
  rank: number;
  winner: boolean;
}

/** A decided vote's options with votes, rank and winner: from the result stored when it closed, else recounted from the ballots. */
function outcomeOf(deps: BuildDeps, vote: DecidedVoteRow, options: Array<{ id: number; position: number; label: string }>, eligibleNow: number): { options: OptionOutcome[]; voted: number; eligible: number | null } {
  const stored = parseResult(vote.resultJson);
  let counts: Map<number, number>;
  let ranking: number[];
  let winners: number[];
  let voted: number;
  let eligible: number | null;
  if (stored !== undefined && Array.isArray(stored.ranking)) {
    const first = stored.runoff?.rounds[0]?.counts ?? stored.counts?.options.map((o) => ({ optionId: o.optionId, count: o.count })) ?? [];
    counts = new Map(first.map((c) => [c.optionId, c.count]));
    ranking = stored.ranking;
    winners = stored.winners;
    voted = stored.turnout.voted;
    eligible = stored.turnout.eligible;
  } else {
    const ballots = deps.queries.ballotChoices(vote.id).map((c) => ({ voter: null, choices: parseChoices(c) }));
    const tallyOptions = options.map((o) => ({ id: o.id, label: o.label, position: o.position }));
    if (vote.method === 'ranked') {
      const runoff = instantRunoff(tallyOptions, ballots);
      counts = new Map((runoff.rounds[0]?.counts ?? []).map((c) => [c.optionId, c.count]));
      ranking = runoff.ranking;
      winners = runoff.winner === null ? [] : [runoff.winner];
    } else {
      const tally = tallyCounts(tallyOptions, ballots);
      counts = new Map(tally.options.map((o) => [o.optionId, o.count]));
      ranking = tally.ranking;
      winners = tally.leaders;
    }
    voted = ballots.length;
    eligible = eligibleNow;
  }
  return {
    options: options.map((o) => ({ ...o, votes: counts.get(o.id) ?? 0, rank: ranking.indexOf(o.id) + 1, winner: winners.includes(o.id) })),
    voted,
    eligible: eligible === 0 ? null : eligible,
  };
}

async function votesOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, votesCsv: CsvFile, turnoutCsv: CsvFile): Promise<void> {
  const tz = deps.timeZone;
  const decided = deps.queries.decidedVotes(team.id, period.start, period.end);
  if (decided.length === 0) return;
  const ids = decided.map((v) => v.id);
  const options = deps.queries.voteOptions(ids);
  const byOrganisation = deps.queries.ballotsByOrganisation(ids);
  const teamOrganisations = deps.queries.teamOrganisations(team.id);
  const members = deps.queries.memberCount(team.id);
  const turnout = new Map<string, { voted: number; of: number }>(teamOrganisations.map((o) => [o.organisation, { voted: 0, of: 0 }]));
  for (const vote of decided) {
    const perOrganisation = vote.eligibility === 'organisation';
    const outcome = outcomeOf(
      deps,
      vote,
      options.filter((o) => o.voteId === vote.id),
      perOrganisation ? teamOrganisations.length : vote.eligibility === 'everyone' && vote.electorateSize !== null ? vote.electorateSize : members,
    );
    const winners = outcome.options.filter((o) => o.winner);
    const unit = perOrganisation ? 'organisations' : 'people';
    f.votes.push({
      key: voteKey(vote.number),
      question: vote.question,
      winner: winners.length === 1 ? (winners[0]?.label ?? null) : null,
      voted: outcome.voted,
      eligible: outcome.eligible,
      unit,
      anonymous: vote.anonymous === 1,
    });
    const turnoutPct = outcome.eligible === null ? '' : Math.round((outcome.voted / outcome.eligible) * 1000) / 10;
    for (const o of outcome.options) {
      await votesCsv.write([
        team.key,
        voteKey(vote.number),
        vote.question,
        METHOD_WORDS[vote.method] ?? vote.method,
        ELIGIBILITY_WORDS[vote.eligibility] ?? vote.eligibility,
        vote.anonymous === 1 ? 'yes' : 'no',
        localDateTime(vote.createdAt, tz),
        localDateTime(vote.closedAt, tz),
        o.position + 1,
        o.label,
        o.votes,
        o.rank,
        o.winner ? 'yes' : '',
        outcome.voted,
        outcome.eligible,
        turnoutPct,
      ]);
    }
    // Who took part, by organisation. In an anonymous vote where each person votes, an organisation's
    // turnout could name its only member, so it is not shown; a one-per-organisation ballot is the
    // organisation's, whose vote is not secret.
    const secret = vote.anonymous === 1 && !perOrganisation;
    const voted = new Map(byOrganisation.filter((b) => b.voteId === vote.id).map((b) => [b.organisation, b.ballots]));
    for (const { organisation } of teamOrganisations) {
      if (secret) {
        await turnoutCsv.write([team.key, voteKey(vote.number), vote.question, organisation, 'not shown (anonymous vote)']);
        continue;
      }
      const took = (voted.get(organisation) ?? 0) > 0;
      const entry = turnout.get(organisation);
      if (entry !== undefined) {
        entry.of += 1;
        if (took) entry.voted += 1;
      }
      await turnoutCsv.write([team.key, voteKey(vote.number), vote.question, organisation, took ? 'yes' : 'no']);
    }
  }
  f.turnout = [...turnout].filter(([, t]) => t.of > 0).map(([organisation, t]) => ({ organisation, ...t }));
}
