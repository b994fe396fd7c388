import type { App } from '@slack/bolt';
import { z } from 'zod';
import { ShortcutIds } from '../../slack/ids.js';
import { decodeSlackEntities, MAX_DETAILS, normaliseTitle } from './model.js';
import { newIssueMetadata } from './metadata.js';
import type { IssueService } from './service.js';
import { issueModal } from './views.js';

const messageAction = z.object({
  type: z.literal('message_action'),
  trigger_id: z.string().min(1),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  channel: z.object({ id: z.string().min(1) }),
  message: z.object({
    ts: z.string().min(1),
    text: z.string().default(''),
    thread_ts: z.string().optional(),
  }),
});

/**
 * "Log as issue" on any message: the form opens with the message's first line as the title, the
 * whole message as details and the channel's team picked. The submission (modal.ts) links the
 * message and replies in its thread.
 */
export function registerLogAsIssue(app: App, deps: { issues: IssueService }): void {
  app.shortcut(ShortcutIds.logAsIssue, async ({ ack, body, client }) => {
    await ack();
    const parsed = messageAction.safeParse(body);
    if (!parsed.success) throw new Error(`log_as_issue payload without the fields it needs: ${parsed.error.message}`);
    const { channel, message, trigger_id: triggerId, user } = parsed.data;
    const workspaceId = parsed.data.team?.id ?? user.team_id ?? '';
    const text = decodeSlackEntities(message.text).trim();
    const firstLine = normaliseTitle(text.split('\n').find((line) => line.trim() !== '') ?? '');
    const team = await deps.issues.teamOfChannel(workspaceId, channel.id);
    const view = issueModal({
      mode: 'new',
      teams: await deps.issues.teamChoices(workspaceId),
      ...(team === undefined ? {} : { teamId: team.id }),
      title: firstLine,
      details: text,
      ...(text.length > MAX_DETAILS ? { detailsHint: `The message was longer than ${MAX_DETAILS} characters; the issue links to it for the rest.` } : {}),
      privateMetadata: newIssueMetadata({ channelId: channel.id, messageTs: message.ts, threadTs: message.thread_ts ?? message.ts }),
    });
    await client.views.open({ trigger_id: triggerId, view });
  });
}
