import type { ActionsBlock, Button, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { chunkLines, context, section, SECTION_MAX, selectInput, textInput } from '../../slack/blocks.js';
import { ActionIds, GoalBlockIds, InputIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionUser, plain, truncateMrkdwn } from '../../slack/mrkdwn.js';
import type { ProgramTeam } from '../team/repository.js';
import { formatNumber, goalKey, MAX_NAME, MAX_NOTE, MAX_UNIT, progressBar } from './model.js';
import { PACE_LABELS, type Pace } from './pace.js';
import type { Goal, GoalEvent, GoalReading } from './repository.js';
import type { GoalDetail, GoalWithPace, ListScope } from './service.js';

export const GOAL_HELP = [
  '*`/goal`: team goals and pipeline measures, with pace*',
  '`/goal new`: open the form (team, measure or milestone, name, unit, baseline, target, target date, owner, organisation)',
  '`/goal new CNA Clinical placement slots from 22 to 40 slots by 2027-06-30`: a measure at once',
  '`/goal new SPT State approves the new SPT curriculum by 2027-03-01`: a milestone at once',
  '`/goal update G-3 28 [note]`: record a reading (today); add `as of YYYY-MM-DD` for a past date (a second reading for a date replaces the first, and both stay in the history)',
  '`/goal done G-4 [note]`: complete a milestone',
  '`/goal list [KEY] [open|done|all]` · `/goal show G-3`: history, owner, linked issues, progress',
  '`/goal edit G-3`: the form, filled in · `/goal close G-3 achieved|dropped [note]`',
  '`/goal link G-3 CNA-12` · `/goal unlink G-3 CNA-12`: tie issues to a goal',
  '*Pace*: a measure is on track at or past the straight line from baseline (at the start) to target (at the target date), at risk within 10% of the line’s remaining distance, behind otherwise; a milestone is at risk in its last 14 days and overdue after. No reading for 30 days: stale, and the owner is asked once.',
  'Team members propose goals and record readings; coordinators and the goal’s owner change and close them.',
].join('\n');

const unitOf = (goal: Goal): string => (goal.unit === '' ? '' : ` ${escapeMrkdwn(goal.unit)}`);

export const paceText = (pace: Pace): string => {
  const p = PACE_LABELS[pace.status];
  return `${p.emoji} ${p.label}${pace.stale ? ' · :hourglass: stale' : ''}`;
};

export function daysLeftText(pace: Pace, goal: Goal): string {
  if (goal.status !== 'open') return '';
  if (pace.daysLeft > 0) return `${pace.daysLeft} ${pace.daysLeft === 1 ? 'day' : 'days'} left`;
  if (pace.daysLeft === 0) return 'due today';
  return `${-pace.daysLeft} ${pace.daysLeft === -1 ? 'day' : 'days'} past`;
}

/** "28 of 40 slots (from 22)" or "not done yet". */
export function valueText(goal: Goal, pace: Pace): string {
  if (goal.kind === 'milestone') return pace.status === 'done' || (goal.status === 'achieved') ? 'done' : 'not done yet';
  const latest = pace.latest ?? goal.baseline ?? 0;
  return `${formatNumber(latest)} of ${formatNumber(goal.target ?? 0)}${unitOf(goal)} (from ${formatNumber(goal.baseline ?? 0)})`;
}

/** One line of a list or a digest: id, name, value, pace, days left. `change` adds "+3 since last digest". */
export function goalLine({ goal, pace }: GoalWithPace, change?: string): string {
  const days = daysLeftText(pace, goal);
  const parts = [valueText(goal, pace), ...(change === undefined || change === '' ? [] : [change]), paceText(pace), ...(days === '' ? [] : [days])];
  return `*${goalKey(goal)}* ${escapeMrkdwn(goal.name)} · ${parts.join(' · ')}`;
}

/** "Record a reading" for a measure, "Mark done" for a milestone: on every message that shows an open goal. */
export function goalButtons(goal: Goal): ActionsBlock | undefined {
  if (goal.status !== 'open') return undefined;
  const value = String(goal.id);
  const button: Button =
    goal.kind === 'measure'
      ? { type: 'button', action_id: ActionIds.goalRecordReading, text: { type: 'plain_text', text: 'Record a reading' }, style: 'primary', value }
      : { type: 'button', action_id: ActionIds.goalMarkDone, text: { type: 'plain_text', text: 'Mark done' }, style: 'primary', value };
  return { type: 'actions', block_id: GoalBlockIds.actions, elements: [button] };
}

function fieldsOf(goal: Goal, pace: Pace): KnownBlock {
  const target =
    goal.kind === 'measure'
      ? `${formatNumber(goal.baseline ?? 0)} → ${formatNumber(goal.target ?? 0)}${unitOf(goal)} by ${goal.targetDate}`
      : `done by ${goal.targetDate}`;
  return {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Pace*\n${paceText(pace)}` },
      { type: 'mrkdwn', text: `*Now*\n${valueText(goal, pace)}` },
      { type: 'mrkdwn', text: `*Target*\n${target}` },
      { type: 'mrkdwn', text: `*Owner*\n${mentionUser(goal.ownerId)}${goal.organisationName === null ? '' : ` · ${escapeMrkdwn(goal.organisationName)}`}` },
      { type: 'mrkdwn', text: `*Team*\n${escapeMrkdwn(goal.teamKey)} · ${escapeMrkdwn(goal.teamName)}` },
      { type: 'mrkdwn', text: `*Status*\n${goal.status === 'open' ? daysLeftText(pace, goal) || 'open' : escapeMrkdwn(goal.status)}` },
    ],
  };
}

const titleLine = (goal: Goal): string => `*${goalKey(goal)}* · ${escapeMrkdwn(goal.name)}${goal.kind === 'milestone' ? ' _(milestone)_' : ''}`;

/** A compact card: the answer to a change, and announcements. */
export function goalCard(goal: Goal, pace: Pace, note?: string): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [];
  if (note !== undefined) blocks.push(section(note));
  blocks.push(section(titleLine(goal)), fieldsOf(goal, pace));
  if (goal.kind === 'measure') blocks.push(context(`\`${progressBar(pace.progress)}\``));
  const buttons = goalButtons(goal);
  if (buttons !== undefined) blocks.push(buttons);
  return { text: truncateMrkdwn(`${note === undefined ? '' : `${note} `}${goalKey(goal)}: ${escapeMrkdwn(goal.name)} (${PACE_LABELS[pace.status].label})`, SECTION_MAX), blocks };
}

/** The team-channel announcement of a new goal. */
export const createdAnnouncement = (goal: Goal, pace: Pace): { text: string; blocks: KnownBlock[] } =>
  goalCard(goal, pace, `:dart: ${mentionUser(goal.creatorId)} set a new *${escapeMrkdwn(goal.teamKey)}* goal`);

/** The team-channel announcement of a goal achieved or dropped. */
export function closedAnnouncement(goal: Goal, actorId: string, note: string): { text: string; blocks: KnownBlock[] } {
  const said =
    goal.status === 'achieved'
      ? `:trophy: ${mentionUser(actorId)} marked *${goalKey(goal)}* · ${escapeMrkdwn(goal.name)} as *achieved*`
      : `:heavy_minus_sign: ${mentionUser(actorId)} dropped *${goalKey(goal)}* · ${escapeMrkdwn(goal.name)}`;
  const text = truncateMrkdwn(`${said}${note === '' ? '.' : `: ${escapeMrkdwn(note)}`}`, SECTION_MAX);
  return { text, blocks: [section(text), context(`\`/goal show ${goalKey(goal)}\` shows its history.`)] };
}

/** The owner's direct message when a goal has had no reading for 30 days. */
export function staleReminder(goal: Goal, pace: Pace): { text: string; blocks: KnownBlock[] } {
  const since = pace.latestAsOf === null ? `since it was set on ${goal.startDate}` : `since ${pace.latestAsOf}`;
  const ask =
    goal.kind === 'measure'
      ? `Record where it stands with the button or \`/goal update ${goalKey(goal)} VALUE\`.`
      : `Mark it done with the button, or say where it stands in the team channel.`;
  const text = `:hourglass: *${goalKey(goal)}* · ${escapeMrkdwn(goal.name)} (${escapeMrkdwn(goal.teamKey)}) has had no reading ${since} (${pace.daysSinceReading} days). ${ask}`;
  const blocks: KnownBlock[] = [section(text), fieldsOf(goal, pace)];
  const buttons = goalButtons(goal);
  if (buttons !== undefined) blocks.push(buttons);
  return { text, blocks };
}

/** `/goal list`: one section per goal (up to 30 shown whole), packed into sections under Slack's limits. */
export function goalListView(label: string, scope: ListScope, goals: GoalWithPace[]): { text: string; blocks: KnownBlock[] } {
  const what = scope === 'open' ? 'open goals' : scope === 'done' ? 'closed goals' : 'goals';
  if (goals.length === 0) {
    return { text: `No ${what} for ${escapeMrkdwn(label)}. Set one with \`/goal new\`.`, blocks: [] };
  }
  const byTeam = new Map<string, string[]>();
  for (const g of goals) {
    const lines = byTeam.get(g.goal.teamKey) ?? [];
    lines.push(goalLine(g));
    byTeam.set(g.goal.teamKey, lines);
  }
  const lines: string[] = [];
  for (const [team, teamLines] of byTeam) lines.push(`*${escapeMrkdwn(team)}*`, ...teamLines);
  const blocks: KnownBlock[] = [section(`*${goals.length} ${what}* · ${escapeMrkdwn(label)}`), ...chunkLines(lines, SECTION_MAX, 45).map(section)];
  blocks.push(context('`/goal show G-n` for a goal’s history · `/goal update G-n VALUE` records a reading'));
  return { text: `${goals.length} ${what} for ${escapeMrkdwn(label)}`, blocks };
}

function readingLine(goal: Goal, reading: GoalReading, formatTime: (ms: number) => string): string {
  const value = goal.kind === 'milestone' ? 'done' : `${formatNumber(reading.value)}${unitOf(goal)}`;
  const replaced = reading.supersededAt === null ? '' : ` ~replaced ${formatTime(reading.supersededAt)}~`;
  const note = reading.note === '' ? '' : `: ${escapeMrkdwn(reading.note)}`;
  return `${reading.asOf} · *${value}*${replaced} · ${mentionUser(reading.recordedBy)}${note}`;
}

function eventLine(event: GoalEvent, formatTime: (ms: number) => string): string {
  const who = mentionUser(event.actorId);
  switch (event.kind) {
    case 'created':
      return `${formatTime(event.createdAt)} · ${who} set the goal`;
    case 'closed':
      return `${formatTime(event.createdAt)} · ${who} closed it as *${escapeMrkdwn(event.toValue ?? '')}*${event.note === null ? '' : `: ${escapeMrkdwn(event.note)}`}`;
    case 'link':
      return `${formatTime(event.createdAt)} · ${who} linked ${escapeMrkdwn(event.toValue ?? '')}`;
    case 'unlink':
      return `${formatTime(event.createdAt)} · ${who} unlinked ${escapeMrkdwn(event.toValue ?? '')}`;
    case 'edit':
      return `${formatTime(event.createdAt)} · ${who} changed ${escapeMrkdwn(event.fromValue ?? '')} → ${escapeMrkdwn(event.toValue ?? '')}`;
    default:
      return `${formatTime(event.createdAt)} · ${who} ${escapeMrkdwn(event.kind)}`;
  }
}

/** `/goal show`: fields, a progress bar that reads on a phone, readings (replaced ones struck through), linked issues, history. */
export function goalDetailView(detail: GoalDetail, formatTime: (ms: number) => string): { text: string; blocks: KnownBlock[] } {
  const { goal, pace } = detail;
  const blocks: KnownBlock[] = [section(titleLine(goal)), fieldsOf(goal, pace)];
  if (goal.kind === 'measure') {
    const expected = pace.expected === null || goal.status !== 'open' ? '' : ` · the line is at ${formatNumber(pace.expected)} today`;
    blocks.push(section(`\`${progressBar(pace.progress)}\`${expected}`));
  }
  blocks.push(context(`Set ${goal.startDate} by ${mentionUser(goal.creatorId)}${goal.closeNote === null ? '' : ` · closing note: ${escapeMrkdwn(goal.closeNote)}`}`));
  const issues = detail.issues.map((i) => `*${escapeMrkdwn(i.key)}* ${escapeMrkdwn(i.title)} (${escapeMrkdwn(i.status.replace('_', ' '))})`);
  blocks.push(section(issues.length === 0 ? `*Linked issues*: none yet (\`/goal link ${goalKey(goal)} CNA-12\`)` : `*Linked issues*\n${issues.join('\n')}`));
  const readings = detail.readings.map((r) => readingLine(goal, r, formatTime));
  blocks.push(section(`*Readings* (${detail.readings.length}, newest first)`));
  if (readings.length === 0) blocks.push(section('_No readings yet._'));
  else blocks.push(...chunkLines(readings, SECTION_MAX, 15).map(section));
  const events = detail.events.map((e) => eventLine(e, formatTime));
  blocks.push(section('*History*'), ...chunkLines(events, SECTION_MAX, 10).map(section));
  const buttons = goalButtons(goal);
  if (buttons !== undefined) blocks.push(buttons);
  return { text: `${goalKey(goal)}: ${escapeMrkdwn(goal.name)} (${PACE_LABELS[pace.status].label})`, blocks };
}

export interface GoalModalModel {
  mode: 'new' | 'edit';
  teams: ProgramTeam[];
  teamId?: number;
  goalKey?: string;
  kind?: string;
  name?: string;
  unit?: string;
  baseline?: number | null;
  target?: number | null;
  targetDate?: string;
  ownerId?: string | null;
  organisationId?: number | null;
  organisations: Array<{ id: number; name: string }>;
  privateMetadata: string;
}

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text: plain(text, 75) }, value });

/** The new and edit forms: one form for both kinds; the measure fields are ignored for a milestone. */
export function goalModal(m: GoalModalModel): ModalView {
  const blocks: KnownBlock[] = [];
  if (m.mode === 'new') {
    const teamOptions = m.teams.slice(0, 100).map((t) => option(`${t.key} · ${t.name}`, String(t.id)));
    blocks.push(selectInput({ id: InputIds.goalTeam, label: 'Team', options: teamOptions, initialValue: String(m.teamId) }));
    const kinds = [option('Measure: a number to move', 'measure'), option('Milestone: done or not by a date', 'milestone')];
    blocks.push({
      type: 'input',
      block_id: InputIds.goalKind,
      label: { type: 'plain_text', text: 'Kind' },
      element: { type: 'radio_buttons', action_id: InputIds.goalKind, options: kinds, initial_option: m.kind === 'milestone' ? (kinds[1]) : (kinds[0]) },
    });
  }
  blocks.push(textInput({ id: InputIds.goalName, label: 'Name', maxLength: MAX_NAME, initial: m.name, placeholder: 'Clinical placement slots' }));
  if (m.mode === 'new' || m.kind === 'measure') {
    const measuresOnly = m.mode === 'new' ? 'Measures only.' : undefined;
    blocks.push(textInput({ id: InputIds.goalUnit, label: 'Unit', maxLength: MAX_UNIT, initial: m.unit, placeholder: 'slots', hint: measuresOnly, optional: true }));
    blocks.push(textInput({ id: InputIds.goalBaseline, label: 'Baseline (now)', maxLength: 20, initial: m.baseline === null || m.baseline === undefined ? undefined : String(m.baseline), placeholder: '22', hint: measuresOnly, optional: m.mode === 'new' }));
    blocks.push(textInput({ id: InputIds.goalTarget, label: 'Target', maxLength: 20, initial: m.target === null || m.target === undefined ? undefined : String(m.target), placeholder: '40', hint: measuresOnly, optional: m.mode === 'new' }));
  }
  blocks.push({
    type: 'input',
    block_id: InputIds.goalTargetDate,
    label: { type: 'plain_text', text: 'Target date' },
    element: { type: 'datepicker', action_id: InputIds.goalTargetDate, ...(m.targetDate === undefined ? {} : { initial_date: m.targetDate }) },
  });
  blocks.push({
    type: 'input',
    block_id: InputIds.goalOwner,
    optional: true,
    label: { type: 'plain_text', text: 'Owner' },
    hint: { type: 'plain_text', text: 'The person who keeps it moving and records readings. Empty: you.' },
    element: { type: 'users_select', action_id: InputIds.goalOwner, ...(m.ownerId === null || m.ownerId === undefined ? {} : { initial_user: m.ownerId }) },
  });
  if (m.organisations.length > 0) {
    const orgOptions = m.organisations.slice(0, 100).map((o) => option(o.name, String(o.id)));
    blocks.push(selectInput({ id: InputIds.goalOrganisation, label: 'Responsible organisation', options: orgOptions, initialValue: String(m.organisationId), optional: true }));
  }
  return {
    type: 'modal',
    callback_id: m.mode === 'new' ? ViewIds.goalNew : ViewIds.goalEdit,
    title: { type: 'plain_text', text: plain(m.mode === 'new' ? 'New goal' : `Edit ${m.goalKey ?? 'goal'}`, 24) },
    submit: { type: 'plain_text', text: m.mode === 'new' ? 'Set goal' : 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: m.privateMetadata,
    blocks,
  };
}

/** "Record a reading": value, as-of date (today by default), note. */
export function readingModal(goal: Goal, today: string, privateMetadata: string): ModalView {
  return {
    type: 'modal',
    callback_id: ViewIds.goalReading,
    title: { type: 'plain_text', text: plain(`Reading for ${goalKey(goal)}`, 24) },
    submit: { type: 'plain_text', text: 'Record' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: privateMetadata,
    blocks: [
      section(`*${goalKey(goal)}* · ${escapeMrkdwn(goal.name)}\nTarget ${formatNumber(goal.target ?? 0)}${unitOf(goal)} by ${goal.targetDate}`),
      textInput({ id: InputIds.goalValue, label: `Value${goal.unit === '' ? '' : ` (${goal.unit})`}`, maxLength: 20, placeholder: formatNumber(goal.baseline ?? 0) }),
      {
        type: 'input',
        block_id: InputIds.goalAsOf,
        label: { type: 'plain_text', text: 'As of' },
        hint: { type: 'plain_text', text: 'A date that already has a reading gets this one instead; the old one stays in the history.' },
        element: { type: 'datepicker', action_id: InputIds.goalAsOf, initial_date: today },
      },
      textInput({ id: InputIds.goalNote, label: 'Note', maxLength: MAX_NOTE, multiline: true, optional: true, placeholder: 'Where the number comes from, what moved it' }),
    ],
  };
}
