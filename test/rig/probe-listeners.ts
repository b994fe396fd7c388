/**
 * Listeners that exist only in the robustness tests' app. They use the same building blocks a
 * feature uses (decodeJson/decodeValue, submissionKey + claimRequest, the outbox, the one error
 * path), so the protections are proven before /issue, /meeting and /vote land.
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { StartOptions } from '../../src/alliance.js';
import { auditLog } from '../../src/db/schema.js';
import { enqueue } from '../../src/outbox/outbox.js';
import { claimRequest } from '../../src/slack/dedupe.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { decodeJson, decodeValue, submissionKey } from '../../src/slack/payload.js';
import { fieldErrors, problemText } from '../../src/slack/reply.js';

export const PROBE = {
  command: '/probe-modal',
  view: 'probe_view',
  field: 'probe_field',
  button: 'probe_button',
  boom: 'probe_boom',
} as const;

const metadata = z.object({ teamId: z.number().int().positive() });
const buttonValue = z.string().regex(/^\d{1,9}$/).transform(Number);

type Deps = Parameters<NonNullable<StartOptions['extraListeners']>>[1];

export function registerProbeListeners(app: App, deps: Deps): void {
  // A command that opens a modal, like /issue new will: views.open failing must reach the person.
  app.command(PROBE.command, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: PROBE.view,
        title: { type: 'plain_text', text: 'Probe' },
        submit: { type: 'plain_text', text: 'Save' },
        private_metadata: JSON.stringify({ teamId: 1 }),
        blocks: [{ type: 'input', block_id: PROBE.field, label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: PROBE.field } }],
      },
    });
  });

  app.view(PROBE.view, async ({ ack, body, view }) => {
    const meta = decodeJson(metadata, view.private_metadata, PROBE.field);
    if (!meta.ok) {
      await ack({ response_action: 'errors', errors: fieldErrors([meta.problem], PROBE.field) });
      return;
    }
    const title = view.state.values[PROBE.field]?.[PROBE.field]?.value ?? '';
    if (title.trim() === '') {
      await ack({ response_action: 'errors', errors: { [PROBE.field]: 'Give it a title.' } });
      return;
    }
    const key = submissionKey(body);
    const now = deps.now();
    const stored = await deps.db.transaction(async (tx) => {
      if (key !== undefined && !(await claimRequest(tx, body.team?.id ?? '', key, now))) return false;
      await tx.insert(auditLog).values({ workspaceId: body.team?.id ?? '', actorId: body.user.id, action: 'probe.save', target: title, outcome: 'done', createdAt: now.getTime() }).run();
      await enqueue(tx, { workspaceId: body.team?.id ?? '', dedupeKey: `probe:${key ?? title}`, method: 'chat.postMessage', args: { channel: 'C0GENERAL', text: `Saved ${escapeMrkdwn(title)}` }, notBefore: now }, now);
      return true;
    });
    deps.logger.event('debug', 'probe saved', { stored });
    await ack();
  });

  app.action(PROBE.button, async ({ ack, action, respond }) => {
    await ack();
    const value = decodeValue(buttonValue, 'value' in action ? action.value : undefined);
    await respond({ response_type: 'ephemeral', replace_original: false, text: value.ok ? `Item ${value.value}` : problemText(value.problem) });
  });

  // An event whose effect is not naturally idempotent: only the event_id dedupe keeps it single.
  app.event('reaction_added', async ({ event, body }) => {
    await deps.db.insert(auditLog).values({ workspaceId: body.team_id, actorId: event.user, action: 'probe.reaction', target: event.reaction, outcome: 'done', createdAt: deps.now().getTime() }).run();
  });

  app.action(PROBE.boom, async ({ ack }) => {
    await ack();
    throw new Error('probe listener failed on purpose');
  });
}
