import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import type { CommandInput } from '../../src/slack/commands.js';
import { CommandNames } from '../../src/slack/ids.js';
import { say } from '../../src/slack/reply.js';
import { subcommandRouter, usageReply } from '../../src/slack/subcommands.js';

const actor: Actor = { workspaceId: 'T1', userId: 'U1', isCoordinator: false, isExternal: false };
const input = (text: string): CommandInput => ({ command: CommandNames.team, workspaceId: 'T1', userId: 'U1', channelId: 'C1', text, triggerId: '', responseUrl: '' });
const now = new Date('2026-03-02T12:00:00Z');
const HELP = '*`/team`* help';

const router = subcommandRouter({
  command: CommandNames.team,
  help: HELP,
  now: () => now,
  aliases: { ls: 'list' },
  handlers: {
    list: ({ sub, rest, args, now: at, actor: who }) => say(JSON.stringify({ sub, rest, args, at: at.toISOString(), who: who.userId })),
  },
});

describe('the subcommand router', () => {
  it('answers help, and a command with nothing after it, with the help', async () => {
    expect(await router(input(''), actor)).toEqual(say(HELP));
    expect(await router(input('HELP'), actor)).toEqual(say(HELP));
  });

  it('hands a subcommand (any case, or an alias) its words, the person and the time', async () => {
    const expected = say(JSON.stringify({ sub: 'list', rest: 'CNA  open\nmore', args: ['CNA', 'open', 'more'], at: now.toISOString(), who: 'U1' }));
    expect(await router(input('List CNA  open\nmore'), actor)).toEqual(expected);
    expect(await router(input('ls'), actor)).toEqual(say(JSON.stringify({ sub: 'ls', rest: '', args: [], at: now.toISOString(), who: 'U1' })));
  });

  it('answers an unknown subcommand politely, escaped, with the help', async () => {
    expect(await router(input('<!channel> now'), actor)).toEqual(say(`:thinking_face: \`/team\` has no subcommand "&lt;!channel&gt;".\n\n${HELP}`));
    expect(await router(input('constructor'), actor)).toEqual(say(`:thinking_face: \`/team\` has no subcommand "constructor".\n\n${HELP}`));
  });

  it('sends other text to `otherwise`, and an empty command to `empty`, when a command takes free text', async () => {
    const free = subcommandRouter({ command: CommandNames.team, help: HELP, now: () => now, handlers: {}, otherwise: ({ input: i }) => say(`free: ${i.text}`), empty: () => say('empty') });
    expect(await free(input('CNA last-quarter'), actor)).toEqual(say('free: CNA last-quarter'));
    expect(await free(input(''), actor)).toEqual(say('empty'));
    expect(await free(input('help'), actor)).toEqual(say(HELP));
  });

  it('says usage in one shape for every command', () => {
    expect(usageReply(CommandNames.vote, '/vote close V-3')).toEqual(say(':information_source: Usage: `/vote close V-3`. See `/vote help` for every subcommand.'));
  });
});
