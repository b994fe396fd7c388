/**
 * What Slack's client does to typed text before an app sees it: `&`, `<` and `>` are escaped,
 * `@name` becomes `<@U…|name>`, `#channel` becomes `<#C…|name>` and `@here`/`@channel` become
 * special mentions. Pure, so the page and the tests agree on it.
 */
export interface Directory {
  people: ReadonlyArray<{ id: string; name: string }>;
  channels: ReadonlyArray<{ id: string; name: string }>;
}

const SPECIAL = new Set(['here', 'channel', 'everyone']);

export function escapeTyped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function encodeTyped(text: string, directory: Directory): string {
  const escaped = escapeTyped(text);
  // A mention starts a word (not part of an e-mail address such as a@b.org).
  return escaped
    .replace(/(^|[\s(,;])@([a-z0-9][a-z0-9._-]*)/gi, (whole, before: string, name: string) => {
      const lower = name.toLowerCase();
      if (SPECIAL.has(lower)) return `${before}<!${lower}>`;
      const person = directory.people.find((p) => p.name.toLowerCase() === lower);
      return person === undefined ? whole : `${before}<@${person.id}|${person.name}>`;
    })
    .replace(/(^|[\s(,;])#([a-z0-9][a-z0-9_-]*)/gi, (whole, before: string, name: string) => {
      const channel = directory.channels.find((c) => c.name.toLowerCase() === name.toLowerCase());
      return channel === undefined ? whole : `${before}<#${channel.id}|${channel.name}>`;
    });
}

/** Splits "/team join CNA" into the command and its text, as Slack does; undefined for a plain message. */
export function splitCommand(typed: string): { command: string; text: string } | undefined {
  const match = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(typed.trim());
  if (match === null || match[1] === undefined) return undefined;
  return { command: match[1].toLowerCase(), text: (match[2] ?? '').trim() };
}
