import type { WebClient } from '@slack/web-api';
import type { Storage } from '../../db/storage.js';
import type { Actor } from '../../domain/actor.js';
import type { Clock } from '../../domain/result.js';
import type { AppLogger } from '../../logger.js';
import type { Kicker } from '../../outbox/kicker.js';
import { enqueue } from '../../outbox/outbox.js';
import { retryWhileBusy } from '../../slack/busy-retry.js';
import { InputIds, CommandNames } from '../../slack/ids.js';
import { escapeMrkdwn, mentionChannel } from '../../slack/mrkdwn.js';
import { problemText, say, sayProblem } from '../../slack/reply.js';
import { subcommandRouter, usageFor } from '../../slack/subcommands.js';
import { isValidTimeZone } from '../../time/zone.js';
import { GoalRepository } from '../goal/repository.js';
import { takeForGoal } from '../goal/model.js';
import type { TeamRepository } from '../team/repository.js';
import type { TeamService } from '../team/service.js';
import { checkOptions, MAX_QUESTION, parseQuickVote, parseVoteKey, voteKey, type ElectorateCount } from './rules.js';
import type { Vote } from './repository.js';
import { electorateWithin, loadElectorate, type Electorate } from './electorate.js';
import type { CloseOutcome, VoteService } from './service.js';
import { newVoteModal, resultsReply, staleElectorateNote, VOTE_HELP, voteDate, voteListView } from './views.js';

export interface VoteCommandDeps {
  db: Storage;
  votes: VoteService;
  teams: TeamService;
  teamRepository: TeamRepository;
  client: WebClient;
  outbox: Kicker;
  now: Clock;
  timeZoneOf: (workspaceId: string, userId: string) => Promise<string | undefined>;
  /** The workspace's zone (`/team settings timezone`, else ALLIANCE_TIMEZONE), for a person whose Slack profile has none. */
  defaultTimeZone: (workspaceId: string) => Promise<string>;
  botUserId: () => Promise<string | undefined>;
  logger: AppLogger;
}

/** The select lists at most 100 options (Slack's limit); the hint says how many were left out. */
const MAX_ISSUE_OPTIONS = 100;

const usage = usageFor(CommandNames.vote);

/** `/vote …`: parses the text, calls the vote service, renders the answer. */
export function voteCommand(deps: VoteCommandDeps) {
  // After the ack nothing races Slack's 3 seconds: the Web API client's own timeout applies.
  const electorateNow = async (vote: Parameters<typeof loadElectorate>[0]) =>
    loadElectorate(vote, { teams: deps.teamRepository, client: deps.client, botUserId: await deps.botUserId() });
  // `/vote new` answers in its ack, so listing a channel's members (and auth.test) races a deadline there.
  const electorateOf = async (vote: Parameters<typeof loadElectorate>[0]) => electorateWithin(() => electorateNow(vote));
  // A closed vote's result was stored when it closed: one row, no Slack call, no tally.
  const storedResults = async (vote: Vote) => resultsReply(vote, await deps.votes.currentResult(vote, 0));

  /**
   * Closing never waits on Slack: when the channel's members cannot be listed (the bot was removed,
   * Slack is slow or down) the vote closes against the electorate counted last, and says so.
   */
  const electorateForClosing = async (vote: Vote): Promise<number | ElectorateCount> => {
    try {
      return (await electorateNow(vote)).ids.length;
    } catch (error) {
      // Any listing failure (not_in_channel, channel_not_found, a 5xx, a timeout) is answered with the last count, and said in the reply.
      const last = deps.votes.lastKnownElectorate(vote);
      deps.logger.event('warn', '/vote close: could not count the electorate; closing with the last known count', {
        workspaceId: vote.workspaceId,
        vote: voteKey(vote.number),
        eligible: last.size,
        countedAt: last.lastCountedAt ?? null,
        error,
      });
      return last;
    }
  };

  return subcommandRouter({
    command: CommandNames.vote,
    help: VOTE_HELP,
    now: deps.now,
    handlers: {
      new: async ({ input, actor, rest, now }) => {
        // "for goal G-3" anywhere before the options ties the vote to a goal of the same team.
        const forGoal = takeForGoal(rest.split('|')[0] ?? '');
        const quick = parseQuickVote(forGoal.goalNumber === undefined ? rest : [forGoal.rest, ...rest.split('|').slice(1)].join('|'));
        if (quick === undefined) return { kind: 'modal', view: await newModal(deps, actor, input.channelId, forGoal.goalNumber) };
        const team = await deps.teams.resolveTeam(actor.workspaceId, undefined, input.channelId);
        if (!team.ok) return say(`:warning: \`/vote new Question? | A | B\` starts a vote in a team channel, and this channel is not linked to a team. Type it in a team's channel, or use \`/vote new\` to pick the team in the form.`);
        const allowed = await deps.votes.mayStart(actor, team.value, now);
        if (!allowed.ok) return sayProblem(allowed.problem);
        const goal = forGoal.goalNumber === undefined ? undefined : await new GoalRepository(deps.db).byNumber(actor.workspaceId, forGoal.goalNumber);
        if (forGoal.goalNumber !== undefined && goal === undefined) return say(`:mag: There is no goal G-${forGoal.goalNumber}, so no vote was started. See \`/goal list\`.`);
        if (goal !== undefined && goal.programTeamId !== team.value.id) return say(`:warning: G-${goal.number} is a goal of ${escapeMrkdwn(goal.teamKey)}, not ${escapeMrkdwn(team.value.key)}: start the vote in ${escapeMrkdwn(goal.teamKey)}'s channel. No vote was started.`);
        const problems = checkOptions(quick.labels, InputIds.voteOptions);
        if (quick.question === '') problems.unshift({ code: 'invalid', message: 'Write the question before the first |, for example: /vote new Which first? | Option A | Option B' });
        if (quick.question.length > MAX_QUESTION) problems.unshift({ code: 'invalid', message: `The question can be at most ${MAX_QUESTION} characters (it has ${quick.question.length}).` });
        if (problems.length > 0) return say(`:warning: ${problems.map((p) => escapeMrkdwn(p.message)).join(' ')} Nothing was created.`);
        const electorate = await electorateOf({ eligibility: 'everyone', programTeamId: team.value.id, channelId: input.channelId });
        if (!electorate.ok) return sayProblem(electorate.problem);
        const created = await deps.votes.create(
          actor,
          team.value,
          input.channelId,
          {
            question: quick.question,
            options: quick.labels.map((label) => ({ label, issueId: null })),
            method: 'single',
            maxChoices: 1,
            eligibility: 'everyone',
            anonymous: false,
            resultsVisibility: 'live',
            closesAt: null,
            ...(goal === undefined ? {} : { goalId: goal.id }),
          },
          electorate.value.ids.length,
          now,
        );
        deps.outbox.kick();
        const key = voteKey(created.vote.number);
        return say(`:ballot_box_with_ballot: Started *${key}* for ${escapeMrkdwn(team.value.key)}${goal === undefined ? '' : ` (for goal *G-${goal.number}*)`}: one option each, everyone in this channel may vote, results live, no deadline. The ballot is posted here; close it with \`/vote close ${key}\`.`);
      },
      list: async ({ input, actor, args }) => {
        if (args.length > 1) return usage('/vote list [KEY]');
        let teamId: number | undefined;
        let scope = 'all teams';
        if (args[0] !== undefined || (await deps.teamRepository.byChannel(actor.workspaceId, input.channelId)) !== undefined) {
          const team = await deps.teams.resolveTeam(actor.workspaceId, args[0], input.channelId);
          if (!team.ok) return sayProblem(team.problem);
          teamId = team.value.id;
          scope = team.value.key;
        }
        const view = voteListView(await deps.votes.repository.list(actor.workspaceId, teamId, 30), scope);
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      results: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/vote results V-3');
        const found = await deps.votes.find(actor.workspaceId, parseVoteKey(args[0]), args[0]);
        if (!found.ok) return sayProblem(found.problem);
        const vote = found.value;
        // A closed vote's result was stored when it closed: one row, so it is answered in the ack.
        if (vote.status !== 'open' && vote.resultJson !== null) {
          const view = await storedResults(vote);
          return say(view.text, view.blocks);
        }
        // An open vote is counted now: its channel's members from Slack (paged) and every ballot,
        // which grow with the vote, so the count is made after the ack and arrives through response_url.
        return {
          kind: 'message',
          text: `:hourglass_flowing_sand: Counting the ballots of *${voteKey(vote.number)}*; the results will be here in a moment.`,
          afterAck: async (respond) => {
            // The deadline job, another instance or a /vote close may have closed it since it was read
            // before the ack, or while Slack listed the members: a closed vote answers with its stored result.
            const stored = async (): Promise<Vote | undefined> => {
              const fresh = (await deps.votes.repository.byId(vote.id)) ?? vote;
              return fresh.status !== 'open' && fresh.resultJson !== null ? fresh : undefined;
            };
            const closedBefore = await stored();
            if (closedBefore !== undefined) return respond(await storedResults(closedBefore));
            const electorate = await electorateNow(vote);
            // One statement, on open votes only; after the ack a locked database is waited out, not re-run.
            await retryWhileBusy(() => deps.votes.recordElectorate(vote, electorate.ids.length, now));
            const closedMeanwhile = await stored();
            if (closedMeanwhile !== undefined) return respond(await storedResults(closedMeanwhile));
            await respond(resultsReply(vote, await deps.votes.currentResult(vote, electorate.ids.length)));
          },
        };
      },
      close: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/vote close V-3');
        const found = await deps.votes.find(actor.workspaceId, parseVoteKey(args[0]), args[0]);
        if (!found.ok) return sayProblem(found.problem);
        const allowed = await deps.votes.mayClose(actor, found.value, now);
        if (!allowed.ok) return sayProblem(allowed.problem);
        const vote = found.value;
        const key = voteKey(vote.number);
        if (vote.status !== 'open') return say(`:lock: ${key} is already closed. See \`/vote results ${key}\`.`);
        // Closing lists the channel's members from Slack and tallies every ballot: after the ack.
        return {
          kind: 'message',
          text: `:hourglass_flowing_sand: Closing *${key}* and counting its ballots; the result will be here in a moment.`,
          afterAck: async (respond) => {
            const counted = await electorateForClosing(vote);
            // One immediate transaction: after the ack a locked database is waited out (the request cannot be re-run).
            const closed = await retryWhileBusy(() => deps.votes.close(vote.id, actor.userId, counted, now));
            // Closed meanwhile (by the deadline job, another instance or a second /vote close): said as before the ack.
            if (!closed.ok) return respond({ text: problemText(closed.problem) });
            deps.outbox.kick();
            await respond({ text: closedText(closed.value, counted) });
          },
        };
      },
      remind: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/vote remind V-3');
        const found = await deps.votes.find(actor.workspaceId, parseVoteKey(args[0]), args[0]);
        if (!found.ok) return sayProblem(found.problem);
        const allowed = await deps.votes.mayRemind(actor, found.value, now);
        if (!allowed.ok) return sayProblem(allowed.problem);
        const vote = found.value;
        const key = voteKey(vote.number);
        if (vote.status !== 'open') return say(`:lock: ${key} is closed, so there is nobody to remind.`);
        // An anonymous vote gets one reminder in its channel: one outbox row, answered in the ack.
        if (vote.anonymous) return say(await remindChannel(deps, vote, now));
        // Who has not voted needs the channel's members from Slack and every ballot: after the ack.
        return {
          kind: 'message',
          text: `:hourglass_flowing_sand: Finding who has not voted on *${key}* yet; how many were reminded will be here in a moment.`,
          afterAck: async (respond) => {
            await respond({ text: await remindEach(deps, vote, await electorateNow(vote), now) });
          },
        };
      },
    },
  });
}

async function newModal(deps: VoteCommandDeps, actor: Actor, channelId: string, goalNumber?: number) {
  const teams = await deps.teamRepository.teams(actor.workspaceId);
  const initial = await deps.teamRepository.byChannel(actor.workspaceId, channelId);
  const issues = await deps.votes.repository.openIssues(actor.workspaceId, MAX_ISSUE_OPTIONS);
  const total = issues.length < MAX_ISSUE_OPTIONS ? issues.length : await deps.votes.repository.countOpenIssues(actor.workspaceId);
  // A profile's zone this runtime does not know (or an empty one) counts as none.
  const own = await deps.timeZoneOf(actor.workspaceId, actor.userId);
  const timeZone = own !== undefined && isValidTimeZone(own) ? own : await deps.defaultTimeZone(actor.workspaceId);
  const goals = await new GoalRepository(deps.db).ofWorkspace(actor.workspaceId, ['open']);
  const initialGoal = goals.find((g) => g.number === goalNumber);
  return newVoteModal({
    teams,
    initialTeamId: initialGoal?.programTeamId ?? initial?.id,
    issues,
    moreIssues: total - issues.length,
    goals,
    initialGoalId: initialGoal?.id,
    channelId,
    timeZone,
  });
}

/** The answer to `/vote close` once the vote is closed. */
function closedText(closed: CloseOutcome, counted: number | ElectorateCount): string {
  const priorities =
    closed.prioritiesChanged > 0
      ? ` ${closed.prioritiesChanged} issue priorities were updated from the ranking.`
      : closed.priorityVote && closed.result.turnout.voted === 0
        ? ' Nobody voted, so the team’s priorities are unchanged.'
        : '';
  const where = closed.vote.channelId === null ? 'its channel' : mentionChannel(closed.vote.channelId);
  const stale = typeof counted === 'number' ? '' : ` ${staleElectorateNote(where, counted)}`;
  return `:lock: Closed *${voteKey(closed.vote.number)}*. The results are posted in ${where}.${priorities}${stale}`;
}

const reminderText = (vote: Vote): string => {
  const where = vote.channelId === null ? 'its channel' : mentionChannel(vote.channelId);
  const deadline = vote.closesAt === null ? '' : ` It closes ${voteDate(vote.closesAt)}.`;
  return `:ballot_box_with_ballot: Reminder: *${voteKey(vote.number)}* · ${escapeMrkdwn(vote.question)} is waiting for ${vote.eligibility === 'organisation' ? 'your organisation’s' : 'your'} ballot in ${where}.${deadline}`;
};

/** An anonymous vote: one reminder in the channel, because asking only the non-voters would reveal who voted. */
async function remindChannel(deps: VoteCommandDeps, vote: Vote, now: Date): Promise<string> {
  const key = voteKey(vote.number);
  if (vote.channelId === null) return `:warning: ${key} has no channel to remind in.`;
  const channel = vote.channelId;
  const queued = await deps.db.transaction(async () => enqueue(deps.db, { workspaceId: vote.workspaceId, dedupeKey: `vote:${vote.id}:remind:${now.getTime()}`, method: 'chat.postMessage', args: { channel, text: `${reminderText(vote)} It is anonymous: nobody can see who voted for what.` }, notBefore: now }, now));
  if (queued) deps.outbox.kick();
  return `:bell: ${key} is anonymous, so the reminder went to ${mentionChannel(channel)} rather than to each person (that would reveal who has voted).`;
}

/** A vote that is not anonymous: a DM to each eligible person who has not voted. */
async function remindEach(deps: VoteCommandDeps, vote: Vote, electorate: Electorate, now: Date): Promise<string> {
  const key = voteKey(vote.number);
  const people = await deps.votes.nonVoters(vote, electorate);
  if (people.length === 0) return `:white_check_mark: Everyone eligible has voted on ${key}; nobody to remind.`;
  const text = reminderText(vote);
  // All the reminders are queued together or not at all, and only while the vote is open: listing
  // the channel can take seconds, in which the deadline job or another instance may close it. One
  // immediate transaction, so a locked database (after the ack) is waited out and it runs again whole.
  const stillOpen = await retryWhileBusy(() =>
    deps.db.transaction(async () => {
      if ((await deps.votes.repository.byId(vote.id))?.status !== 'open') return false;
      for (const userId of people) {
        await enqueue(deps.db, { workspaceId: vote.workspaceId, dedupeKey: `vote:${vote.id}:remind:${now.getTime()}:${userId}`, method: 'chat.postMessage', args: { channel: userId, text }, notBefore: now }, now);
      }
      return true;
    }),
  );
  if (!stillOpen) return `:lock: ${key} was closed meanwhile, so nobody was reminded. See \`/vote results ${key}\`.`;
  deps.outbox.kick();
  return `:bell: Reminded ${people.length} ${people.length === 1 ? 'person' : 'people'} who ${people.length === 1 ? 'has' : 'have'} not voted on ${key} yet (a direct message each).`;
}
