/**
 * Slack's side of Socket Mode, for tests. The fake Slack's `apps.connections.open` hands the app a
 * single-use `ws://127.0.0.1:<port>/link/?ticket=…` URL minted here (`connectionUrl`); the app
 * connects, gets `hello`, and the test pushes envelopes the way Slack does and reads the app's ack:
 *
 *   Slack → app  { envelope_id, type: 'slash_commands' | 'interactive' | 'events_api', payload, accepts_response_payload, retry_attempt?, retry_reason? }
 *   app → Slack  { envelope_id, payload? }   (payload = the ack body: a command's answer, response_action …)
 *
 * `transport` plugs into `createSlackRequester`, so a test builds the same slash command form,
 * interactivity payload or event_callback body it would POST over HTTP and this delivers it as an
 * envelope: form fields become the JSON payload of `slash_commands`, `payload=` becomes the
 * `interactive` payload, an event_callback becomes the `events_api` payload. Signatures are dropped:
 * Socket Mode has none (the app-level token authenticated the connection instead).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SlackHttpResponse, SlackTransportRequest } from './slack-request.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface SocketClose {
  code: number;
  reason: string;
}

export interface SocketModeServer {
  /** For the fake Slack's `socketMode.connectionUrl`: a fresh URL good for one connection. */
  connectionUrl(appId: string): string;
  /** Resolves once an app is connected and has been sent `hello`. */
  connected(timeoutMs?: number): Promise<void>;
  /** Connections currently open. */
  openConnections(): number;
  /** Upgrades refused (unknown or reused ticket, wrong path). */
  refusedUpgrades(): number;
  /** Every frame the app sent, parsed, in order. */
  received: unknown[];
  /** How each connection ended, as the server saw it. */
  closes: SocketClose[];
  /** Resolves when the open connection closes (immediately if none is open). */
  closed(timeoutMs?: number): Promise<SocketClose | undefined>;
  /** Sends one envelope and waits for the app's ack of that envelope_id. */
  send(envelope: Omit<Envelope, 'envelope_id'> & { envelope_id?: string }, timeoutMs?: number): Promise<SocketAck>;
  /** `createSlackRequester`'s transport: an HTTP-shaped request delivered as an envelope. */
  transport(request: SlackTransportRequest): Promise<SlackHttpResponse>;
  /** Slack's `disconnect` message (it sends one before recycling a connection). */
  disconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  close(): Promise<void>;
}

const LINK_PATH = '/link/';

/** Interactivity types Slack lets the app answer in the ack (view_submission's response_action, options). */
const ANSWERABLE_INTERACTIONS = new Set(['view_submission', 'block_suggestion']);

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The envelope Slack would send for a request the app would otherwise get over HTTP. */
export function envelopeFor(request: SlackTransportRequest): Omit<Envelope, 'envelope_id'> {
  if (request.contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(request.body);
    const payload = form.get('payload');
    if (payload !== null) {
      const parsed = JSON.parse(payload) as unknown;
      if (!isRecord(parsed)) throw new Error('interactivity payload is not an object');
      return { type: 'interactive', payload: parsed, accepts_response_payload: ANSWERABLE_INTERACTIONS.has(String(parsed.type)) };
    }
    if (form.has('command')) return { type: 'slash_commands', payload: Object.fromEntries(form), accepts_response_payload: true };
    throw new Error(`no Socket Mode envelope for form ${request.body.slice(0, 80)}`);
  }
  const body = JSON.parse(request.body) as unknown;
  if (isRecord(body) && body.type === 'event_callback') {
    const retry = request.headers['x-slack-retry-num'];
    return {
      type: 'events_api',
      payload: body,
      accepts_response_payload: false,
      retry_attempt: retry === undefined ? 0 : Number(retry),
      retry_reason: request.headers['x-slack-retry-reason'] ?? '',
    };
  }
  // url_verification and ssl_check exist only for HTTP Request URLs.
  throw new Error(`no Socket Mode envelope for ${request.contentType} body ${request.body.slice(0, 80)}`);
}

export async function startSocketModeServer(): Promise<SocketModeServer> {
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const pendingAcks = new Map<string, (ack: SocketAck) => void>();
  const connectWaiters = new Set<() => void>();
  const closeWaiters = new Set<(close: SocketClose) => void>();
  const received: unknown[] = [];
  const closes: SocketClose[] = [];
  let refused = 0;
  let port = 0;

  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('upgrade required');
  });

  const refuse = (socket: Duplex): void => {
    refused += 1;
    socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const ticket = url.searchParams.get('ticket');
    // A ticket from apps.connections.open opens exactly one connection, as at Slack.
    if (url.pathname !== LINK_PATH || ticket === null || !tickets.delete(ticket)) return refuse(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          received.push({ binary: true });
          return;
        }
        const message = JSON.parse(rawToString(data)) as unknown;
        received.push(message);
        if (isRecord(message) && typeof message.envelope_id === 'string') {
          const resolve = pendingAcks.get(message.envelope_id);
          pendingAcks.delete(message.envelope_id);
          resolve?.(message as unknown as SocketAck);
        }
      });
      ws.on('close', (code, reason) => {
        sockets.delete(ws);
        const close = { code, reason: reason.toString('utf8') };
        closes.push(close);
        for (const waiter of [...closeWaiters]) waiter(close);
        closeWaiters.clear();
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: sockets.size,
          debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: url.searchParams.get('app_id') ?? '' },
        }),
      );
      for (const waiter of [...connectWaiters]) waiter();
      connectWaiters.clear();
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;

  const withTimeout = <T>(what: string, timeoutMs: number, register: (resolve: (value: T) => void) => () => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        unregister();
        reject(new Error(`Socket Mode server: ${what} did not happen within ${timeoutMs} ms`));
      }, timeoutMs);
      const unregister = register((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });

  const current = (): WebSocket => {
    const [ws] = [...sockets];
    if (ws === undefined) throw new Error('Socket Mode server: no app is connected');
    return ws;
  };

  const server: SocketModeServer = {
    connectionUrl(appId) {
      const ticket = randomUUID();
      tickets.add(ticket);
      return `ws://127.0.0.1:${port}${LINK_PATH}?ticket=${ticket}&app_id=${encodeURIComponent(appId)}`;
    },
    connected(timeoutMs = 5000) {
      if (sockets.size > 0) return Promise.resolve();
      return withTimeout<void>('a connection', timeoutMs, (resolve) => {
        const waiter = (): void => resolve();
        connectWaiters.add(waiter);
        return () => connectWaiters.delete(waiter);
      });
    },
    openConnections: () => sockets.size,
    refusedUpgrades: () => refused,
    received,
    closes,
    closed(timeoutMs = 5000) {
      if (sockets.size === 0) return Promise.resolve(undefined);
      return withTimeout<SocketClose | undefined>('the close of the connection', timeoutMs, (resolve) => {
        closeWaiters.add(resolve);
        return () => closeWaiters.delete(resolve);
      });
    },
    send(envelope, timeoutMs = 5000) {
      const full: Envelope = { ...envelope, envelope_id: envelope.envelope_id ?? randomUUID() };
      const ws = current();
      const ack = withTimeout<SocketAck>(`the ack of ${full.type} envelope ${full.envelope_id}`, timeoutMs, (resolve) => {
        pendingAcks.set(full.envelope_id, resolve);
        return () => pendingAcks.delete(full.envelope_id);
      });
      ws.send(JSON.stringify(full));
      return ack;
    },
    async transport(request) {
      const ack = await server.send(envelopeFor(request));
      const payload = ack.payload ?? {};
      // An ack without a body is what an empty HTTP 200 is: nothing for the person to see.
      const body = Object.keys(payload).length === 0 ? '' : JSON.stringify(payload);
      return { status: 200, body, json: body === '' ? undefined : payload, headers: {} };
    },
    disconnect(reason) {
      current().send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
  return server;
}
