/**
 * Slack's mrkdwn treats `<…>` as links, mentions and commands (`<!channel>`), and `&` starts an
 * entity. Escaping these three is what Slack asks of apps that echo user text, and is enough to
 * stop anyone pinging @channel or spoofing a mention through the bot.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for a plain_text object or an input's initial value: Slack shows it literally, so no entities. */
export function plain(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Cuts mrkdwn to a length without leaving half an entity or mention behind. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const open = Math.max(cut.lastIndexOf('<'), cut.lastIndexOf('&'));
  if (open > -1 && !/[>;]/.test(cut.slice(open))) cut = cut.slice(0, open);
  return `${cut}…`;
}

export const mentionUser = (userId: string): string => `<@${userId}>`;
export const mentionChannel = (channelId: string): string => `<#${channelId}>`;

const userMention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** Slack escapes a person typed in a command as `<@U123|name>` (with should_escape) or `<@U123>`. */
export function parseUserMention(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  return userMention.exec(token.trim())?.[1];
}

const channelMention = /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/;

export function parseChannelMention(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  return channelMention.exec(token.trim())?.[1];
}
