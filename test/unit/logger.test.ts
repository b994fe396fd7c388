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
