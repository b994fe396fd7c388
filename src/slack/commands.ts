import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import type { ActorResolver } from './actor.js';
import type { CommandName } from './ids.js';
import { commandAckBody, type CommandReply } from './reply.js';

/** The slash command fields the app relies on; anything else Slack sends is ignored. */
const commandPayload = z.object({
  team_id: z.string().min(1),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  text: z.string().default(''),
  trigger_id: z.string().default(''),
  response_url: z.string().default(''),
});

export interface CommandInput {
  command: CommandName;
  workspaceId: string;
  userId: string;
  channelId: string;
  /** The text after the command, trimmed. */
  text: string;
  triggerId: string;
  responseUrl: string;
}

export type CommandHandler = (input: CommandInput, actor: Actor) => Promise<CommandReply>;

export interface CommandDeps {
  actors: ActorResolver;
}

/**
 * ack → parse → service → render: a reply that is ready goes back in the ack body (one round
 * trip); a modal needs the ack first, then views.open with the trigger (valid for 3 seconds).
 */
export function registerCommand(app: App, name: CommandName, handler: CommandHandler, deps: CommandDeps): void {
  app.command(name, async ({ ack, body, client, respond }) => {
    const parsed = commandPayload.safeParse(body);
    if (!parsed.success) {
      await ack({ response_type: 'ephemeral', text: ':warning: Slack sent this command without the fields it needs; please try again.' });
      return;
    }
    const payload = parsed.data;
    const input: CommandInput = {
      command: name,
      workspaceId: payload.team_id,
      userId: payload.user_id,
      channelId: payload.channel_id,
      text: payload.text.trim(),
      triggerId: payload.trigger_id,
      responseUrl: payload.response_url,
    };
    const actor = await deps.actors.resolve(input.workspaceId, input.userId);
    const reply = await handler(input, actor);
    if (reply.kind === 'message') {
      await ack(commandAckBody(reply));
      // A throw here still reaches the person (through response_url) and app.error via requestGuard.
      if (reply.afterAck !== undefined) {
        await reply.afterAck(async (message) => {
          await respond({ response_type: 'ephemeral', ...message });
        });
      }
      return;
    }
    await ack();
    await client.views.open({ trigger_id: input.triggerId, view: reply.view });
  });
}

/** Splits command text into the first word (lower-cased subcommand) and the rest. */
export function splitSubcommand(text: string): { sub: string; rest: string; args: string[] } {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const sub = match?.[1]?.toLowerCase() ?? '';
  const rest = match?.[2]?.trim() ?? '';
  return { sub, rest, args: rest === '' ? [] : rest.split(/\s+/) };
}
