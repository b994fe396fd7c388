import type { ActionsBlock, Button, HomeView, KnownBlock } from '@slack/types';
import { context, section } from '../../slack/blocks.js';
import { ActionIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionUser, plain } from '../../slack/mrkdwn.js';
import { statusEmoji, statusLabel } from '../issue/model.js';
import { slackDateToken } from '../../slack/date-token.js';
import { RSVP_LABELS, rsvpActionId } from '../meeting/views.js';
import { ballotOptionButton } from '../vote/views.js';
import type { HomeIssue, HomeMeeting, HomeModel, HomeVote, TeamHealth } from './model.js';

/** Slack refuses a Home tab of more than 100 blocks. */
export const HOME_MAX_BLOCKS = 100;
/** A notice (the outcome of the last click) may bring a few blocks of its own, no more. */
const NOTICE_MAX_BLOCKS = 4;
/** "Your teams": a person is rarely on more; each shows its first goals and counts the rest. */
const MAX_TEAMS_SHOWN = 4;
const MAX_GOALS_SHOWN = 5;

const divider: KnownBlock = { type: 'divider' };

const when = (ms: number, format = '{date_short_pretty} at {time}'): string =>
  slackDateToken(new Date(ms), format, `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`);

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const heading = (text: string): KnownBlock => section(`*${text}*`);

/* ---------- votes ---------- */

function voteBlocks(vote: HomeVote): KnownBlock[] {
  const how =
    vote.method === 'ranked' ? 'Ranked choice' : vote.method === 'multiple' ? `Choose up to ${vote.maxChoices}` : 'One option';
  const facts = [
    how,
    vote.forOrganisation ? 'one ballot for your organisation' : undefined,
    vote.anonymous ? 'anonymous' : undefined,
    vote.closesAt === null ? 'no deadline' : `closes ${when(vote.closesAt)}`,
  ].filter((f): f is string => f !== undefined);
  const blocks: KnownBlock[] = [section(`*${vote.key}* · ${escapeMrkdwn(vote.teamKey)} · ${escapeMrkdwn(vote.question)}\n${facts.join(' · ')}`)];
  const elements: Button[] =
    vote.method === 'ranked'
      ? [
          {
            type: 'button',
            action_id: ActionIds.voteRankOpen,
            style: 'primary',
            text: { type: 'plain_text', text: 'Rank the options' },
            accessibility_label: plain(`Rank the options of ${vote.key}: ${vote.question}`, 75),
            value: String(vote.id),
          },
        ]
      : vote.options.map((option) => ballotOptionButton(vote, vote.key, option, option.label, true));
  if (elements.length > 0) blocks.push({ type: 'actions', block_id: `home_vote_${vote.id}`, elements } satisfies ActionsBlock);
  return blocks;
}

/* ---------- issues ---------- */

function issueBlocks(issue: HomeIssue): KnownBlock[] {
  const due = issue.dueDate === null ? 'no due date' : issue.overdue ? `:warning: *overdue* (due ${issue.dueDate})` : `due ${issue.dueDate}`;
  const value = String(issue.id);
  const elements: Button[] = [];
  if (issue.status !== 'in_progress') {
    elements.push({ type: 'button', action_id: ActionIds.issueStart, text: { type: 'plain_text', text: 'Start' }, accessibility_label: plain(`Start ${issue.key}`, 75), value });
  }
  elements.push({
    type: 'button',
    action_id: ActionIds.issueResolve,
    style: 'primary',
    text: { type: 'plain_text', text: 'Resolve' },
    accessibility_label: plain(`Resolve ${issue.key}`, 75),
    value,
  });
  return [
    section(`*${issue.key}* ${escapeMrkdwn(issue.title)}\n${statusEmoji(issue.status)} ${statusLabel(issue.status)} · ${due}`),
    { type: 'actions', block_id: `home_issue_${issue.id}`, elements },
  ];
}

/* ---------- meetings ---------- */

function meetingBlocks(meeting: HomeMeeting): KnownBlock[] {
  const where = [meeting.location === '' ? undefined : escapeMrkdwn(meeting.location), meeting.link === null ? undefined : `<${meeting.link}|video link>`]
    .filter((w): w is string => w !== undefined)
    .join(' · ');
  const answer = meeting.answer === null ? '_You have not answered yet._' : `Your answer: *${RSVP_LABELS[meeting.answer].heading}*`;
  const buttons: Button[] = (['going', 'maybe', 'declined'] as const).map((a) => ({
    type: 'button',
    action_id: rsvpActionId(a),
    text: { type: 'plain_text', text: `${meeting.answer === a ? '✓ ' : ''}${RSVP_LABELS[a].button}` },
    accessibility_label: plain(`${RSVP_LABELS[a].button}: ${meeting.key} ${meeting.title}`, 75),
    value: String(meeting.id),
    ...(meeting.answer === a ? { style: 'primary' as const } : {}),
  }));
  return [
    section(`*${meeting.key}* · ${escapeMrkdwn(meeting.teamKey)} · ${escapeMrkdwn(meeting.title)}\n${when(meeting.startsAt, '{date_long_pretty} at {time}')}${where === '' ? '' : ` · ${where}`}\n${answer}`),
    { type: 'actions', block_id: `home_meeting_${meeting.id}`, elements: buttons },
  ];
}

/* ---------- coordinators ---------- */

function healthRow(team: TeamHealth, goalsTracked: boolean): KnownBlock {
  const issues = `${plural(team.open, 'open issue')} · ${team.blocked} blocked · ${team.overdue > 0 ? `:warning: ${team.overdue} overdue` : '0 overdue'}`;
  const goals = goalsTracked
    ? `Goals: ${(team.goalsBehind ?? 0) > 0 ? `:red_circle: ${team.goalsBehind} behind` : '0 behind'} · ${team.goalsAtRisk ?? 0} at risk · ${(team.goalsStale ?? 0) > 0 ? `:hourglass: ${team.goalsStale} stale` : '0 stale'}`
    : undefined;
  const meeting = `Next meeting: ${team.nextMeetingAt === null ? '_none scheduled_' : when(team.nextMeetingAt)}`;
  const digest = `Digest: last sent ${team.lastDigestAt === null ? '_never_' : when(team.lastDigestAt)} · next ${team.nextDigestAt === null ? '_not scheduled_' : when(team.nextDigestAt)}`;
  const lines = [`*${escapeMrkdwn(team.key)}* · ${escapeMrkdwn(team.name)}`, issues, goals, meeting, digest].filter((l): l is string => l !== undefined);
  return section(lines.join('\n'));
}

function startButtons(model: HomeModel): KnownBlock {
  const elements: Button[] = [
    { type: 'button', action_id: ActionIds.homeNewIssue, text: { type: 'plain_text', text: 'Log an issue' }, value: 'new' },
    { type: 'button', action_id: ActionIds.homeNewMeeting, text: { type: 'plain_text', text: 'Schedule a meeting' }, value: 'new' },
  ];
  // Starting a vote is for team members and coordinators.
  if (model.teams.length > 0 || model.coordinator) {
    elements.push({ type: 'button', action_id: ActionIds.homeNewVote, text: { type: 'plain_text', text: 'Start a vote' }, value: 'new' });
  }
  return { type: 'actions', block_id: 'home_start', elements };
}

/** A list's items until its share of the blocks runs out, then "N more — <where to see them>". */
function listed<T>(items: T[], total: number, render: (item: T) => KnownBlock[], budget: number, more: (n: number) => string, empty: string): KnownBlock[] {
  if (total === 0) return [context(empty)];
  const blocks: KnownBlock[] = [];
  let shown = 0;
  for (const item of items) {
    const next = render(item);
    // Keep one block for the "more" line whenever something is left out.
    const reserve = shown + 1 < total ? 1 : 0;
    if (blocks.length + next.length + reserve > budget) break;
    blocks.push(...next);
    shown++;
  }
  if (shown < total) blocks.push(context(more(total - shown)));
  return blocks;
}

const WELCOME =
  '*Welcome to Alliance.* Program teams of the collaborative (one per in-demand occupation, such as CNA, Medical Assistant or Sterile Processing) ' +
  'log and track issues, meet, vote on priorities and get a weekly digest here in Slack.\n' +
  'You are not on a team yet: see the teams with `/team list`, then join one with `/team join CNA` (or its key). ' +
  'This page then shows what is waiting for you: ballots, your issues and your team meetings.';

/** Guests from a partner workspace join a team through a coordinator (`/team add`), not by themselves. */
const GUEST_WELCOME =
  '*Welcome to Alliance.* Program teams of the collaborative log and track issues, meet, vote on priorities and get a weekly digest here in Slack.\n' +
  'You are not on a team yet. As a guest from a partner workspace, you join one through a coordinator: `/team coordinators` says who they are.';

/**
 * A person's Home tab: what waits for them (ballots, their issues, their teams' meetings), their
 * teams, buttons to start things, and for coordinators the control room. Never more than 100
 * blocks: each list has a share and says how many more there are and where to see them.
 */
export function homeView(model: HomeModel): HomeView {
  const top: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Alliance' } }];
  const intro = model.guest
    ? `Hi ${mentionUser(model.userId)}. You are a guest from a partner workspace: this page shows what you can act on in Alliance.`
    : `Hi ${mentionUser(model.userId)}. Here is what is waiting for you across your program teams.`;
  top.push(context(intro));
  if (model.notice !== undefined) {
    if (model.notice.text !== '') top.push(section(model.notice.text));
    top.push(...((model.notice.blocks ?? []) as KnownBlock[]).slice(0, NOTICE_MAX_BLOCKS - (model.notice.text === '' ? 0 : 1)));
  }

  const personal: KnownBlock[] = [];
  if (model.teams.length === 0 && !model.coordinator) personal.push(section(model.guest ? GUEST_WELCOME : WELCOME));

  const control: KnownBlock[] = [];
  if (model.control !== undefined) {
    control.push(divider, { type: 'header', text: { type: 'plain_text', text: 'Control room' } });
    control.push(context('Every program team at a glance. Open issues are those not resolved or dropped; overdue ones are past their due date.'));
    control.push({
      type: 'actions',
      block_id: 'home_control',
      elements: [
        { type: 'button', action_id: ActionIds.homeDigestPreview, text: { type: 'plain_text', text: 'Preview digest' }, value: 'rollup' },
        {
          type: 'button',
          action_id: ActionIds.homeDigestSend,
          style: 'danger',
          text: { type: 'plain_text', text: 'Send digests now' },
          value: 'all',
          confirm: {
            title: { type: 'plain_text', text: 'Send digests now?' },
            text: { type: 'plain_text', text: 'Every team gets its digest in its channels, and coordinators get the roll-up, now. Scheduled digests still go out as planned.' },
            confirm: { type: 'plain_text', text: 'Send now' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    });
  }

  // Shares of the 100 blocks: the fixed parts first, then each list, then the control room's rows.
  const start = startButtons(model);
  const teamsBlock: KnownBlock[] = [];
  if (model.teams.length > 0 && !model.guest) {
    // One section per team (its goals' pace under it), a few teams at most: the rest are counted.
    const shown = model.teams.slice(0, MAX_TEAMS_SHOWN).map((t) => {
      const goals = t.goals.slice(0, MAX_GOALS_SHOWN).map((g) => `• *${g.key}* ${escapeMrkdwn(g.name)}: ${g.progressText} · ${g.paceText}`);
      if (t.goals.length > MAX_GOALS_SHOWN) goals.push(`…and ${t.goals.length - MAX_GOALS_SHOWN} more — \`/goal list ${escapeMrkdwn(t.key)}\``);
      if (model.goalsTracked && t.goals.length === 0) goals.push('_No open goals yet: `/goal new` proposes one._');
      return section([`*${escapeMrkdwn(t.key)}* · ${escapeMrkdwn(t.name)}`, ...goals].join('\n'));
    });
    teamsBlock.push(divider, heading(':busts_in_silhouette: Your teams and their goals'), ...shown);
    if (model.teams.length > MAX_TEAMS_SHOWN) teamsBlock.push(context(`${model.teams.length - MAX_TEAMS_SHOWN} more teams — \`/team list\``));
  }
  const fixed = top.length + personal.length + teamsBlock.length + 1 + control.length;
  // Headings and dividers of the three lists: 2 each.
  let left = HOME_MAX_BLOCKS - fixed - 6;
  const controlRows = model.control?.length ?? 0;
  // Keep room for a few control-room rows; the lists take the rest.
  const controlShare = model.control === undefined ? 0 : Math.min(controlRows + 1, Math.max(4, Math.floor(left / 3)));
  left -= controlShare;
  const voteShare = Math.min(left, Math.max(3, Math.floor(left * 0.35)));
  const votes = listed(
    model.votes.items,
    model.votes.total,
    voteBlocks,
    voteShare,
    (n) => `${plural(n, 'more vote waits', 'more votes wait')} for your ballot — \`/vote list\``,
    model.teams.length === 0 ? 'Votes of your teams will appear here.' : 'No vote is waiting for your ballot.',
  );
  if (model.votesNeedingOrganisation > 0) {
    votes.push(
      context(
        `${plural(model.votesNeedingOrganisation, 'vote takes', 'votes take')} one ballot per organisation and no organisation is recorded for you: ask a coordinator (\`/team coordinators\`) to record yours.`,
      ),
    );
  }
  left -= votes.length;
  const issueShare = Math.min(left, Math.max(3, Math.floor(left * 0.55)));
  const issues = listed(
    model.issues.items,
    model.issues.total,
    issueBlocks,
    issueShare,
    (n) => `${n} more — \`/issue list mine\``,
    'You own no open issue. `/issue list` shows your teams’ issues.',
  );
  left -= issues.length;
  const meetings = listed(
    model.meetings.items,
    model.meetings.total,
    meetingBlocks,
    Math.max(1, left),
    (n) => `${n} more — \`/meeting list\``,
    model.teams.length === 0 ? 'Meetings of your teams will appear here.' : 'No upcoming meeting for your teams.',
  );

  const blocks: KnownBlock[] = [
    ...top,
    ...personal,
    divider,
    heading(`:ballot_box_with_ballot: Waiting for your ballot${model.votes.total > 0 ? ` (${model.votes.total})` : ''}`),
    ...votes,
    divider,
    heading(`:clipboard: Your issues${model.issues.total > 0 ? ` (${model.issues.total} open, overdue first)` : ''}`),
    ...issues,
    divider,
    heading(':calendar: Upcoming meetings of your teams'),
    ...meetings,
    ...teamsBlock,
    start,
  ];
  if (model.control !== undefined) {
    const room = HOME_MAX_BLOCKS - blocks.length - control.length;
    const rows = model.control;
    const shown = rows.length <= room ? rows : rows.slice(0, Math.max(0, room - 1));
    blocks.push(...control.slice(0, 3), ...shown.map((t) => healthRow(t, model.goalsTracked)));
    if (shown.length < rows.length) blocks.push(context(`${rows.length - shown.length} more teams — \`/digest preview all\` has every team`));
    blocks.push(...control.slice(3));
  }
  return { type: 'home', blocks: blocks.slice(0, HOME_MAX_BLOCKS) };
}
