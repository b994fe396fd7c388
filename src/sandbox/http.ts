/**
 * The sandbox's HTTP plumbing: its static files, JSON in and out, and the errors it answers with.
 * It binds to loopback only and is never part of the production build (tsconfig.build.json).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { SlackRequester } from '../fake-slack/slack-request.js';
import type { FakeSlack } from '../fake-slack/types.js';
import type { AppLogger } from '../logger.js';

/** Slack's own user id for Slackbot; the sandbox speaks as it for its own notices. */
export const SLACKBOT = 'USLACKBOT';
export const LONG_POLL_MS = 25_000;
export const MAX_BODY_BYTES = 1_000_000;
export const PUBLIC_DIR = new URL('./public/', import.meta.url);
export const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/render.js': { file: 'render.js', type: 'text/javascript; charset=utf-8' },
  '/sandbox/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // Browsers ask for /favicon.ico whatever the page links; both answer with the same icon.
  '/sandbox/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  '/favicon.ico': { file: 'favicon.svg', type: 'image/svg+xml' },
};
/** The page builds every node from data; nothing inline may run even if a bug let markup in. */
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** What a downloaded file is, by its name: calendar files open in a calendar, CSVs in a spreadsheet, charts as images. */
export function contentTypeOf(name: string): string {
  if (name.endsWith('.ics')) return 'text/calendar; charset=utf-8';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.png')) return 'image/png';
  return 'application/octet-stream';
}


export interface SandboxRouteDeps {
  fake: FakeSlack;
  logger: AppLogger;
  coordinators: readonly string[];
  isStoredCoordinator: (userId: string) => Promise<boolean>;
  requester: () => SlackRequester;
  sendDigests: () => Promise<string>;
}


export type Json = Record<string, unknown>;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'request too large');
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'invalid JSON');
  }
}

export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpProblem(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(text);
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);