import type { App, RespondFn } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Actor } from '../../domain/actor.js';
import { z } from 'zod';
import type { Clock, Problem } from '../../domain/result.js';
import type { Kicker } from '../../outbox/kicker.js';
import type { ActorResolver } from '../../slack/actor.js';
import { doneModal } from '../../slack/blocks.js';
import { ActionIds, InputIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn, mentionChannel } from '../../slack/mrkdwn.js';
import { submissionKey } from '../../slack/payload.js';
import { fieldErrors, problemText } from '../../slack/reply.js';
import { goalMetadata, parseGoalButton, parseGoalMetadata, parseNewGoalMetadata } from './metadata.js';
import { formatNumber, goalKey } from './model.js';
import type { Goal } from './repository.js';
import type { GoalDraft, GoalField, GoalService } from './service.js';
import { goalCard, readingModal } from './views.js';

export interface GoalListenerDeps {
  goals: GoalService;
  actors: ActorResolver;
  outbox: Kicker;
  now: Clock;
}

const FIELD_INPUTS: Record<GoalField, string> = {
  team: InputIds.goalTeam,
  kind: InputIds.goalKind,
  name: InputIds.goalName,
  unit: InputIds.goalUnit,
  baseline: InputIds.goalBaseline,
  target: InputIds.goalTarget,
  targetDate: InputIds.goalTargetDate,
  owner: InputIds.goalOwner,
  organisation: InputIds.goalOrganisation,
  value: InputIds.goalValue,
  asOf: InputIds.goalAsOf,
  note: InputIds.goalNote,
};

const stateValue = z
  .object({
    value: z.string().nullable().optional(),
    selected_option: z.object({ value: z.string() }).nullable().optional(),
    selected_user: z.string().nullable().optional(),
    selected_date: z.string().nullable().optional(),
  })
  .passthrough();
const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  view: z.object({
    id: z.string().min(1),
    team_id: z.string().optional(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});
type Values = z.infer<typeof submission>['view']['state']['values'];
const field = (values: Values, id: string) => values[id]?.[id];

function draftOf(values: Values): GoalDraft {
  const org = field(values, InputIds.goalOrganisation)?.selected_option?.value;
  return {
    kind: field(values, InputIds.goalKind)?.selected_option?.value ?? '',
    name: field(values, InputIds.goalName)?.value ?? '',
    unit: field(values, InputIds.goalUnit)?.value ?? '',
    baseline: field(values, InputIds.goalBaseline)?.value ?? '',
    target: field(values, InputIds.goalTarget)?.value ?? '',
    targetDate: field(values, InputIds.goalTargetDate)?.selected_date ?? '',
    ownerId: field(values, InputIds.goalOwner)?.selected_user ?? null,
    organisationId: org !== undefined && /^\d{1,12}$/.test(org) ? Number(org) : null,
  };
}

/** Problems keyed by the input blocks this form has; a problem for a field it lacks goes beside `fallback`. */
function errorsOf(problems: Problem[], values: Values, fallback: string): Record<string, string> {
  const mapped = problems.map((p) => {
    const input = p.field === undefined ? undefined : FIELD_INPUTS[p.field as GoalField];
    return { ...p, field: input !== undefined && values[input] !== undefined ? input : fallback };
  });
  return fieldErrors(mapped, fallback);
}

const outOfDate = (what: string) => doneModal('Form out of date', `:warning: This form could not be read, so nothing was saved. ${what}`);
const tellOnly = (respond: RespondFn, text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

const buttonBody = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  trigger_id: z.string().default(''),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/** The new, edit and reading forms, and the "Record a reading" and "Mark done" buttons. */
export function registerGoalListeners(app: App, deps: GoalListenerDeps): void {
  const { goals } = deps;

  /** An edit or reading form's submission: the person and the goal its metadata names, or the answer when there is none. */
  async function goalFormSubmission(body: unknown, retry: string): Promise<{ answer: ModalView } | { actor: Actor; goal: Goal; values: Values }> {
    const parsed = submission.safeParse(body);
    const ref = parseGoalMetadata(parsed.success ? parsed.data.view.private_metadata : undefined);
    if (!parsed.success || !ref.ok) return { answer: outOfDate(retry) };
    const { user, view } = parsed.data;
    const workspaceId = parsed.data.team?.id ?? view.team_id ?? '';
    const actor = await deps.actors.resolve(workspaceId, user.id);
    const goal = await goals.byId(workspaceId, ref.value.id);
    if (!goal.ok) return { answer: doneModal('Goal not found', problemText(goal.problem)) };
    return { actor, goal: goal.value, values: view.state.values };
  }

  app.view(ViewIds.goalNew, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const metadata = parseNewGoalMetadata(parsed.success ? parsed.data.view.private_metadata : undefined);
    if (!parsed.success || !metadata.ok) {
      await ack({ response_action: 'update', view: outOfDate('Open it again with `/goal new`.') });
      return;
    }
    const { user, view } = parsed.data;
    const workspaceId = parsed.data.team?.id ?? view.team_id ?? '';
    const actor = await deps.actors.resolve(workspaceId, user.id);
    const teamRaw = field(view.state.values, InputIds.goalTeam)?.selected_option?.value;
    const teamId = teamRaw !== undefined && /^\d{1,12}$/.test(teamRaw) ? Number(teamRaw) : undefined;
    const now = deps.now();
    const requestKey = submissionKey(body);
    const created = await goals.create(actor, teamId, draftOf(view.state.values), now, requestKey === undefined ? {} : { requestKey });
    if (!created.ok) {
      if (created.problem.code === 'invalid') await ack({ response_action: 'errors', errors: errorsOf(created.problems ?? [created.problem], view.state.values, InputIds.goalName) });
      else await ack({ response_action: 'update', view: doneModal('Not saved', problemText(created.problem)) });
      return;
    }
    const { goal, duplicate, announcedIn } = created.value;
    const key = goalKey(goal);
    const where = announcedIn === undefined ? '' : ` Announced in ${mentionChannel(announcedIn)}.`;
    const text = duplicate ? `This form was already submitted: it is *${key}*. Nothing new was stored.` : `:dart: Set *${key}* · ${escapeMrkdwn(goal.name)}.${where} Follow it with \`/goal show ${key}\`.`;
    await ack({ response_action: 'update', view: doneModal(duplicate ? `Already ${key}` : `Set ${key}`, text) });
    if (!duplicate) deps.outbox.kick();
  });

  app.view(ViewIds.goalEdit, async ({ ack, body }) => {
    const form = await goalFormSubmission(body, 'Open it again with `/goal edit G-n`.');
    if ('answer' in form) {
      await ack({ response_action: 'update', view: form.answer });
      return;
    }
    const { actor, goal, values } = form;
    const edited = await goals.edit(actor, goal, draftOf(values), deps.now());
    if (!edited.ok) {
      if (edited.problem.code === 'invalid') await ack({ response_action: 'errors', errors: errorsOf(edited.problems ?? [edited.problem], values, InputIds.goalName) });
      else await ack({ response_action: 'update', view: doneModal('Not saved', problemText(edited.problem)) });
      return;
    }
    const key = goalKey(edited.value.goal);
    const text = edited.value.changed.length === 0 ? `Nothing changed on *${key}*.` : `:pencil2: Saved *${key}*: changed ${edited.value.changed.join(', ')}. \`/goal show ${key}\` shows the history.`;
    await ack({ response_action: 'update', view: doneModal(`Saved ${key}`, text) });
    if (edited.value.changed.length > 0) deps.outbox.kick();
  });

  app.view(ViewIds.goalReading, async ({ ack, body }) => {
    const form = await goalFormSubmission(body, 'Use `/goal update G-n VALUE` instead.');
    if ('answer' in form) {
      await ack({ response_action: 'update', view: form.answer });
      return;
    }
    const { actor, goal, values } = form;
    const recorded = await goals.record(
      actor,
      goal,
      field(values, InputIds.goalValue)?.value ?? '',
      field(values, InputIds.goalAsOf)?.selected_date ?? undefined,
      field(values, InputIds.goalNote)?.value ?? '',
      deps.now(),
    );
    if (!recorded.ok) {
      if (recorded.problem.code === 'invalid') await ack({ response_action: 'errors', errors: errorsOf(recorded.problems ?? [recorded.problem], values, InputIds.goalValue) });
      else await ack({ response_action: 'update', view: doneModal('Not recorded', problemText(recorded.problem)) });
      return;
    }
    const { reading, replaced } = recorded.value;
    const key = goalKey(goal);
    const text =
      replaced === undefined
        ? `:chart_with_upwards_trend: Recorded *${formatNumber(reading.value)}* for *${key}* as of ${reading.asOf}.`
        : `:chart_with_upwards_trend: Recorded *${formatNumber(reading.value)}* for *${key}* as of ${reading.asOf}, replacing the reading of ${formatNumber(replaced.value)} for that date (it stays in the history).`;
    await ack({ response_action: 'update', view: doneModal(`Recorded for ${key}`, text) });
    deps.outbox.kick();
  });

  /** "Record a reading": the reading form, for someone allowed to record (checked again on submit). */
  app.action(ActionIds.goalRecordReading, async ({ ack, body, respond, client }) => {
    await ack();
    const parsed = buttonBody.safeParse(body);
    const id = parseGoalButton(parsed.success ? parsed.data.actions[0]?.value : undefined);
    if (!parsed.success || !id.ok) {
      await tellOnly(respond, ':warning: That button is out of date. Use `/goal update G-n VALUE` instead.');
      return;
    }
    const workspaceId = parsed.data.team?.id ?? '';
    const goal = await goals.byId(workspaceId, Number(id.value));
    if (!goal.ok) {
      await tellOnly(respond, problemText(goal.problem));
      return;
    }
    if (goal.value.status !== 'open') {
      await tellOnly(respond, `:lock: ${goalKey(goal.value)} was closed as ${goal.value.status}, so it takes no more readings.`);
      return;
    }
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: readingModal(goal.value, await goals.today(workspaceId, deps.now()), goalMetadata(goal.value.id)) });
  });

  /** "Mark done" on a milestone: the owner or a coordinator completes it; others are told why not. */
  app.action(ActionIds.goalMarkDone, async ({ ack, body, respond }) => {
    await ack();
    const parsed = buttonBody.safeParse(body);
    const id = parseGoalButton(parsed.success ? parsed.data.actions[0]?.value : undefined);
    if (!parsed.success || !id.ok) {
      await tellOnly(respond, ':warning: That button is out of date. Use `/goal done G-n` instead.');
      return;
    }
    const workspaceId = parsed.data.team?.id ?? '';
    const actor = await deps.actors.resolve(workspaceId, parsed.data.user.id);
    const goal = await goals.byId(workspaceId, Number(id.value));
    if (!goal.ok) {
      await tellOnly(respond, problemText(goal.problem));
      return;
    }
    const now = deps.now();
    const done = await goals.done(actor, goal.value, '', now);
    if (!done.ok) {
      await tellOnly(respond, problemText(done.problem));
      return;
    }
    deps.outbox.kick();
    const card = goalCard(done.value.goal, await goals.paceOf(done.value.goal, now), `:trophy: <@${actor.userId}> marked *${goalKey(goal.value)}* done.`);
    await respond({ replace_original: false, response_type: 'ephemeral', text: card.text, blocks: card.blocks });
  });
}
