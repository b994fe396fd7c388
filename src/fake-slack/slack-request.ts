/**
 * Talks to the app the way Slack does: signed slash commands, interactivity payloads and
 * Events API callbacks, so end-to-end tests and the browser sandbox exercise Bolt's real
 * receiver path. Shipped (not only a test helper) because `npm run sandbox` signs the page's
 * clicks with it.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface SlackHttpResponse {
  status: number;
  body: string;
  json?: unknown;
  headers: Record<string, string>;
}

/** Where a response_url belongs; matches the fake Slack's `responseUrl(id, origin)` argument. */
export interface ResponseUrlContext {
  channel?: string;
  messageTs?: string;
  userId?: string;
}

export interface SlackRequesterOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  signingSecret: string;
  teamId: string;
  teamDomain?: string;
  /** Default /slack/events. */
  path?: string;
  apiAppId?: string;
  /** Bot user the Events API `authorizations` name; defaults to the fake Slack's default bot. */
  botUserId?: string;
  responseUrl?: (context: ResponseUrlContext) => string;
  /** Current time in seconds; lets tests send stale or future timestamps. */
  now?: () => number;
  /**
   * How a built request reaches the app; by default an HTTP POST to `baseUrl` + `path`. The
   * Socket Mode test rig delivers the very same bodies as WebSocket envelopes instead.
   */
  transport?: (request: SlackTransportRequest) => Promise<SlackHttpResponse>;
}

/** One request as Slack would POST it: the body, its content type and all headers (signature, retries). */
export interface SlackTransportRequest {
  body: string;
  contentType: string;
  headers: Record<string, string>;
}

export interface Who {
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  teamId?: string;
}

export interface OptionObject {
  value: string;
  text?: { type: 'plain_text' | 'mrkdwn'; text: string };
}

export interface ViewInput {
  id?: string;
  type?: 'modal' | 'home';
  callback_id?: string;
  private_metadata?: string;
  hash?: string;
  external_id?: string;
  title?: unknown;
  blocks?: unknown[];
  root_view_id?: string;
  previous_view_id?: string | null;
  [key: string]: unknown;
}

export interface BlockActionOptions {
  actionId: string;
  blockId: string;
  /** Element type; defaults to static_select when selectedOption is given, else button. */
  type?: string;
  value?: string;
  selectedOption?: OptionObject;
  /** Extra action fields, e.g. selected_date, selected_user, selected_options. */
  action?: Record<string, unknown>;
  userId: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  messageTs?: string;
  /** The message the button sits on; defaults to a bot message with that ts. */
  message?: Record<string, unknown>;
  isEphemeral?: boolean;
  /** Set when the action happened inside a modal or home tab. */
  view?: ViewInput;
  stateValues?: ViewStateValues;
  triggerId?: string;
}

export interface ViewSubmissionOptions {
  /** Defaults to view.callback_id. */
  callbackId?: string;
  userId: string;
  userName?: string;
  values: ViewStateValues;
  privateMetadata?: string;
  viewId?: string;
  hash?: string;
  triggerId?: string;
  /** A view as returned by views.open (e.g. from the fake Slack) to submit; fields above override it. */
  view?: ViewInput;
}

export interface ViewClosedOptions {
  callbackId?: string;
  userId: string;
  userName?: string;
  privateMetadata?: string;
  viewId?: string;
  hash?: string;
  isCleared?: boolean;
  view?: ViewInput;
}

export interface MessageShortcutOptions {
  callbackId: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  message: { ts: string; text: string; user: string; [key: string]: unknown };
  triggerId?: string;
}

export interface EventOptions {
  eventId?: string;
  eventTime?: number;
  retryNum?: number;
  retryReason?: string;
}

export interface RawRequestOptions {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  /** Default true (valid signature). An object signs with another secret and/or timestamp. */
  sign?: boolean | { secret?: string; timestamp?: number };
}

export interface SlackRequester {
  command(command: string, text: string, who: Who, extra?: Record<string, string>): Promise<SlackHttpResponse>;
  blockAction(opts: BlockActionOptions): Promise<SlackHttpResponse>;
  viewSubmission(opts: ViewSubmissionOptions): Promise<SlackHttpResponse>;
  viewClosed(opts: ViewClosedOptions): Promise<SlackHttpResponse>;
  messageShortcut(opts: MessageShortcutOptions): Promise<SlackHttpResponse>;
  event(event: Record<string, unknown>, opts?: EventOptions): Promise<SlackHttpResponse>;
  urlVerification(challenge: string): Promise<SlackHttpResponse>;
  raw(opts: RawRequestOptions): Promise<SlackHttpResponse>;
}

export type ViewStateValues = Record<string, Record<string, Record<string, unknown>>>;

type InputOption = OptionObject | string;

/** One input's state; a bare string is shorthand for a plain_text_input value. */
export type InputValue =
  | string
  | {
      type: string;
      value?: string | null;
      selected_option?: InputOption | null;
      selected_options?: InputOption[];
      selected_date?: string | null;
      selected_time?: string | null;
      selected_date_time?: number | null;
      selected_user?: string | null;
      selected_users?: string[];
      selected_conversation?: string | null;
      selected_conversations?: string[];
      selected_channel?: string | null;
      [key: string]: unknown;
    };

const LEGACY_VERIFICATION_TOKEN = 'fake-verification-token';
const DEFAULT_APP_ID = 'A0FAKEAPP1';
const DEFAULT_BOT_USER_ID = 'U0FAKEBOT1';

function toOption(o: InputOption): OptionObject {
  const option = typeof o === 'string' ? { value: o } : o;
  return { text: option.text ?? { type: 'plain_text', text: option.value }, value: option.value };
}

/** Builds `view.state.values`, expanding string shorthands into full Slack shapes. */
export function inputValues(record: Record<string, Record<string, InputValue>>): ViewStateValues {
  const values: ViewStateValues = {};
  for (const [blockId, actions] of Object.entries(record)) {
    const block: Record<string, Record<string, unknown>> = {};
    for (const [actionId, input] of Object.entries(actions)) {
      if (typeof input === 'string') {
        block[actionId] = { type: 'plain_text_input', value: input };
        continue;
      }
      const { selected_option, selected_options, ...rest } = input;
      block[actionId] = {
        ...rest,
        ...(selected_option !== undefined ? { selected_option: selected_option === null ? null : toOption(selected_option) } : {}),
        ...(selected_options !== undefined ? { selected_options: selected_options.map(toOption) } : {}),
      };
    }
    values[blockId] = block;
  }
  return values;
}

/** Slack's v0 request signature. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

let sequence = 0;

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Trigger ids look like "<13 digits>.<10 digits>.<32 hex>" and are unique per interaction. */
export function newTriggerId(): string {
  sequence += 1;
  return `${Date.now()}${String(sequence).padStart(3, '0').slice(-3)}.${1_000_000_000 + sequence}.${randomHex(16)}`;
}

function actionTs(nowSeconds: number): string {
  sequence += 1;
  return `${nowSeconds}.${String(sequence % 1_000_000).padStart(6, '0')}`;
}

export function createSlackRequester(opts: SlackRequesterOptions): SlackRequester {
  const path = opts.path ?? '/slack/events';
  const url = `${opts.baseUrl.replace(/\/$/, '')}${path}`;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const appId = opts.apiAppId ?? DEFAULT_APP_ID;
  const teamDomain = opts.teamDomain ?? 'fake-workspace';
  const team = { id: opts.teamId, domain: teamDomain };

  const responseUrl = (context: ResponseUrlContext): string =>
    opts.responseUrl?.(context) ??
    `https://hooks.slack.com/actions/${opts.teamId}/${Date.now()}/${randomHex(12)}`;

  const user = (userId: string, userName?: string) => ({
    id: userId,
    username: userName ?? userId.toLowerCase(),
    name: userName ?? userId.toLowerCase(),
    team_id: opts.teamId,
  });

  const viewObject = (input: ViewInput | undefined, override: ViewInput, values?: ViewStateValues): Record<string, unknown> => {
    const id = override.id ?? input?.id ?? `V0${randomHex(5).toUpperCase()}`;
    return {
      team_id: opts.teamId,
      type: 'modal',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      hash: `${now()}.${randomHex(4)}`,
      title: { type: 'plain_text', text: 'Modal', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: appId,
      external_id: '',
      app_installed_team_id: opts.teamId,
      bot_id: 'B0FAKEBOT1',
      ...input,
      ...Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)),
      id,
      state: { values: values ?? (isValues(input?.state) ? input.state.values : {}) },
    };
  };

  async function send(body: string, contentType: string, headers: Record<string, string> = {}, sign: RawRequestOptions['sign'] = true): Promise<SlackHttpResponse> {
    const signing: Record<string, string> = {};
    if (sign !== false) {
      const timestamp = typeof sign === 'object' && sign.timestamp !== undefined ? sign.timestamp : now();
      const secret = typeof sign === 'object' && sign.secret !== undefined ? sign.secret : opts.signingSecret;
      signing['x-slack-request-timestamp'] = String(timestamp);
      signing['x-slack-signature'] = slackSignature(secret, timestamp, body);
    }
    if (opts.transport !== undefined) return opts.transport({ body, contentType, headers: { ...signing, ...headers } });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...signing, ...headers },
      body,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: text, json, headers: Object.fromEntries(res.headers.entries()) };
  }

  const sendForm = (fields: Record<string, string>): Promise<SlackHttpResponse> =>
    send(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');

  const sendPayload = (payload: Record<string, unknown>): Promise<SlackHttpResponse> =>
    sendForm({ payload: JSON.stringify(payload) });

  const common = () => ({
    team,
    api_app_id: appId,
    token: LEGACY_VERIFICATION_TOKEN,
    enterprise: null,
    is_enterprise_install: false,
  });

  return {
    command(command, text, who, extra = {}) {
      return sendForm({
        token: LEGACY_VERIFICATION_TOKEN,
        team_id: who.teamId ?? opts.teamId,
        team_domain: teamDomain,
        channel_id: who.channelId,
        channel_name: who.channelName ?? (who.channelId.startsWith('D') ? 'directmessage' : who.channelId.toLowerCase()),
        user_id: who.userId,
        user_name: who.userName ?? who.userId.toLowerCase(),
        command,
        text,
        api_app_id: appId,
        is_enterprise_install: 'false',
        response_url: responseUrl({ channel: who.channelId, userId: who.userId }),
        trigger_id: newTriggerId(),
        ...extra,
      });
    },

    blockAction(o) {
      const nowSeconds = now();
      const action: Record<string, unknown> = {
        action_id: o.actionId,
        block_id: o.blockId,
        type: o.type ?? (o.selectedOption ? 'static_select' : 'button'),
        action_ts: actionTs(nowSeconds),
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(o.selectedOption ? { selected_option: toOption(o.selectedOption) } : {}),
        ...o.action,
      };
      const base = { type: 'block_actions', user: user(o.userId, o.userName), ...common(), trigger_id: o.triggerId ?? newTriggerId(), actions: [action] };
      if (o.view) {
        const view = viewObject(o.view, {}, o.stateValues);
        return sendPayload({
          ...base,
          container: { type: 'view', view_id: view.id },
          view,
          state: view.state,
        });
      }
      const channelId = o.channelId ?? '';
      const messageTs = o.messageTs ?? o.message?.ts;
      const ts = typeof messageTs === 'string' ? messageTs : actionTs(nowSeconds);
      return sendPayload({
        ...base,
        container: { type: 'message', message_ts: ts, channel_id: channelId, is_ephemeral: o.isEphemeral ?? false },
        channel: { id: channelId, name: o.channelName ?? channelId.toLowerCase() },
        ...(o.isEphemeral ? {} : { message: { type: 'message', user: opts.botUserId ?? DEFAULT_BOT_USER_ID, text: '', ts, ...o.message } }),
        state: { values: o.stateValues ?? {} },
        response_url: responseUrl({ channel: channelId, messageTs: ts, userId: o.userId }),
      });
    },

    viewSubmission(o) {
      const view = viewObject(
        o.view,
        { id: o.viewId, callback_id: o.callbackId, private_metadata: o.privateMetadata, hash: o.hash },
        o.values,
      );
      return sendPayload({
        type: 'view_submission',
        user: user(o.userId, o.userName),
        ...common(),
        trigger_id: o.triggerId ?? newTriggerId(),
        view,
        response_urls: [],
      });
    },

    viewClosed(o) {
      const view = viewObject(o.view, { id: o.viewId, callback_id: o.callbackId, private_metadata: o.privateMetadata, hash: o.hash });
      return sendPayload({ type: 'view_closed', user: user(o.userId, o.userName), ...common(), view, is_cleared: o.isCleared ?? false });
    },

    messageShortcut(o) {
      return sendPayload({
        type: 'message_action',
        ...common(),
        callback_id: o.callbackId,
        trigger_id: o.triggerId ?? newTriggerId(),
        action_ts: actionTs(now()),
        user: user(o.userId, o.userName),
        channel: { id: o.channelId, name: o.channelName ?? o.channelId.toLowerCase() },
        message_ts: o.message.ts,
        message: { type: 'message', ...o.message },
        response_url: responseUrl({ channel: o.channelId, messageTs: o.message.ts, userId: o.userId }),
      });
    },

    event(event, o = {}) {
      const eventTime = o.eventTime ?? now();
      const body = {
        token: LEGACY_VERIFICATION_TOKEN,
        team_id: opts.teamId,
        api_app_id: appId,
        event: { event_ts: actionTs(eventTime), ...event },
        type: 'event_callback',
        event_id: o.eventId ?? `Ev0${randomHex(5).toUpperCase()}`,
        event_time: eventTime,
        authorizations: [
          { enterprise_id: null, team_id: opts.teamId, user_id: opts.botUserId ?? DEFAULT_BOT_USER_ID, is_bot: true, is_enterprise_install: false },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${randomHex(12)}`,
      };
      const headers: Record<string, string> = {};
      if (o.retryNum !== undefined) headers['x-slack-retry-num'] = String(o.retryNum);
      if (o.retryReason !== undefined) headers['x-slack-retry-reason'] = o.retryReason;
      return send(JSON.stringify(body), 'application/json', headers);
    },

    urlVerification(challenge) {
      return send(JSON.stringify({ token: LEGACY_VERIFICATION_TOKEN, challenge, type: 'url_verification' }), 'application/json');
    },

    raw(o) {
      return send(o.body, o.contentType, o.headers, o.sign ?? true);
    },
  };
}

function isValues(v: unknown): v is { values: ViewStateValues } {
  return typeof v === 'object' && v !== null && 'values' in v && typeof v.values === 'object' && v.values !== null;
}
