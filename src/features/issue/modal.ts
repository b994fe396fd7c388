import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Clock, Problem } from '../../domain/result.js';
import type { AppLogger } from '../../logger.js';
import type { Kicker } from '../../outbox/kicker.js';
import type { ActorResolver } from '../../slack/actor.js';
import { InputIds, ViewIds } from '../../slack/ids.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import { submissionKey } from '../../slack/payload.js';
import { fieldErrors, problemText } from '../../slack/reply.js';
import { parseEditIssueMetadata, parseNewIssueMetadata } from './metadata.js';
import type { DraftField, IssueDraft, IssueService, IssueSource } from './service.js';
import { doneModal } from '../../slack/blocks.js';
import { announcedText, keyOf } from './views.js';

export interface IssueModalDeps {
  issues: IssueService;
  actors: ActorResolver;
  outbox: Kicker;
  now: Clock;
  logger: AppLogger;
}

const FIELD_INPUTS: Record<DraftField, string> = {
  title: InputIds.issueTitle,
  details: InputIds.issueDetails,
  category: InputIds.issueCategory,
  team: InputIds.issueTeam,
  owner: InputIds.issueOwner,
  due: InputIds.issueDue,
};

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  view: z.object({
    id: z.string().min(1),
    hash: z.string().default(''),
    team_id: z.string().optional(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
type Submission = z.infer<typeof submission>;

const textInput = z.object({ value: z.string().nullable().optional() });
const selectInput = z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() });
const userInput = z.object({ selected_user: z.string().nullable().optional() });
const dateInput = z.object({ selected_date: z.string().nullable().optional() });

/** Reads `view.state.values[id][id]` (inputs use block_id === action_id) through a schema. */
function read<T extends z.ZodType>(values: Submission['view']['state']['values'], id: string, schema: T): z.infer<T> | undefined {
  const parsed = schema.safeParse(values[id]?.[id]);
  return parsed.success ? parsed.data : undefined;
}

function draftOf(values: Submission['view']['state']['values']): IssueDraft {
  return {
    title: read(values, InputIds.issueTitle, textInput)?.value ?? '',
    details: read(values, InputIds.issueDetails, textInput)?.value ?? '',
    category: read(values, InputIds.issueCategory, selectInput)?.selected_option?.value ?? '',
    ownerId: read(values, InputIds.issueOwner, userInput)?.selected_user ?? null,
    dueDate: read(values, InputIds.issueDue, dateInput)?.selected_date ?? null,
  };
}

function teamIdOf(values: Submission['view']['state']['values']): number | undefined {
  const raw = read(values, InputIds.issueTeam, selectInput)?.selected_option?.value;
  return raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
}

/** Problems keyed by input block; a problem without a field goes beside the title. */
function errorsOf(problems: Problem[], hasTeam: boolean): Record<string, string> {
  const mapped = problems.map((p) => {
    const field = p.field as DraftField | undefined;
    const input = field === undefined ? undefined : FIELD_INPUTS[field];
    // The edit form has no team input; an error there would make Slack refuse the whole answer.
    if (input === undefined || (input === InputIds.issueTeam && !hasTeam)) return { ...p, field: InputIds.issueTitle };
    return { ...p, field: input };
  });
  return fieldErrors(mapped, InputIds.issueTitle);
}

/**
 * A link to the logged message, asked for after the form was answered, so a slow Slack cannot eat
 * the 3 seconds a view submission has. The client's own 10-second timeout bounds the wait; without
 * an answer the issue simply keeps no link (it still knows the channel and ts).
 */
async function permalinkOf(client: WebClient, channel: string, ts: string, logger: AppLogger): Promise<string | null> {
  try {
    const answer = await client.chat.getPermalink({ channel, message_ts: ts });
    return typeof answer.permalink === 'string' ? answer.permalink : null;
  } catch (error) {
    logger.event('warn', 'chat.getPermalink failed; the issue keeps no link to its message', { channel, ts, error });
    return null;
  }
}

/** Submissions of the new-issue form (from `/issue new` and the message shortcut) and of the edit form. */
export function registerIssueModals(app: App, deps: IssueModalDeps): void {
  app.view(ViewIds.issueNew, async ({ ack, body, client }) => {
    const parsed = submission.safeParse(body);
    const metadata = parsed.success ? parseNewIssueMetadata(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || metadata === undefined) {
      await ack({ response_action: 'update', view: doneModal('Form out of date', ':warning: This form could not be read, so nothing was logged. Please open it again with `/issue new`.') });
      return;
    }
    const { user, view } = parsed.data;
    const workspaceId = parsed.data.team?.id ?? view.team_id ?? '';
    const actor = await deps.actors.resolve(workspaceId, user.id);
    const now = deps.now();
    const draft = draftOf(view.state.values);
    const teamId = teamIdOf(view.state.values);
    const checked = await deps.issues.validateNew(workspaceId, teamId, draft, now);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: errorsOf(checked.problems ?? [checked.problem], true) });
      return;
    }
    // The permalink is fetched after the ack (below); the issue is stored without it first.
    const source: IssueSource | undefined =
      metadata.channelId !== undefined && metadata.messageTs !== undefined
        ? { channelId: metadata.channelId, ts: metadata.messageTs, threadTs: metadata.threadTs ?? metadata.messageTs, permalink: null }
        : undefined;
    // The same submission arriving twice (a double click, a retry) must log one issue.
    const requestKey = submissionKey(body);
    const created = await deps.issues.create(actor, teamId, draft, now, { validated: checked.value, ...(requestKey === undefined ? {} : { requestKey }), ...(source === undefined ? {} : { source }) });
    if (!created.ok) {
      if (created.problem.code === 'invalid') await ack({ response_action: 'errors', errors: errorsOf(created.problems ?? [created.problem], true) });
      else await ack({ response_action: 'update', view: doneModal('Not logged', problemText(created.problem)) });
      return;
    }
    const { issue, duplicate, announcedIn } = created.value;
    const key = keyOf(issue);
    const text = duplicate
      ? `This form was already submitted: it is *${key}* · ${escapeMrkdwn(issue.title)}. Nothing new was logged.`
      : `:memo: Logged *${key}* · ${escapeMrkdwn(issue.title)}.\n${announcedText(issue, announcedIn)}${source === undefined ? '' : ' The message thread gets a reply naming the key.'} Follow it with \`/issue show ${key}\`.`;
    await ack({ response_action: 'update', view: doneModal(duplicate ? `Already ${key}` : `Logged ${key}`, text) });
    if (duplicate) return;
    deps.outbox.kick();
    if (source !== undefined) {
      const permalink = await permalinkOf(client, source.channelId, source.ts, deps.logger);
      // Storing it refreshes the announcement (through the outbox) so it links the message too.
      if (permalink !== null && (await deps.issues.setPermalink(issue.id, permalink, deps.now())) !== undefined) deps.outbox.kick();
    }
  });

  app.view(ViewIds.issueEdit, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const issueId = parsed.success ? parseEditIssueMetadata(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || issueId === undefined) {
      await ack({ response_action: 'update', view: doneModal('Form out of date', ':warning: This form could not be read, so nothing changed. Open it again with `/issue edit KEY`.') });
      return;
    }
    const { user, view } = parsed.data;
    const workspaceId = parsed.data.team?.id ?? view.team_id ?? '';
    const actor = await deps.actors.resolve(workspaceId, user.id);
    const now = deps.now();
    const issue = await deps.issues.byId(workspaceId, issueId);
    if (!issue.ok) {
      await ack({ response_action: 'update', view: doneModal('Issue not found', problemText(issue.problem)) });
      return;
    }
    const edited = await deps.issues.edit(actor, issue.value, draftOf(view.state.values), now, submissionKey(body));
    if (!edited.ok) {
      if (edited.problem.code === 'invalid') await ack({ response_action: 'errors', errors: errorsOf(edited.problems ?? [edited.problem], false) });
      else await ack({ response_action: 'update', view: doneModal('Not saved', problemText(edited.problem)) });
      return;
    }
    const key = keyOf(edited.value.issue);
    const text =
      edited.value.changed.length === 0
        ? `Nothing changed on *${key}*.`
        : `:pencil2: Saved *${key}*: changed ${edited.value.changed.map(escapeMrkdwn).join(', ')}. \`/issue show ${key}\` shows the history.`;
    await ack({ response_action: 'update', view: doneModal(`Saved ${key}`, text) });
    if (edited.value.changed.length > 0) deps.outbox.kick();
  });
}
