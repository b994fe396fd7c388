/*
 * `/report all this-quarter` over a seeded database at 1×, 10× or 100× the brief's size (100× = 500,000 issues,
 * 20,000 meetings with 200,000 RSVPs, 20,000 votes with 2,000,000 ballots, 1,000 people; bench/seed.ts),
 * built exactly as the command builds it (src/features/report/build.ts: every CSV and chart), each
 * scale in a fresh child process so its peak memory (max RSS) is the report's alone, not the seeding's.
 *   npm run bench:report                 (100×, the target: under 5 s and 200 MB peak)
 *   npm run bench:report -- 1 10 100     (several scales)
 * Seeded databases are kept in REPORT_BENCH_DIR (default /tmp/report-bench) and reused.
 * Prints one line per scale and writes bench/results/report-latest.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/open.js';
import { NOW, WS } from './report-scale-constants.js';
import { scaled, seedDatabase } from './seed.js';
const TARGET_MS = 5000;
const TARGET_MB = 200;

const dir = process.env.REPORT_BENCH_DIR ?? '/tmp/report-bench';
const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
mkdirSync(dir, { recursive: true });

const results: Array<Record<string, unknown>> = [];
for (const k of scales.length === 0 ? [100] : scales) {
  const path = join(dir, `report-seed-${k}x.db`);
  if (!existsSync(path)) {
    process.stdout.write(`seeding ${k}× into ${path} (once)…\n`);
    seedDatabase(path, WS, scaled(k), NOW);
    // The seed closes votes without a closing time; give them the deadline they closed at, so the
    // report has decided votes (with their ballots) to count.
    const { sqlite, close } = openDatabase(path);
    sqlite.prepare(`update votes set closed_at = closes_at where status = 'closed' and closed_at is null`).run();
    close();
  }
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./report-run.ts', import.meta.url)), path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    throw new Error(`report run at ${k}× failed (exit ${child.status ?? 'signal'})`);
  }
  const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; peakRssMb: number; rows: Record<string, number>; charts: number };
  const met = result.ms < TARGET_MS && result.peakRssMb < TARGET_MB;
  results.push({ scale: k, ...result, targets: { ms: TARGET_MS, peakRssMb: TARGET_MB }, met });
  process.stdout.write(
    `${k}×: /report all this-quarter in ${result.ms} ms, peak RSS ${result.peakRssMb} MB; rows ${JSON.stringify(result.rows)}, ${result.charts} charts · ${met ? 'targets met' : 'TARGET MISSED'} (< ${TARGET_MS} ms, < ${TARGET_MB} MB)\n`,
  );
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/report-latest.json', import.meta.url), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
if (results.some((r) => r.met !== true)) process.exitCode = 1;
