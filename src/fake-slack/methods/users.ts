import { teamOfToken } from './oauth.js';
import type { FakeState, Json } from '../state.js';
import type { FakeUser } from '../types.js';
import { fail, ok, paginate, str, type MethodHandler } from './common.js';

const DEFAULT_TZ = 'UTC';

/** Seconds east of UTC right now, the way Slack's tz_offset reports it (DST included). */
export function tzOffsetSeconds(tz: string, at = new Date()): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

function tzLabel(tz: string): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value ?? tz
  );
}

export function userObject(state: FakeState, u: FakeUser, askingTeam?: string): Json {
  const tz = u.tz ?? DEFAULT_TZ;
  // A member of the fake's own workspace is, seen from another installed workspace, a member of
  // that one (the same ids in two workspaces); Slack Connect guests keep their own team.
  const home = u.teamId === undefined || u.teamId === state.teamId ? (askingTeam ?? state.teamId) : u.teamId;
  const realName = u.realName ?? u.name;
  return {
    id: u.id,
    team_id: home,
    name: u.name,
    deleted: false,
    real_name: realName,
    tz,
    tz_label: tzLabel(tz),
    tz_offset: tzOffsetSeconds(tz),
    is_admin: u.isAdmin ?? false,
    is_owner: u.isOwner ?? false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot ?? false,
    is_app_user: false,
    updated: 1_700_000_000,
    profile: {
      display_name: u.name,
      display_name_normalized: u.name,
      real_name: realName,
      real_name_normalized: realName,
      team: home,
      ...(u.isBot && u.id === state.botUserId ? { bot_id: state.botId } : {}),
    },
  };
}

const info: MethodHandler = (args, { state, token }) => {
  const user = state.users.get(str(args, 'user') ?? '');
  return user ? ok({ user: userObject(state, user, teamOfToken(state, token)) }) : fail('user_not_found');
};

const list: MethodHandler = (args, { state }) => {
  const { page, nextCursor } = paginate([...state.users.values()], args);
  return ok({
    members: page.map((u) => userObject(state, u)),
    cache_ts: Math.floor(Date.now() / 1000),
    response_metadata: { next_cursor: nextCursor },
  });
};

export const userMethods: Record<string, MethodHandler> = {
  'users.info': info,
  'users.list': list,
};
