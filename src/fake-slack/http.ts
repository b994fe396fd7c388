import type { IncomingMessage, ServerResponse } from 'node:http';

type Json = Record<string, unknown>;

/** Arguments the WebClient JSON-encodes inside a form body because they are objects or arrays. */
const NESTED_JSON_KEYS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files', 'unfurls', 'user_auth_blocks']);

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function parseNested(args: Json): Json {
  for (const key of NESTED_JSON_KEYS) {
    const v = args[key];
    if (typeof v !== 'string') continue;
    try {
      args[key] = JSON.parse(v) as unknown;
    } catch {
      // Slack answers invalid_blocks / invalid_arguments for unparsable JSON; leaving the raw
      // string lets the validators produce that answer.
    }
  }
  return args;
}

export class BodyError extends Error {}

/** Parses a Web API request body (form, JSON or multipart) into plain arguments. */
export async function parseArgs(contentType: string, raw: Buffer, query: URLSearchParams): Promise<Json> {
  const args: Json = Object.fromEntries(query.entries());
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return parseNested(args);
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new BodyError('invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BodyError('invalid_json');
    return parseNested({ ...args, ...(parsed as Json) });
  }
  if (type === 'multipart/form-data') {
    for (const [key, value] of await multipart(contentType, raw)) {
      args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return parseNested(args);
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = value;
  return parseNested(args);
}

export async function multipart(contentType: string, raw: Buffer): Promise<FormData> {
  try {
    return await new Request('http://fake.local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
  } catch {
    throw new BodyError('invalid_form_data');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
