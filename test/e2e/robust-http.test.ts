import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createHttpServer, MAX_BODY_BYTES, type RunningServer } from '../../src/http/server.js';
import { SIGNING_SECRET, startHarness, type Harness } from '../rig/harness.js';

/** A raw TCP client: the test decides exactly which bytes go out, and when. */
interface RawClient {
  socket: Socket;
  received: () => string;
  /** Resolves when the server closes (or resets) the connection. */
  closed: Promise<void>;
}

function open(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
    });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));
const headersOf = (port: number, length: number) =>
  `POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: ${nowSeconds()}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}\r\nContent-Length: ${length}\r\n\r\n`;

/** Issue #16, item 9: nobody ties up the HTTP server with big, slow or many requests. */
describe('the HTTP server under abusive clients', () => {
  let server: RunningServer;
  let slackCalls = 0;
  const clients: RawClient[] = [];
  const track = async (port: number) => {
    const client = await open(port);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const http = createHttpServer({
      slackListener: () => {
        slackCalls++;
      },
      dispatch: () => {
        slackCalls++;
      },
      signingSecret: SIGNING_SECRET,
      isHealthy: () => true,
      logger: createLogger('error', () => {}),
      // Short deadlines so the test is quick; production defaults are in DEFAULT_HTTP_LIMITS.
      limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 4 },
    });
    server = await http.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const c of clients) c.socket.destroy();
    await server.close(1_000);
  });

  it('refuses a Content-Length over the limit at once, without waiting for (or reading) the body', async () => {
    const client = await track(server.port);
    client.socket.write(headersOf(server.port, MAX_BODY_BYTES + 1));
    // Not one byte of body is sent: the answer must come from the header alone.
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 413/);
    expect(slackCalls).toBe(0);
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    const client = await track(server.port);
    client.socket.write(
      `POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: ${nowSeconds()}\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = 'a'.repeat(64 * 1024);
    for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) client.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    // The body never ends (no final chunk): the 413 must not wait for it.
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 413/);
  });

  it('closes a connection whose headers trickle in too slowly', async () => {
    const client = await track(server.port);
    client.socket.write('POST /slack/events HTTP/1.1\r\nHost: x\r\n');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408|^$/);
  });

  it('closes a connection whose body trickles in too slowly', async () => {
    const client = await track(server.port);
    client.socket.write(headersOf(server.port, 100));
    client.socket.write('command=%2Fteam');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408|^$/);
    expect(slackCalls).toBe(0);
  });

  it('caps concurrent connections, and serves again once they go', async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => track(server.port)));
    const extra = await track(server.port);
    // Over the cap: closed by the server without an answer.
    extra.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    await extra.closed;
    expect(extra.received()).toBe('');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${server.port}/healthz`).catch(() => undefined))?.status, { timeout: 5_000 }).toBe(200);
  });
});

describe('the real app refuses an oversized request by its Content-Length', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers 413 from the header alone', async () => {
    const client = await open(h.alliance.port);
    client.socket.write(headersOf(h.alliance.port, 50 * 1024 * 1024));
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 413/);
  });
});
