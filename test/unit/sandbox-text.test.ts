import { describe, expect, it } from 'vitest';
import { encodeTyped, splitCommand } from '../../src/sandbox/text.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';

const directory = { people: Object.values(PEOPLE), channels: Object.values(CHANNELS) };

describe('typed text, as Slack’s client encodes it', () => {
  it('turns @name and #channel into escaped mentions and leaves unknown names alone', () => {
    expect(encodeTyped('@hannah and @nobody in #cna-team, #nowhere', directory)).toBe(
      `<@${PEOPLE.henryFord1.id}|hannah> and @nobody in <#${CHANNELS.cna.id}|cna-team>, #nowhere`,
    );
  });

  it('escapes &, < and > first, so typed markup cannot become a mention or a link', () => {
    expect(encodeTyped('<!channel> a&b <https://x|y>', directory)).toBe('&lt;!channel&gt; a&amp;b &lt;https://x|y&gt;');
  });

  it('makes @here and @channel special mentions but not e-mail addresses', () => {
    expect(encodeTyped('@here mail sam@example.org', directory)).toBe('<!here> mail sam@example.org');
  });

  it('splits a slash command from its text and treats anything else as a message', () => {
    expect(splitCommand('/Team  join CNA ')).toEqual({ command: '/team', text: 'join CNA' });
    expect(splitCommand('/issue')).toEqual({ command: '/issue', text: '' });
    expect(splitCommand('hello /team')).toBeUndefined();
  });
});
