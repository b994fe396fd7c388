import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodies, person } from './api-bodies.js';
import { createSandboxContext } from './context.js';
import { contentTypeOf, HttpProblem, parse, PUBLIC_DIR, readJson, SECURITY_HEADERS, sendJson, STATIC_FILES, type SandboxRouteDeps } from './http.js';
import { createPageActions } from './page-actions.js';
import { createPageState } from './page-state.js';
import { checkSandboxRequest } from './request-guard.js';
import { PEOPLE } from './workspace.js';

export type { SandboxRouteDeps } from './http.js';

/**
 * The page's JSON API and static files, mounted on the bot's own HTTP server as extra routes.
 * Everything the page asks for becomes either a read of the fake Slack's state (page-state.ts) or a
 * signed request to /slack/events (page-actions.ts); context.ts holds what they share.
 */
export function createSandboxRoutes(deps: SandboxRouteDeps): { handle: (req: IncomingMessage, res: ServerResponse) => boolean; close(): void } {
  const ctx = createSandboxContext(deps);
  const { send, action, submit, close, shortcut, digests, homeOpened } = createPageActions(ctx);
  const { state } = createPageState(ctx);
  const { fake, waitForChange, stop, version } = ctx;
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


  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (req.method === 'GET') {
      if (path in STATIC_FILES) return serveStatic(res, path);
      if (path === '/sandbox/api/state') return sendJson(res, 200, await state(parse(person, url.searchParams.get('as') ?? PEOPLE.coordinator.id)));
      if (path === '/sandbox/api/wait') {
        await waitForChange(Number(url.searchParams.get('since') ?? '0'));
        return sendJson(res, 200, { version: version() });
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
    close: stop,
  };
}
