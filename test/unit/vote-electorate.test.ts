import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import type { TeamRepository } from '../../src/features/team/repository.js';
import { electorateLoader } from '../../src/features/vote/electorate.js';

/** A WebClient stand-in whose conversations.members answers (in pages of 200) only when told to. */
function slowSlack(members: string[]) {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  const client = {
    auth: { test: async () => ({ user_id: 'U0BOT' }) },
    conversations: {
      members: async ({ cursor }: { channel: string; limit: number; cursor?: string }) => {
        calls.push(cursor ?? 'first');
        await new Promise<void>((resolve) => waiting.push(resolve));
        const from = cursor === undefined ? 0 : Number(cursor);
        const next = from + 200 < members.length ? String(from + 200) : '';
        return { members: members.slice(from, from + 200), response_metadata: { next_cursor: next } };
      },
    },
  };
  const answerAll = async () => {
    while (waiting.length > 0) {
      for (const resolve of waiting.splice(0)) resolve();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { client: client as unknown as WebClient, calls, answerAll };
}

describe('the electorate of an everyone-in-the-channel vote', () => {
  it('a burst of clicks while the channel is being listed shares that one listing (one conversations.members per page, not per click)', async () => {
    const members = [...Array.from({ length: 401 }, (_, i) => `U${String(i).padStart(4, '0')}`), 'U0BOT'];
    const slack = slowSlack(members);
    const loader = electorateLoader({ teams: {} as TeamRepository, client: slack.client });
    const vote = { eligibility: 'everyone', programTeamId: 1, channelId: 'C0BURST' } as const;
    const clicks = Array.from({ length: 20 }, () => loader.of(vote));
    await new Promise((r) => setTimeout(r, 0));
    await slack.answerAll();
    const electorates = await Promise.all(clicks);
    expect(slack.calls).toEqual(['first', '200', '400']);
    for (const e of electorates) expect(e).toEqual({ unit: 'people', ids: members.slice(0, 401) });
    // Cached afterwards: no more calls.
    await loader.of(vote);
    expect(slack.calls).toHaveLength(3);
  });

  it('a failed listing is not cached: the next click lists the channel again', async () => {
    let fail = true;
    const client = {
      auth: { test: async () => ({ user_id: 'U0BOT' }) },
      conversations: {
        members: async () => {
          if (fail) throw new Error('ratelimited');
          return { members: ['U1'], response_metadata: { next_cursor: '' } };
        },
      },
    } as unknown as WebClient;
    const loader = electorateLoader({ teams: {} as TeamRepository, client });
    const vote = { eligibility: 'everyone', programTeamId: 1, channelId: 'C0X' } as const;
    await expect(loader.of(vote)).rejects.toThrow('ratelimited');
    fail = false;
    expect(await loader.of(vote)).toEqual({ unit: 'people', ids: ['U1'] });
  });
});
