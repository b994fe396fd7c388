import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AppLogger } from '../logger.js';

/** Slack's own guidance: refuse requests whose timestamp is more than five minutes away from now. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export interface HttpServerDeps {
  /** Bolt's HTTPReceiver request listener: verifies the signature, parses, dispatches. */
  slackListener: (req: IncomingMessage, res: ServerResponse) => void;
  isHealthy: () => boolean;
  logger: AppLogger;
  nowSeconds?: () => number;
  slackPath?: string;
  /** Extra routes (the sandbox's pages); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Bolt checks only that a request is not older than five minutes; a timestamp from the future
 * (a replay prepared in advance, or a badly wrong clock) is refused here too, before Bolt
 * verifies the signature over the same timestamp.
 */
export function timestampAcceptable(header: string | string[] | undefined, nowSeconds: number): boolean {
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return false;
  return Math.abs(nowSeconds - Number(header)) <= MAX_CLOCK_SKEW_SECONDS;
}

export function createHttpServer(deps: HttpServerDeps): { server: Server; listen(port: number, host: string): Promise<RunningServer> } {
  const slackPath = deps.slackPath ?? '/slack/events';
  const nowSeconds = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  let inFlight = 0;
  let draining = false;
  const idleWaiters: Array<() => void> = [];

  const finished = () => {
    inFlight--;
    if (inFlight === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const server = createServer((req, res) => {
    inFlight++;
    res.on('close', finished);
    const path = (req.url ?? '/').split('?')[0];
    if (draining) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ ok: false, status: 'shutting down' }));
      return;
    }
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const healthy = deps.isHealthy();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(healthy ? { ok: true, database: 'ok' } : { ok: false, database: 'unavailable' }));
      return;
    }
    if (path === slackPath) {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' });
        res.end();
        return;
      }
      if (!timestampAcceptable(req.headers['x-slack-request-timestamp'], nowSeconds())) {
        deps.logger.event('warn', 'request refused: timestamp missing or more than 5 minutes off', { path });
        req.resume();
        res.writeHead(401);
        res.end();
        return;
      }
      deps.slackListener(req, res);
      return;
    }
    if (deps.extraRoutes?.(req, res) === true) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: 'not_found' }));
  });

  const listen = (port: number, host: string) =>
    new Promise<RunningServer>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        const actualPort = typeof address === 'object' && address !== null ? address.port : port;
        resolve({
          server,
          port: actualPort,
          close: async (timeoutMs = 10_000) => {
            draining = true;
            const closed = new Promise<void>((done) => server.close(() => done()));
            server.closeIdleConnections();
            const idle = new Promise<void>((done) => (inFlight === 0 ? done() : idleWaiters.push(done)));
            let timer: NodeJS.Timeout | undefined;
            // In-flight requests get their chance to finish; one stuck socket must not block shutdown forever.
            const deadline = new Promise<void>((done) => {
              timer = setTimeout(done, timeoutMs);
            });
            await Promise.race([idle, deadline]);
            clearTimeout(timer);
            server.closeAllConnections();
            await closed;
          },
        });
      });
    });

  return { server, listen };
}
