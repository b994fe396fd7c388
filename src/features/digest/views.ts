import type { KnownBlock } from '@slack/types';
import { rollupGoalBlocks, teamGoalBlocks } from '../goal/digest.js';
import { escapeMrkdwn, mentionUser, plain } from '../../slack/mrkdwn.js';
import { chunkLines, context, section, SECTION_MAX } from '../../slack/blocks.js';
import { slackDate } from '../../slack/date-token.js';
import { DateFormats, formatIn } from '../../time/zone.js';
import { isQuiet, LISTED_ITEMS, turnout, type CountWithChange, type IssueItem, type Period, type RollupTeam, type TeamDigest } from './content.js';
import { statusWord } from '../issue/model.js';

/** Slack's limit for a header (Block Kit reference); sections use SECTION_MAX. */
const HEADER_MAX = 150;
/** Items listed per section before "…and N more": keeps a digest readable and far below 50 blocks. */
export const ITEMS_PER_SECTION = LISTED_ITEMS;
/** Titles are cut so that a section of ITEMS_PER_SECTION lines stays well inside 3,000 characters. */
const TITLE_MAX = 100;
/** Roll-up sections (one per team) before teams are packed several to a section. */
const ROLLUP_TEAM_BLOCKS = 40;

const HOUR_MS = 60 * 60 * 1000;

export const DIGEST_HELP = [
  '*`/digest`: team digests and the coordinators’ roll-up*',
  '`/digest preview [KEY]`: the team’s digest as it would go out now, only to you (KEY defaults to this channel’s team)',
  '`/digest preview all`: the coordinators’ roll-up, only to you',
  '`/digest schedule`: every digest schedule with its next run',
  '`/digest subscribe` · `/digest unsubscribe`: get the roll-up by direct message, or stop',
  '*Coordinators only*',
  '`/digest send [KEY]`: send the team’s digest to its channel now · `/digest send rollup`: the roll-up now · `/digest send all`: every team and the roll-up',
  '`/digest schedule [KEY|rollup] CRON`: change a schedule, e.g. `/digest schedule CNA 0 8 * * 1` (Mondays 08:00) · `… default` goes back to the default',
  'Digests go out on their schedules (default Mondays 08:00) to each team’s linked channels; the roll-up goes by direct message to coordinators and subscribers.',
].join('\n');

const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: plain(text, HEADER_MAX) } });

type PeriodWord = 'week' | 'day' | 'period';

/** 167 to 169 hours is a week even across a clock change; 23 to 25 hours a day. */
export function periodWord(p: Period): PeriodWord {
  const hours = (p.end - p.start) / HOUR_MS;
  if (hours >= 166.5 && hours <= 169.5) return 'week';
  if (hours >= 22.5 && hours <= 25.5) return 'day';
  return 'period';
}

const thanBefore: Record<PeriodWord, string> = { week: 'than last week', day: 'than the day before', period: 'than the period before' };
const sameAsBefore: Record<PeriodWord, string> = { week: 'same as last week', day: 'same as the day before', period: 'same as the period before' };

/** "2 fewer than last week", "1 more than the day before", "same as last week". */
export function changeText(c: CountWithChange, word: PeriodWord): string {
  const diff = c.now - c.before;
  if (diff === 0) return sameAsBefore[word];
  return `${Math.abs(diff)} ${diff > 0 ? 'more' : 'fewer'} ${thanBefore[word]}`;
}

function shortChange(c: CountWithChange): string {
  const diff = c.now - c.before;
  if (diff === 0) return '';
  return ` (${Math.abs(diff)} ${diff > 0 ? 'more' : 'fewer'})`;
}


/** "2 Mar 2026 – 9 Mar 2026" for weekly digests; with times for anything shorter than two days. */
export function periodLabel(p: Period, timeZone: string): string {
  const format = p.end - p.start < 48 * HOUR_MS ? DateFormats.dateTime : DateFormats.date;
  return `${formatIn(p.start, timeZone, format)} – ${formatIn(p.end, timeZone, format)}`;
}


const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const title = (text: string): string => escapeMrkdwn(plain(text, TITLE_MAX));
const owner = (i: IssueItem): string => (i.ownerId === null ? '_no owner_' : mentionUser(i.ownerId));

/**
 * A titled list that never exceeds one section: at most ITEMS_PER_SECTION lines and 3,000
 * characters, then "…and N more" with where to see them all, so nothing is cut silently.
 * `lines` may be only the first of `total` items (the digest reads no more than it can show).
 */
export function listSection(heading: string, lines: readonly string[], more: string, total = lines.length): KnownBlock {
  const tail = (left: number) => `\n…and ${left} more: ${more}`;
  let text = heading;
  let shown = 0;
  for (const line of lines) {
    const left = total - shown - 1;
    const next = `${text}\n${line}`;
    // Leave room for the "…and N more" line whenever anything would be left after this one.
    const budget = SECTION_MAX - (left > 0 ? tail(left).length : 0);
    if (shown >= ITEMS_PER_SECTION || next.length > budget) break;
    text = next;
    shown++;
  }
  if (shown < total) text += tail(total - shown);
  return section(text);
}

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

export function teamDigestView(d: TeamDigest, timeZone: string): RenderedMessage {
  const key = escapeMrkdwn(d.team.key);
  const word = periodWord(d.period);
  const issueList = `\`/issue list ${d.team.key}\``;
  const blocks: KnownBlock[] = [header(`${d.team.key} digest · ${periodLabel(d.period, timeZone)}`)];
  const counts = `${plural(d.open.now, 'issue')} open, ${d.inProgress.now} in progress, ${d.blocked.now} blocked`;
  // Progress first: the team's goals open the digest, quiet week or not.
  blocks.push(...teamGoalBlocks(d.goals ?? [], d.team.key, word));

  if (isQuiet(d)) {
    blocks.push(section(`A quiet ${word} for *${key}*: no issues opened or closed, no meetings or votes. Still ${counts}.`));
  } else {
    blocks.push(
      section(
        [
          `*${key} · ${escapeMrkdwn(d.team.name)}*`,
          `*${d.open.now}* open (${changeText(d.open, word)}) · *${d.inProgress.now}* in progress (${changeText(d.inProgress, word)}) · *${d.blocked.now}* blocked (${changeText(d.blocked, word)})`,
          `*${d.openedCount.now}* opened (${changeText(d.openedCount, word)}) · *${d.closedCount.now}* closed (${changeText(d.closedCount, word)})`,
        ].join('\n'),
      ),
    );
    if (d.opened.total > 0) {
      blocks.push(listSection(`:new: *New issues (${d.opened.total})*`, d.opened.items.map((i) => `• *${i.key}* ${title(i.title)} · ${escapeMrkdwn(statusWord(i.status))} · ${owner(i)}`), issueList, d.opened.total));
    }
    if (d.closed.total > 0) {
      blocks.push(listSection(`:white_check_mark: *Closed (${d.closed.total})*`, d.closed.items.map((i) => `• *${i.key}* ${title(i.title)} · ${escapeMrkdwn(statusWord(i.status))}`), issueList, d.closed.total));
    }
  }
  if (d.overdue.total > 0) {
    blocks.push(listSection(`:alarm_clock: *Overdue (${d.overdue.total})*`, d.overdue.items.map((i) => `• *${i.key}* ${title(i.title)} · due ${i.dueDate ?? ''} · ${owner(i)}`), issueList, d.overdue.total));
  }
  if (d.blockedIssues.total > 0) {
    blocks.push(listSection(`:no_entry: *Blocked (${d.blockedIssues.total})*`, d.blockedIssues.items.map((i) => `• *${i.key}* ${title(i.title)} · ${owner(i)}`), issueList, d.blockedIssues.total));
  }
  if (d.unowned.total > 0) {
    blocks.push(listSection(`:bust_in_silhouette: *No owner (${d.unowned.total})*`, d.unowned.items.map((i) => `• *${i.key}* ${title(i.title)} · ${escapeMrkdwn(statusWord(i.status))}`), issueList, d.unowned.total));
  }
  if (d.meetings.total > 0) {
    blocks.push(
      listSection(
        `:calendar: *Meetings in the next 14 days (${d.meetings.total})*`,
        d.meetings.items.map((m) => `• *${m.key}* ${title(m.title)} · ${slackDate(m.startsAt, timeZone)} · ${m.going} going, ${m.maybe} maybe, ${m.declined} declined`),
        '`/meeting list`',
        d.meetings.total,
      ),
    );
  }
  if (d.openVotes.total > 0) {
    blocks.push(
      listSection(
        `:ballot_box_with_ballot: *Open votes (${d.openVotes.total})*`,
        d.openVotes.items.map((v) => {
          const deadline = v.closesAt === null ? 'no deadline' : `closes ${slackDate(v.closesAt, timeZone)}`;
          const share = turnout(v);
          const turnoutText =
            v.eligible === null || share === null
              ? plural(v.ballots, 'ballot')
              : `turnout ${v.ballots} of ${v.eligible} ${v.eligibleUnit} (${Math.round(share * 100)}%)`;
          return `• *${v.key}* ${title(v.question)} · ${deadline} · ${turnoutText}`;
        }),
        '`/vote list`',
        d.openVotes.total,
      ),
    );
  }
  if (d.closedVotes.total > 0) {
    blocks.push(
      listSection(
        `:trophy: *Votes closed (${d.closedVotes.total})*`,
        d.closedVotes.items.map((v) => `• *${v.key}* ${title(v.question)} · ${v.winner === null ? 'no winner' : `winner: *${title(v.winner)}*`}`),
        '`/vote list`',
        d.closedVotes.total,
      ),
    );
  }
  if (d.priorities.total > 0) {
    blocks.push(listSection(':dart: *Top priorities*', d.priorities.items.map((i) => `${i.priority ?? ''}. *${i.key}* ${title(i.title)} · ${owner(i)}`), issueList, d.priorities.total));
  }
  blocks.push(context(`All issues: ${issueList} · This digest any time: \`/digest preview ${d.team.key}\``));
  const summary = isQuiet(d) ? 'a quiet ' + word : `${d.openedCount.now} opened, ${d.closedCount.now} closed`;
  return { text: `${d.team.key} digest, ${periodLabel(d.period, timeZone)}: ${counts}; ${summary}.`, blocks };
}

/** The roll-up line for one team: key figures, then what needs attention. */
export function rollupTeamLine(d: RollupTeam, timeZone: string): string {
  const figures = `${d.open.now} open${shortChange(d.open)}, ${d.inProgress.now} in progress${shortChange(d.inProgress)}, ${d.blocked.now} blocked${shortChange(d.blocked)} · ${d.openedCount.now} opened, ${d.closedCount.now} closed`;
  const meeting = d.nextMeetingAt === null ? '' : ` · next meeting ${slackDate(d.nextMeetingAt, timeZone)}`;
  const attention: string[] = [];
  if (d.blockedIssues > 0) attention.push(`${d.blockedIssues} blocked`);
  if (d.overdue > 0) attention.push(`${d.overdue} overdue`);
  if (d.unowned > 0) attention.push(`${d.unowned} with no owner`);
  if (d.lowTurnout.length > 0) {
    attention.push(`low turnout: ${d.lowTurnout.map((v) => `${v.key} (${v.ballots} of ${v.eligible ?? 0} ${v.eligibleUnit})`).join(', ')}`);
  }
  const needs = attention.length === 0 ? ':white_check_mark: nothing needs attention' : `:warning: needs attention: ${attention.join(' · ')}`;
  return `*${escapeMrkdwn(d.team.key)}* · ${escapeMrkdwn(d.team.name)}\n${figures}${meeting}\n${needs}`;
}

export function rollupView(digests: readonly RollupTeam[], period: Period, timeZone: string): RenderedMessage {
  const word = periodWord(period);
  const sum = (pick: (d: RollupTeam) => CountWithChange): CountWithChange => ({
    now: digests.reduce((n, d) => n + pick(d).now, 0),
    before: digests.reduce((n, d) => n + pick(d).before, 0),
  });
  const open = sum((d) => d.open);
  const blocked = sum((d) => d.blocked);
  const overdue = digests.reduce((n, d) => n + d.overdue, 0);
  const blocks: KnownBlock[] = [header(`Coordinators’ roll-up · ${periodLabel(period, timeZone)}`)];
  if (digests.length === 0) {
    blocks.push(section('There are no program teams yet.'));
    return { text: 'Coordinators’ roll-up: there are no program teams yet.', blocks };
  }
  blocks.push(
    section(
      `Across ${plural(digests.length, 'team')}: *${open.now}* open (${changeText(open, word)}) · *${sum((d) => d.inProgress).now}* in progress · *${blocked.now}* blocked (${changeText(blocked, word)}) · *${overdue}* overdue · *${sum((d) => d.openedCount).now}* opened, *${sum((d) => d.closedCount).now}* closed`,
    ),
  );
  blocks.push(...rollupGoalBlocks(digests.flatMap((d) => d.goals ?? []), word));
  const lines = digests.map((d) => rollupTeamLine(d, timeZone));
  // One section per team reads best; with very many teams, pack them to stay under 50 blocks.
  if (lines.length <= ROLLUP_TEAM_BLOCKS) blocks.push(...lines.map(section));
  else blocks.push(...chunkLines(lines.map((l) => `${l}\n`), SECTION_MAX, ROLLUP_TEAM_BLOCKS).map(section));
  blocks.push(context('A team’s full digest: `/digest preview KEY` · Stop these messages: `/digest unsubscribe` (coordinators always get them)'));
  return { text: `Coordinators’ roll-up, ${periodLabel(period, timeZone)}: ${open.now} open, ${blocked.now} blocked, ${overdue} overdue across ${plural(digests.length, 'team')}.`, blocks };
}

export interface ScheduleEntry {
  /** A team key, or null for the roll-up. */
  teamKey: string | null;
  cron: string;
  description: string;
  isDefault: boolean;
  next: number | null;
}

/** "Mon, 9 Mar 2026, 08:00" in the collaborative's time zone. */
export function formatRunTime(ms: number, timeZone: string): string {
  return formatIn(ms, timeZone, DateFormats.weekdayDateTime);
}

export function schedulesView(entries: readonly ScheduleEntry[], timeZone: string): RenderedMessage {
  const formatTime = (ms: number) => formatRunTime(ms, timeZone);
  const lines = entries.map((e) => {
    const who = e.teamKey === null ? '*Roll-up* (coordinators)' : `*${escapeMrkdwn(e.teamKey)}*`;
    const next = e.next === null ? 'no next run' : `next: ${formatTime(e.next)}`;
    return `${who} · ${e.description} (\`${e.cron}\`${e.isDefault ? ', default' : ''}) · ${next}`;
  });
  return {
    text: `Digest schedules (${timeZone})`,
    blocks: [
      section(`*Digest schedules* (times in ${escapeMrkdwn(timeZone)})`),
      ...chunkLines(lines, SECTION_MAX, 45).map(section),
      context('Coordinators change one with `/digest schedule KEY CRON` or `/digest schedule rollup CRON`.'),
    ],
  };
}
