import type { Harness } from './harness.js';

/** Row counts of every application table, to prove a refused request stored nothing anywhere. */
export function tableCounts(h: Harness): Record<string, number> {
  const tables = h.query<{ name: string }>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name");
  return Object.fromEntries(tables.map(({ name }) => [name, h.count(`"${name}"`)]));
}

/** Log lines Bolt or the app wrote because a listener threw (the one error path's `app.error`). */
export const listenerFailures = (h: Harness): string[] => h.logs.filter((line) => line.includes('"msg":"listener failed"'));

export async function healthy(h: Harness): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${h.alliance.port}/healthz`);
  return res.status === 200;
}

export const FORM = 'application/x-www-form-urlencoded';
export const payloadBody = (payload: unknown): string => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
