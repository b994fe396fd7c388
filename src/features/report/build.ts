/**
 * Builds a report: reads the period's data team by team (page by page), writes the CSV files as it
 * goes and keeps only the small aggregates that the summary and the charts need. Plain TypeScript:
 * no Slack here; `now`, the time zone and how to name a person are passed in.
 */
import { join } from 'node:path';
import { utcToLocalParts } from '../../time/zone.js';
import { goalKey } from '../goal/model.js';
import { expectedOn, PACE_LABELS, paceOf } from '../goal/pace.js';
import { instantRunoff, tallyCounts } from '../vote/tally.js';
import { parseChoices, voteKey, type VoteResult } from '../vote/rules.js';
import { goalProgressChart, openedResolvedChart, meetingAttendanceChart, voteTurnoutChart, type Chart, type GoalPoint, type OrganisationShare, type WeekCount } from './charts.js';
import { CsvFile } from './csv.js';
import { parseJsonText } from '../../domain/json.js';
import { weekIndex, weeksOf, type ReportPeriod } from './period.js';
import { TeamStatusChanges } from './status-changes.js';
import { collectGarbage, collectGarbageIfGrown } from './collect.js';
import { FIRST_PAGE, ReportQueries, type BallotsByOrganisation, type DecidedVoteRow, type PageKey, type ReportTeam, type VoteOptionRow } from './queries.js';
import { formatKey, statusWord } from '../issue/model.js';
import type { RsvpCounts } from '../meeting/repository.js';
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
  /** Goals open at some time in the period, with their pace at its end (or today, for a period still running). */
  goals: Array<{ key: string; name: string; kind: string; unit: string; latest: number | null; expected: number | null; target: number | null; pace: string; asOf: string | null }>;
  /** Measure goals' readings and pace lines, for the chart. */
  goalPoints: GoalPoint[];
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
  workspaceId: string;
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
export const GOAL_COLUMNS = ['Team', 'Goal', 'Name', 'Kind', 'Unit', 'Baseline', 'Target', 'Direction', 'Start', 'Target date', 'Status now', 'Reading as of', 'Value', 'Pace line on that date', 'Note', 'Recorded by'];

/**
 * The zone's offset at an instant, remembered per hour: a report formats hundreds of thousands of
 * dates over thousands of hours. Offsets change only on quarter hours, at most once in any hour:
 * when the offsets at an hour's start and at the next hour's start (asked of Intl once each, and
 * shared by neighbouring hours) are the same, it holds for the whole hour; an hour with a change is
 * answered per quarter hour. (Remembered per quarter hour, the 100× quarter asked Intl 11,500
 * times, 0.1 s.)
 */
interface ZoneOffsets {
  /** The offset at the start of a quarter hour, as Intl says. */
  quarters: Map<number, number>;
  /** An hour's offset, or NaN for an hour with a change. */
  hours: Map<number, number>;
}
const offsets = new Map<string, ZoneOffsets>();
const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;

function quarterOffset(zone: ZoneOffsets, quarterHour: number, tz: string): number {
  let offset = zone.quarters.get(quarterHour);
  if (offset === undefined) {
    offset = utcToLocalParts(new Date(quarterHour * QUARTER_MS), tz).offsetMinutes * 60_000;
    if (zone.quarters.size > 100_000) zone.quarters.clear();
    zone.quarters.set(quarterHour, offset);
  }
  return offset;
}

function offsetMs(ms: number, tz: string): number {
  let zone = offsets.get(tz);
  if (zone === undefined) {
    zone = { quarters: new Map(), hours: new Map() };
    offsets.set(tz, zone);
  }
  const hour = Math.floor(ms / HOUR_MS);
  let offset = zone.hours.get(hour);
  if (offset === undefined) {
    const start = quarterOffset(zone, hour * 4, tz);
    offset = start === quarterOffset(zone, hour * 4 + 4, tz) ? start : Number.NaN;
    if (zone.hours.size > 100_000) zone.hours.clear();
    zone.hours.set(hour, offset);
  }
  return Number.isNaN(offset) ? quarterOffset(zone, Math.floor(ms / QUARTER_MS), tz) : offset;
}

const DAY_MS = 86_400_000;
const dayNames = new Map<number, string>();

/** 'YYYY-MM-DD' of a day counted from 1970-01-01 (remembered: a report names a few hundred days, hundreds of thousands of times). */
function dayName(day: number): string {
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size > 100_000) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** 'YYYY-MM-DD HH:mm' on the collaborative's clock: sortable, and Excel reads it as a date-time. */
export const localDateTime = (ms: number, tz: string): string => {
  const local = ms + offsetMs(ms, tz);
  const day = Math.floor(local / DAY_MS);
  const minutes = Math.floor((local - day * DAY_MS) / 60_000);
  return `${dayName(day)} ${twoDigits(Math.floor(minutes / 60))}:${twoDigits(minutes % 60)}`;
};
export const localDate = (ms: number, tz: string): string => dayName(Math.floor((ms + offsetMs(ms, tz)) / DAY_MS));

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
  const goalsCsv = new CsvFile(join(deps.dir, `goal-readings-${slug}.csv`), GOAL_COLUMNS);
  const figures: TeamFiguresReport[] = [];
  const organisationOf = await deps.queries.organisationsOfPeople(deps.workspaceId);
  const restorePageCache = await deps.queries.smallPageCache();
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
        goals: [],
        goalPoints: [],
      };
      await issuesOf(deps, team, period, f, issuesCsv, weeks, breathe, organisationOf);
      await meetingsOf(deps, team, period, f, meetingsCsv, organisationOf);
      await votesOf(deps, team, period, f, votesCsv, turnoutCsv);
      await goalsOf(deps, team, period, f, goalsCsv);
      figures.push(f);
      // The rows' garbage, collected before it adds up (./collect.ts).
      collectGarbageIfGrown();
      await breathe();
    }
  } finally {
    try {
      await Promise.all([issuesCsv.close(), meetingsCsv.close(), votesCsv.close(), turnoutCsv.close(), goalsCsv.close()]);
    } finally {
      await restorePageCache();
    }
  }
  const files: ReportFile[] = [
    { kind: 'csv', filename: fileName(issuesCsv.path), title: `Issues · ${period.label}`, path: issuesCsv.path, rows: issuesCsv.rows },
    { kind: 'csv', filename: fileName(meetingsCsv.path), title: `Meetings and RSVPs by organisation · ${period.label}`, path: meetingsCsv.path, rows: meetingsCsv.rows },
    { kind: 'csv', filename: fileName(votesCsv.path), title: `Votes, options and results · ${period.label}`, path: votesCsv.path, rows: votesCsv.rows },
    { kind: 'csv', filename: fileName(turnoutCsv.path), title: `Vote turnout by organisation · ${period.label}`, path: turnoutCsv.path, rows: turnoutCsv.rows },
    { kind: 'csv', filename: fileName(goalsCsv.path), title: `Goal readings · ${period.label}`, path: goalsCsv.path, rows: goalsCsv.rows },
  ];
  if (deps.charts !== false) {
    // The rows' garbage is collected before the charts add Vega and resvg's memory (./collect.ts).
    collectGarbage();
    const subtitle = `${scope === 'all' ? 'All teams' : (teams[0]?.key ?? '')} · ${period.label}`;
    const charts: Chart[] = [
      await openedResolvedChart(figures.flatMap((f) => f.weeks), subtitle, { filename: `issues-per-week-${slug}.png` }),
      await meetingAttendanceChart(
        byOrganisation(figures.flatMap((f) => f.attendance.map((a): OrganisationShare => ({ team: f.key, organisation: a.organisation, count: a.meetings, of: f.meetingsHeld })))),
        subtitle,
      ),
      await voteTurnoutChart(byOrganisation(figures.flatMap((f) => f.turnout.map((t): OrganisationShare => ({ team: f.key, organisation: t.organisation, count: t.voted, of: t.of })))), subtitle),
    ];
    const goalPoints = figures.flatMap((f) => f.goalPoints);
    // Only measures have a line to chart; a report with no measure goal has no goal chart.
    if (goalPoints.length > 0) charts.push(await goalProgressChart(goalPoints, subtitle, period));
    for (const c of charts) {
      const filename = c.filename.includes(slug) ? c.filename : c.filename.replace(/\.png$/, `-${slug}.png`);
      files.push({ kind: 'png', filename, title: c.title, png: c.png, altText: c.altText });
    }
  }
  return { period, scope, teams: figures, files };
}

const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/**
 * One bar per organisation: across several teams its counts add up (meetings of the teams it is
 * on, votes it could vote in), which reads better than a bar per team and organisation; the
 * summary and the CSV files keep the per-team figures.
 */
function byOrganisation(rows: readonly OrganisationShare[]): OrganisationShare[] {
  const teams = new Set(rows.map((r) => r.team));
  if (teams.size <= 1) return [...rows];
  const sums = new Map<string, OrganisationShare>();
  for (const r of rows) {
    const sum = sums.get(r.organisation) ?? { team: 'All teams', organisation: r.organisation, count: 0, of: 0 };
    sum.count += r.count;
    sum.of += r.of;
    sums.set(r.organisation, sum);
  }
  return [...sums.values()].sort((a, b) => a.organisation.localeCompare(b.organisation));
}

const categoryNames = new Map<string, string>();
/** 'training_program' → 'training program' (remembered: a few categories, hundreds of thousands of issues). */
function categoryWords(category: string): string {
  let words = categoryNames.get(category);
  if (words === undefined) {
    words = category.replace(/_/g, ' ');
    categoryNames.set(category, words);
  }
  return words;
}

const statusWords = new Map<string, string>();
/** statusWord, remembered: two or three per issue row, and five statuses. */
function statusIn(status: string): string {
  let word = statusWords.get(status);
  if (word === undefined) {
    word = statusWord(status);
    statusWords.set(status, word);
  }
  return word;
}

async function issuesOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, csv: CsvFile, weeks: ReturnType<typeof weeksOf>, breathe: () => Promise<void>, organisationOf: Map<string, string>): Promise<void> {
  const tz = deps.timeZone;
  const ended = period.end <= deps.now.getTime();
  // Every status change of the team since the period's start: those in the period go in the CSV,
  // and an issue's status when the period ended is the `from` of its first change after the end,
  // else its current status. Resolved per week counts the changes to resolved in the period,
  // whatever the issue's state now.
  const changes = await TeamStatusChanges.read(deps.queries, team.id, period.start);
  for (const at of changes.timesOfChangesTo('resolved', period.end)) {
    f.resolved += 1;
    const w = f.weeks[weekIndex(weeks, at)];
    if (w !== undefined) w.resolved += 1;
  }
  let after = 0;
  for (;;) {
    const page = await deps.queries.issuesPage(team.id, period.start, period.end, after);
    for (const issue of page) {
      if (issue.createdAt >= period.start) {
        f.opened += 1;
        const w = f.weeks[weekIndex(weeks, issue.createdAt)];
        if (w !== undefined) w.opened += 1;
      }
      let inPeriod = '';
      let atEnd = issue.status;
      const own = changes.rangeOf(issue.id);
      for (let k = own.start; k < own.end; k++) {
        const at = changes.at(k);
        if (at < period.end) inPeriod += `${inPeriod === '' ? '' : '; '}${localDateTime(at, tz)} ${statusIn(changes.from(k))} → ${statusIn(changes.to(k))}`;
        else {
          if (ended) atEnd = changes.from(k);
          break;
        }
      }
      if (atEnd === 'blocked') f.blocked += 1;
      if (atEnd !== 'resolved' && atEnd !== 'dropped') f.openAtEnd += 1;
      csv.add([
        team.key,
        formatKey(team.key, issue.number),
        issue.title,
        categoryWords(issue.category),
        statusIn(atEnd),
        statusIn(issue.status),
        issue.ownerId === null ? '' : deps.nameOf(issue.ownerId),
        issue.ownerId === null ? '' : (organisationOf.get(issue.ownerId) ?? ''),
        deps.nameOf(issue.reporterId),
        localDate(issue.createdAt, tz),
        issue.dueDate,
        issue.closedAt === null ? '' : localDate(issue.closedAt, tz),
        inPeriod,
      ]);
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < deps.queries.pages.issues) break;
    after = last.number;
    await breathe();
  }
}

/** Code point order, which is SQLite's (UTF-8 bytes compared): JavaScript's `<` compares UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(j) ?? 0;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

async function meetingsOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, csv: CsvFile, organisationOf: Map<string, string>): Promise<void> {
  const tz = deps.timeZone;
  const now = deps.now.getTime();
  const attendance = new Map<string, number>();
  // Page by page of meetings, in (start, id) order, with their RSVPs: one CSV row per meeting and
  // organisation of the people who answered ('' for people with no organisation recorded, first),
  // in code point order; one row with no organisation for a meeting nobody answered.
  for (let after: PageKey = FIRST_PAGE; ; ) {
    const meetings = await deps.queries.meetingsPage(team.id, period.start, period.end, after);
    const last = meetings[meetings.length - 1];
    if (last === undefined) break;
    const answered = new Map<number, Map<string, RsvpCounts>>();
    for (const [meetingId, answer, userId] of await deps.queries.rsvpAnswers(meetings.map((m) => m.id))) {
      let byOrganisation = answered.get(meetingId);
      if (byOrganisation === undefined) answered.set(meetingId, (byOrganisation = new Map<string, RsvpCounts>()));
      const organisation = organisationOf.get(userId) ?? '';
      let counts = byOrganisation.get(organisation);
      if (counts === undefined) byOrganisation.set(organisation, (counts = { going: 0, maybe: 0, declined: 0 }));
      if (answer === 'going') counts.going += 1;
      else if (answer === 'maybe') counts.maybe += 1;
      else if (answer === 'declined') counts.declined += 1;
    }
    for (const m of meetings) {
      const status = m.status === 'cancelled' ? 'cancelled' : m.startsAt < now ? 'held' : 'ahead';
      if (status === 'held') f.meetingsHeld += 1;
      else if (status === 'cancelled') f.meetingsCancelled += 1;
      else f.meetingsAhead += 1;
      const key = meetingKey(m.number);
      const starts = localDateTime(m.startsAt, tz);
      const byOrganisation = answered.get(m.id);
      if (byOrganisation === undefined) {
        csv.add([team.key, key, m.title, starts, m.durationMinutes, status, '', 0, 0, 0]);
        continue;
      }
      for (const organisation of [...byOrganisation.keys()].sort(byCodePoint)) {
        const counts = byOrganisation.get(organisation) ?? { going: 0, maybe: 0, declined: 0 };
        if (counts.going > 0 && status === 'held' && organisation !== '') attendance.set(organisation, (attendance.get(organisation) ?? 0) + 1);
        csv.add([team.key, key, m.title, starts, m.durationMinutes, status, organisation === '' ? NO_ORGANISATION : organisation, counts.going, counts.maybe, counts.declined]);
      }
    }
    after = { at: last.startsAt, id: last.id };
  }
  // Every organisation on the team appears, with 0 when nobody from it went.
  for (const { organisation } of await deps.queries.teamOrganisations(team.id)) if (!attendance.has(organisation)) attendance.set(organisation, 0);
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
async function outcomeOf(deps: BuildDeps, vote: DecidedVoteRow, options: Array<{ id: number; position: number; label: string }>, eligibleNow: number): Promise<{ options: OptionOutcome[]; voted: number; eligible: number | null }> {
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
    const ballots = (await deps.queries.ballotChoices(vote.id)).map((c) => ({ voter: null, choices: parseChoices(c) }));
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
    options: options.map((o) => ({ id: o.id, position: o.position, label: o.label, votes: counts.get(o.id) ?? 0, rank: ranking.indexOf(o.id) + 1, winner: winners.includes(o.id) })),
    voted,
    eligible: eligible === 0 ? null : eligible,
  };
}

async function votesOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, votesCsv: CsvFile, turnoutCsv: CsvFile): Promise<void> {
  const tz = deps.timeZone;
  let decided = await deps.queries.decidedVotesPage(team.id, period.start, period.end, FIRST_PAGE);
  if (decided.length === 0) return;
  const teamOrganisations = await deps.queries.teamOrganisations(team.id);
  const members = await deps.queries.memberCount(team.id);
  const turnout = new Map<string, { voted: number; of: number }>(teamOrganisations.map((o) => [o.organisation, { voted: 0, of: 0 }]));
  // Page by page of votes, in (closing time, number) order.
  while (decided.length > 0) {
    const ids = decided.map((v) => v.id);
    const optionsOf = groupBy(await deps.queries.voteOptions(ids), (o) => o.voteId);
    const ballotsOf = groupBy(await deps.queries.ballotsByOrganisation(ids), (b) => b.voteId);
    for (const vote of decided) await voteRows(vote, optionsOf, ballotsOf);
    const last = decided[decided.length - 1];
    decided = last === undefined || decided.length < deps.queries.pages.votes ? [] : await deps.queries.decidedVotesPage(team.id, period.start, period.end, { at: last.closedAt, id: last.number });
  }
  f.turnout = [...turnout].filter(([, t]) => t.of > 0).map(([organisation, t]) => ({ organisation, ...t }));

  async function voteRows(vote: DecidedVoteRow, optionsOf: Map<number, VoteOptionRow[]>, ballotsOf: Map<number, BallotsByOrganisation[]>): Promise<void> {
    const perOrganisation = vote.eligibility === 'organisation';
    const outcome = await outcomeOf(
      deps,
      vote,
      optionsOf.get(vote.id) ?? [],
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
      votesCsv.add([
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
    const voted = new Map((ballotsOf.get(vote.id) ?? []).map((b) => [b.organisation, b.ballots]));
    for (const { organisation } of teamOrganisations) {
      if (secret) {
        turnoutCsv.add([team.key, voteKey(vote.number), vote.question, organisation, 'not shown (anonymous vote)']);
        continue;
      }
      const took = (voted.get(organisation) ?? 0) > 0;
      const entry = turnout.get(organisation);
      if (entry !== undefined) {
        entry.of += 1;
        if (took) entry.voted += 1;
      }
      turnoutCsv.add([team.key, voteKey(vote.number), vote.question, organisation, took ? 'yes' : 'no']);
    }
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [row]);
    else list.push(row);
  }
  return groups;
}

async function goalsOf(deps: BuildDeps, team: ReportTeam, period: ReportPeriod, f: TeamFiguresReport, csv: CsvFile): Promise<void> {
  const goals = await deps.queries.goals(team.id, period.start, period.end);
  if (goals.length === 0) return;
  const readings = groupBy(
    await deps.queries.goalReadings(
      goals.map((g) => g.id),
      period.lastDay,
    ),
    (r) => r.goalId,
  );
  const today = localDate(deps.now.getTime(), deps.timeZone);
  // Pace as it stood when the period ended (today, for a period still running).
  const judgedOn = period.lastDay < today ? period.lastDay : today;
  for (const goal of goals) {
    const own = readings.get(goal.id) ?? [];
    // A goal closed after the period is judged as it was then: open.
    const asThen = { ...goal, status: goal.closedAt !== null && goal.closedAt >= period.end ? 'open' : goal.status };
    const pace = paceOf(asThen, own, judgedOn);
    const key = goalKey(goal);
    f.goals.push({
      key,
      name: goal.name,
      kind: goal.kind,
      unit: goal.unit,
      latest: pace.latest,
      expected: pace.expected === null ? null : round2(pace.expected),
      target: goal.target,
      pace: PACE_LABELS[pace.status].label,
      asOf: pace.latestAsOf,
    });
    if (goal.kind === 'measure') {
      const label = `${team.key} ${key} ${goal.name}${goal.unit === '' ? '' : ` (${goal.unit})`}`;
      f.goalPoints.push(
        { goal: label, date: goal.startDate, value: goal.baseline ?? 0, series: 'Pace line' },
        { goal: label, date: goal.targetDate, value: goal.target ?? 0, series: 'Pace line' },
        { goal: label, date: goal.startDate, value: goal.baseline ?? 0, series: 'Readings' },
        ...own.map((r) => ({ goal: label, date: r.asOf, value: r.value, series: 'Readings' as const })),
      );
    }
    const cells = [
      team.key,
      key,
      goal.name,
      goal.kind,
      goal.unit,
      goal.baseline,
      goal.target,
      goal.direction,
      goal.startDate,
      goal.targetDate,
      goal.status,
    ];
    const inPeriod = own.filter((r) => r.asOf >= period.firstDay);
    if (inPeriod.length === 0) csv.add([...cells, '', '', '', 'no reading in this period', '']);
    for (const r of inPeriod) {
      csv.add([...cells, r.asOf, r.value, goal.kind === 'measure' ? round2(expectedOn(goal, r.asOf)) : '', r.note, deps.nameOf(r.recordedBy)]);
    }
  }
}
