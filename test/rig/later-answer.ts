import { expect } from 'vitest';
import type { CommandAck, Harness } from './harness.js';

/**
 * A command whose answer grows with the data acks at once and answers after the ack through its
 * response_url (README Performance, "Before the ack"). Sends the command, checks the ack says the
 * answer is coming (`acked`), and returns the answer posted to the response_url, shaped like an ack.
 */
export async function laterAnswer(h: Harness, command: string, text: string, as: { userId: string; channelId: string }, acked: RegExp): Promise<CommandAck> {
  const before = h.fake.responses.length;
  const ack = await h.command(command, text, as);
  expect(ack.status).toBe(200);
  expect(ack.response_type).toBe('ephemeral');
  expect(ack.text).toMatch(acked);
  const answer = await h.fake.waitFor(() => h.fake.responses[before], 30_000);
  const body = answer.body as { response_type?: string; text?: string; blocks?: unknown[] };
  return { status: 200, raw: JSON.stringify(body), ...body };
}
