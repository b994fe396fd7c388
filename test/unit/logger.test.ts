import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

const TOKEN = 'xoxb-1234-5678-abcdefghijkl';
const SECRET = 'shapeless-signing-secret-value';
const SIGNATURE = `v0=${'ab'.repeat(32)}`;

describe('logger', () => {
  const capture = (level = 'debug') => {
    const lines: string[] = [];
    return { lines, logger: createLogger(level, (line) => lines.push(line), { secrets: [SECRET, TOKEN] }) };
  };

  it('writes one JSON line per event with its fields', () => {
    const { lines, logger } = capture();
    logger.event('info', 'request', { kind: 'command', what: '/team list', userId: 'U1', workspaceId: 'T1', outcome: 'ok', ms: 3.2 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', msg: 'request', kind: 'command', what: '/team list', userId: 'U1', workspaceId: 'T1', outcome: 'ok', ms: 3.2 });
  });

  it('drops lines below LOG_LEVEL', () => {
    const { lines, logger } = capture('warn');
    logger.event('info', 'request', {});
    logger.debug('noise');
    logger.event('warn', 'kept', {});
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['kept']);
  });

  it('never writes a token, the signing secret or a signature, by key, by shape or by value', () => {
    const { lines, logger } = capture();
    logger.event('error', `failed with ${TOKEN}`, {
      config: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET },
      headers: { 'x-slack-signature': SIGNATURE, authorization: `Bearer ${TOKEN}` },
      note: `the secret is ${SECRET} and the signature ${SIGNATURE}`,
      error: new Error(`call with ${TOKEN} failed`),
      nested: [{ deeper: { text: `token=${TOKEN}` } }],
    });
    logger.warn('bolt style', { token: TOKEN }, `and ${SECRET}`);
    const all = lines.join('\n');
    for (const leaked of [TOKEN, SECRET, SIGNATURE]) expect(all).not.toContain(leaked);
    expect(all).toContain('[redacted]');
  });
});

describe('logger redaction at any depth (issue #16, item 15)', () => {
  it('scrubs a secret nested far deeper than any fixed limit, by key, by shape and by value', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line), { secrets: [SECRET] });
    let deep: Record<string, unknown> = { leak: `value ${SECRET}`, shaped: `Bearer ${TOKEN}`, signingSecret: 'plain-but-keyed-0001' };
    for (let i = 0; i < 40; i++) deep = { level: i, inner: i % 2 === 0 ? deep : [deep] };
    logger.event('error', 'deep', { deep, error: Object.assign(new Error('outer'), { cause: { response: { data: { config: { headers: { authorization: TOKEN } } } } } }) });
    const line = lines[0] ?? '';
    for (const leaked of [TOKEN, SECRET, 'plain-but-keyed-0001']) expect(line).not.toContain(leaked);
    expect(line).toContain('"level":39');
    expect(line.split('[redacted]').length - 1).toBeGreaterThanOrEqual(3);
  });

  it('writes an object that refers to itself, marking the cycle, and still scrubs it', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line), { secrets: [SECRET] });
    const request: Record<string, unknown> = { body: `secret ${SECRET}` };
    request.self = request;
    request.socket = { owner: request, token: TOKEN };
    const shared = { note: 'seen twice, not a cycle' };
    expect(() => logger.event('error', 'cyclic', { request, a: shared, b: shared })).not.toThrow();
    const parsed = JSON.parse(lines[0] ?? '{}') as { request: { self: unknown; socket: { owner: unknown } }; b: unknown };
    expect(parsed.request.self).toBe('[circular]');
    expect(parsed.request.socket.owner).toBe('[circular]');
    expect(parsed.b).toEqual({ note: 'seen twice, not a cycle' });
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain(TOKEN);
  });
});
