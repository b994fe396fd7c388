import type { z } from 'zod';
import { parseJsonText } from '../domain/json.js';
import { fail, ok, type Result } from '../domain/result.js';

/**
 * `private_metadata` and button values come back from Slack as we wrote them, but a forged or
 * replayed payload, or one written by an older version of the app, may not parse. Read them only
 * through these helpers: a bad value becomes a polite, typed problem, never an exception. What
 * they name (an issue id, a vote id) must still be looked up and permission-checked by the
 * service, because a well-formed value can point at something the person may not touch.
 */
export const STALE_PAYLOAD_MESSAGE = 'This form or button is out of date (or was changed), so nothing was saved. Open it again and retry.';

export function decodeJson<T>(schema: z.ZodType<T>, raw: unknown, field?: string): Result<T> {
  if (typeof raw !== 'string' || raw === '') return fail('invalid', STALE_PAYLOAD_MESSAGE, field);
  const parsed = schema.safeParse(parseJsonText(raw));
  return parsed.success ? ok(parsed.data) : fail('invalid', STALE_PAYLOAD_MESSAGE, field);
}

/** A button value that is a plain string (an id such as "42"). */
export function decodeValue<T>(schema: z.ZodType<T>, raw: unknown): Result<T> {
  const parsed = schema.safeParse(raw);
  return parsed.success ? ok(parsed.data) : fail('invalid', STALE_PAYLOAD_MESSAGE);
}

const obj = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The identity of one submission, for `claimRequest` inside the transaction that stores its
 * effect, in one format for every modal: the same modal submitted twice (a double click, a resend
 * after a lost response) has the same view id and view hash (Slack changes the hash whenever the
 * view is updated, never when someone types), so only the first one stores anything. A submission that
 * was refused with field errors never claims, so the corrected (or even the identical) resubmission
 * is processed normally. A button click is keyed by who clicked what, on which message, at which
 * `action_ts`: an exact redelivery is dropped, while a second deliberate click has its own
 * action_ts and must be idempotent in the domain (a ballot or an RSVP is a set, not a list).
 */
export function submissionKey(body: unknown): string | undefined {
  const b = obj(body);
  if (b.type === 'view_submission') {
    const view = obj(b.view);
    const id = str(view.id);
    if (id === '') return undefined;
    return `view:${id}:${str(view.hash)}`;
  }
  if (b.type === 'block_actions') {
    const action = obj(Array.isArray(b.actions) ? b.actions[0] : undefined);
    const container = obj(b.container);
    const where = str(container.message_ts) || str(container.view_id);
    return `action:${str(obj(b.user).id)}:${where}:${str(action.action_id)}:${str(action.action_ts)}`;
  }
  return undefined;
}
