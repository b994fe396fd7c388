import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Actor } from '../../domain/actor.js';
import type { Clock, Result } from '../../domain/result.js';
import type { ActorResolver } from '../../slack/actor.js';
import { ActionIds, IssueBlockIds } from '../../slack/ids.js';
import { mentionUser } from '../../slack/mrkdwn.js';
import { problemText } from '../../slack/reply.js';
import { parseIssueId, parsePageToken } from './metadata.js';
import { statusLabel } from './model.js';
import type { Issue } from './repository.js';
import type { IssueService } from './service.js';
import { issueCard, issueDetailView, issueListView, keyOf } from './views.js';

export interface IssueActionDeps {
  issues: IssueService;
  actors: ActorResolver;
  now: Clock;
  formatTime: (ms: number) => string;
}

const buttonClick = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  actions: z.array(z.object({ action_id: z.string(), block_id: z.string().optional(), value: z.string().optional() })).min(1),
});

const tellOnly = (respond: RespondFn, text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

type Step = (service: IssueService, actor: Actor, issue: Issue, now: Date) => Result<{ issue: Issue; changed: boolean }>;

/** The common next steps; each answers with the sentence the card shows on top. */
const STEPS: Array<{ actionId: string; run: Step; said: (actor: Actor, issue: Issue, changed: boolean) => string }> = [
  {
    actionId: ActionIds.issueStart,
    run: (s, actor, issue, now) => s.setStatus(actor, issue, 'in_progress', '', now),
    said: (actor, issue, changed) => (changed ? `:arrows_counterclockwise: ${mentionUser(actor.userId)} started *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already ${statusLabel('in_progress')}.`),
  },
  {
    actionId: ActionIds.issueResolve,
    run: (s, actor, issue, now) => s.setStatus(actor, issue, 'resolved', '', now),
    said: (actor, issue, changed) => (changed ? `:white_check_mark: ${mentionUser(actor.userId)} resolved *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already resolved.`),
  },
  {
    actionId: ActionIds.issueAssignMe,
    run: (s, actor, issue, now) => s.assign(actor, issue, actor.userId, now),
    said: (actor, issue, changed) => (changed ? `:bust_in_silhouette: ${mentionUser(actor.userId)} took *${keyOf(issue)}*.` : `*${keyOf(issue)}* is already assigned to ${mentionUser(actor.userId)}.`),
  },
];

/**
 * Buttons on issue messages and list pages. ack first, then the change, then the message is
 * redrawn in place (response_url, replace_original), so a channel announcement shows the current
 * state to everyone; a refusal goes only to the person who clicked.
 */
export function registerIssueActions(app: App, deps: IssueActionDeps): void {
  for (const step of STEPS) {
    app.action(step.actionId, async ({ ack, body, respond }) => {
      await ack();
      const parsed = buttonClick.safeParse(body);
      const action = parsed.success ? parsed.data.actions[0] : undefined;
      const issueId = parseIssueId(action?.value);
      if (!parsed.success || action === undefined || issueId === undefined) {
        await tellOnly(respond, ':warning: That button is out of date. Use `/issue show KEY` to see the issue.');
        return;
      }
      const workspaceId = parsed.data.team?.id ?? '';
      const actor = await deps.actors.resolve(workspaceId, parsed.data.user.id);
      const now = deps.now();
      const issue = deps.issues.byId(workspaceId, issueId);
      if (!issue.ok) {
        await tellOnly(respond, problemText(issue.problem));
        return;
      }
      const done = step.run(deps.issues, actor, issue.value, now);
      if (!done.ok) {
        await tellOnly(respond, problemText(done.problem));
        return;
      }
      const note = step.said(actor, done.value.issue, done.value.changed);
      const today = deps.issues.today(now);
      // The detail view keeps being the detail view (with its history); any other message becomes the card.
      const redrawn =
        action.block_id === IssueBlockIds.detailActions
          ? issueDetailView(done.value.issue, deps.issues.history(done.value.issue), today, deps.formatTime)
          : issueCard(done.value.issue, today, note);
      await respond({ replace_original: true, text: redrawn.text, blocks: redrawn.blocks });
    });
  }

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
      const page = deps.issues.page(actor, { teamIds: token.t ?? undefined, scope: token.s }, token.p, deps.now());
      if (!page.ok) {
        await tellOnly(respond, problemText(page.problem));
        return;
      }
      const view = issueListView(page.value);
      await respond({ replace_original: true, text: view.text, blocks: view.blocks });
    });
  }
}
