import { createHash } from 'node:crypto';
import type {
  FakeChannel,
  FakeSlackOptions,
  FakeSocketMode,
  FakeUser,
  RecordedCall,
  ResponseUrlOrigin,
  ScheduledMessage,
  StoredFile,
  StoredMessage,
  StoredResponse,
} from './types.js';

import { createOAuthState, type OAuthState } from './methods/oauth.js';

export type Json = Record<string, unknown>;

export interface PendingUpload {
  filename: string;
  length: number;
  altText?: string;
  content?: Buffer;
}

export interface ResponseUrlRecord extends ResponseUrlOrigin {
  uses: number;
  /** While set, posts to this URL wait for it (FakeSlack.holdResponses), except the ack's own answer. */
  held?: Promise<void>;
}

export interface FakeState {
  teamId: string;
  teamName: string;
  domain: string;
  botUserId: string;
  botId: string;
  botToken: string;
  appId: string;
  socketMode: FakeSocketMode | undefined;
  /** OAuth (distribution mode): client credentials, codes and tokens handed out. */
  oauth: OAuthState | undefined;
  users: Map<string, FakeUser>;
  channels: Map<string, FakeChannel>;
  /** Group DMs: sorted member ids joined by "," → G… id. */
  mpims: Map<string, string>;
  messages: StoredMessage[];
  scheduled: ScheduledMessage[];
  views: Map<string, Json>;
  homeViewIds: Map<string, string>;
  usedTriggers: Set<string>;
  /** trigger_id → person, for triggers handed out by `newTrigger`. */
  triggerOwners: Map<string, string>;
  /** view id → person who opened it. */
  viewOwners: Map<string, string>;
  pendingUploads: Map<string, PendingUpload>;
  files: StoredFile[];
  /** Largest upload accepted (Slack's 1 GB unless a test lowers it). */
  maxFileBytes?: number;
  responses: StoredResponse[];
  responseUrls: Map<string, ResponseUrlRecord>;
  calls: RecordedCall[];
  idCounter: number;
  lastTs: { sec: number; micro: number };
}

export function createState(opts: FakeSlackOptions): FakeState {
  const teamId = opts.teamId ?? 'T0FAKE0001';
  const teamName = opts.teamName ?? 'Fake Workspace';
  const botUserId = opts.botUserId ?? 'U0FAKEBOT1';
  const state: FakeState = {
    teamId,
    teamName,
    domain: teamName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'fake',
    botUserId,
    botId: 'B0FAKEBOT1',
    botToken: opts.botToken,
    appId: 'A0FAKEAPP1',
    socketMode: opts.socketMode,
    oauth: opts.oauth === undefined ? undefined : createOAuthState(opts.oauth),
    users: new Map(),
    channels: new Map(),
    mpims: new Map(),
    messages: [],
    scheduled: [],
    views: new Map(),
    homeViewIds: new Map(),
    usedTriggers: new Set(),
    triggerOwners: new Map(),
    viewOwners: new Map(),
    pendingUploads: new Map(),
    files: [],
    responses: [],
    responseUrls: new Map(),
    calls: [],
    idCounter: 0,
    lastTs: { sec: 0, micro: 0 },
  };
  addUser(state, { id: botUserId, name: 'alliance', realName: 'Alliance', isBot: true, teamId });
  for (const u of opts.users ?? []) addUser(state, u);
  for (const c of opts.channels ?? []) addChannel(state, c);
  return state;
}

/** Forget everything that happened; keep the workspace (users, channels, DM ids). */
export function resetActivity(state: FakeState): void {
  state.messages.length = 0;
  state.scheduled.length = 0;
  state.views.clear();
  state.homeViewIds.clear();
  state.usedTriggers.clear();
  state.triggerOwners.clear();
  state.viewOwners.clear();
  state.pendingUploads.clear();
  state.files.length = 0;
  state.responses.length = 0;
  state.responseUrls.clear();
  state.calls.length = 0;
}

export function addUser(state: FakeState, user: FakeUser): void {
  state.users.set(user.id, { teamId: state.teamId, ...user });
}

export function addChannel(state: FakeState, channel: FakeChannel): void {
  state.channels.set(channel.id, { ...channel, members: channel.members ? [...channel.members] : undefined });
}

export function newId(state: FakeState, prefix: string): string {
  state.idCounter += 1;
  return `${prefix}0${state.idCounter.toString(36).toUpperCase().padStart(8, '0')}`;
}

/** Slack timestamps are "<unix seconds>.<6 digits>", unique per channel and increasing. */
export function nextTs(state: FakeState, nowMs = Date.now()): string {
  const sec = Math.floor(nowMs / 1000);
  if (sec > state.lastTs.sec) {
    state.lastTs = { sec, micro: 100 };
  } else {
    state.lastTs.micro += 100;
    if (state.lastTs.micro > 999_999) state.lastTs = { sec: state.lastTs.sec + 1, micro: 100 };
  }
  return `${state.lastTs.sec}.${String(state.lastTs.micro).padStart(6, '0')}`;
}

export function newViewHash(state: FakeState): string {
  return `${Math.floor(Date.now() / 1000)}.${newId(state, 'h').slice(1).toLowerCase()}`;
}

/** DM ids are derived from the user id so they stay stable across resets and restarts. */
export function dmIdFor(userId: string): string {
  return `D${userId.slice(1)}`;
}

function isUserId(id: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(id);
}

export function userForDm(state: FakeState, channelId: string): FakeUser | undefined {
  if (!channelId.startsWith('D')) return undefined;
  for (const u of state.users.values()) if (dmIdFor(u.id) === channelId) return u;
  return undefined;
}

export function openMpim(state: FakeState, userIds: string[]): string {
  const key = [...new Set([...userIds, state.botUserId])].sort().join(',');
  const existing = state.mpims.get(key);
  if (existing) return existing;
  const id = `G${createHash('sha1').update(key).digest('hex').slice(0, 10).toUpperCase()}`;
  state.mpims.set(key, id);
  return id;
}

export function mpimMembers(state: FakeState, channelId: string): string[] | undefined {
  for (const [key, id] of state.mpims) if (id === channelId) return key.split(',');
  return undefined;
}

/**
 * Resolve a `channel` argument the way Slack does: a channel id, a known DM/group DM id, a
 * `#name`, or a user id (posting to a user id lands in the bot's DM with that user).
 */
export function resolveChannel(state: FakeState, raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  if (state.channels.has(raw)) return raw;
  if (isUserId(raw)) return state.users.has(raw) ? dmIdFor(raw) : undefined;
  if (userForDm(state, raw)) return raw;
  if (mpimMembers(state, raw)) return raw;
  const name = raw.replace(/^#/, '');
  for (const c of state.channels.values()) if (c.name === name) return c.id;
  return undefined;
}

export function findMessage(state: FakeState, channel: string, ts: string): StoredMessage | undefined {
  return state.messages.find((m) => m.channel === channel && m.ts === ts && !m.ephemeral && !m.deleted);
}

export function channelMembers(state: FakeState, channelId: string): string[] | undefined {
  const channel = state.channels.get(channelId);
  if (channel) return channel.members;
  const dmUser = userForDm(state, channelId);
  if (dmUser) return [dmUser.id, state.botUserId];
  return mpimMembers(state, channelId);
}
