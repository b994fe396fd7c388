import {
  channelMembers,
  dmIdFor,
  mpimMembers,
  openMpim,
  resolveChannel,
  userForDm,
  type FakeState,
  type Json,
} from '../state.js';
import { bool, fail, ok, paginate, str, type MethodHandler } from './common.js';

const CREATED = 1_700_000_000;

export function channelObject(state: FakeState, id: string): Json | undefined {
  const channel = state.channels.get(id);
  if (channel) {
    const members = channel.members;
    return {
      id,
      name: channel.name,
      name_normalized: channel.name,
      is_channel: !channel.isPrivate,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: channel.isPrivate ?? false,
      is_archived: false,
      is_general: false,
      is_member: members ? members.includes(state.botUserId) : true,
      created: CREATED,
      creator: '',
      ...(members ? { num_members: members.length } : {}),
    };
  }
  const dmUser = userForDm(state, id);
  if (dmUser) {
    return { id, is_im: true, is_channel: false, is_private: true, user: dmUser.id, created: CREATED, is_open: true, is_user_deleted: false };
  }
  const mpim = mpimMembers(state, id);
  if (mpim) {
    return { id, name: `mpdm-${mpim.join('--')}-1`, is_mpim: true, is_channel: false, is_private: true, is_group: false, created: CREATED, num_members: mpim.length };
  }
  return undefined;
}

const open: MethodHandler = (args, { state }) => {
  const existing = str(args, 'channel');
  if (existing) {
    const id = resolveChannel(state, existing);
    return id ? ok({ channel: { id } }) : fail('channel_not_found');
  }
  const raw = str(args, 'users');
  if (!raw) return fail('users_list_not_supplied');
  const users = raw.split(',').map((u) => u.trim()).filter(Boolean);
  if (users.some((u) => !state.users.has(u))) return fail('user_not_found');
  const others = users.filter((u) => u !== state.botUserId);
  const [single] = others;
  if (others.length > 8) return fail('too_many_users');
  const id = others.length <= 1 && single ? dmIdFor(single) : openMpim(state, others);
  const channel = bool(args, 'return_im') ? channelObject(state, id) : { id };
  return ok({ channel });
};

const info: MethodHandler = (args, { state }) => {
  const id = resolveChannel(state, args.channel);
  const channel = id ? channelObject(state, id) : undefined;
  return channel ? ok({ channel }) : fail('channel_not_found');
};

const members: MethodHandler = (args, { state }) => {
  const id = resolveChannel(state, args.channel);
  if (!id) return fail('channel_not_found');
  const { page, nextCursor } = paginate(channelMembers(state, id) ?? [], args);
  return ok({ members: page, response_metadata: { next_cursor: nextCursor } });
};

const list: MethodHandler = (args, { state }) => {
  const types = new Set((str(args, 'types') ?? 'public_channel').split(',').map((t) => t.trim()));
  const ids: string[] = [];
  for (const c of state.channels.values()) {
    if (types.has(c.isPrivate ? 'private_channel' : 'public_channel')) ids.push(c.id);
  }
  if (types.has('im')) {
    for (const u of state.users.values()) if (u.id !== state.botUserId) ids.push(dmIdFor(u.id));
  }
  if (types.has('mpim')) ids.push(...state.mpims.values());
  const { page, nextCursor } = paginate(ids, args);
  return ok({
    channels: page.map((id) => channelObject(state, id)).filter((c): c is Json => c !== undefined),
    response_metadata: { next_cursor: nextCursor },
  });
};

/** Newest first, like Slack; metadata only with include_all_metadata (what the outbox checks after a timeout). */
const history: MethodHandler = (args, { state }) => {
  const id = resolveChannel(state, args.channel);
  if (!id) return fail('channel_not_found');
  const oldest = Number(str(args, 'oldest') ?? '0');
  const limit = Math.min(Math.max(Number(str(args, 'limit') ?? '100') || 100, 1), 999);
  const withMetadata = bool(args, 'include_all_metadata');
  const found = state.messages
    .filter((m) => m.channel === id && !m.ephemeral && m.deleted !== true && m.threadTs === undefined && Number(m.ts) > oldest)
    .reverse();
  return ok({
    messages: found.slice(0, limit).map((m) => ({
      type: 'message',
      ts: m.ts,
      text: m.text ?? '',
      user: state.botUserId,
      bot_id: state.botId,
      ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
    })),
    has_more: found.length > limit,
  });
};

export const conversationMethods: Record<string, MethodHandler> = {
  'conversations.history': history,
  'conversations.open': open,
  'conversations.info': info,
  'conversations.members': members,
  'conversations.list': list,
};
