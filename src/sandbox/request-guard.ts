import type { IncomingMessage } from 'node:http';

/**
 * The sandbox lets whoever reaches it act as anyone, coordinator included, so only its own page
 * may reach it. Two browser attacks need closing beyond binding to loopback:
 * - another site's page POSTing to 127.0.0.1 (a "no-cors" form or fetch needs no permission when
 *   its Content-Type is text/plain, a form encoding or multipart, and carries its own Origin);
 * - DNS rebinding: a site whose name briefly resolves to 127.0.0.1 reads and drives the sandbox
 *   as same-origin, but its requests carry that name in Host.
 * So every request must name this server in Host (a loopback name and this very port), and every
 * POST must be JSON (which a cross-origin page cannot send without a CORS preflight we never
 * answer) and, when the browser says where it comes from, come from this same origin.
 */
export type GuardVerdict = { ok: true } | { ok: false; status: number; reason: string };

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function allowedHosts(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `${name}:${port}`);
}

export function checkSandboxRequest(req: Pick<IncomingMessage, 'method' | 'headers'>, port: number): GuardVerdict {
  const hosts = allowedHosts(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) return { ok: false, status: 421, reason: 'this sandbox answers only on its own loopback address' };
  if (req.method === 'GET' || req.method === 'HEAD') return { ok: true };
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') return { ok: false, status: 415, reason: 'the sandbox API accepts only application/json' };
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, reason: 'requests from another origin are refused' };
  }
  // Browsers also say whether a request is cross-site; anything but our own page is refused.
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return { ok: false, status: 403, reason: 'requests from another site are refused' };
  return { ok: true };
}
