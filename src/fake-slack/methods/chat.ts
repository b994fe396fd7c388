import { validateMessage } from '../block-kit-limits.js';
import { channelMembers, findMessage, newId, nextTs, resolveChannel, type FakeState, type Json } from '../state.js';
import type { StoredMessage } from '../types.js';
import { fail, num, ok, str, type MethodHandler, type MethodResult } from './common.js';
import { fileReferenceProblems } from './files.js';

/** Slack keeps scheduled messages up to 120 days ahead. */
const MAX_SCHEDULE_AHEAD_SECONDS = 120 * 24 * 60 * 60;

interface Content {
  text?: string;
  blocks?: unknown[];
}

function contentOf(args: Json): Content {
  const text = typeof args.text === 'string' && args.text.length > 0 ? args.text : undefined;
  const blocks = Array.isArray(args.blocks) && args.blocks.length > 0 ? args.blocks : undefined;
  return { text, blocks };
}

/** Problems as Slack words them: `error` plus the details in `errors` and `response_metadata.messages`. */
export function contentProblems(args: Json): MethodResult | undefined {
  const problems = validateMessage({ text: args.text, blocks: args.blocks });
  if (problems.length === 0) return undefined;
  // Over-long text is its own error at Slack; everything else about blocks is invalid_blocks.
  const error = problems.every((p) => p.startsWith('text:')) ? 'msg_too_long' : 'invalid_blocks';
  return fail(error, { errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
}

export function messageObject(state: FakeState, m: StoredMessage): Json {
  return {
    type: 'message',
    text: m.text ?? '',
    user: m.author ?? state.botUserId,
    // A person's message carries no bot or app id.
    ...(m.author === undefined ? { bot_id: state.botId, app_id: state.appId } : {}),
    team: state.teamId,
    ts: m.ts,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
    ...(m.updatedTs ? { edited: { user: state.botUserId, ts: m.updatedTs } } : {}),
  };
}

export function storeMessage(state: FakeState, m: Omit<StoredMessage, 'ts'>): StoredMessage {
  const stored: StoredMessage = { ...m, ts: nextTs(state) };
  state.messages.push(stored);
  return stored;
}

export function permalink(state: FakeState, channel: string, ts: string, threadTs?: string): string {
  const base = `https://${state.domain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

function requireContent(args: Json, state: FakeState): MethodResult | Content {
  const content = contentOf(args);
  if (!content.text && !content.blocks) return fail('no_text');
  return contentProblems(args) ?? fileReferenceProblems(state, args.blocks) ?? content;
}

function isResult(v: MethodResult | Content): v is MethodResult {
  return 'ok' in v;
}

const postMessage: MethodHandler = (args, { state }) => {
  const channel = resolveChannel(state, args.channel);
  if (!channel) return fail('channel_not_found');
  const content = requireContent(args, state);
  if (isResult(content)) return content;
  const stored = storeMessage(state, {
    channel,
    ...content,
    threadTs: str(args, 'thread_ts'),
    ephemeral: false,
    metadata: args.metadata,
  });
  return ok({ channel, ts: stored.ts, message: messageObject(state, stored) });
};

const postEphemeral: MethodHandler = (args, { state }) => {
  const channel = resolveChannel(state, args.channel);
  if (!channel) return fail('channel_not_found');
  const user = str(args, 'user');
  if (!user || !state.users.has(user)) return fail('user_not_found');
  const members = channelMembers(state, channel);
  if (members && !members.includes(user)) return fail('user_not_in_channel');
  const content = requireContent(args, state);
  if (isResult(content)) return content;
  const stored = storeMessage(state, { channel, ...content, threadTs: str(args, 'thread_ts'), user, ephemeral: true });
  return ok({ message_ts: stored.ts });
};

const update: MethodHandler = (args, { state }) => {
  const channel = resolveChannel(state, args.channel);
  if (!channel) return fail('channel_not_found');
  const ts = str(args, 'ts');
  const existing = ts ? findMessage(state, channel, ts) : undefined;
  if (!existing) return fail('message_not_found');
  const content = requireContent(args, state);
  if (isResult(content)) return content;
  // Slack keeps the previous blocks when an update sends only text; an empty array clears them.
  if (typeof args.text === 'string') existing.text = args.text;
  if (Array.isArray(args.blocks)) existing.blocks = args.blocks.length > 0 ? args.blocks : undefined;
  if (args.metadata !== undefined) existing.metadata = args.metadata;
  existing.updatedTs = nextTs(state);
  return ok({ channel, ts: existing.ts, text: existing.text ?? '', message: messageObject(state, existing) });
};

const remove: MethodHandler = (args, { state }) => {
  const channel = resolveChannel(state, args.channel);
  if (!channel) return fail('channel_not_found');
  const ts = str(args, 'ts');
  const existing = ts ? findMessage(state, channel, ts) : undefined;
  if (!existing) return fail('message_not_found');
  existing.deleted = true;
  return ok({ channel, ts: existing.ts });
};

const getPermalink: MethodHandler = (args, { state }) => {
  const channel = resolveChannel(state, args.channel);
  if (!channel) return fail('channel_not_found');
  const ts = str(args, 'message_ts');
  const existing = ts ? findMessage(state, channel, ts) : undefined;
  if (!existing) return fail('message_not_found');
  return ok({ channel, permalink: permalink(state, channel, existing.ts, existing.threadTs) });
};

const scheduleMessage: MethodHandler = (args, { state }) => {
  const channel = resolveChannel(state, args.channel);
  if (!channel) return fail('channel_not_found');
  const postAt = num(args, 'post_at');
  if (postAt === undefined) return fail('invalid_time');
  const now = Date.now() / 1000;
  if (postAt <= now) return fail('time_in_past');
  if (postAt > now + MAX_SCHEDULE_AHEAD_SECONDS) return fail('time_too_far');
  const content = requireContent(args, state);
  if (isResult(content)) return content;
  const id = newId(state, 'Q');
  state.scheduled.push({ id, channel, postAt: Math.floor(postAt), ...content, threadTs: str(args, 'thread_ts') });
  return ok({
    channel,
    scheduled_message_id: id,
    post_at: Math.floor(postAt),
    message: { type: 'delayed_message', text: content.text ?? '', bot_id: state.botId, user: state.botUserId, blocks: content.blocks },
  });
};

const deleteScheduledMessage: MethodHandler = (args, { state }) => {
  const id = str(args, 'scheduled_message_id');
  const index = state.scheduled.findIndex((s) => s.id === id);
  if (index < 0) return fail('invalid_scheduled_message_id');
  state.scheduled.splice(index, 1);
  return ok();
};

const scheduledMessagesList: MethodHandler = (args, { state }) => {
  const channel = str(args, 'channel');
  const list = state.scheduled
    .filter((s) => !channel || s.channel === channel)
    .map((s) => ({ id: s.id, channel_id: s.channel, post_at: s.postAt, date_created: s.postAt, text: s.text ?? '' }));
  return ok({ scheduled_messages: list, response_metadata: { next_cursor: '' } });
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.update': update,
  'chat.delete': remove,
  'chat.getPermalink': getPermalink,
  'chat.scheduleMessage': scheduleMessage,
  'chat.deleteScheduledMessage': deleteScheduledMessage,
  'chat.scheduledMessages.list': scheduledMessagesList,
};
