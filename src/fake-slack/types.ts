import type { FakeInstallGrant, FakeOAuth } from './methods/oauth.js';
export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  tz?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  teamId?: string;
  isBot?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  members?: string[];
}

export interface FakeSlackOptions {
  botToken: string;
  port?: number;
  host?: string;
  teamId?: string;
  teamName?: string;
  botUserId?: string;
  users?: FakeUser[];
  channels?: FakeChannel[];
  /** Socket Mode: the app-level token (xapp-…) `apps.connections.open` accepts, and where it connects. */
  socketMode?: FakeSocketMode;
  /**
   * Enforce Slack's published rate limits (src/fake-slack/rate-limits.ts): 429 with Retry-After.
   * On unless set to false (micro-benchmarks that measure the app, not Slack's pace).
   */
  rateLimits?: boolean;
  /** Distribution mode: the app's client id and secret that `oauth.v2.access` accepts (and token rotation). */
  oauth?: FakeOAuth;
}

export interface FakeSocketMode {
  appToken: string;
  /**
   * A fresh WebSocket URL for one connection, as `apps.connections.open` returns it (Slack's is
   * `wss://…/link/?ticket=…&app_id=…`, good for one connection); the test's socket server mints it.
   */
  connectionUrl: (appId: string) => string;
}

export interface RecordedCall {
  method: string;
  /** Arguments with nested JSON strings (blocks, view, files…) already parsed; the token is left out. */
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  at: number;
  /** The workspace whose token the call carried (distribution mode: tokens from oauth.v2.access). */
  teamId?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  /** Ephemeral recipient. */
  user?: string;
  ephemeral: boolean;
  updatedTs?: string;
  deleted?: boolean;
  metadata?: unknown;
  /** Ids of files shared with this message (files.completeUploadExternal). */
  files?: string[];
  /** The person who wrote it (postUserMessage); absent for the bot's own messages. */
  author?: string;
}

export interface StoredFile {
  id: string;
  title?: string;
  filename?: string;
  /** The `alt_txt` given to files.getUploadURLExternal (screen readers, image previews). */
  altText?: string;
  content: Buffer;
  channels: string[];
  threadTs?: string;
  initialComment?: string;
}

export interface StoredResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface ScheduledMessage {
  id: string;
  channel: string;
  postAt: number;
  text?: string;
  blocks?: unknown[];
  threadTs?: string;
}

/** Where a response_url "comes from", so replace_original / delete_original can act on the message. */
export interface ResponseUrlOrigin {
  channel?: string;
  messageTs?: string;
  userId?: string;
}

export type Fault = (
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 503 }
  | { error: string }
  /**
   * Answer late. The client usually gives up first (recorded as `client_gone`, nothing stored);
   * with `thenStore` the call still takes effect, as a Slack that received the request before the
   * caller's timeout would (recorded as `client_gone_after_store`).
   */
  | { delayMs: number; thenStore?: boolean }
) & {
  /** Only calls made with this workspace's token take the fault (distribution mode). */
  teamId?: string;
};

export interface ActivityEvent {
  kind: 'call' | 'response';
  method?: string;
}

/** A waitFor probe's answer: anything but undefined, null or false ends the wait. */
export type Probed<T> = T | undefined | false | null;

export interface FakeSlack {
  /** Value for SLACK_API_URL; ends with a slash because WebClient appends the method name. */
  url: string;
  origin: string;
  teamId: string;
  botUserId: string;
  botId: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Posted and ephemeral messages in order, updates applied. A user id selects that user's DM. */
  messages(channel?: string): StoredMessage[];
  responses: StoredResponse[];
  /** Open views (modals, home tabs) by view id. */
  views: Map<string, unknown>;
  files: StoredFile[];
  scheduled: ScheduledMessage[];
  /** A fresh response_url, as Slack puts in command and action payloads. */
  responseUrl(id?: string, origin?: ResponseUrlOrigin): string;
  /** Holds posts to a response_url (except a command's ack body, sent with ACK_ANSWER_HEADER) until the returned function is called. */
  holdResponses(url: string): () => void;
  /** Resolves with the probe's first truthy answer (checked on every call to the fake, and every 20 ms); the probe may be async (a database read). */
  waitFor<T>(probe: () => Probed<T> | Promise<Probed<T>>, timeoutMs?: number): Promise<T>;
  /**
   * Make the next `times` calls of `method` fail. Besides Web API method names, `response_url`
   * targets POSTs to response URLs and `files.upload` the raw upload to an upload_url.
   */
  failNext(method: string, fault: Fault, times?: number): void;
  /**
   * Faults queued for `method` and not yet taken. A fault is taken when its call has fully
   * arrived, so 0 after a delay fault means that call is now hanging (a test can kill its caller then).
   */
  pendingFaults(method: string): number;
  /** Drops faults not yet used (Slack recovers), keeping everything recorded. */
  clearFaults(): void;
  /**
   * A person clicks "Allow" on Slack's install page: returns the one-time code Slack puts in the
   * redirect URL (with the state it was given). Needs the `oauth` option.
   */
  authorizeInstall(grant: FakeInstallGrant): string;
  /** Bot tokens oauth.v2.access has handed out, oldest first (tests check they are never stored in clear). */
  issuedTokens(): string[];
  /** Slack revokes every token of the workspace (after an uninstall or tokens_revoked). */
  revokeTokens(teamId?: string): void;
  addUser(u: FakeUser): void;
  addChannel(c: FakeChannel): void;
  /** Id of the DM channel between the bot and a user (opened on demand, stable). */
  dmChannelId(userId: string): string;
  /** The Home tab the app last published for a person (views.publish), if any. */
  homeView(userId: string): unknown;
  /** Forgets messages, calls and faults, and spends no rate limit yet: a fresh start for the next test. */
  reset(): void;
  close(): Promise<void>;
  onActivity(listener: (e: ActivityEvent) => void): () => void;
  /**
   * A fresh trigger_id for an interaction by `userId`; a view opened with it remembers that
   * person (`viewOwner`), so the sandbox shows the modal to whoever clicked.
   */
  newTrigger(userId: string): string;
  /** Who opened a view (through a trigger from `newTrigger`), if known. */
  viewOwner(viewId: string): string | undefined;
  /** A message a person writes in a channel (Slack stores it with `user`; the bot did not post it). */
  postUserMessage(m: { channel: string; user: string; text: string; threadTs?: string }): StoredMessage;
}
