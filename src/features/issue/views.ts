import type { ActionsBlock, Button, KnownBlock, ModalView, Overflow, PlainTextOption } from '@slack/types';
import { chunkLines, context, section, SECTION_MAX, textInput } from '../../slack/blocks.js';
import { ActionIds, IssueBlockIds, InputIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionChannel, mentionUser, plain, truncateMrkdwn } from '../../slack/mrkdwn.js';
import type { ProgramTeam } from '../team/repository.js';
import {
  CATEGORIES,
  categoryLabel,
  formatKey,
  isClosed,
  ISSUE_HISTORY_SHOWN,
  isOverdue,
  MAX_DETAILS,
  MAX_TITLE,
  statusEmoji,
  statusLabel,
  type ListScope,
} from './model.js';
import type { Issue, IssueEventRow } from './repository.js';
import type { ListPage } from './service.js';

/** Slack allows 50 blocks a message; the detail view keeps room for fields, details and buttons. */
const MAX_HISTORY_BLOCKS = 30;
/** The card shows the start of the details; `/issue show` has them whole. */
const CARD_DETAILS = 500;


export const ISSUE_HELP = [
  '*`/issue`: log, track and close program-team issues*',
  '`/issue new`: open the form (title, details, category, team, owner, due date)',
  '`/issue new Some title`: log it at once in this channel’s team',
  '`/issue list [KEY] [open|closed|all|mine|overdue]`: ranked issues first, then newest activity, 20 a page, each with a menu (start, resolve, assign to me, show)',
  '`/issue show CNA-3`: every field and the history',
  '`/issue status CNA-3 open|in-progress|blocked|resolved|dropped [note]`',
  '`/issue assign CNA-3 @person` (or `none`) · `/issue due CNA-3 YYYY-MM-DD` (or `none`)',
  '`/issue comment CNA-3 text` · `/issue edit CNA-3`: the form, filled in',
  'Message menu → *Log as issue* turns a message into an issue.',
  'Anyone can log an issue; its reporter, owner, team members and coordinators can change it.',
].join('\n');

export const keyOf = (issue: Issue): string => formatKey(issue.teamKey, issue.number);

const ownerText = (issue: Issue): string => (issue.ownerId === null ? '_unassigned_' : mentionUser(issue.ownerId));

function dueText(issue: Issue, today: string): string {
  if (issue.dueDate === null) return '_no due date_';
  return isOverdue(issue, today) ? `due ${issue.dueDate} :warning: *overdue*` : `due ${issue.dueDate}`;
}

const statusText = (status: string): string => `${statusEmoji(status)} ${statusLabel(status)}`;

/** One line of a list: key, title, status, owner and due date. */
export function issueLine(issue: Issue, today: string): string {
  const priority = issue.priority === null ? '' : ` · priority #${issue.priority}`;
  return `*${keyOf(issue)}* ${escapeMrkdwn(issue.title)}\n${statusText(issue.status)} · ${ownerText(issue)} · ${dueText(issue, today)}${priority}`;
}

/** Start, resolve, assign to me: the common next steps, on every message that shows an open issue. */
export function issueButtons(issue: Issue, blockId: string = IssueBlockIds.actions): ActionsBlock | undefined {
  if (isClosed(issue.status)) return undefined;
  const value = String(issue.id);
  const elements: Button[] = [];
  if (issue.status !== 'in_progress') elements.push({ type: 'button', action_id: ActionIds.issueStart, text: { type: 'plain_text', text: 'Start' }, value });
  elements.push({ type: 'button', action_id: ActionIds.issueResolve, text: { type: 'plain_text', text: 'Resolve' }, style: 'primary', value });
  elements.push({ type: 'button', action_id: ActionIds.issueAssignMe, text: { type: 'plain_text', text: 'Assign to me' }, value });
  return { type: 'actions', block_id: blockId, elements };
}

/** What an item of a list line's menu does; the option value is `<step>:<issue id>`. */
export type MenuStep = 'start' | 'resolve' | 'assign_me' | 'reopen' | 'show';

/**
 * The quick actions on one line of `/issue list`. An overflow menu (one accessory per section) adds
 * no blocks, so a page stays at 20 lines + 3 blocks, far under 50; Slack allows 2 to 5 options.
 */
export function issueMenu(issue: Issue): Overflow {
  const item = (text: string, step: MenuStep): PlainTextOption => ({ text: { type: 'plain_text', text }, value: `${step}:${issue.id}` });
  const options: PlainTextOption[] = [];
  if (isClosed(issue.status)) options.push(item('Reopen', 'reopen'));
  else {
    if (issue.status !== 'in_progress') options.push(item('Start', 'start'));
    options.push(item('Resolve', 'resolve'), item('Assign to me', 'assign_me'));
  }
  options.push(item('Show', 'show'));
  return { type: 'overflow', action_id: ActionIds.issueListMenu, options };
}

function fieldsOf(issue: Issue, today: string): KnownBlock {
  return {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Status*\n${statusText(issue.status)}` },
      { type: 'mrkdwn', text: `*Owner*\n${ownerText(issue)}` },
      { type: 'mrkdwn', text: `*Due*\n${issue.dueDate === null ? '_none_' : dueText(issue, today).replace(/^due /, '')}` },
      { type: 'mrkdwn', text: `*Category*\n${escapeMrkdwn(categoryLabel(issue.category))}` },
      { type: 'mrkdwn', text: `*Team*\n${escapeMrkdwn(issue.teamKey)} · ${escapeMrkdwn(issue.teamName)}` },
      { type: 'mrkdwn', text: `*Reported by*\n${mentionUser(issue.reporterId)}` },
    ],
  };
}

/** ":dart: Goal G-1 Clinical placement slots": the goals an issue is linked to (`/goal link`). */
export function goalsText(issue: Issue): string {
  const goals = issue.goals ?? [];
  if (goals.length === 0) return '';
  return `:dart: ${goals.length === 1 ? 'Goal' : 'Goals'} ${goals.map((g) => `*G-${g.number}* ${escapeMrkdwn(g.name)}`).join(', ')}`;
}

const titleLine = (issue: Issue): string => `*${keyOf(issue)}* · ${escapeMrkdwn(issue.title)}`;

/** A compact card: announcements, and the answer to a change. `comments` adds the count (the announcement keeps it current). */
export function issueCard(issue: Issue, today: string, note?: string, comments?: number): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [];
  if (note !== undefined) blocks.push(section(note));
  blocks.push(section(titleLine(issue)), fieldsOf(issue, today));
  if (issue.details !== '') {
    const excerpt = issue.details.length > CARD_DETAILS ? `${issue.details.slice(0, CARD_DETAILS)}…` : issue.details;
    blocks.push(section(escapeMrkdwn(excerpt)));
    if (issue.details.length > CARD_DETAILS) blocks.push(context(`Details shortened; \`/issue show ${keyOf(issue)}\` shows them whole.`));
  }
  const footer: string[] = [];
  const goals = goalsText(issue);
  if (goals !== '') footer.push(goals);
  if (issue.sourcePermalink !== null) footer.push(`Logged from <${issue.sourcePermalink}|a message>`);
  if (comments !== undefined) footer.push(`:speech_balloon: ${comments === 1 ? '1 comment' : `${comments} comments`} · \`/issue show ${keyOf(issue)}\` for the history`);
  if (footer.length > 0) blocks.push(context(footer.join(' · ')));
  const buttons = issueButtons(issue);
  if (buttons !== undefined) blocks.push(buttons);
  const text = `${note === undefined ? '' : `${note} `}${keyOf(issue)}: ${escapeMrkdwn(issue.title)} (${statusLabel(issue.status)})`;
  return { text, blocks };
}

/** The team-channel announcement; re-rendered and chat.update-d on every change, so it always shows the issue as it is. */
export function announcement(issue: Issue, today: string, comments: number): { text: string; blocks: KnownBlock[] } {
  return issueCard(issue, today, `:memo: ${mentionUser(issue.reporterId)} logged a new *${escapeMrkdwn(issue.teamKey)}* issue`, comments);
}

/** The thread reply under the announcement for a status change: "@Hannah moved CNA-3 to *Resolved*: note". */
export function statusReply(issue: Issue, change: { actorId: string; toValue: string | null; note: string | null }): { text: string } {
  const note = change.note === null ? '' : `: ${escapeMrkdwn(change.note)}`;
  return { text: truncateMrkdwn(`${statusEmoji(change.toValue ?? '')} ${mentionUser(change.actorId)} moved *${keyOf(issue)}* to *${statusLabel(change.toValue ?? '')}*${note}`, SECTION_MAX) };
}

/** Where the news of a new issue went, for the person who logged it. */
export function announcedText(issue: Issue, channels: string[]): string {
  if (channels.length === 0) return `${escapeMrkdwn(issue.teamKey)} has no linked channel, so nothing was announced (a coordinator can run \`/team link ${escapeMrkdwn(issue.teamKey)}\` in one).`;
  return `Announced in ${channels.map(mentionChannel).join(', ')}.`;
}

export const loggedReply = (issue: Issue): { text: string } => ({
  text: `:memo: Logged as *${keyOf(issue)}*: ${escapeMrkdwn(issue.title)}. Follow it with \`/issue show ${keyOf(issue)}\`.`,
});

/** Splits escaped text into section-sized pieces without breaking an entity, so long details are shown whole. */
export function splitMrkdwn(text: string, max = SECTION_MAX): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    const amp = rest.lastIndexOf('&', cut);
    if (amp > cut - 6 && !rest.slice(amp, cut).includes(';')) cut = amp;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

function eventText(event: IssueEventRow): string {
  switch (event.kind) {
    case 'created':
      return 'logged it';
    case 'status':
      return `changed the status from ${statusLabel(event.fromValue ?? '')} to *${statusLabel(event.toValue ?? '')}*${event.note === null ? '' : `: ${escapeMrkdwn(event.note)}`}`;
    case 'owner':
      if (event.toValue === null) return `unassigned ${event.fromValue === null ? 'it' : mentionUser(event.fromValue)}`;
      return `assigned it to ${mentionUser(event.toValue)}`;
    case 'due':
      return event.toValue === null ? 'cleared the due date' : `set the due date to ${escapeMrkdwn(event.toValue)}`;
    case 'comment':
      return `commented: ${escapeMrkdwn(event.note ?? '')}`;
    case 'title':
      return `renamed it from “${escapeMrkdwn(event.fromValue ?? '')}”`;
    case 'details':
      return 'edited the details';
    case 'category':
      return `changed the category to ${escapeMrkdwn(categoryLabel(event.toValue ?? ''))}`;
    default:
      return escapeMrkdwn(event.kind);
  }
}

/** `/issue show`: every field, the whole details and the history, newest first. */
export function issueDetailView(issue: Issue, events: IssueEventRow[], today: string, formatTime: (ms: number) => string): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [section(titleLine(issue)), fieldsOf(issue, today)];
  const logged = `Logged ${formatTime(issue.createdAt)}${issue.closedAt === null ? '' : ` · closed ${formatTime(issue.closedAt)}`}`;
  const source = issue.sourcePermalink !== null ? ` · from <${issue.sourcePermalink}|a message>` : issue.sourceChannelId !== null ? ` · from a message in ${mentionChannel(issue.sourceChannelId)}` : '';
  const priority = issue.priority === null ? '' : ` · team priority #${issue.priority}`;
  const goals = goalsText(issue);
  blocks.push(context(`${logged}${source}${priority}${goals === '' ? '' : ` · ${goals}`}`));
  if (issue.details === '') blocks.push(section('_No details._'));
  else blocks.push(...splitMrkdwn(escapeMrkdwn(issue.details)).map(section));
  // The repository reads one event beyond ISSUE_HISTORY_SHOWN when there are earlier ones.
  const earlier = events.length > ISSUE_HISTORY_SHOWN;
  const shown = earlier ? events.slice(events.length - ISSUE_HISTORY_SHOWN) : events;
  const lines = [...shown].reverse().map((e) => `${formatTime(e.createdAt)} · ${mentionUser(e.actorId)} ${eventText(e)}`);
  blocks.push(section(earlier ? `*History* (the latest ${shown.length}, newest first; earlier ones are not shown)` : `*History* (${shown.length}, newest first)`));
  // chunkLines says "…and N more" when the oldest entries do not fit; nothing is dropped silently.
  blocks.push(...chunkLines(lines, SECTION_MAX, MAX_HISTORY_BLOCKS).map(section));
  const buttons = issueButtons(issue, IssueBlockIds.detailActions);
  if (buttons !== undefined) blocks.push(buttons);
  return { text: `${keyOf(issue)}: ${escapeMrkdwn(issue.title)} (${statusLabel(issue.status)})`, blocks };
}

const scopeTitle: Record<ListScope, string> = {
  open: 'Open issues',
  closed: 'Closed issues',
  all: 'All issues',
  mine: 'Open issues you own',
  overdue: 'Overdue issues',
};

/** What a page button carries; the listener validates it because a client can send anything. */
export interface PageToken {
  t: number[] | null;
  s: ListScope;
  p: number;
}

const pageButton = (actionId: string, text: string, token: PageToken): Button => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text },
  value: JSON.stringify(token),
});

const listLine =
  (today: string) =>
  (issue: Issue): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(issueLine(issue, today), SECTION_MAX) }, accessory: issueMenu(issue) });

/** A page of `/issue list`: says which slice of how many it shows, with buttons to the others. */
export function issueListView(page: ListPage): { text: string; blocks: KnownBlock[] } {
  const heading = `${scopeTitle[page.scope]} · ${escapeMrkdwn(page.label)}`;
  const fallback = page.fellBack ? '\n_You are not on a team yet, so this lists every team. `/team join KEY` to join one._' : '';
  if (page.total === 0) {
    const hint = page.scope === 'open' || page.scope === 'all' ? ' Log one with `/issue new Title`.' : '';
    return { text: `No ${scopeTitle[page.scope].toLowerCase()} for ${escapeMrkdwn(page.label)}.${hint}${fallback}`, blocks: [] };
  }
  const first = page.offset + 1;
  const last = page.offset + page.issues.length;
  const showing = `showing ${first}–${last} of ${page.total}`;
  const blocks: KnownBlock[] = [section(`*${heading}* · ${showing}${fallback}`), ...page.issues.map(listLine(page.today))];
  blocks.push(context(`Page ${page.page} of ${page.pageCount} · ranked issues first, then newest activity · \`/issue show KEY\` for one issue`));
  const token = { t: page.teamIds ?? null, s: page.scope };
  const nav: Button[] = [];
  if (page.page > 1) nav.push(pageButton(ActionIds.issueListPrevPage, 'Previous page', { ...token, p: page.page - 1 }));
  if (page.page < page.pageCount) nav.push(pageButton(ActionIds.issueListPage, 'Next page', { ...token, p: page.page + 1 }));
  if (nav.length > 0) blocks.push({ type: 'actions', block_id: IssueBlockIds.listNav, elements: nav });
  return { text: `${scopeTitle[page.scope]} for ${escapeMrkdwn(page.label)}: ${showing}`, blocks };
}

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text: plain(text, 75) }, value });

export interface IssueModalInput {
  mode: 'new' | 'edit';
  /** new: the teams to pick from; edit: the issue's own team, shown but fixed. */
  teams: ProgramTeam[];
  teamId?: number;
  title?: string;
  details?: string;
  /** Said under details when a logged message was longer than the field. */
  detailsHint?: string;
  category?: string;
  ownerId?: string | null;
  dueDate?: string | null;
  issueKey?: string;
  privateMetadata: string;
}

/** Slack allows 100 options in a static select; a collaborative has a handful of teams. */
const MAX_TEAM_OPTIONS = 100;

/** The form for a new issue (from `/issue new` or the message shortcut) and for editing one. */
export function issueModal(input: IssueModalInput): ModalView {
  const categoryOptions = CATEGORIES.map((c) => option(c.label, c.id));
  const category = categoryOptions.find((o) => o.value === (input.category ?? 'other'));
  const blocks: KnownBlock[] = [
    textInput({ id: InputIds.issueTitle, label: 'Title', maxLength: MAX_TITLE, placeholder: 'e.g. Not enough clinical placements for spring cohort', initial: input.title }),
    textInput({ id: InputIds.issueDetails, label: 'Details', optional: true, hint: input.detailsHint, multiline: true, maxLength: MAX_DETAILS, initial: input.details }),
    {
      type: 'input',
      block_id: InputIds.issueCategory,
      label: { type: 'plain_text', text: 'Category' },
      element: { type: 'static_select', action_id: InputIds.issueCategory, options: categoryOptions, ...(category === undefined ? {} : { initial_option: category }) },
    },
  ];
  if (input.mode === 'new') {
    const teamOptions = input.teams.slice(0, MAX_TEAM_OPTIONS).map((t) => option(`${t.key} · ${t.name}`, String(t.id)));
    const team = teamOptions.find((o) => o.value === String(input.teamId));
    blocks.push({
      type: 'input',
      block_id: InputIds.issueTeam,
      label: { type: 'plain_text', text: 'Team' },
      element: {
        type: 'static_select',
        action_id: InputIds.issueTeam,
        placeholder: { type: 'plain_text', text: 'Which program team?' },
        options: teamOptions,
        ...(team === undefined ? {} : { initial_option: team }),
      },
    });
  } else {
    const team = input.teams[0];
    if (team !== undefined) blocks.push(context(`Team: *${escapeMrkdwn(team.key)}* · ${escapeMrkdwn(team.name)} (an issue keeps its team and key)`));
  }
  blocks.push(
    {
      type: 'input',
      block_id: InputIds.issueOwner,
      optional: true,
      label: { type: 'plain_text', text: 'Owner' },
      element: {
        type: 'users_select',
        action_id: InputIds.issueOwner,
        placeholder: { type: 'plain_text', text: 'Who drives it?' },
        ...(input.ownerId === undefined || input.ownerId === null ? {} : { initial_user: input.ownerId }),
      },
    },
    {
      type: 'input',
      block_id: InputIds.issueDue,
      optional: true,
      label: { type: 'plain_text', text: 'Due date' },
      element: { type: 'datepicker', action_id: InputIds.issueDue, ...(input.dueDate === undefined || input.dueDate === null ? {} : { initial_date: input.dueDate }) },
    },
  );
  return {
    type: 'modal',
    callback_id: input.mode === 'new' ? ViewIds.issueNew : ViewIds.issueEdit,
    title: { type: 'plain_text', text: input.mode === 'new' ? 'Log an issue' : plain(`Edit ${input.issueKey ?? 'issue'}`, 24) },
    submit: { type: 'plain_text', text: input.mode === 'new' ? 'Log issue' : 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: input.privateMetadata,
    blocks,
  };
}

