import type { KnownBlock } from '@slack/types';
import { chunkLines, context, section, SECTION_MAX } from '../../slack/blocks.js';
import { escapeMrkdwn, mentionChannel, mentionUser } from '../../slack/mrkdwn.js';
import { describeSchedule } from '../digest/schedule.js';
import type { AuditEntry, Organisation, ProgramTeam, TeamSummary } from './repository.js';
import type { ScheduleSetting, WorkspaceSettingsView } from './settings.js';

/** Slack allows 50 blocks a message; keep two for the header and the footer. */
const MAX_LIST_BLOCKS = 45;


export const TEAM_HELP = [
  '*`/team`: program teams, people and roles*',
  '`/team list`: every team with its channels and member count',
  '`/team members [KEY]`: who is on a team (KEY defaults to this channel’s team)',
  '`/team join [KEY]` · `/team leave [KEY]`: join or leave a team (people from a partner workspace are added by a coordinator)',
  '`/team org @person` · `/team orgs`: who represents which organisation',
  '`/team coordinators`: who coordinates the collaborative',
  '`/team settings`: this workspace’s settings (time zone, digest schedules, anonymous ballots), for team members and coordinators',
  '*Coordinators only*',
  '`/team create KEY Name of occupation`: add a program team',
  '`/team link KEY` · `/team unlink`: link this channel to a team (commands here then default to it)',
  '`/team add @person [KEY]`: put someone on a team (how a partner-workspace guest joins)',
  '`/team org @person Organisation name`: record the employer, school or agency a person represents',
  '`/team coordinator add @person` · `/team coordinator remove @person`',
  '`/team audit [n]`: the latest n entries of the audit log (default 20)',
  '`/team settings timezone Area/City` · `/team settings reset timezone`: this workspace’s time zone, e.g. America/Chicago (digest schedules keep the zone they were set in; change them with `/digest schedule`)',
].join('\n');

/** Where digest schedules are changed: they are per workspace already, in the digest feature. */
export const DIGEST_SCHEDULE_POINTER =
  'Digest schedules are changed with `/digest schedule KEY CRON` (a team) or `/digest schedule rollup CRON` (the roll-up), and `… default` goes back to the default. A schedule keeps the time zone it was set in.';

export function teamListView(teams: TeamSummary[]): { text: string; blocks: KnownBlock[] } {
  if (teams.length === 0) return { text: 'There are no teams yet. A coordinator can add one with `/team create KEY Name`.', blocks: [] };
  const lines = teams.map((team) => {
    const channels = team.channelIds.length === 0 ? '_no channel linked_' : team.channelIds.map(mentionChannel).join(', ');
    const members = `${team.memberCount} member${team.memberCount === 1 ? '' : 's'}`;
    return `*${escapeMrkdwn(team.key)}* · ${escapeMrkdwn(team.name)}\n${channels} · ${members}`;
  });
  const shown = lines.slice(0, MAX_LIST_BLOCKS);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Program teams (${teams.length})` } },
    ...shown.map(section),
  ];
  if (lines.length > shown.length) blocks.push(context(`…and ${lines.length - shown.length} more. Use \`/team members KEY\` for one team.`));
  return { text: `Program teams: ${teams.map((t) => t.key).join(', ')}`, blocks };
}

export function membersView(team: ProgramTeam, members: Array<{ userId: string; organisation: string | null }>, more = false): { text: string; blocks: KnownBlock[] } {
  if (members.length === 0) {
    return { text: `*${escapeMrkdwn(team.key)}* has no members yet. Join with \`/team join ${team.key}\`.`, blocks: [] };
  }
  const lines = members.map((m) => `• ${mentionUser(m.userId)}${m.organisation === null ? '' : ` (${escapeMrkdwn(m.organisation)})`}`);
  const chunks = chunkLines(lines, SECTION_MAX, MAX_LIST_BLOCKS);
  const count = more ? `more than ${members.length} members; the first ${members.length} to join` : `${members.length} member${members.length === 1 ? '' : 's'}`;
  return {
    text: `${team.key} has ${count}`,
    blocks: [section(`*${escapeMrkdwn(team.key)} · ${escapeMrkdwn(team.name)}*: ${count}`), ...chunks.map(section)],
  };
}

export function organisationsView(entries: Array<{ organisation: Organisation; userIds: string[] }>, more = false): { text: string; blocks: KnownBlock[] } {
  if (entries.length === 0) {
    return { text: 'No organisations recorded yet. A coordinator can add people with `/team org @person Organisation name`.', blocks: [] };
  }
  const lines = entries.map((e) => `*${escapeMrkdwn(e.organisation.name)}*: ${e.userIds.map(mentionUser).join(', ')}`);
  const blocks: KnownBlock[] = chunkLines(lines, SECTION_MAX, more ? MAX_LIST_BLOCKS - 1 : MAX_LIST_BLOCKS).map(section);
  if (more) blocks.push(context(`…and more people than fit here. \`/team org @person\` shows one person’s organisation.`));
  return { text: `${entries.length}${more ? '+' : ''} organisation${entries.length === 1 && !more ? '' : 's'}`, blocks };
}

export function auditView(entries: AuditEntry[], formatTime: (ms: number) => string): { text: string; blocks: KnownBlock[] } {
  if (entries.length === 0) return { text: 'The audit log is empty.', blocks: [] };
  const lines = entries.map(
    (e) =>
      `${formatTime(e.createdAt)} · ${mentionUser(e.actorId)} · \`${escapeMrkdwn(e.action)}\`${e.target === null ? '' : ` ${escapeMrkdwn(e.target)}`} · *${e.outcome}*${e.detail === null ? '' : ` (${escapeMrkdwn(e.detail)})`}`,
  );
  return { text: `Latest ${entries.length} audit entries`, blocks: [section('*Audit log*, newest first'), ...chunkLines(lines, SECTION_MAX, MAX_LIST_BLOCKS).map(section)] };
}


const scheduleLine = (label: string, s: ScheduleSetting): string =>
  `${label}: ${escapeMrkdwn(describeSchedule(s.cron))} (\`${escapeMrkdwn(s.cron)}\`${s.timeZone === undefined ? '' : `, ${escapeMrkdwn(s.timeZone)}`}) · ${s.source === 'default' ? 'default' : 'set with /digest schedule'}`;

export function settingsView(settings: WorkspaceSettingsView, formatTime: (ms: number) => string): { text: string; blocks: KnownBlock[] } {
  const zone = settings.timeZone;
  const zoneSource =
    zone.source === 'default'
      ? 'deployment default'
      : `this workspace’s${zone.setBy === undefined ? '' : `, set by ${mentionUser(zone.setBy)}`}${zone.setAt === undefined ? '' : ` on ${formatTime(zone.setAt)}`}`;
  const lines = [
    `*Time zone*: ${escapeMrkdwn(zone.value)} (${zoneSource})`,
    scheduleLine('*Roll-up digest*', settings.rollup),
    ...settings.teamDigests.map((s) => scheduleLine(`*${escapeMrkdwn(s.teamKey ?? '')} digest*`, s)),
    settings.perWorkspaceBallotKeys
      ? '*Anonymous ballots*: keyed per workspace (derived from the deployment’s secret; never shown)'
      : '*Anonymous ballots*: keyed with the deployment’s key (never shown)',
  ];
  return {
    text: `Workspace settings: time zone ${zone.value} (${zone.source === 'default' ? 'deployment default' : 'this workspace’s'})`,
    blocks: [
      section('*Settings for this workspace*'),
      ...chunkLines(lines, SECTION_MAX, MAX_LIST_BLOCKS).map(section),
      context(`Coordinators change the time zone with \`/team settings timezone Area/City\` or \`/team settings reset timezone\`. ${DIGEST_SCHEDULE_POINTER}`),
    ],
  };
}
