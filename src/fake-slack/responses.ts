import { contentProblems, storeMessage } from './methods/chat.js';
import { fileReferenceProblems } from './methods/files.js';
import { findMessage, nextTs, type FakeState, type Json } from './state.js';

/** Slack accepts a response_url at most five times (within 30 minutes). */
export const RESPONSE_URL_MAX_USES = 5;

export type RespondOutcome = { ok: true } | { ok: false; status: number; error: string; errors?: string[] };

/**
 * Applies a response_url POST the way Slack does: replace/delete the originating message, or
 * post a new (ephemeral by default) message into the originating channel.
 */
export function applyResponse(state: FakeState, id: string, body: Json): RespondOutcome {
  const record = state.responseUrls.get(id) ?? { uses: 0 };
  if (record.uses >= RESPONSE_URL_MAX_USES) return { ok: false, status: 404, error: 'used_url' };
  const deleting = body.delete_original === true || body.delete_original === 'true';
  if (!deleting) {
    const problem = contentProblems(body) ?? fileReferenceProblems(state, body.blocks);
    if (problem && !problem.ok) {
      const errors = Array.isArray(problem.errors) ? problem.errors.map(String) : undefined;
      return { ok: false, status: 400, error: problem.error, errors };
    }
    if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) return { ok: false, status: 400, error: 'no_text' };
  }
  record.uses += 1;
  state.responseUrls.set(id, record);
  state.responses.push({ id, body, at: Date.now() });

  const { channel, messageTs, userId } = record;
  if (!channel) return { ok: true };
  // An ephemeral message's buttons can replace or delete it too (only its recipient sees them).
  const original = messageTs
    ? (findMessage(state, channel, messageTs) ??
      state.messages.find((m) => m.channel === channel && m.ts === messageTs && m.ephemeral && m.user === userId && !m.deleted))
    : undefined;
  if (deleting) {
    if (original) original.deleted = true;
    return { ok: true };
  }
  const text = typeof body.text === 'string' ? body.text : undefined;
  const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
  if ((body.replace_original === true || body.replace_original === 'true') && original) {
    original.text = text;
    original.blocks = blocks;
    original.updatedTs = nextTs(state);
    return { ok: true };
  }
  const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
  if (body.response_type === 'in_channel') {
    storeMessage(state, { channel, text, blocks, threadTs, ephemeral: false });
  } else {
    storeMessage(state, { channel, text, blocks, threadTs, ephemeral: true, user: userId });
  }
  return { ok: true };
}
