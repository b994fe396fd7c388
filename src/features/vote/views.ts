import type { ActionsBlockElement, Button, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { context, section, SECTION_MAX, selectInput } from '../../slack/blocks.js';
import { slackDateToken } from '../../slack/date-token.js';
import { ActionIds, InputIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionUser, plain, truncateMrkdwn } from '../../slack/mrkdwn.js';
import { formatIn } from '../../time/zone.js';
import type { Eligibility, ResultsVisibility, Vote, VoteMethod, VoteOption } from './repository.js';
import type { VoteMessages } from './service.js';
import { MAX_LABEL, MAX_OPTIONS, MAX_QUESTION, voteKey, type ElectorateCount, type VoteResult } from './rules.js';
import { describeRound, describeTieRule } from './tally.js';
import { formatKey } from '../issue/model.js';

/** Enough names to be useful beside an option; the rest are counted so nothing is cut silently. */
const MAX_VOTERS_SHOWN = 40;


export const VOTE_HELP = [
  '*`/vote`: priority votes in a team channel*',
  '`/vote new`: open the form (question, options or open issues, method, who may vote, anonymity, results, deadline)',
  '`/vote new Question? | Option A | Option B`: a single-choice vote right here, everyone in the channel may vote, live results, no deadline',
  '`/vote new for goal G-3 Question? | A | B`: the same, for a goal of this channel’s team (the ballot names it); `/vote new for goal G-3` alone opens the form with the goal picked',
  '`/vote list [KEY]`: open and recent votes of a team (KEY defaults to this channel’s team)',
  '`/vote results V-3`: the results so far (or the turnout, when results are hidden until closing)',
  '`/vote remind V-3`: remind those who have not voted (a DM each; one channel reminder for anonymous votes)',
  '`/vote close V-3`: close now and post the results (the vote’s creator or a coordinator)',
  'Ranked votes are counted by instant runoff; see the README for the counting and tie-break rules.',
].join('\n');

export const methodLabel: Record<VoteMethod, string> = {
  single: 'One option each',
  multiple: 'Several options each (approval)',
  ranked: 'Ranked choice (instant runoff)',
};

export const eligibilityLabel: Record<Eligibility, string> = {
  everyone: 'Everyone in the channel, one ballot per person',
  members: 'Members of the team, one ballot per person',
  organisation: 'One ballot per organisation',
};

export const visibilityLabel: Record<ResultsVisibility, string> = {
  live: 'Results live as ballots come in',
  closed: 'Results hidden until the vote closes',
};

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
const percent = (part: number, whole: number): string => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%');

/** A vote's deadline or closing time for each reader's zone; votes keep no zone, so the fallback is in UTC. */
export const voteDate = (ms: number): string => slackDateToken(ms, '{date_short_pretty} at {time}', formatIn(ms, 'UTC', 'YYYY-MM-DD HH:mm [UTC]'));

export function turnoutLine(result: VoteResult): string {
  const { voted, eligible, unit, lastCountedAt } = result.turnout;
  if (unit === 'organisations') return `Turnout: ${voted} of ${plural(eligible, 'organisation')} on the team have voted (${percent(voted, eligible)})`;
  const line = `Turnout: ${voted} of ${plural(eligible, 'eligible person', 'eligible people')} have voted (${percent(voted, eligible)})`;
  return lastCountedAt === undefined ? line : `${line}. ${staleElectorateNote('the channel', { size: eligible, lastCountedAt })}`;
}

/** Said wherever a vote closed without a fresh count of its channel's members. */
export function staleElectorateNote(where: string, counted: ElectorateCount): string {
  if (counted.lastCountedAt === null || counted.lastCountedAt === undefined) {
    return `Slack could not list the members of ${where}, and they were never counted, so turnout is out of ${plural(counted.size, 'person', 'people')}.`;
  }
  return `Slack could not list the members of ${where} when the vote closed (the app may have been removed from it), so turnout is out of the ${plural(counted.size, 'person', 'people')} it had when last counted, ${voteDate(counted.lastCountedAt)}.`;
}

/** Voters as shown beside an option: people as mentions, organisations by name; never for anonymous votes. */
function votersText(result: VoteResult, voters: readonly string[]): string {
  if (result.anonymous || voters.length === 0) return '';
  const shown = voters.slice(0, MAX_VOTERS_SHOWN).map((v) => (result.eligibility === 'organisation' ? escapeMrkdwn(v) : mentionUser(v)));
  const more = voters.length > shown.length ? ` and ${voters.length - shown.length} more` : '';
  return `${shown.join(', ')}${more}`;
}

const labelMap = (result: VoteResult): ((id: number) => string) => {
  const byId = new Map(result.options.map((o) => [o.id, o.label]));
  return (id) => byId.get(id) ?? `option ${id}`;
};

/** The counts (single, multiple) or every round (ranked), one line or block per thing. */
export function resultLines(result: VoteResult, withVoters: boolean): string[] {
  const labelOf = labelMap(result);
  const lines: string[] = [];
  const winners = new Set(result.winners);
  if (result.counts !== undefined) {
    const total = result.counts.totalBallots;
    for (const row of result.counts.options) {
      const mark = winners.has(row.optionId) ? ':trophy: ' : '';
      const voters = withVoters ? votersText(result, row.voters) : '';
      lines.push(`${mark}*${escapeMrkdwn(row.label)}*: ${plural(row.count, 'vote')} (${percent(row.count, total)})${voters === '' ? '' : `\n${voters}`}`);
    }
    return lines;
  }
  const runoff = result.runoff;
  if (runoff === undefined) return lines;
  if (runoff.rounds.length === 0) return ['No ballots ranked any option yet.'];
  for (const round of runoff.rounds) lines.push(escapeMrkdwn(describeRound(round, labelOf)));
  if (withVoters && !result.anonymous && result.firstChoices !== undefined) {
    for (const option of result.options) {
      const voters = result.firstChoices[String(option.id)] ?? [];
      if (voters.length > 0) lines.push(`First choice of ${votersText(result, voters)}: *${escapeMrkdwn(option.label)}*`);
    }
  }
  return lines;
}

export function winnerLine(vote: Pick<Vote, 'number'>, result: VoteResult): string {
  const labelOf = labelMap(result);
  const names = result.winners.map((id) => `*${escapeMrkdwn(labelOf(id))}*`);
  if (names.length === 0) return `Nobody voted on ${voteKey(vote.number)}, so there is no winner.`;
  if (result.method === 'ranked') {
    return result.tiedAtEnd
      ? `:trophy: ${names[0] ?? ''} wins, decided by the tie rule (the final two were exactly tied).`
      : `:trophy: ${names[0] ?? ''} wins.`;
  }
  return names.length === 1 ? `:trophy: ${names[0] ?? ''} has the most votes.` : `:handshake: Tied for the most votes: ${names.join(', ')}.`;
}

/**
 * A ballot option's button, on the channel ballot ("Vote" / "Choose", one section per option) and
 * on the Home tab (the option's label, all options in one actions block). Its accessibility_label names the option and the vote, so a screen reader says
 * "Vote for Placements on V-3" rather than "Vote".
 */
export function ballotOptionButton(vote: { id: number; method: string }, key: string, option: { id: number; label: string }, text: string, sharesBlock = false): Button {
  const verb = vote.method === 'single' ? 'Vote for' : 'Choose';
  return {
    type: 'button',
    // Several options' buttons in one actions block (the Home tab) need ids unique within it.
    action_id: sharesBlock ? `${ActionIds.voteChoose}_${option.id}` : ActionIds.voteChoose,
    text: { type: 'plain_text', text: plain(text, 75) },
    accessibility_label: plain(`${verb} ${option.label} on ${key}`, 75),
    value: `${vote.id}:${option.id}`,
  };
}

export interface BallotMessageModel {
  vote: Vote;
  options: VoteOption[];
  result: VoteResult;
  /** The goal the vote was started for (`/vote new for goal G-3 …`). */
  goal?: { number: number; name: string };
}

/** The ballot in the channel: buttons while open, final results once closed. Voters never shown when anonymous. */
export function ballotMessage(model: BallotMessageModel): { text: string; blocks: KnownBlock[] } {
  const { vote, options, result } = model;
  const open = vote.status === 'open';
  const method = vote.method as VoteMethod;
  const showResults = !open || vote.resultsVisibility === 'live';
  const key = voteKey(vote.number);
  const facts = [
    method === 'multiple' ? `${methodLabel.multiple}, up to ${vote.maxChoices}` : methodLabel[method],
    eligibilityLabel[vote.eligibility as Eligibility],
    vote.anonymous ? 'Anonymous: only counts are shown' : 'Not anonymous: voters are listed',
    visibilityLabel[vote.resultsVisibility as ResultsVisibility],
    open ? (vote.closesAt === null ? 'No deadline: closed with `/vote close`' : `Closes ${voteDate(vote.closesAt)}`) : `Closed ${vote.closedAt === null ? '' : voteDate(vote.closedAt)}`,
  ];
  if (!vote.anonymous) facts.push(`Started by ${mentionUser(vote.creatorId)}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`${key} · ${vote.question}`, 150) } },
  ];
  if (`${key} · ${vote.question}`.length > 150) blocks.push(section(`*${escapeMrkdwn(vote.question)}*`));
  blocks.push(context(facts.join(' · ')));
  if (model.goal !== undefined) blocks.push(context(`:dart: For goal *G-${model.goal.number}* · ${escapeMrkdwn(model.goal.name)} (\`/goal show G-${model.goal.number}\`)`));
  if (!open) blocks.push(section(`*Final result.* ${winnerLine(vote, result)}`));

  const counts = new Map((result.counts?.options ?? []).map((o) => [o.optionId, o]));
  const winners = new Set(!open ? result.winners : []);
  options.forEach((option, i) => {
    const row = counts.get(option.id);
    let text = `${winners.has(option.id) ? ':trophy: ' : ''}*${i + 1}. ${escapeMrkdwn(option.label)}*`;
    if (showResults && row !== undefined) {
      text += `\n${plural(row.count, 'vote')} (${percent(row.count, result.counts?.totalBallots ?? 0)})`;
      const voters = votersText(result, row.voters);
      if (voters !== '') text += ` · ${voters}`;
    }
    const block: KnownBlock =
      open && method !== 'ranked'
        ? {
            type: 'section',
            block_id: `vote_option_${option.id}`,
            text: { type: 'mrkdwn', text: truncateMrkdwn(text, SECTION_MAX) },
            accessory: ballotOptionButton(vote, key, option, method === 'single' ? 'Vote' : 'Choose'),
          }
        : section(text);
    blocks.push(block);
  });

  if (method === 'ranked' && showResults) {
    const lines = resultLines(result, true);
    if (lines.length > 0) blocks.push(section(`*Instant runoff${open ? ' so far' : ''}*\n${lines.join('\n')}`));
  }
  if (open) {
    const elements: ActionsBlockElement[] = [];
    if (method === 'ranked') {
      elements.push({ type: 'button', action_id: ActionIds.voteRankOpen, style: 'primary', text: { type: 'plain_text', text: 'Rank the options' }, value: String(vote.id) });
    }
    elements.push({ type: 'button', action_id: ActionIds.voteResults, text: { type: 'plain_text', text: 'Results' }, value: String(vote.id) });
    blocks.push({ type: 'actions', block_id: `vote_actions_${vote.id}`, elements });
  }
  const notes = [turnoutLine(result)];
  if (open && vote.resultsVisibility === 'closed') notes.push('Results are hidden until the vote closes.');
  if (open && method === 'multiple') notes.push(`Click up to ${vote.maxChoices} options; your private confirmation lets you remove one.`);
  if (open) notes.push('Voting again changes your ballot.');
  blocks.push(context(notes.join(' · ')));
  // The top-level text feeds notifications and screen readers, which read mrkdwn: escaped like the blocks.
  return { text: `${key}: ${escapeMrkdwn(vote.question)} (${open ? 'open' : 'closed'})`, blocks };
}

/** The results post in the channel when a vote closes. It lists no voters: the ballot message does, for open votes. */
export function resultsPost(vote: Vote, result: VoteResult): { text: string; blocks: KnownBlock[] } {
  const key = voteKey(vote.number);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: plain(`Results of ${key} · ${vote.question}`, 150) } },
    section(winnerLine(vote, result)),
  ];
  const lines = resultLines(result, false);
  if (lines.length > 0) blocks.push(section(lines.join('\n')));
  if (result.method === 'ranked' && result.runoff?.rounds.some((r) => r.tieBreak !== undefined)) blocks.push(context(escapeMrkdwn(describeTieRule())));
  blocks.push(context(turnoutLine(result)));
  return { text: `Results of ${key}: ${result.winners.length === 0 ? 'no winner' : 'see the message'}`, blocks };
}

/** `/vote results` and the Results button: counts when they may be shown, else the turnout only. */
export function resultsReply(vote: Vote, result: VoteResult): { text: string; blocks: KnownBlock[] } {
  const key = voteKey(vote.number);
  const open = vote.status === 'open';
  const head = `*${key} · ${escapeMrkdwn(vote.question)}* (${open ? 'open' : 'closed'})`;
  if (open && vote.resultsVisibility === 'closed') {
    return { text: `${key}: results are hidden until the vote closes`, blocks: [section(`${head}\nResults are hidden until the vote closes.`), context(turnoutLine(result))] };
  }
  const blocks: KnownBlock[] = [section(`${head}\n${open ? 'Results so far.' : winnerLine(vote, result)}`)];
  const lines = resultLines(result, true);
  // Each line is one option or one round (at most 10), so one section per line stays far under 50 blocks.
  for (const line of lines) blocks.push(section(line));
  if (result.method === 'ranked') blocks.push(context(escapeMrkdwn(describeTieRule())));
  blocks.push(context(turnoutLine(result)));
  return { text: `${key} results`, blocks };
}

export function confirmationText(vote: Vote, options: VoteOption[], choices: number[], outcome: 'new' | 'changed' | 'unchanged' | 'replaced' | 'withdrawn', organisation: string | null): string {
  const key = voteKey(vote.number);
  const labelOf = new Map(options.map((o) => [o.id, o.label]));
  const chosen = choices.map((c) => `*${escapeMrkdwn(labelOf.get(c) ?? '?')}*`);
  const what = vote.method === 'ranked' ? chosen.map((c, i) => `${i + 1}. ${c}`).join('  ') : chosen.join(', ');
  const whose = organisation === null ? 'Your ballot' : `Your ballot for *${escapeMrkdwn(organisation)}*`;
  const secret = vote.anonymous ? ' It is anonymous: nobody, not even the creator or coordinators, can see who voted for what.' : '';
  switch (outcome) {
    case 'withdrawn':
      return `:wastebasket: ${whose} on ${key} is withdrawn: it chose nothing any more.`;
    case 'unchanged':
      return `:ballot_box_with_ballot: ${whose} on ${key} already says ${what}; nothing changed.${secret}`;
    case 'replaced':
      return `:ballot_box_with_ballot: ${whose} on ${key} is now ${what}. It replaced the ballot a colleague had cast for your organisation (one ballot per organisation).${secret}`;
    case 'changed':
      return `:ballot_box_with_ballot: ${whose} on ${key} is changed to ${what}.${secret}`;
    case 'new':
      return `:ballot_box_with_ballot: ${whose} on ${key} is recorded: ${what}.${secret}`;
  }
}

/** For several-options votes: the confirmation carries a Remove button per chosen option (idempotent, so double clicks are harmless). */
export function confirmationBlocks(vote: Vote, options: VoteOption[], choices: number[], text: string): KnownBlock[] {
  const blocks: KnownBlock[] = [section(text)];
  if (vote.method !== 'multiple' || choices.length === 0) return blocks;
  const labelOf = new Map(options.map((o) => [o.id, o.label]));
  blocks.push({
    type: 'actions',
    block_id: `vote_mine_${vote.id}`,
    // The action id names the slot (1st, 2nd… chosen), never the option: request logs record action
    // ids beside who clicked, and that must not tell what an anonymous voter chose.
    elements: choices.map((c, slot): Button => ({
      type: 'button',
      action_id: `${ActionIds.voteRemove}_${slot}`,
      text: { type: 'plain_text', text: plain(`Remove ${labelOf.get(c) ?? '?'}`, 75) },
      // Screen readers read this instead of the text: which option, from which vote.
      accessibility_label: plain(`Remove ${labelOf.get(c) ?? '?'} from your ballot on ${voteKey(vote.number)}`, 75),
      value: `${vote.id}:${c}:remove`,
    })),
  });
  return blocks;
}

export interface VoteListEntry extends Vote {
  teamKey: string;
  ballotCount: number;
}

export function voteListView(entries: VoteListEntry[], scope: string): { text: string; blocks: KnownBlock[] } {
  if (entries.length === 0) return { text: `No votes yet for ${escapeMrkdwn(scope)}. Start one with \`/vote new\`.`, blocks: [] };
  const lines = entries.map((v) => {
    const when = v.status === 'open' ? (v.closesAt === null ? 'open, no deadline' : `open, closes ${voteDate(v.closesAt)}`) : `closed${v.closedAt === null ? '' : ` ${voteDate(v.closedAt)}`}`;
    return `*${voteKey(v.number)}* · ${escapeMrkdwn(v.teamKey)} · ${escapeMrkdwn(v.question)}\n${methodLabel[v.method as VoteMethod]} · ${when} · ${plural(v.ballotCount, 'ballot')}`;
  });
  return { text: `Votes for ${scope}`, blocks: [section(`*Votes for ${escapeMrkdwn(scope)}*, open first`), ...lines.slice(0, 45).map(section)] };
}

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text: plain(text, 75) }, value });

export interface NewVoteModalModel {
  teams: Array<{ id: number; key: string; name: string }>;
  initialTeamId: number | undefined;
  issues: Array<{ id: number; teamKey: string; number: number; title: string }>;
  /** More open issues exist than a select can list (100). */
  moreIssues: number;
  /** Open goals the vote may be started for (`/goal`), and the one to preselect. */
  goals?: Array<{ id: number; number: number; teamKey: string; name: string }>;
  initialGoalId?: number | undefined;
  channelId: string;
  timeZone: string;
}

const radio = (id: string, label: string, choices: Array<[string, string]>, initial: string): KnownBlock =>
  ({
    type: 'input',
    block_id: id,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'radio_buttons',
      action_id: id,
      options: choices.map(([value, text]) => option(text, value)),
      initial_option: option(choices.find(([value]) => value === initial)?.[1] ?? '', initial),
    },
  });

export function newVoteModal(model: NewVoteModalModel): ModalView {
  const teamOptions = model.teams.slice(0, 100).map((t) => option(`${t.key} · ${t.name}`, String(t.id)));
  const blocks: KnownBlock[] = [
    selectInput({ id: InputIds.voteTeam, label: 'Team', options: teamOptions, initialValue: String(model.initialTeamId) }),
    {
      type: 'input',
      block_id: InputIds.voteQuestion,
      label: { type: 'plain_text', text: 'Question' },
      element: { type: 'plain_text_input', action_id: InputIds.voteQuestion, max_length: MAX_QUESTION, placeholder: { type: 'plain_text', text: 'Which problem do we attack first?' } },
    },
    {
      type: 'input',
      block_id: InputIds.voteOptions,
      optional: true,
      label: { type: 'plain_text', text: 'Options' },
      hint: { type: 'plain_text', text: `One per line, 2 to ${MAX_OPTIONS}, each different (up to ${MAX_LABEL} characters). You can also, or instead, pick open issues below.` },
      element: { type: 'plain_text_input', action_id: InputIds.voteOptions, multiline: true },
    },
  ];
  if (model.issues.length > 0) {
    blocks.push({
      type: 'input',
      block_id: InputIds.voteIssues,
      optional: true,
      label: { type: 'plain_text', text: 'Open issues as options' },
      hint: {
        type: 'plain_text',
        text: `Each picked issue becomes an option; when the vote closes, its ranking becomes the team's issue priority.${model.moreIssues > 0 ? ` Showing the first ${model.issues.length} open issues; ${model.moreIssues} more are not listed.` : ''}`,
      },
      element: {
        type: 'multi_static_select',
        action_id: InputIds.voteIssues,
        max_selected_items: MAX_OPTIONS,
        options: model.issues.map((i) => option(`${formatKey(i.teamKey, i.number)} ${i.title}`, String(i.id))),
      },
    });
  }
  const goals = (model.goals ?? []).slice(0, 100).map((g) => option(`G-${g.number} · ${g.teamKey} · ${g.name}`, String(g.id)));
  if (goals.length > 0) {
    blocks.push(
      selectInput({
        id: InputIds.voteGoal,
        label: 'For goal',
        hint: 'A goal of the vote’s team this vote serves; the ballot names it.',
        options: goals,
        initialValue: String(model.initialGoalId),
        optional: true,
      }),
    );
  }
  blocks.push(
    radio(InputIds.voteMethod, 'How people vote', (['single', 'multiple', 'ranked'] as const).map((m) => [m, methodLabel[m]]), 'single'),
    {
      type: 'input',
      block_id: InputIds.voteMaxChoices,
      optional: true,
      label: { type: 'plain_text', text: 'Several options: how many each?' },
      hint: { type: 'plain_text', text: 'Only for "several options": the most each voter may choose. Blank means any number.' },
      element: { type: 'plain_text_input', action_id: InputIds.voteMaxChoices, max_length: 2 },
    },
    radio(InputIds.voteEligibility, 'Who may vote', (['everyone', 'members', 'organisation'] as const).map((e) => [e, eligibilityLabel[e]]), 'members'),
    {
      type: 'input',
      block_id: InputIds.voteAnonymous,
      optional: true,
      label: { type: 'plain_text', text: 'Anonymity' },
      element: { type: 'checkboxes', action_id: InputIds.voteAnonymous, options: [option('Anonymous: show only counts', 'anonymous')] },
    },
    radio(InputIds.voteVisibility, 'Results', (['live', 'closed'] as const).map((v) => [v, visibilityLabel[v]]), 'live'),
    {
      type: 'input',
      block_id: InputIds.voteCloseDate,
      optional: true,
      label: { type: 'plain_text', text: 'Closing date' },
      hint: { type: 'plain_text', text: 'Leave empty for no deadline (close it with /vote close).' },
      element: { type: 'datepicker', action_id: InputIds.voteCloseDate },
    },
    {
      type: 'input',
      block_id: InputIds.voteCloseTime,
      optional: true,
      label: { type: 'plain_text', text: 'Closing time' },
      hint: { type: 'plain_text', text: `In your time zone (${model.timeZone}); 17:00 when left empty.` },
      element: { type: 'timepicker', action_id: InputIds.voteCloseTime },
    },
  );
  return {
    type: 'modal',
    callback_id: ViewIds.voteNew,
    title: { type: 'plain_text', text: 'New vote' },
    submit: { type: 'plain_text', text: 'Start vote' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ channelId: model.channelId, timeZone: model.timeZone }),
    blocks,
  };
}

const ordinal = (n: number): string => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/** One select per rank; only the first is required, so a voter may rank just the options they care about. */
export function rankModal(vote: Vote, options: VoteOption[], current: number[], channelId: string): ModalView {
  const choices = options.map((o) => option(o.label, String(o.id)));
  const blocks: KnownBlock[] = [
    section(`*${voteKey(vote.number)} · ${escapeMrkdwn(vote.question)}*\nRank as many options as you like, best first. Each option can be ranked once.${vote.anonymous ? ' This vote is anonymous.' : ''}`),
  ];
  options.forEach((_, i) => {
    const id = `${InputIds.voteRankPrefix}${i + 1}`;
    const initial = choices.find((c) => c.value === String(current[i]));
    blocks.push({
      type: 'input',
      block_id: id,
      optional: i > 0,
      label: { type: 'plain_text', text: `${ordinal(i + 1)} choice` },
      element: { type: 'static_select', action_id: id, options: choices, ...(initial === undefined ? {} : { initial_option: initial }) },
    });
  });
  return {
    type: 'modal',
    callback_id: ViewIds.voteRank,
    title: { type: 'plain_text', text: plain(`Rank · ${voteKey(vote.number)}`, 24) },
    submit: { type: 'plain_text', text: 'Cast ballot' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ voteId: vote.id, channelId }),
    blocks,
  };
}

/** The messages VoteService queues (it renders nothing itself). */
export const voteMessages: VoteMessages = { ballot: ballotMessage, results: resultsPost };
