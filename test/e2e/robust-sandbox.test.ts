import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';

/** Raw HTTP, so the test controls Host, Origin and Content-Type exactly as a hostile page's browser would send them. */
function raw(port: number, options: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The sandbox acts as anyone, so only its own page may drive or read it (issue #16, item 14). */
describe('the sandbox refuses other web pages', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  const send = (text: string) => JSON.stringify({ as: PEOPLE.coordinator.id, channel: CHANNELS.general.id, text });
  const generalTexts = () => sandbox.fake.messages(CHANNELS.general.id).map((m) => m.text ?? '');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-sandbox-guard-'));
    sandbox = await startSandbox({ port: 0, databaseUrl: join(dir, 'sandbox.db'), schedules: false, seed: false, logger: createLogger('error', () => {}) });
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a no-cors form post (text/plain, from another origin) and stores nothing', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await raw(sandbox.port, {
        method: 'POST',
        path: '/sandbox/api/send',
        headers: { host: `127.0.0.1:${sandbox.port}`, origin: 'https://evil.example', 'content-type': contentType },
        body: send(`forged ${contentType}`),
      });
      expect(response.status).toBe(415);
    }
    expect(generalTexts().filter((t) => t.startsWith('forged'))).toEqual([]);
  });

  it('refuses JSON from another origin or another site', async () => {
    const fromOrigin = await raw(sandbox.port, {
      method: 'POST',
      path: '/sandbox/api/send',
      headers: { host: `127.0.0.1:${sandbox.port}`, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: send('forged json'),
    });
    expect(fromOrigin.status).toBe(403);
    const crossSite = await raw(sandbox.port, {
      method: 'POST',
      path: '/sandbox/api/send',
      headers: { host: `127.0.0.1:${sandbox.port}`, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      body: send('forged cross-site'),
    });
    expect(crossSite.status).toBe(403);
    expect(generalTexts().filter((t) => t.startsWith('forged'))).toEqual([]);
  });

  it('refuses a DNS-rebinding Host on reads and writes', async () => {
    const host = `rebind.evil.example:${sandbox.port}`;
    const read = await raw(sandbox.port, { method: 'GET', path: `/sandbox/api/state?as=${PEOPLE.coordinator.id}`, headers: { host } });
    expect(read.status).toBe(421);
    expect(read.body).not.toContain('messages');
    const page = await raw(sandbox.port, { method: 'GET', path: '/', headers: { host } });
    expect(page.status).toBe(421);
    const write = await raw(sandbox.port, {
      method: 'POST',
      path: '/sandbox/api/send',
      headers: { host, origin: `http://${host}`, 'content-type': 'application/json' },
      body: send('forged rebinding'),
    });
    expect(write.status).toBe(421);
    // Another port on loopback is another origin too.
    const otherPort = await raw(sandbox.port, { method: 'GET', path: '/sandbox/api/state', headers: { host: '127.0.0.1:1' } });
    expect(otherPort.status).toBe(421);
    expect(generalTexts().filter((t) => t.startsWith('forged'))).toEqual([]);
  });

  it('accepts its own page: same-origin JSON with the loopback Host, by 127.0.0.1 or localhost', async () => {
    for (const name of ['127.0.0.1', 'localhost']) {
      const host = `${name}:${sandbox.port}`;
      const response = await raw(sandbox.port, {
        method: 'POST',
        path: '/sandbox/api/send',
        headers: { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json; charset=utf-8' },
        body: send(`hello from ${name}`),
      });
      expect(response.status).toBe(200);
      const state = await raw(sandbox.port, { method: 'GET', path: `/sandbox/api/state?as=${PEOPLE.coordinator.id}`, headers: { host } });
      expect(state.status).toBe(200);
    }
    expect(generalTexts()).toEqual(expect.arrayContaining(['hello from 127.0.0.1', 'hello from localhost']));
  });
});
