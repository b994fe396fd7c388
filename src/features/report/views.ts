import type { KnownBlock } from '@slack/types';
import { chunkLines, context, section, SECTION_MAX } from '../../slack/blocks.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { BuiltReport, TeamFiguresReport } from './build.js';
import { PERIOD_EXAMPLES } from './period.js';

export const REPORT_HELP = [
  '*`/report`*: reports for the collaborative and its funders, in your direct messages with Alliance: a summary, CSV files (issues, meetings with RSVPs by organisation, votes with options and results, vote turnout by organisation) and charts.',
  '• `/report [KEY] [period]`: one team (the channel’s team when no KEY is given); team members for their own teams, coordinators for any',
  '• `/report all [period]`: every team (coordinators)',
  `• period: ${PERIOD_EXAMPLES}`,
  '• `/report schedule quarterly`: every team’s report for the quarter just ended, to you on its first day (coordinators); `/report schedule` shows it, `/report schedule off` stops it',
  '• `/report help`: this help',
].join('\n');

export interface MissingFile {
  filename: string;
  reason: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function teamLines(f: TeamFiguresReport): string {
  const lines = [`*${escapeMrkdwn(f.key)}* · ${escapeMrkdwn(f.name)}`];
  lines.push(`• Issues: ${f.opened} opened, ${f.resolved} resolved, ${f.blocked} still blocked at the end (${f.openAtEnd} not closed)`);
  const held = `${plural(f.meetingsHeld, 'meeting')} held${f.meetingsCancelled > 0 ? `, ${f.meetingsCancelled} cancelled` : ''}${f.meetingsAhead > 0 ? `, ${f.meetingsAhead} still ahead` : ''}`;
  const attended = f.attendance.filter((a) => a.meetings > 0);
  lines.push(
    `• Meetings: ${held}${
      f.meetingsHeld === 0 ? '' : attended.length === 0 ? ' (nobody said Going)' : `; attendance by organisation: ${attended.map((a) => `${escapeMrkdwn(a.organisation)} ${a.meetings}/${f.meetingsHeld}`).join(', ')}`
    }`,
  );
  if (f.votes.length === 0) lines.push('• Votes: none decided');
  else {
    const decided = f.votes
      .map((v) => `${v.key} ${escapeMrkdwn(v.question)} → ${v.winner === null ? '_no single winner_' : `*${escapeMrkdwn(v.winner)}*`} (${v.voted}${v.eligible === null ? '' : ` of ${v.eligible}`} ${v.unit}${v.anonymous ? ', anonymous' : ''})`)
      .join('; ');
    const turnout = f.turnout.length === 0 ? '' : `; turnout by organisation: ${f.turnout.map((t) => `${escapeMrkdwn(t.organisation)} ${t.voted}/${t.of}`).join(', ')}`;
    lines.push(`• Votes: ${plural(f.votes.length, 'decided', 'decided')}: ${decided}${turnout}`);
  }
  if (f.goals.length > 0) {
    const goals = f.goals.map((g) => {
      const unit = g.unit === '' ? '' : ` ${escapeMrkdwn(g.unit)}`;
      const where =
        g.kind === 'measure'
          ? `${g.latest ?? '—'}${g.target === null ? '' : ` of ${g.target}`}${unit}${g.expected === null ? '' : ` (pace line ${g.expected})`}`
          : g.latest === 1
            ? 'done'
            : 'not done';
      return `${g.key} ${escapeMrkdwn(g.name)}: ${where} · *${g.pace}*`;
    });
    lines.push(`• Goals: ${goals.join('; ')}`);
  }
  return lines.join('\n');
}

/**
 * The summary in the person's direct messages, sent after the files so it can say which arrived.
 * Teams are packed several to a section, so even a workspace with very many teams stays within 50 blocks.
 */
export function summaryView(report: BuiltReport, delivered: string[], missing: MissingFile[]): { text: string; blocks: KnownBlock[] } {
  const who = report.scope === 'all' ? 'All teams' : (report.teams[0]?.key ?? '');
  const title = `Report · ${who} · ${report.period.label}`;
  const totals = report.teams.reduce((t, f) => ({ opened: t.opened + f.opened, resolved: t.resolved + f.resolved, blocked: t.blocked + f.blocked }), { opened: 0, resolved: 0, blocked: 0 });
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title.length > 150 ? `${title.slice(0, 149)}…` : title } }];
  if (report.scope === 'all') {
    blocks.push(section(`Across ${plural(report.teams.length, 'team')}: ${totals.opened} issues opened, ${totals.resolved} resolved, ${totals.blocked} still blocked at the end of the period.`));
  }
  if (report.teams.length === 0) blocks.push(section('There are no program teams yet, so there is nothing to report.'));
  for (const chunk of chunkLines(report.teams.map(teamLines), SECTION_MAX, 40)) blocks.push(section(chunk.replace(/\n(?=\*)/g, '\n\n')));
  if (missing.length > 0) {
    blocks.push(
      section(
        `:warning: ${missing.length === 1 ? 'One file is' : `${missing.length} files are`} missing because Slack did not take the upload: ${missing
          .map((m) => `\`${escapeMrkdwn(m.filename)}\` (${escapeMrkdwn(m.reason)})`)
          .join(', ')}. Run the same \`/report\` again to get ${missing.length === 1 ? 'it' : 'them'}.`,
      ),
    );
  }
  blocks.push(
    context(
      `${delivered.length > 0 ? `Files above: ${delivered.map((f) => `\`${escapeMrkdwn(f)}\``).join(', ')}. ` : ''}Period: ${report.period.firstDay} to ${report.period.lastDay} (${escapeMrkdwn(report.period.label)}). CSV files open in Excel, Numbers or Google Sheets.`,
    ),
  );
  const text = `${title}: ${totals.opened} issues opened, ${totals.resolved} resolved${missing.length > 0 ? `; missing: ${missing.map((m) => m.filename).join(', ')}` : ''}`;
  return { text, blocks };
}
