import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Actor } from '../../domain/actor.js';
import type { Clock, Result } from '../../domain/result.js';
import type { Kicker } from '../../outbox/kicker.js';
import type { ActorResolver } from '../../slack/actor.js';
import { ActionIds, IssueBlockIds } from '../../slack/ids.js';
import { mentionUser } from '../../slack/mrkdwn.js';
import { decodeValue } from '../../slack/payload.js';
import { problemText } from '../../slack/reply.js';
import { parseIssueId, parsePageToken } from './metadata.js';
import { statusLabel } from './model.js';
import type { Issue } from './repository.js';
import type { IssueService } from './service.js';
import { issueCard, issueDetailView, issueListView, keyOf, type MenuStep } from './views.js';

export interface IssueActionDeps {
  issues: IssueService;
  actors: ActorResolver;
  outbox: Kicker;
  now: Clock;
  /** Formats an instant in the workspace's zone (date and time). */
  formatTimeFor: (workspaceId: string) => Promise<(ms: number) => string>;
  /** The real respond() for clicks on messages; for clicks on a Home tab, one that answers on the Home. */
  respondVia: (body: unknown, respond: RespondFn) => RespondFn;
}

const buttonClick = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  actions: z
    .array(z.object({ action_id: z.string(), block_id: z.string().optional(), value: z.string().optional(), selected_option: z.object({ value: z.string() }).optional() }))
    .min(1),
});

/** A list line's menu item: `<step>:<issue id>`. */
const menuChoice = z.string().regex(/^(start|resolve|assign_me|reopen|show):([1-9]\d{0,14})$/);

const tellOnly = (respond: RespondFn, text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

type Step = (service: IssueService, actor: Actor, issue: Issue, now: Date) => Promise<Result<{ issue: Issue; changed: boolean }>>;
interface StepDef {
  actionId: string;
  menu: MenuStep;
  run: Step;
  said: (actor: Actor, issue: Issue, changed: boolean) => string;
}

/** The common next steps; each answers with the sentence the card shows on top. */
const STEPS: StepDef[] = [
  {
    actionId: ActionIds.issueStart,
    menu: 'start',
    run: (s, actor, issue, now) => s.setStatus(actor, issue, 'in_progress', '', now),
    said: (actor, issue, changed) => (changed ? `:arrows_counterclockwise: ${mentionUser(actor.userId)} started *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already ${statusLabel('in_progress')}.`),
  },
  {
    actionId: ActionIds.issueResolve,
    menu: 'resolve',
    run: (s, actor, issue, now) => s.setStatus(actor, issue, 'resolved', '', now),
    said: (actor, issue, changed) => (changed ? `:white_check_mark: ${mentionUser(actor.userId)} resolved *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already resolved.`),
  },
  {
    actionId: ActionIds.issueAssignMe,
    menu: 'assign_me',
    run: (s, actor, issue, now) => s.assign(actor, issue, actor.userId, now),
    said: (actor, issue, changed) => (changed ? `:bust_in_silhouette: ${mentionUser(actor.userId)} took *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already assigned to ${mentionUser(actor.userId)}.`),
  },
];

/** Only in a list line's menu, for a closed issue (a button for it would clutter every closed card). */
const REOPEN: StepDef = {
  actionId: ActionIds.issueListMenu,
  menu: 'reopen',
  run: (s, actor, issue, now) => s.setStatus(actor, issue, 'open', '', now),
  said: (actor, issue, changed) => (changed ? `:large_green_circle: ${mentionUser(actor.userId)} reopened *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already open.`),
};

/**
 * Buttons on issue messages and list pages. ack first, then the change, then the message is
 * redrawn in place (response_url, replace_original), so a channel announcement shows the current
 * state to everyone; a refusal goes only to the person who clicked.
 */
export function registerIssueActions(app: App, deps: IssueActionDeps): void {
  /** Runs a step on an issue for the person who clicked; undefined when they were already told why not. */
  async function runStep(step: StepDef, workspaceId: string, userId: string, issueId: number, respond: RespondFn): Promise<{ issue: Issue; note: string; today: string } | undefined> {
    const actor = await deps.actors.resolve(workspaceId, userId);
    const now = deps.now();
    const issue = await deps.issues.byId(workspaceId, issueId);
    if (!issue.ok) {
      await tellOnly(respond, problemText(issue.problem));
      return undefined;
    }
    const done = await step.run(deps.issues, actor, issue.value, now);
    if (!done.ok) {
      await tellOnly(respond, problemText(done.problem));
      return undefined;
    }
    // The change queued the announcement's update (and a status reply) in its transaction.
    if (done.value.changed) deps.outbox.kick();
    return { issue: done.value.issue, note: step.said(actor, done.value.issue, done.value.changed), today: await deps.issues.today(workspaceId, now) };
  }

  for (const step of STEPS) {
    app.action(step.actionId, async ({ ack, body, respond: given }) => {
      await ack();
      const respond = deps.respondVia(body, given);
      const parsed = buttonClick.safeParse(body);
      const action = parsed.success ? parsed.data.actions[0] : undefined;
      const issueId = parseIssueId(action?.value);
      if (!parsed.success || action === undefined || issueId === undefined) {
        await tellOnly(respond, ':warning: That button is out of date. Use `/issue show KEY` to see the issue.');
        return;
      }
      const done = await runStep(step, parsed.data.team?.id ?? '', parsed.data.user.id, issueId, respond);
      if (done === undefined) return;
      // The detail view keeps being the detail view (with its history); any other message becomes the card.
      const redrawn =
        action.block_id === IssueBlockIds.detailActions
          ? issueDetailView(done.issue, await deps.issues.history(done.issue), done.today, await deps.formatTimeFor(done.issue.workspaceId))
          : issueCard(done.issue, done.today, done.note);
      await respond({ replace_original: true, text: redrawn.text, blocks: redrawn.blocks });
    });
  }

  /**
   * A list line's menu. The list is an ephemeral answer whose blocks Slack does not send back, so
   * it is left as it was and the outcome (the card, or the detail view for Show) comes as a new
   * ephemeral message under it, with that message's own buttons.
   */
  app.action(ActionIds.issueListMenu, async ({ ack, body, respond }) => {
    await ack();
    const parsed = buttonClick.safeParse(body);
    const choice = decodeValue(menuChoice, parsed.success ? parsed.data.actions[0]?.selected_option?.value : undefined);
    if (!parsed.success || !choice.ok) {
      await tellOnly(respond, ':warning: That menu is out of date. Run `/issue list` again.');
      return;
    }
    const [what = '', idText = ''] = choice.value.split(':');
    const workspaceId = parsed.data.team?.id ?? '';
    const issueId = Number(idText);
    if (what === 'show') {
      const issue = await deps.issues.byId(workspaceId, issueId);
      if (!issue.ok) {
        await tellOnly(respond, problemText(issue.problem));
        return;
      }
      const view = issueDetailView(issue.value, await deps.issues.history(issue.value), await deps.issues.today(workspaceId, deps.now()), await deps.formatTimeFor(workspaceId));
      await respond({ response_type: 'ephemeral', replace_original: false, text: view.text, blocks: view.blocks });
      return;
    }
    const step = [...STEPS, REOPEN].find((s) => s.menu === what);
    if (step === undefined) return;
    const done = await runStep(step, workspaceId, parsed.data.user.id, issueId, respond);
    if (done === undefined) return;
    const card = issueCard(done.issue, done.today, done.note);
    await respond({ response_type: 'ephemeral', replace_original: false, text: card.text, blocks: card.blocks });
  });

  for (const actionId of [ActionIds.issueListPage, ActionIds.issueListPrevPage]) {
    app.action(actionId, async ({ ack, body, respond }) => {
      await ack();
      const parsed = buttonClick.safeParse(body);
      const token = parsePageToken(parsed.success ? parsed.data.actions[0]?.value : undefined);
      if (!parsed.success || token === undefined) {
        await tellOnly(respond, ':warning: That button is out of date. Run `/issue list` again.');
        return;
      }
      const actor = await deps.actors.resolve(parsed.data.team?.id ?? '', parsed.data.user.id);
      const page = await deps.issues.page(actor, { teamIds: token.t ?? undefined, scope: token.s }, token.p, deps.now());
      if (!page.ok) {
        await tellOnly(respond, problemText(page.problem));
        return;
      }
      const view = issueListView(page.value);
      await respond({ replace_original: true, text: view.text, blocks: view.blocks });
    });
  }
}
