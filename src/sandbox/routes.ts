import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SlackHttpResponse, SlackRequester } from '../fake-slack/slack-request.js';
import type { FakeSlack, StoredMessage } from '../fake-slack/types.js';
import type { AppLogger } from '../logger.js';
import { CommandNames, ShortcutIds } from '../slack/ids.js';
import { checkSandboxRequest } from './request-guard.js';
import { encodeTyped, splitCommand, type Directory } from './text.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from './workspace.js';

/** Slack's own user id for Slackbot; the sandbox speaks as it for its own notices. */
const SLACKBOT = 'USLACKBOT';
const LONG_POLL_MS = 25_000;
const MAX_BODY_BYTES = 1_000_000;
const PUBLIC_DIR = new URL('./public/', import.meta.url);
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/render.js': { file: 'render.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // Browsers ask for /favicon.ico whatever the page links; both answer with the same icon.
  '/sandbox/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  '/favicon.ico': { file: 'favicon.svg', type: 'image/svg+xml' },
};
/** The page builds every node from data; nothing inline may run even if a bug let markup in. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** What a downloaded file is, by its name: calendar files open in a calendar, CSVs in a spreadsheet, charts as images. */
function contentTypeOf(name: string): string {
  if (name.endsWith('.ics')) return 'text/calendar; charset=utf-8';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.png')) return 'image/png';
  return 'application/octet-stream';
}

const SHORTCUT_NAMES: Record<string, string> = { [ShortcutIds.logAsIssue]: 'Log as issue' };

export interface SandboxRouteDeps {
  fake: FakeSlack;
  logger: AppLogger;
  coordinators: readonly string[];
  isStoredCoordinator: (userId: string) => boolean;
  requester: () => SlackRequester;
  sendDigests: () => Promise<string>;
}

interface Notice {
  channel: string;
  user: string;
  text: string;
  ts: string;
}

type Json = Record<string, unknown>;

const person = z.string().regex(/^U[A-Z0-9]+$/);
const optionSchema = z.object({ value: z.string(), text: z.object({ type: z.string(), text: z.string() }).optional() });
const actionSchema = z.object({
  type: z.string(),
  action_id: z.string(),
  block_id: z.string(),
  value: z.string().optional(),
  text: z.unknown().optional(),
  selected_option: optionSchema.nullable().optional(),
  selected_options: z.array(optionSchema).optional(),
  selected_date: z.string().nullable().optional(),
  selected_time: z.string().nullable().optional(),
  selected_user: z.string().nullable().optional(),
  selected_users: z.array(z.string()).optional(),
  selected_conversation: z.string().nullable().optional(),
  selected_channel: z.string().nullable().optional(),
});
const stateValues = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const bodies = {
  send: z.object({ as: person, channel: z.string().min(1), text: z.string().min(1).max(40_000), threadTs: z.string().optional() }),
  action: z.object({
    as: person,
    channel: z.string().optional(),
    messageTs: z.string().optional(),
    viewId: z.string().optional(),
    action: actionSchema,
    values: stateValues.optional(),
  }),
  submit: z.object({ as: person, viewId: z.string().min(1), values: stateValues }),
  close: z.object({ as: person, viewId: z.string().min(1) }),
  shortcut: z.object({ as: person, channel: z.string().min(1), messageTs: z.string().min(1), callbackId: z.string().min(1) }),
  digests: z.object({ as: person, channel: z.string().min(1) }),
  homeOpened: z.object({ as: person }),
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'request too large');
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'invalid JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpProblem(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(text);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The page's JSON API and static files, mounted on the bot's own HTTP server as extra routes.
 * Everything the page asks for becomes either a read of the fake Slack's state or a signed
 * request to /slack/events; the sandbox adds only what Slack's client would do itself (showing
 * ack bodies, closing or updating modals after a submission, Slackbot notices on failures).
 */
export function createSandboxRoutes(deps: SandboxRouteDeps): { handle: (req: IncomingMessage, res: ServerResponse) => boolean; close(): void } {
  const { fake } = deps;
  let version = 0;
  const waiters = new Set<() => void>();
  const notices: Notice[] = [];
  const viewErrors = new Map<string, Record<string, string>>();
  let noticeCounter = 0;

  const bump = (): void => {
    version += 1;
    for (const wake of [...waiters]) wake();
  };
  const unsubscribe = fake.onActivity(bump);

  const people = Object.values(PEOPLE);
  const channels = Object.values(CHANNELS);
  const directory: Directory = { people, channels };
  const personById = (id: string) => people.find((p) => p.id === id);
  // The same rule as the ActorResolver: configured, stored, or a workspace admin.
  const isCoordinator = (id: string): boolean => {
    const p = personById(id);
    return deps.coordinators.includes(id) || deps.isStoredCoordinator(id) || (p !== undefined && 'isAdmin' in p && p.isAdmin);
  };

  const notify = (user: string, channel: string, text: string): void => {
    noticeCounter += 1;
    notices.push({ user, channel, text, ts: `${Math.floor(Date.now() / 1000)}.${String(noticeCounter).padStart(6, '0')}` });
    bump();
  };

  const channelName = (id: string): string => channels.find((c) => c.id === id)?.name ?? (id.startsWith('D') ? 'directmessage' : id.toLowerCase());

  /** Slack's client shows a failed request as a Slackbot line; so does the sandbox. */
  const reportFailure = (as: string, channel: string, what: string, response: SlackHttpResponse): void => {
    if (response.status === 200) return;
    deps.logger.event('warn', 'sandbox: the app did not answer 200', { what, status: response.status });
    notify(as, channel, `${what} failed: the app answered HTTP ${response.status}. (In Slack this reads "failed with the error \\"dispatch_failed\\"".)`);
  };

  const storedMessage = (channel: string, ts: string): StoredMessage | undefined =>
    fake.messages(channel).find((m) => m.ts === ts && !m.deleted);

  const messagePayload = (m: StoredMessage): Json => ({
    type: 'message',
    ts: m.ts,
    text: m.text ?? '',
    user: m.author ?? fake.botUserId,
    ...(m.author === undefined ? { bot_id: fake.botId } : {}),
    ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
    ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
  });

  const viewFor = (viewId: string, as: string): Json => {
    const view = fake.views.get(viewId);
    // A person's own Home tab, as Slack shows it to them alone.
    const home = fake.homeView(as);
    if (isObject(view) && view.type === 'home' && isObject(home) && home.id === viewId) return view;
    if (!isObject(view) || view.type !== 'modal') throw new HttpProblem(404, 'that modal is no longer open');
    if (ownerOf(viewId) !== as) throw new HttpProblem(403, 'that modal belongs to someone else');
    return view;
  };

  const ownerOf = (viewId: string): string | undefined => {
    const view = fake.views.get(viewId);
    const root = isObject(view) && typeof view.root_view_id === 'string' ? view.root_view_id : viewId;
    return fake.viewOwner(viewId) ?? fake.viewOwner(root);
  };

  const modalsOf = (as: string): Json[] =>
    [...fake.views.values()].filter((v): v is Json => isObject(v) && v.type === 'modal' && typeof v.id === 'string' && ownerOf(v.id) === as);

  const closeView = (viewId: string): void => {
    fake.views.delete(viewId);
    viewErrors.delete(viewId);
    bump();
  };

  // ---- commands and messages -------------------------------------------------------------

  const send = async (body: z.infer<typeof bodies.send>): Promise<Json> => {
    const typed = splitCommand(body.text);
    if (typed === undefined) {
      const text = encodeTyped(body.text, directory);
      const stored = fake.postUserMessage({ channel: body.channel, user: body.as, text, ...(body.threadTs === undefined ? {} : { threadTs: body.threadTs }) });
      return { ok: true, ts: stored.ts };
    }
    const known = Object.values(CommandNames) as string[];
    if (!known.includes(typed.command)) {
      notify(body.as, body.channel, `${typed.command} is not a valid command. Alliance answers ${known.join(', ')}.`);
      return { ok: false };
    }
    const me = personById(body.as);
    const responseUrl = fake.responseUrl(undefined, { channel: body.channel, userId: body.as });
    const response = await deps.requester().command(
      typed.command,
      encodeTyped(typed.text, directory),
      { userId: body.as, ...(me === undefined ? {} : { userName: me.name }), channelId: body.channel, channelName: channelName(body.channel) },
      { trigger_id: fake.newTrigger(body.as), response_url: responseUrl },
    );
    reportFailure(body.as, body.channel, typed.command, response);
    // An ack body is the command's answer: Slack shows it exactly as a response_url post.
    if (response.status === 200 && isObject(response.json) && (typeof response.json.text === 'string' || Array.isArray(response.json.blocks))) {
      const posted = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(response.json) });
      if (!posted.ok) notify(body.as, body.channel, `Slack refused the reply to ${typed.command} (${posted.status}: ${await posted.text()}).`);
    }
    return { ok: response.status === 200 };
  };

  // ---- interactivity -----------------------------------------------------------------------

  const action = async (body: z.infer<typeof bodies.action>): Promise<Json> => {
    const requester = deps.requester();
    const { action: a } = body;
    const common = {
      actionId: a.action_id,
      blockId: a.block_id,
      type: a.type,
      action: Object.fromEntries(Object.entries(a).filter(([key]) => key !== 'action_id' && key !== 'block_id' && key !== 'type')),
      userId: body.as,
      userName: personById(body.as)?.name,
      triggerId: fake.newTrigger(body.as),
      ...(body.values === undefined ? {} : { stateValues: body.values }),
    };
    if (body.viewId !== undefined) {
      const view = viewFor(body.viewId, body.as);
      const response = await requester.blockAction({ ...common, view: view });
      reportFailure(body.as, CHANNELS.general.id, 'That button', response);
      return { ok: response.status === 200 };
    }
    if (body.channel === undefined || body.messageTs === undefined) throw new HttpProblem(400, 'channel and messageTs are required');
    const message = storedMessage(body.channel, body.messageTs);
    if (message === undefined) throw new HttpProblem(404, 'that message is gone');
    const response = await requester.blockAction({
      ...common,
      channelId: body.channel,
      channelName: channelName(body.channel),
      messageTs: message.ts,
      isEphemeral: message.ephemeral,
      ...(message.ephemeral ? {} : { message: messagePayload(message) }),
    });
    reportFailure(body.as, body.channel, 'That button', response);
    return { ok: response.status === 200 };
  };

  const submit = async (body: z.infer<typeof bodies.submit>): Promise<Json> => {
    const view = viewFor(body.viewId, body.as);
    const response = await deps.requester().viewSubmission({
      userId: body.as,
      userName: personById(body.as)?.name,
      view: view,
      values: body.values,
      triggerId: fake.newTrigger(body.as),
    });
    if (response.status !== 200) {
      reportFailure(body.as, CHANNELS.general.id, 'Submitting the form', response);
      return { ok: false };
    }
    const ack = isObject(response.json) ? response.json : {};
    switch (ack.response_action) {
      case 'errors': {
        const errors = isObject(ack.errors) ? Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)])) : {};
        viewErrors.set(body.viewId, errors);
        bump();
        return { ok: true, errors };
      }
      case 'update':
        if (isObject(ack.view)) replaceView(body.viewId, ack.view);
        return { ok: true };
      case 'push':
        if (isObject(ack.view)) pushView(body.viewId, ack.view);
        return { ok: true };
      case 'clear':
        for (const modal of modalsOf(body.as)) closeView(String(modal.id));
        return { ok: true };
      default:
        closeView(body.viewId);
        return { ok: true };
    }
  };

  let viewCounter = 0;
  /**
   * `response_action: update` replaces the whole view, as Slack does: a confirmation without a
   * submit button must not keep the form's ("Log issue"), so only the stack's identity carries over.
   */
  const replaceView = (viewId: string, next: Json): void => {
    const current = fake.views.get(viewId);
    if (!isObject(current)) return;
    const kept = { team_id: current.team_id, app_id: current.app_id, bot_id: current.bot_id, previous_view_id: current.previous_view_id, root_view_id: current.root_view_id };
    fake.views.set(viewId, { ...kept, ...next, id: viewId, state: { values: {} }, hash: `${Date.now()}.sandbox${(viewCounter += 1)}` });
    viewErrors.delete(viewId);
    bump();
  };
  // A pushed view belongs to whoever owns the root of its stack (see ownerOf).
  const pushView = (previousId: string, next: Json): void => {
    const previous = fake.views.get(previousId);
    viewCounter += 1;
    const id = `V0SANDBOX${viewCounter}`;
    fake.views.set(id, {
      ...next,
      id,
      state: { values: {} },
      previous_view_id: previousId,
      root_view_id: isObject(previous) && typeof previous.root_view_id === 'string' ? previous.root_view_id : previousId,
      hash: `${Date.now()}.sandbox${viewCounter}`,
    });
    bump();
  };

  const close = async (body: z.infer<typeof bodies.close>): Promise<Json> => {
    const view = viewFor(body.viewId, body.as);
    closeView(body.viewId);
    // Slack tells the app only when the view asked for it.
    if (view.notify_on_close === true) {
      const response = await deps.requester().viewClosed({ userId: body.as, view: view });
      reportFailure(body.as, CHANNELS.general.id, 'Closing the form', response);
    }
    return { ok: true };
  };

  const shortcut = async (body: z.infer<typeof bodies.shortcut>): Promise<Json> => {
    const message = storedMessage(body.channel, body.messageTs);
    if (message === undefined || message.ephemeral) throw new HttpProblem(404, 'that message is gone');
    const payload = messagePayload(message);
    const response = await deps.requester().messageShortcut({
      callbackId: body.callbackId,
      userId: body.as,
      userName: personById(body.as)?.name,
      channelId: body.channel,
      channelName: channelName(body.channel),
      message: { ...payload, ts: message.ts, text: message.text ?? '', user: String(payload.user) },
      triggerId: fake.newTrigger(body.as),
    });
    reportFailure(body.as, body.channel, SHORTCUT_NAMES[body.callbackId] ?? body.callbackId, response);
    return { ok: response.status === 200 };
  };

  const digests = async (body: z.infer<typeof bodies.digests>): Promise<Json> => {
    if (!isCoordinator(body.as)) {
      notify(body.as, body.channel, 'Only coordinators can send digests.');
      return { ok: false };
    }
    const said = await deps.sendDigests();
    notify(body.as, body.channel, said);
    return { ok: true };
  };

  /** Opening Alliance's Home tab: Slack sends the app `app_home_opened` each time, and the app publishes it. */
  const homeOpened = async (body: z.infer<typeof bodies.homeOpened>): Promise<Json> => {
    const home = fake.homeView(body.as);
    const response = await deps.requester().event({
      type: 'app_home_opened',
      user: body.as,
      channel: fake.dmChannelId(body.as),
      tab: 'home',
      ...(isObject(home) ? { view: home } : {}),
    });
    reportFailure(body.as, fake.dmChannelId(body.as), 'Opening the Home tab', response);
    return { ok: response.status === 200 };
  };

  // ---- reads ---------------------------------------------------------------------------------

  const fileInfo = (id: string): Json => {
    const file = fake.files.find((f) => f.id === id);
    return {
      id,
      name: file?.filename ?? id,
      title: file?.title ?? file?.filename ?? id,
      size: file?.content.length ?? 0,
      url: `/sandbox/files/${encodeURIComponent(id)}`,
      // Images (report charts) are drawn in the message, as Slack does, with their alt text.
      image: /\.png$/i.test(file?.filename ?? ''),
      alt: file?.altText ?? '',
    };
  };

  const state = (as: string): Json => {
    const me = personById(as);
    if (me === undefined) throw new HttpProblem(404, 'no such person in the sandbox');
    const dm = fake.dmChannelId(as);
    const visible = [...channels.map((c) => c.id), dm];
    const messages: Record<string, Json[]> = {};
    for (const channel of visible) {
      const list: Json[] = fake
        .messages(channel)
        .filter((m) => !m.deleted && (!m.ephemeral || m.user === as))
        .map((m) => ({
          ts: m.ts,
          ...(m.threadTs === undefined ? {} : { threadTs: m.threadTs }),
          text: m.text ?? '',
          ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
          ephemeral: m.ephemeral,
          author: m.author ?? fake.botUserId,
          edited: m.updatedTs !== undefined,
          files: (m.files ?? []).map(fileInfo),
        }));
      for (const n of notices) {
        if (n.user === as && n.channel === channel) list.push({ ts: n.ts, text: n.text, ephemeral: true, author: SLACKBOT, edited: false, files: [] });
      }
      list.sort((a, b) => Number(a.ts) - Number(b.ts));
      messages[channel] = list;
    }
    const modals = modalsOf(as);
    const top = modals.at(-1);
    return {
      version,
      workspace: { id: WORKSPACE_ID, name: 'HCASM' },
      me: { ...me, isCoordinator: isCoordinator(as) },
      people: [
        ...people.map((p) => ({ id: p.id, name: p.name, realName: p.realName, tz: p.tz, external: 'teamId' in p })),
        { id: fake.botUserId, name: 'Alliance', realName: 'Alliance', tz: 'UTC', bot: true },
        { id: SLACKBOT, name: 'Slackbot', realName: 'Slackbot', tz: 'UTC', bot: true },
      ],
      channels: channels.map((c) => ({ id: c.id, name: c.name })),
      dms: [{ id: dm, name: 'Alliance', userId: fake.botUserId }],
      messages,
      modal: top === undefined ? null : { view: top, errors: viewErrors.get(String(top.id)) ?? {}, depth: modals.length },
      home: isObject(fake.homeView(as)) ? fake.homeView(as) : null,
      commands: Object.values(CommandNames),
      shortcuts: Object.entries(SHORTCUT_NAMES).map(([callbackId, name]) => ({ callbackId, name })),
    };
  };

  const serveFile = (res: ServerResponse, id: string): void => {
    const file = fake.files.find((f) => f.id === id);
    if (file === undefined) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    const name = (file.filename ?? file.id).replace(/[^A-Za-z0-9._-]/g, '_');
    res.writeHead(200, {
      'content-type': contentTypeOf(name),
      'content-disposition': `attachment; filename="${name}"`,
      'content-length': file.content.length,
      ...SECURITY_HEADERS,
    });
    res.end(file.content);
  };

  const serveStatic = async (res: ServerResponse, path: string): Promise<void> => {
    const entry = STATIC_FILES[path];
    if (entry === undefined) return sendJson(res, 404, { ok: false, error: 'not_found' });
    const content = await readFile(new URL(entry.file, PUBLIC_DIR));
    res.writeHead(200, { 'content-type': entry.type, ...SECURITY_HEADERS });
    res.end(content);
  };

  const waitForChange = (since: number): Promise<void> =>
    new Promise((resolve) => {
      if (version > since) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, LONG_POLL_MS);
      waiters.add(done);
    });

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (req.method === 'GET') {
      if (path in STATIC_FILES) return serveStatic(res, path);
      if (path === '/sandbox/api/state') return sendJson(res, 200, state(parse(person, url.searchParams.get('as') ?? PEOPLE.coordinator.id)));
      if (path === '/sandbox/api/wait') {
        await waitForChange(Number(url.searchParams.get('since') ?? '0'));
        return sendJson(res, 200, { version });
      }
      if (path.startsWith('/sandbox/files/')) return serveFile(res, decodeURIComponent(path.slice('/sandbox/files/'.length)));
    }
    if (req.method === 'POST') {
      const body = await readJson(req);
      switch (path) {
        case '/sandbox/api/send':
          return sendJson(res, 200, await send(parse(bodies.send, body)));
        case '/sandbox/api/action':
          return sendJson(res, 200, await action(parse(bodies.action, body)));
        case '/sandbox/api/submit':
          return sendJson(res, 200, await submit(parse(bodies.submit, body)));
        case '/sandbox/api/close':
          return sendJson(res, 200, await close(parse(bodies.close, body)));
        case '/sandbox/api/shortcut':
          return sendJson(res, 200, await shortcut(parse(bodies.shortcut, body)));
        case '/sandbox/api/digests':
          return sendJson(res, 200, await digests(parse(bodies.digests, body)));
        case '/sandbox/api/home-opened':
          return sendJson(res, 200, await homeOpened(parse(bodies.homeOpened, body)));
        default:
          break;
      }
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!(url.pathname in STATIC_FILES) && !url.pathname.startsWith('/sandbox/')) return false;
    const verdict = checkSandboxRequest(req, req.socket.localPort ?? 0);
    if (!verdict.ok) {
      deps.logger.event('warn', 'sandbox request refused', { path: url.pathname, status: verdict.status, reason: verdict.reason });
      req.resume();
      sendJson(res, verdict.status, { ok: false, error: verdict.reason });
      return true;
    }
    route(req, res, url).catch((error: unknown) => {
      const status = error instanceof HttpProblem ? error.status : 500;
      if (status === 500) deps.logger.event('error', 'sandbox request failed', { path: url.pathname, error });
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { ok: false, error: error instanceof Error ? error.message : String(error) });
    });
    return true;
  };

  return {
    handle,
    close: () => {
      unsubscribe();
      for (const wake of [...waiters]) wake();
    },
  };
}
