import type { Actor } from '../../domain/actor.js';
import type { Clock } from '../../domain/result.js';
import type { Kicker } from '../../outbox/kicker.js';
import type { CommandInput } from '../../slack/commands.js';
import { escapeMrkdwn, mentionChannel } from '../../slack/mrkdwn.js';
import { say, sayProblem, type CommandReply } from '../../slack/reply.js';
import { CommandNames } from '../../slack/ids.js';
import { subcommandRouter, usageFor } from '../../slack/subcommands.js';
import { goalMetadata, newGoalMetadata } from './metadata.js';
import { formatNumber, goalKey, isTeamKeyOf, parseQuickGoal, takeAsOf } from './model.js';
import type { Goal } from './repository.js';
import type { GoalService, ListScope } from './service.js';
import { GOAL_HELP, goalCard, goalDetailView, goalListView, goalModal } from './views.js';

export interface GoalCommandDeps {
  goals: GoalService;
  outbox: Kicker;
  now: Clock;
  /** Formats an instant in the workspace's zone (date and time). */
  formatTimeFor: (workspaceId: string) => Promise<(ms: number) => string>;
}

const usage = usageFor(CommandNames.goal);

/** Words after the first `words` of the text, keeping the person's own spacing (notes). */
function afterWords(text: string, words: number): string {
  let rest = text.trim();
  for (let i = 0; i < words; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest.trim();
}

const SCOPES: readonly ListScope[] = ['open', 'done', 'all'];

/** `/goal …`: parses the text, calls the goal service, renders the answer. */
export function goalCommand(deps: GoalCommandDeps) {
  const { goals } = deps;

  const modalFor = async (actor: Actor, goal: Goal | undefined, channelId: string, prefill: Partial<{ teamId: number; kind: string; name: string }> = {}): Promise<CommandReply> => ({
    kind: 'modal',
    view:
      goal === undefined
        ? goalModal({
            mode: 'new',
            teams: await goals.teamChoices(actor.workspaceId),
            ...prefill,
            organisations: await goals.organisationChoices(actor.workspaceId),
            privateMetadata: newGoalMetadata(channelId),
          })
        : goalModal({
            mode: 'edit',
            teams: [],
            goalKey: goalKey(goal),
            kind: goal.kind,
            name: goal.name,
            unit: goal.unit,
            baseline: goal.baseline,
            target: goal.target,
            targetDate: goal.targetDate,
            ownerId: goal.ownerId,
            organisationId: goal.organisationId,
            organisations: await goals.organisationChoices(actor.workspaceId),
            privateMetadata: goalMetadata(goal.id),
          }),
  });

  return subcommandRouter({
    command: CommandNames.goal,
    help: GOAL_HELP,
    now: deps.now,
    aliases: { unlink: 'link' },
    handlers: {
      new: ({ input, actor, rest, now }) => newGoal(input, actor, rest, now),
      list: async ({ input, actor, args, now }) => {
        let teamKey: string | undefined;
        let scope: ListScope = 'open';
        let scopeSeen = false;
        for (const arg of args) {
          const word = arg.toLowerCase() as ListScope;
          if (SCOPES.includes(word) && !scopeSeen) {
            scope = word;
            scopeSeen = true;
          } else if (teamKey === undefined && !SCOPES.includes(word)) teamKey = arg;
          else return usage('/goal list [KEY] [open|done|all]');
        }
        const listed = await goals.list(actor, teamKey, scope, input.channelId, now);
        if (!listed.ok) return sayProblem(listed.problem);
        const view = goalListView(listed.value.label, scope, listed.value.goals);
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      show: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/goal show G-3');
        const goal = await goals.find(actor.workspaceId, args[0]);
        if (!goal.ok) return sayProblem(goal.problem);
        const view = goalDetailView(await goals.detail(goal.value, now), await deps.formatTimeFor(actor.workspaceId));
        return say(view.text, view.blocks);
      },
      update: async ({ actor, rest, args, now }) => {
        const [id, value] = args;
        if (id === undefined || value === undefined) return usage('/goal update G-3 28 [as of YYYY-MM-DD] [note]');
        const goal = await goals.find(actor.workspaceId, id);
        if (!goal.ok) return sayProblem(goal.problem);
        const { asOf, rest: note } = takeAsOf(afterWords(rest, 2));
        const recorded = await goals.record(actor, goal.value, value, asOf, note, now);
        if (!recorded.ok) return sayProblem(recorded.problem);
        // The announcement's update and the Homes the reading changed go out now, not at the next tick.
        deps.outbox.kick();
        const { reading, replaced, pace } = recorded.value;
        const unit = goal.value.unit === '' ? '' : ` ${escapeMrkdwn(goal.value.unit)}`;
        const said =
          replaced === undefined
            ? `:chart_with_upwards_trend: Recorded *${formatNumber(reading.value)}*${unit} for *${goalKey(goal.value)}* as of ${reading.asOf}.`
            : `:chart_with_upwards_trend: Recorded *${formatNumber(reading.value)}*${unit} for *${goalKey(goal.value)}* as of ${reading.asOf}, replacing the reading of ${formatNumber(replaced.value)} recorded for that date (it stays in the history).`;
        const card = goalCard(recorded.value.goal, pace, said);
        return say(card.text, card.blocks);
      },
      done: async ({ actor, rest, args, now }) => {
        if (args.length < 1) return usage('/goal done G-4 [note]');
        const goal = await goals.find(actor.workspaceId, args[0]);
        if (!goal.ok) return sayProblem(goal.problem);
        const done = await goals.done(actor, goal.value, afterWords(rest, 1), now);
        if (!done.ok) return sayProblem(done.problem);
        deps.outbox.kick();
        const card = goalCard(done.value.goal, await goals.paceOf(done.value.goal, now), `:trophy: *${goalKey(goal.value)}* is done. Well done!`);
        return say(card.text, card.blocks);
      },
      close: async ({ actor, rest, args, now }) => {
        const [id, outcome] = args;
        const word = outcome?.toLowerCase();
        if (id === undefined || (word !== 'achieved' && word !== 'dropped')) return usage('/goal close G-3 achieved|dropped [note]');
        const goal = await goals.find(actor.workspaceId, id);
        if (!goal.ok) return sayProblem(goal.problem);
        const closed = await goals.close(actor, goal.value, word, afterWords(rest, 2), now);
        if (!closed.ok) return sayProblem(closed.problem);
        deps.outbox.kick();
        const card = goalCard(closed.value.goal, await goals.paceOf(closed.value.goal, now), word === 'achieved' ? `:trophy: *${goalKey(goal.value)}* is closed as achieved.` : `:heavy_minus_sign: *${goalKey(goal.value)}* is dropped.`);
        return say(card.text, card.blocks);
      },
      edit: async ({ input, actor, args, now }) => {
        if (args.length !== 1) return usage('/goal edit G-3');
        const goal = await goals.find(actor.workspaceId, args[0]);
        if (!goal.ok) return sayProblem(goal.problem);
        const refused = await goals.refuseChange(actor, goal.value, 'goal.edit', now);
        if (refused !== undefined) return sayProblem(refused.problem);
        if (goal.value.status !== 'open') return say(`:lock: ${goalKey(goal.value)} was closed as ${goal.value.status}, so it takes no more changes.`);
        return await modalFor(actor, goal.value, input.channelId);
      },
      link: async ({ actor, sub, args, now }) => {
        const [id, issueKey] = args;
        if (id === undefined || issueKey === undefined || args.length !== 2) return usage(`/goal ${sub} G-3 CNA-12`);
        const goal = await goals.find(actor.workspaceId, id);
        if (!goal.ok) return sayProblem(goal.problem);
        const linked = await goals.link(actor, goal.value, issueKey, now, sub === 'unlink');
        if (!linked.ok) return sayProblem(linked.problem);
        const { issueKey: key, changed } = linked.value;
        // The issue's card is redrawn to name the goal.
        if (changed) deps.outbox.kick();
        const g = goalKey(goal.value);
        if (sub === 'link') return say(changed ? `:link: Linked *${key}* to *${g}*: the issue now names the goal.` : `*${key}* was already linked to *${g}*, so nothing changed.`);
        return say(changed ? `:scissors: Unlinked *${key}* from *${g}*.` : `*${key}* was not linked to *${g}*, so nothing changed.`);
      },
    },
  });

  /** `/goal new [quick form]`: stored at once when the text is complete, else the form. */
  async function newGoal(input: CommandInput, actor: Actor, text: string, now: Date): Promise<CommandReply> {
    const channelTeam = await goals.teamOfChannel(actor.workspaceId, input.channelId);
    if (text === '') return await modalFor(actor, undefined, input.channelId, channelTeam === undefined ? {} : { teamId: channelTeam.id });
    // The workspace's teams, read once: the quick form's first word may name one.
    const teams = await goals.teamChoices(actor.workspaceId);
    const quick = parseQuickGoal(text, (key) => isTeamKeyOf(teams, key));
    if (typeof quick === 'string') return say(`:warning: ${escapeMrkdwn(quick)}`);
    if (quick === undefined) {
      return say(
        ':information_source: Say the goal as `/goal new [KEY] Name from 22 to 40 [unit] by YYYY-MM-DD` (a measure) or `/goal new [KEY] Name by YYYY-MM-DD` (a milestone), or run `/goal new` alone for the form.',
      );
    }
    const team = quick.teamKey === undefined ? channelTeam : teams.find((t) => t.key === quick.teamKey);
    if (team === undefined) return say(':warning: Say which team the goal is for, for example `/goal new CNA Clinical placement slots from 22 to 40 by 2027-06-30` (this channel is not linked to a team).');
    const created = await goals.create(
      actor,
      team.id,
      {
        kind: quick.kind,
        name: quick.name,
        unit: quick.unit ?? '',
        baseline: quick.baseline === undefined ? '' : String(quick.baseline),
        target: quick.target === undefined ? '' : String(quick.target),
        targetDate: quick.targetDate,
        ownerId: null,
        organisationId: null,
      },
      now,
    );
    if (!created.ok) return sayProblem(created.problem);
    deps.outbox.kick();
    const goal = created.value.goal;
    const where = created.value.announcedIn === undefined ? `${escapeMrkdwn(goal.teamKey)} has no linked channel, so it was not announced.` : `Announced in ${mentionChannel(created.value.announcedIn)}.`;
    const card = goalCard(goal, await goals.paceOf(goal, now), `:dart: Set *${goalKey(goal)}* for ${escapeMrkdwn(goal.teamKey)}. ${where} You own it; change that with \`/goal edit ${goalKey(goal)}\`.`);
    return say(card.text, card.blocks);
  }
}
