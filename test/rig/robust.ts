import type { Harness } from './harness.js';

/** Row counts of every application table, to prove a refused request stored nothing anywhere. */
export async function tableCounts(h: Harness): Promise<Record<string, number>> {
  // The migrations' own bookkeeping (drizzle's table, SQLite's internal ones) is not the app's data.
  const tables =
    h.engine === 'postgres'
      ? await h.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like '%drizzle%' order by table_name")
      : await h.query<{ name: string }>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name");
  const counts: Record<string, number> = {};
  for (const { name } of tables) counts[name] = await h.count(`"${name}"`);
  return counts;
}

/** Log lines Bolt or the app wrote because a listener threw (the one error path's `app.error`). */
export const listenerFailures = (h: Harness): string[] => h.logs.filter((line) => line.includes('"msg":"listener failed"'));

export async function healthy(h: Harness): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${h.alliance.port}/healthz`);
  return res.status === 200;
}

export const FORM = 'application/x-www-form-urlencoded';
export const payloadBody = (payload: unknown): string => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
