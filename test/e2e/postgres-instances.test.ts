import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programTeams } from '../../src/db/schema.js';
import { openStorage } from '../../src/db/open-storage.js';
import type { Storage } from '../../src/db/storage.js';
import { createTemporaryDatabase, onPostgres, postgresSkipReason, type TemporaryDatabase } from '../rig/postgres.js';

/*
 * Several processes on one PostgreSQL database, each with its own pool, writing at once the way
 * Alliance does (issue numbers max+1 per team in a transaction; a unique claim per digest minute).
 * The storage layer's SERIALIZABLE transactions with retries must give every write its own number
 * and every minute exactly one claim, and a process killed mid-way must leave nothing half-done.
 * (The app's own repositories run on this storage once they are converted; see the README.)
 */

interface Line {
  instance: string;
  issue?: number;
  title?: string;
  digest?: number;
  done?: boolean;
}

function instance(url: string, name: string, writes: number, teamId: number, firstMinute: number, minutes: number): { child: ChildProcess; lines: Line[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), join('test', 'rig', 'pg-instance.ts'), url, name, String(writes), String(teamId), String(firstMinute), String(minutes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Line[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Line);
      buffer = buffer.slice(nl + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe.skipIf(postgresSkipReason !== undefined)(onPostgres('three instances on one database'), () => {
  let database: TemporaryDatabase;
  let storage: Storage;
  beforeAll(async () => {
    database = await createTemporaryDatabase();
    storage = await openStorage(database.url);
  });
  afterAll(async () => {
    await storage?.close();
    await database?.drop();
  });

  it('60 concurrent writes through three instances give 60 distinct numbers, and each digest minute is claimed once', async () => {
    const team = await storage.insert(programTeams).values({ workspaceId: 'T0PG', key: 'CNA', name: 'CNA', createdAt: 1 }).returning().get();
    const first = Date.UTC(2026, 10, 30, 8, 0);
    const runs = ['a', 'b', 'c'].map((name) => instance(database.url, name, 20, team.id, first, 10));
    expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0, 0]);
    const numbers = runs.flatMap((r) => r.lines.filter((l) => l.issue !== undefined).map((l) => l.issue));
    expect(numbers).toHaveLength(60);
    expect(new Set(numbers).size).toBe(60);
    expect([...numbers].sort((x, y) => (x as number) - (y as number))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const minutes = runs.flatMap((r) => r.lines.filter((l) => l.digest !== undefined).map((l) => l.digest));
    expect([...minutes].sort()).toEqual(Array.from({ length: 10 }, (_, m) => first + m * 60_000));
    const stored = await storage.rows<{ n: number; distinct: number }>(sql`select count(*) as "n", count(distinct number) as "distinct" from issues where program_team_id = ${team.id}`);
    expect(stored).toEqual([{ n: 60, distinct: 60 }]);
  });

  it('a SIGKILLed instance loses nothing it committed and half-writes nothing; the others finish', async () => {
    const team = await storage.insert(programTeams).values({ workspaceId: 'T0PG', key: 'MA', name: 'MA', createdAt: 1 }).returning().get();
    const first = Date.UTC(2026, 11, 1, 8, 0);
    // The one to be killed has far more to do, so it is still writing when the kill comes.
    const runs = ['a', 'b', 'c'].map((name) => instance(database.url, name, name === 'b' ? 400 : 40, team.id, first, 10));
    const victim = runs[1] as (typeof runs)[number];
    // Kill it as soon as it has committed some of its work.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (victim.lines.some((l) => l.issue !== undefined)) {
          clearInterval(check);
          victim.child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    const codes = await Promise.all(runs.map((r) => r.exited));
    // It really died mid-way (no exit code, never reported done); the others exited normally.
    expect(codes).toEqual([0, null, 0]);
    expect(victim.lines.some((l) => l.done === true)).toBe(false);
    const rows = await storage.rows<{ number: number; title: string }>(sql`select number as "number", title as "title" from issues where program_team_id = ${team.id} order by number`);
    // Every write any instance reported as committed is there, with its number; numbers have no gaps or repeats.
    for (const line of runs.flatMap((r) => r.lines.filter((l) => l.issue !== undefined))) {
      expect(rows).toContainEqual({ number: line.issue, title: line.title });
    }
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    // The survivors finished all their writes.
    for (const survivor of [runs[0], runs[2]]) expect(survivor?.lines.filter((l) => l.issue !== undefined)).toHaveLength(40);
    const claims = await storage.rows<{ n: number }>(sql`select count(*) as "n" from digest_runs where scheduled_for >= ${first} and scheduled_for < ${first + 10 * 60_000}`);
    expect(claims).toEqual([{ n: 10 }]);
  });
});
