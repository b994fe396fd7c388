import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyError, multipart, parseArgs, readBody, sendJson, sendText } from './http.js';
import { METHODS } from './methods/index.js';
import { tokenError } from './methods/apps.js';
import { authorizeInstall, revokeTeamTokens, teamOfToken } from './methods/oauth.js';
import { DOWNLOAD_PATH, findFile, receiveUpload, UPLOAD_PATH } from './methods/files.js';
import { storeMessage } from './methods/chat.js';
import { RateLimiter } from './rate-limits.js';
import { applyResponse } from './responses.js';
import { newTriggerId } from './slack-request.js';
import {
  addChannel,
  addUser,
  createState,
  dmIdFor,
  newId,
  resetActivity,
  resolveChannel,
  type FakeState,
  type Json,
} from './state.js';
import type { ActivityEvent, FakeSlack, FakeSlackOptions, Fault, Probed, ResponseUrlOrigin, StoredMessage } from './types.js';

export type * from './types.js';

const RESPOND_PATH = '/respond/';
/** Marks a response_url post as a command's ack body, forwarded by the sandbox: never held. */
export const ACK_ANSWER_HEADER = 'x-fake-slack-ack-answer';
const API_PATH = '/api/';
/** Fault keys for the two non-method endpoints. */
const RESPONSE_URL_KEY = 'response_url';
const UPLOAD_KEY = 'files.upload';

interface Runtime {
  state: FakeState;
  origin: string;
  faults: Map<string, Fault[]>;
  listeners: Set<(e: ActivityEvent) => void>;
  sleepers: Set<() => void>;
  /** Undefined when rate limits are off. */
  limiter: RateLimiter | undefined;
}

function emit(rt: Runtime, e: ActivityEvent): void {
  for (const listener of rt.listeners) listener(e);
}

function takeFault(rt: Runtime, key: string, teamId?: string): Fault | undefined {
  const queue = rt.faults.get(key);
  const index = queue?.findIndex((f) => f.teamId === undefined || f.teamId === teamId) ?? -1;
  const fault = index === -1 ? undefined : queue?.splice(index, 1)[0];
  if (queue && queue.length === 0) rt.faults.delete(key);
  return fault;
}

function sleep(rt: Runtime, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      rt.sleepers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    rt.sleepers.add(done);
  });
}

function clientGone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

/**
 * Answers an injected fault. Returns true when the request is fully answered; a delay fault
 * only waits and lets normal handling continue (unless the client gave up meanwhile).
 */
async function answerFault(rt: Runtime, res: ServerResponse, fault: Fault, okFalseStatus: number): Promise<{ handled: boolean; error?: string }> {
  if ('delayMs' in fault) {
    await sleep(rt, fault.delayMs);
    return clientGone(res) ? { handled: true, error: 'client_gone' } : { handled: false };
  }
  if ('error' in fault) {
    sendJson(res, okFalseStatus, { ok: false, error: fault.error });
    return { handled: true, error: fault.error };
  }
  if (fault.status === 429) {
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds) });
    return { handled: true, error: 'ratelimited' };
  }
  sendText(res, fault.status, fault.status === 503 ? 'Service Unavailable' : 'Internal Server Error');
  return { handled: true, error: `http_${fault.status}` };
}

function tokenFrom(req: IncomingMessage, args: Json): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return typeof args.token === 'string' && args.token.length > 0 ? args.token : undefined;
}

async function handleApi(rt: Runtime, req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams): Promise<void> {
  const { state } = rt;
  const record = (args: Json, ok: boolean, error?: string): void => {
    const { token: _token, ...rest } = args;
    const teamId = teamOfToken(state, tokenFrom(req, args));
    state.calls.push({ method, args: rest, ok, ...(error ? { error } : {}), at: Date.now(), ...(teamId === undefined ? {} : { teamId }) });
    emit(rt, { kind: 'call', method });
  };

  let args: Json;
  try {
    args = await parseArgs(String(req.headers['content-type'] ?? ''), await readBody(req), query);
  } catch (err) {
    const error = err instanceof BodyError ? err.message : 'invalid_form_data';
    record({}, false, error);
    return sendJson(res, 200, { ok: false, error });
  }

  const token = tokenFrom(req, args);
  const authError = tokenError(state, method, token);
  if (authError) {
    record(args, false, authError);
    return sendJson(res, 200, { ok: false, error: authError });
  }

  if (rt.limiter !== undefined) {
    const channel = typeof args.channel === 'string' ? (resolveChannel(state, args.channel) ?? args.channel) : undefined;
    // Limits are per app per workspace: each workspace's install has its own bot token.
    const decision = rt.limiter.take(token ?? state.teamId, method, method === 'chat.postMessage' ? channel : undefined);
    if (!decision.ok) {
      record(args, false, 'ratelimited');
      return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(decision.retryAfterSeconds) });
    }
  }

  const fault = takeFault(rt, method, teamOfToken(state, token));
  if (fault && 'delayMs' in fault && fault.thenStore === true) {
    await sleep(rt, fault.delayMs);
    const handler = METHODS[method];
    const result = handler ? handler(args, { state, origin: rt.origin, token: tokenFrom(req, args) }) : { ok: false, error: 'unknown_method' };
    if (clientGone(res)) return record(args, false, 'client_gone_after_store');
    record(args, result.ok === true, result.ok === true ? undefined : String(result.error));
    return sendJson(res, 200, result);
  }
  if (fault) {
    const outcome = await answerFault(rt, res, fault, 200);
    if (outcome.handled) return record(args, false, outcome.error);
  }

  const handler = METHODS[method];
  if (!handler) {
    record(args, false, 'unknown_method');
    return sendJson(res, 200, { ok: false, error: 'unknown_method', req_method: method });
  }
  const result = handler(args, { state, origin: rt.origin, token: tokenFrom(req, args) });
  record(args, result.ok, result.ok ? undefined : String(result.error));
  sendJson(res, 200, result);
}

async function handleUpload(rt: Runtime, req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
  const raw = await readBody(req);
  const fault = takeFault(rt, UPLOAD_KEY);
  if (fault && (await answerFault(rt, res, fault, 400)).handled) return;
  const contentType = String(req.headers['content-type'] ?? '');
  let content = raw;
  if (contentType.startsWith('multipart/form-data')) {
    // The WebClient wraps the bytes in a multipart field; take the first file part.
    const form = await multipart(contentType, raw).catch(() => undefined);
    const part = form ? [...form.values()].find((v): v is File => typeof v !== 'string') : undefined;
    if (part) content = Buffer.from(await part.arrayBuffer());
  }
  const received = receiveUpload(rt.state, fileId, content);
  if (!received.ok) return sendText(res, received.status, received.error);
  sendText(res, 200, `OK - ${content.length}`);
}

function handleDownload(rt: Runtime, res: ServerResponse, fileId: string): void {
  const file = findFile(rt.state, fileId);
  if (!file) return sendText(res, 404, 'file_not_found');
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': file.content.length,
    'content-disposition': `attachment; filename="${(file.filename ?? file.id).replace(/"/g, '')}"`,
  });
  res.end(file.content);
}

async function handleRespond(rt: Runtime, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const raw = await readBody(req);
  // The sandbox forwards a command's ack body itself (header ACK_ANSWER_HEADER); what the app's
  // work posts later waits until that is shown, as in Slack, where the ack's answer comes first.
  if (req.headers[ACK_ANSWER_HEADER] === undefined) await rt.state.responseUrls.get(id)?.held;
  const fault = takeFault(rt, RESPONSE_URL_KEY);
  // response_url errors are non-2xx at Slack, which is what makes Bolt's respond() throw.
  if (fault && (await answerFault(rt, res, fault, 404)).handled) return;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
  }
  const outcome = applyResponse(rt.state, id, body as Json);
  if (!outcome.ok) {
    return sendJson(res, outcome.status, { ok: false, error: outcome.error, ...(outcome.errors ? { errors: outcome.errors } : {}) });
  }
  emit(rt, { kind: 'response' });
  sendJson(res, 200, { ok: true });
}

async function route(rt: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', rt.origin);
  const path = decodeURIComponent(url.pathname);
  const post = req.method === 'POST';
  if (path.startsWith(API_PATH) && (post || req.method === 'GET')) {
    return handleApi(rt, req, res, path.slice(API_PATH.length), url.searchParams);
  }
  if (post && path.startsWith(UPLOAD_PATH)) return handleUpload(rt, req, res, path.slice(UPLOAD_PATH.length));
  if (post && path.startsWith(RESPOND_PATH)) return handleRespond(rt, req, res, path.slice(RESPOND_PATH.length));
  if (req.method === 'GET' && path.startsWith(DOWNLOAD_PATH)) return handleDownload(rt, res, path.slice(DOWNLOAD_PATH.length));
  sendText(res, 404, 'not_found');
}

function describeCalls(state: FakeState): string {
  const recent = state.calls.slice(-10).map((c) => `${c.method} ${c.ok ? 'ok' : `error=${c.error ?? '?'}`}`);
  return recent.length > 0 ? recent.join(', ') : 'none';
}

export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const state = createState(options);
  const rt: Runtime = { state, origin: '', faults: new Map(), listeners: new Set(), sleepers: new Set(), limiter: options.rateLimits === false ? undefined : new RateLimiter() };
  const server: Server = createServer((req, res) => {
    route(rt, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fake_internal_error', detail: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  rt.origin = `http://${host}:${address.port}`;

  const messages = (channel?: string): StoredMessage[] => {
    const id = channel === undefined ? undefined : (resolveChannel(state, channel) ?? channel);
    return state.messages.filter((m) => id === undefined || m.channel === id).map((m) => ({ ...m }));
  };

  const waitFor = <T>(probe: () => Probed<T> | Promise<Probed<T>>, timeoutMs = 5000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let lastError: unknown;
      let done = false;
      // An asynchronous probe (a database read) is not asked again while it is still answering.
      let probing = false;
      const finish = (): void => {
        done = true;
        clearInterval(interval);
        clearTimeout(timer);
        unsubscribe();
      };
      const accept = (value: Probed<T>): void => {
        if (done || value === undefined || value === null || value === false) return;
        finish();
        resolve(value);
      };
      const check = (): void => {
        if (done || probing) return;
        let value: Probed<T> | Promise<Probed<T>>;
        try {
          value = probe();
        } catch (err) {
          lastError = err;
          return;
        }
        if (!(value instanceof Promise)) return accept(value);
        probing = true;
        value.then(
          (answer) => {
            probing = false;
            accept(answer);
          },
          (err: unknown) => {
            probing = false;
            lastError = err;
          },
        );
      };
      rt.listeners.add(check);
      const unsubscribe = (): boolean => rt.listeners.delete(check);
      const interval = setInterval(check, 20);
      const timer = setTimeout(() => {
        finish();
        const cause = lastError instanceof Error ? ` Last probe error: ${lastError.message}.` : '';
        reject(new Error(`fake Slack waitFor timed out after ${timeoutMs} ms.${cause} Recent calls: ${describeCalls(state)}`));
      }, timeoutMs);
      check();
    });

  return {
    url: `${rt.origin}${API_PATH}`,
    origin: rt.origin,
    teamId: state.teamId,
    botUserId: state.botUserId,
    botId: state.botId,
    calls: state.calls,
    callsTo: (method) => state.calls.filter((c) => c.method === method),
    messages,
    responses: state.responses,
    views: state.views,
    files: state.files,
    scheduled: state.scheduled,
    responseUrl(id?: string, origin?: ResponseUrlOrigin): string {
      const key = id ?? newId(state, 'R');
      state.responseUrls.set(key, { ...origin, uses: 0 });
      return `${rt.origin}${RESPOND_PATH}${encodeURIComponent(key)}`;
    },
    holdResponses(url: string): () => void {
      const record = state.responseUrls.get(decodeURIComponent(url.slice(url.lastIndexOf(RESPOND_PATH) + RESPOND_PATH.length)));
      if (record === undefined) return () => undefined;
      let release: () => void = () => undefined;
      record.held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        delete record.held;
        release();
      };
    },
    waitFor,
    failNext(method: string, fault: Fault, times = 1): void {
      const queue = rt.faults.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(fault);
      rt.faults.set(method, queue);
    },
    pendingFaults: (method) => rt.faults.get(method)?.length ?? 0,
    authorizeInstall: (grant) => authorizeInstall(state, grant),
    issuedTokens: () => [...(state.oauth?.tokens.entries() ?? [])].filter(([, t]) => t.kind === 'bot').map(([token]) => token),
    revokeTokens: (teamId = state.teamId) => revokeTeamTokens(state, teamId),
    addUser: (u) => addUser(state, u),
    addChannel: (c) => addChannel(state, c),
    dmChannelId: (userId) => dmIdFor(userId),
    homeView: (userId) => {
      const id = state.homeViewIds.get(userId);
      return id === undefined ? undefined : state.views.get(id);
    },
    clearFaults(): void {
      rt.faults.clear();
    },
    reset(): void {
      resetActivity(state);
      rt.faults.clear();
      rt.limiter?.reset();
    },
    async close(): Promise<void> {
      for (const wake of [...rt.sleepers]) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    newTrigger(userId: string): string {
      const trigger = newTriggerId();
      state.triggerOwners.set(trigger, userId);
      return trigger;
    },
    viewOwner: (viewId) => state.viewOwners.get(viewId),
    postUserMessage(m) {
      const channel = resolveChannel(state, m.channel) ?? m.channel;
      const stored = storeMessage(state, { channel, text: m.text, threadTs: m.threadTs, ephemeral: false, author: m.user });
      emit(rt, { kind: 'call', method: 'user.message' });
      return { ...stored };
    },
    onActivity(listener) {
      rt.listeners.add(listener);
      return () => {
        rt.listeners.delete(listener);
      };
    },
  };
}
