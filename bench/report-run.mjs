/*
 * One report build in its own process, on the compiled code that `npm start` runs (dist/, built by
 * bench/report-scale.ts first): opens the seeded database (newer migrations applied), builds
 * `/report all this-quarter` (1 October to 30 November 2026: decided votes fall in it) with every CSV
 * and chart into a temp folder, and prints {ms, cpuMs, peakRssMb, rows, charts} as JSON. Peak memory is
 * the process's max RSS: Node, the libraries and the report together.
 * With REPORT_BENCH_OUT=<folder> the files (CSV and PNG) are kept there, to check that a change gives
 * the same files byte for byte (`sha256sum <folder>/*`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '../dist/src/db/open.js';
import { sqliteStorage } from '../dist/src/db/storage-sqlite.js';
import { buildReport } from '../dist/src/features/report/build.js';
import { parsePeriod } from '../dist/src/features/report/period.js';
import { ReportQueries } from '../dist/src/features/report/queries.js';

const WS = 'T0BENCH';
const NOW = new Date('2026-11-30T15:00:00Z');
const [path, spec = 'this-quarter'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: report-run.mjs <database> [period]');
// What openStorage (src/db/open-storage.ts) does for a SQLite file, without importing it: it loads
// the PostgreSQL driver on either engine (8 MB resident), which a SQLite report never uses.
const opened = openDatabase(path);
migrateDatabase(opened.db);
const db = sqliteStorage(opened.sqlite, path);
const keep = process.env.REPORT_BENCH_OUT;
if (keep !== undefined) mkdirSync(keep, { recursive: true });
const dir = keep ?? mkdtempSync(join(tmpdir(), 'report-bench-'));
try {
  const period = parsePeriod(spec, NOW, 'America/Detroit');
  if (!period.ok) throw new Error(period.message);
  const queries = new ReportQueries(db);
  // Display names as the command has them (src/features/report/deliver.ts, nameDirectory): a map
  // filled before the build, read once per cell.
  const people = await db.rows(sql`select user_id as "userId" from people where team_id = ${WS}`);
  const names = new Map(people.map((p) => [p.userId, `Person ${p.userId.slice(-6)}`]));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const report = await buildReport({ queries, workspaceId: WS, timeZone: 'America/Detroit', now: NOW, nameOf: (id) => names.get(id) ?? id, dir }, await queries.teams(WS, 'all'), period.period, 'all');
  const ms = Math.round(performance.now() - started);
  // CPU time (user + system) of this process: on a shared machine, what the report itself cost.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  if (keep !== undefined) for (const f of report.files) if (f.png !== undefined) writeFileSync(join(keep, f.filename), f.png);
  const rows = Object.fromEntries(report.files.filter((f) => f.kind === 'csv').map((f) => [f.filename.replace(/-all-teams.*$/, ''), f.rows ?? 0]));
  // maxRSS is in kilobytes.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, peakRssMb, rows, charts: report.files.filter((f) => f.kind === 'png').length })}\n`);
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  await db.close();
}
