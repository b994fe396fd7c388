import type { KnownBlock, ModalView } from '@slack/types';
import type { Problem } from '../domain/result.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** What a command handler wants said: a message in the ack, or a modal opened after it. */
export type CommandReply =
  | {
      kind: 'message';
      text: string;
      blocks?: KnownBlock[];
      inChannel?: boolean;
      /**
       * Slow work (a file upload, a listing that grows with the data) that runs after the ack, so
       * Slack's 3 seconds are never at risk; `respond` answers the person through the command's
       * response_url (a new ephemeral message, as the ack's was).
       */
      afterAck?: (respond: CommandRespond) => Promise<void>;
    }
  | { kind: 'modal'; view: ModalView };

/** A later answer to a command, through its response_url. */
export type CommandRespond = (message: { text: string; blocks?: KnownBlock[] }) => Promise<void>;

export const say = (text: string, blocks?: KnownBlock[]): CommandReply =>
  blocks === undefined ? { kind: 'message', text } : { kind: 'message', text, blocks };

export const sayProblem = (problem: Problem): CommandReply => ({ kind: 'message', text: problemText(problem) });

const problemIcon: Record<Problem['code'], string> = {
  invalid: ':warning:',
  not_found: ':mag:',
  forbidden: ':no_entry:',
  conflict: ':warning:',
  closed: ':lock:',
};

export function problemText(problem: Problem): string {
  return `${problemIcon[problem.code]} ${escapeMrkdwn(problem.message)}`;
}

/** The body Slack expects in a slash command's HTTP response. */
export function commandAckBody(reply: Extract<CommandReply, { kind: 'message' }>): {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: KnownBlock[];
} {
  const body: { response_type: 'ephemeral' | 'in_channel'; text: string; blocks?: KnownBlock[] } = {
    response_type: reply.inChannel === true ? 'in_channel' : 'ephemeral',
    text: reply.text,
  };
  if (reply.blocks !== undefined) body.blocks = reply.blocks;
  return body;
}

/** Modal field errors, keyed by the input block id, as `response_action: 'errors'` wants them. */
export function fieldErrors(problems: Problem[], fallbackField: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) {
    const field = problem.field ?? fallbackField;
    errors[field] ??= problem.message;
  }
  return errors;
}
