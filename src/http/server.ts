import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AppLogger } from '../logger.js';
import { checkEnvelope, parseSlackBody } from './envelope.js';

/** Slack's own guidance: refuse requests whose timestamp is more than five minutes away from now. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** Slack's largest payloads (a 100-block modal's state) are far below this; more is not Slack. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What one client may hold. Slack sends a whole request in milliseconds; a client that trickles its
 * headers or body (slowloris) or opens connection after connection is not Slack, and must not tie up
 * the process. Node answers 408 and closes when a request is not fully received in time.
 */
export interface HttpLimits {
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body. */
  requestTimeoutMs: number;
  /** Open connections at once; more are closed as they arrive until one ends. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000, maxConnections: 512 };

export interface HttpServerDeps {
  /** Bolt's HTTPReceiver request listener: verifies the signature, parses, dispatches. */
  slackListener: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * With `signingSecret`: takes a request the server has verified and parsed (the body as Bolt
   * would parse it, and the signed bytes) instead of `slackListener`, so nothing is done twice.
   */
  dispatch?: (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, rawBody: Buffer) => void;
  /** Whether the database answers (a trivial query within a deadline). */
  isHealthy: () => boolean | Promise<boolean>;
  /** The database engine /healthz names ("sqlite" or "postgres"). */
  engine?: string;
  logger: AppLogger;
  /**
   * When given, the server reads the body, checks the signature and the envelope itself
   * (`envelope.ts`) and hands Bolt the parsed request (`dispatch`) or the buffered one.
   */
  signingSecret?: string;
  nowSeconds?: () => number;
  slackPath?: string;
  /** Extra routes (the sandbox's pages); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  limits?: Partial<HttpLimits>;
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

/**
 * Slack's signing scheme: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
 * secret, compared in constant time. The timestamp's age is checked before (`timestampAcceptable`).
 */
export function signatureMatches(signingSecret: string, timestamp: string, body: string, signature: string | string[] | undefined): boolean {
  // Exactly what Slack sends (lower-case hex): Buffer.from(hex) would quietly drop a trailing odd digit.
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest();
  return timingSafeEqual(Buffer.from(signature.slice(3), 'hex'), expected);
}

function refuse(res: ServerResponse, logger: AppLogger, status: number, reason: string): void {
  logger.event('warn', 'request refused', { outcome: 'refused', status, reason });
  res.writeHead(status, { connection: 'close' });
  res.end();
}

/** Reads the body, giving up as soon as it passes `limit` (a chunked body declares no length up front). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Stop reading: the 413 goes out with `connection: close` and the rest is never buffered.
      req.off('data', onData);
      req.pause();
      resolve('too_large');
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A declared Content-Length over the limit is refused before a byte of the body is read. */
function declaresTooMuch(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit;
}

/**
 * Signature, then shape: an unsigned request learns nothing (401) and a signed one that is not
 * shaped like anything Slack sends gets 400 instead of reaching Bolt (see `envelope.ts`).
 */
async function screenSlackRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpServerDeps & { signingSecret: string; nowSeconds: () => number },
): Promise<void> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === 'too_large') return refuse(res, deps.logger, 413, `body over ${MAX_BODY_BYTES} bytes`);
  const raw = body.toString('utf8');
  const contentType = req.headers['content-type'];
  // Slack checks our certificate with an unsigned `ssl_check=1`; it only needs a 200 and does nothing.
  if (/^ssl_check=1(&|$)/.test(raw) && (contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    res.writeHead(200);
    res.end();
    return;
  }
  // The timestamp header was checked (present, digits only, within five minutes) before the body was read.
  const timestamp = req.headers['x-slack-request-timestamp'];
  const valid = typeof timestamp === 'string' && timestampAcceptable(timestamp, deps.nowSeconds()) && signatureMatches(deps.signingSecret, timestamp, raw, req.headers['x-slack-signature']);
  if (!valid) return refuse(res, deps.logger, 401, 'bad or missing signature');
  const parsed = parseSlackBody(raw, contentType);
  if (!parsed.ok) return refuse(res, deps.logger, 400, parsed.reason);
  const envelope = checkEnvelope(parsed.body);
  if (!envelope.ok) return refuse(res, deps.logger, 400, envelope.reason);
  if (deps.dispatch !== undefined) return deps.dispatch(req, res, envelope.body, body);
  // Bolt reads `rawBody` when it is already there instead of the (consumed) stream.
  Object.assign(req, { rawBody: body });
  deps.slackListener(req, res);
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

  const limits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past those deadlines (its default, 30 s, would let them run long).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      inFlight++;
      res.on('close', finished);
      const path = (req.url ?? '/').split('?')[0];
      if (draining) {
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ ok: false, status: 'shutting down' }));
        return;
      }
      if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const engine = deps.engine === undefined ? {} : { engine: deps.engine };
        const answer = (healthy: boolean) => {
          res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(healthy ? { ok: true, database: 'ok', ...engine } : { ok: false, database: 'unavailable', ...engine }));
        };
        // A health check that throws is an unhealthy database, not a crashed request.
        Promise.resolve()
          .then(() => deps.isHealthy())
          .then(answer, (error: unknown) => {
            deps.logger.event('error', 'health check failed', { error });
            answer(false);
          });
        return;
      }
      if (path === slackPath) {
        if (req.method !== 'POST') {
          res.writeHead(405, { allow: 'POST' });
          res.end();
          return;
        }
        if (!timestampAcceptable(req.headers['x-slack-request-timestamp'], nowSeconds())) {
          deps.logger.event('warn', 'request refused', { outcome: 'refused', status: 401, reason: 'timestamp missing or more than 5 minutes off', path });
          req.resume();
          res.writeHead(401);
          res.end();
          return;
        }
        if (declaresTooMuch(req, MAX_BODY_BYTES)) return refuse(res, deps.logger, 413, `Content-Length over ${MAX_BODY_BYTES} bytes`);
        if (deps.signingSecret === undefined) {
          deps.slackListener(req, res);
          return;
        }
        screenSlackRequest(req, res, { ...deps, signingSecret: deps.signingSecret, nowSeconds }).catch((error: unknown) => {
          deps.logger.event('error', 'request refused: could not read it', { path, error });
          if (!res.headersSent) res.writeHead(400);
          res.end();
        });
        return;
      }
      if (deps.extraRoutes?.(req, res) === true) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'not_found' }));
    },
  );
  server.maxConnections = limits.maxConnections;

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
