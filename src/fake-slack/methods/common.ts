import type { FakeState, Json } from '../state.js';

export interface MethodContext {
  state: FakeState;
  /** e.g. "http://127.0.0.1:54321", used for upload URLs and file downloads. */
  origin: string;
  /** The token the call came with (auth.test answers for its workspace). */
  token?: string | undefined;
}

export type MethodResult = { ok: true } & Json | { ok: false; error: string } & Json;

/**
 * A handler validates everything before it touches state, so a refused call leaves no trace
 * besides the recorded call.
 */
export type MethodHandler = (args: Json, ctx: MethodContext) => MethodResult;

export function fail(error: string, extra: Json = {}): MethodResult {
  return { ok: false, error, ...extra };
}

export function ok(body: Json = {}): MethodResult {
  return { ok: true, ...body };
}

/** Form-encoded args arrive as strings; JSON args may be numbers. */
export function str(args: Json, key: string): string | undefined {
  const v = args[key];
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export function num(args: Json, key: string): number | undefined {
  const v = args[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function bool(args: Json, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** Slack reports missing/ill-typed arguments this way (e.g. views.open without trigger_id). */
export function invalidArguments(messages: string[]): MethodResult {
  return fail('invalid_arguments', { response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } });
}

/** Cursor pagination as conversations.* and users.list do it; the cursor is an opaque offset. */
export function paginate<T>(items: T[], args: Json): { page: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(num(args, 'limit') ?? 100, 1), 1000);
  const cursor = str(args, 'cursor');
  const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^offset:/, '')) || 0 : 0;
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
  return { page, nextCursor: next };
}
