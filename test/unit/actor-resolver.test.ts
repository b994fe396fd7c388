import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ActorResolver } from '../../src/slack/actor.js';

const WS = 'T0HOME';
const HOUR = 60 * 60 * 1000;

/** A users.info that answers from `profiles` until `down` is set, then fails like a Slack outage. */
function slack(profiles: Record<string, { team_id: string; is_admin?: boolean }>) {
  const state = { down: false, calls: 0 };
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        state.calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (state.down) throw new Error('internal_error');
        const profile = profiles[user];
        if (profile === undefined) throw new Error('user_not_found');
        return { ok: true, user: { id: user, tz: 'America/Detroit', ...profile } };
      },
    },
  } as unknown as WebClient;
  return { client, state };
}

function resolver(client: WebClient, clock: { now: number }, configCoordinators: string[] = [], stored: string[] = []) {
  return new ActorResolver({
    client,
    configCoordinators,
    isStoredCoordinator: (_ws, user) => stored.includes(user),
    logger: createLogger('error', () => undefined),
    now: () => clock.now,
  });
}

describe('who is asking, when users.info fails', () => {
  it('treats someone Slack never described as unverified: external and not a coordinator, even if stored as one', async () => {
    const { client, state } = slack({});
    state.down = true;
    const actor = await resolver(client, { now: 0 }, [], ['U0GUEST']).resolve(WS, 'U0GUEST');
    expect(actor).toEqual({ workspaceId: WS, userId: 'U0GUEST', isCoordinator: false, isExternal: true, unverified: true });
  });

  it('keeps the coordinators the operator named in ALLIANCE_COORDINATORS', async () => {
    const { client, state } = slack({});
    state.down = true;
    expect(await resolver(client, { now: 0 }, ['U0COORD']).resolve(WS, 'U0COORD')).toEqual({ workspaceId: WS, userId: 'U0COORD', isCoordinator: true, isExternal: false });
  });

  it('uses the profile Slack gave within the last day (a guest stays a guest, an admin an admin), not an older one', async () => {
    const { client, state } = slack({ U0GUEST: { team_id: 'T0PARTNER' }, U0ADMIN: { team_id: WS, is_admin: true } });
    const clock = { now: 0 };
    const actors = resolver(client, clock, [], ['U0GUEST']);
    await actors.resolve(WS, 'U0GUEST');
    await actors.resolve(WS, 'U0ADMIN');
    state.down = true;
    clock.now = 2 * HOUR;
    expect(await actors.resolve(WS, 'U0GUEST')).toMatchObject({ isExternal: true, isCoordinator: true });
    expect(await actors.resolve(WS, 'U0ADMIN')).toMatchObject({ isExternal: false, isCoordinator: true });
    clock.now = 25 * HOUR;
    expect(await actors.resolve(WS, 'U0ADMIN')).toMatchObject({ isExternal: true, isCoordinator: false, unverified: true });
  });

  it('asks Slack once for a burst of requests from one person', async () => {
    const { client, state } = slack({ U0A: { team_id: WS } });
    const actors = resolver(client, { now: 0 });
    await Promise.all(Array.from({ length: 20 }, () => actors.resolve(WS, 'U0A')));
    expect(state.calls).toBe(1);
  });
});
