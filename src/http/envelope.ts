import { parse as parseQuery } from 'node:querystring';

/**
 * The outer shape of a request from Slack, checked before Bolt sees it. Bolt trusts a signed body
 * to be an object of a known kind: a body of `null` makes its receiver throw outside any handler
 * (an unhandled rejection that would stop the process, and a request that never gets an answer),
 * `"event": null` throws inside it (a 500, which Slack answers with retries), and a body of no
 * known kind waits three seconds for an ack that never comes. A request that is signed but not
 * shaped like anything Slack sends is refused here with 400 and a reason for the log.
 */
export type EnvelopeCheck = { ok: true; body: Record<string, unknown> } | { ok: false; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const hasString = (body: Record<string, unknown>, key: string): boolean => typeof body[key] === 'string' && body[key] !== '';

/** Parses the body as Bolt will (form, form with a JSON `payload`, or JSON). */
export function parseSlackBody(raw: string, contentType: string | undefined): { ok: true; body: unknown } | { ok: false; reason: string } {
  try {
    if ((contentType ?? '').split(';')[0]?.trim() === 'application/x-www-form-urlencoded') {
      const form = parseQuery(raw);
      const payload = form.payload;
      if (payload === undefined) return { ok: true, body: form };
      if (typeof payload !== 'string') return { ok: false, reason: 'payload given more than once' };
      return { ok: true, body: JSON.parse(payload) as unknown };
    }
    return { ok: true, body: JSON.parse(raw) as unknown };
  } catch (error) {
    return { ok: false, reason: `body is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

const INTERACTIVE = new Set(['block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion']);

export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (!isObject(body)) return { ok: false, reason: 'body is not an object' };
  if (body.type === 'url_verification') return hasString(body, 'challenge') ? { ok: true, body } : { ok: false, reason: 'url_verification without a challenge' };
  if (body.command !== undefined) {
    if (typeof body.command !== 'string' || !body.command.startsWith('/')) return { ok: false, reason: 'command is not a slash command' };
    return ['team_id', 'user_id', 'channel_id'].every((key) => hasString(body, key))
      ? { ok: true, body }
      : { ok: false, reason: 'command without team_id, user_id or channel_id' };
  }
  if (body.type === 'event_callback') {
    if (!isObject(body.event) || typeof body.event.type !== 'string') return { ok: false, reason: 'event_callback without an event' };
    return hasString(body, 'team_id') && hasString(body, 'event_id') ? { ok: true, body } : { ok: false, reason: 'event_callback without team_id or event_id' };
  }
  if (body.type === 'app_rate_limited') return { ok: true, body };
  if (body.event !== undefined) return { ok: false, reason: 'an event outside event_callback' };
  if (typeof body.type !== 'string' || !INTERACTIVE.has(body.type)) return { ok: false, reason: `unknown request type ${JSON.stringify(body.type ?? null).slice(0, 40)}` };
  if (!isObject(body.user) || typeof body.user.id !== 'string' || !isObject(body.team) || typeof body.team.id !== 'string') {
    return { ok: false, reason: `${body.type} without user or team` };
  }
  if (body.type === 'block_actions' && (!Array.isArray(body.actions) || body.actions.length === 0 || !body.actions.every(isObject))) {
    return { ok: false, reason: 'block_actions without actions' };
  }
  if ((body.type === 'view_submission' || body.type === 'view_closed') && (!isObject(body.view) || typeof body.view.callback_id !== 'string')) {
    return { ok: false, reason: `${body.type} without a view` };
  }
  if ((body.type === 'shortcut' || body.type === 'message_action') && typeof body.callback_id !== 'string') {
    return { ok: false, reason: `${body.type} without a callback_id` };
  }
  return { ok: true, body };
}
