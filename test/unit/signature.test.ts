import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/http/server.js';

const secret = 'unit-signing-secret-0123456789';
const sign = (ts: string, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

describe('signatureMatches (the one request verifier)', () => {
  it('accepts the signature Slack computes over timestamp and body', () => {
    expect(signatureMatches(secret, '1700000000', 'a=1', sign('1700000000', 'a=1'))).toBe(true);
  });

  it('refuses a changed body, timestamp or secret', () => {
    const good = sign('1700000000', 'a=1');
    expect(signatureMatches(secret, '1700000000', 'a=2', good)).toBe(false);
    expect(signatureMatches(secret, '1700000001', 'a=1', good)).toBe(false);
    expect(signatureMatches(`${secret}x`, '1700000000', 'a=1', good)).toBe(false);
  });

  it('refuses anything not shaped exactly like v0= and 64 lower-case hex digits', () => {
    const good = sign('1700000000', 'a=1');
    for (const bad of [undefined, '', 'v0=', good.toUpperCase(), `${good}0`, `${good}z`, good.slice(0, -1), `v1=${good.slice(3)}`, [good]]) {
      expect(signatureMatches(secret, '1700000000', 'a=1', bad)).toBe(false);
    }
  });
});
