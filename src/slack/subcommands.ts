import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/result.js';
import { splitSubcommand, type CommandHandler, type CommandInput } from './commands.js';
import type { CommandName } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { say, type CommandReply } from './reply.js';

/** One subcommand's call: the command, who typed it, the words after the subcommand and the time. */
export interface SubcommandCall {
  input: CommandInput;
  actor: Actor;
  /** The subcommand as typed, lower-cased ("list"). */
  sub: string;
  /** The text after the subcommand, trimmed, line breaks kept. */
  rest: string;
  /** `rest` split on white space. */
  args: string[];
  now: Date;
}

export type SubcommandHandler = (call: SubcommandCall) => CommandReply | Promise<CommandReply>;

export interface SubcommandTable {
  command: CommandName;
  /** The command's help text: the answer to `help`, to nothing at all and after an unknown subcommand. */
  help: string;
  now: Clock;
  handlers: Record<string, SubcommandHandler>;
  /** Other words for a subcommand: `{ calendar: 'ics' }`. */
  aliases?: Record<string, string>;
  /** Text that starts with no known subcommand (default: "no subcommand …" and the help). */
  otherwise?: SubcommandHandler;
  /** The command with no text (default: the help). */
  empty?: SubcommandHandler;
}

/** "Usage: `/team link KEY`. See `/team help` for every subcommand." */
export function usageReply(command: CommandName, line: string): CommandReply {
  return say(`:information_source: Usage: \`${line}\`. See \`${command} help\` for every subcommand.`);
}

/** A usage answer bound to one command: `const usage = usageFor(CommandNames.team)`. */
export const usageFor =
  (command: CommandName) =>
  (line: string): CommandReply =>
    usageReply(command, line);

export function unknownSubcommandReply(command: CommandName, sub: string, help: string): CommandReply {
  return say(`:thinking_face: \`${command}\` has no subcommand "${escapeMrkdwn(sub)}".\n\n${help}`);
}

/**
 * Every command's opening in one place: split the text, answer `help` (and an empty command) with
 * the help, send the subcommand to its handler, and answer anything else politely with the help.
 */
export function subcommandRouter(table: SubcommandTable): CommandHandler {
  const lookup = (sub: string): SubcommandHandler | undefined => {
    const name = Object.hasOwn(table.aliases ?? {}, sub) ? (table.aliases?.[sub] ?? sub) : sub;
    return Object.hasOwn(table.handlers, name) ? table.handlers[name] : undefined;
  };
  return async (input, actor) => {
    const { sub, rest, args } = splitSubcommand(input.text);
    const call: SubcommandCall = { input, actor, sub, rest, args, now: table.now() };
    if (sub === '') return table.empty === undefined ? say(table.help) : table.empty(call);
    if (sub === 'help') return say(table.help);
    const handler = lookup(sub) ?? table.otherwise;
    return handler === undefined ? unknownSubcommandReply(table.command, sub, table.help) : handler(call);
  };
}
