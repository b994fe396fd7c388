/*
 * `/report all` (last month, and this quarter to date) over a seeded database at 1×, 10× or 100× the brief's size (100× = 500,000 issues,
 * 20,000 meetings with 200,000 RSVPs, 20,000 votes with 2,000,000 ballots, 1,000 people; bench/seed.ts),
 * built exactly as the command builds it (src/features/report/build.ts: every CSV and chart, compiled
 * by `npm run build` as `npm start` runs it), each in a fresh child process (bench/report-run.mjs) so
 * its peak memory (max RSS) is the report's alone, not the seeding's.
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
import type { Ballot, Vote, VoteOption } from '../src/features/vote/repository.js';
import { computeResult } from '../src/features/vote/rules.js';
import { scaled, seedDatabase } from './seed.js';
const WS = 'T0BENCH';
/** Monday 30 November 2026: the seeded 120 days of history run up to it. */
const NOW = new Date('2026-11-30T15:00:00Z');
/** The default period (last month: October) and this quarter to date (October and November, when the seeded votes closed). */
const PERIODS = ['last-month', 'this-quarter'];
const TARGET_MS = 5000;
const TARGET_MB = 200;

const dir = process.env.REPORT_BENCH_DIR ?? '/tmp/report-bench';
const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
mkdirSync(dir, { recursive: true });

/**
 * bench/seed.ts marks votes closed without what closing stores; give each its closing time (its
 * deadline) and its result, counted from its ballots as `/vote close` does, so the report reads
 * decided votes as it does in production. Idempotent: only votes without a result are touched.
 */
function closeSeededVotes(path: string): void {
  const { sqlite, close } = openDatabase(path);
  try {
    const todo = sqlite.prepare(`select * from votes where status = 'closed' and result_json is null`).all() as Array<Vote & Record<string, unknown>>;
    if (todo.length === 0) return;
    const optionsOf = sqlite.prepare('select id, team_id as workspaceId, vote_id as voteId, position, label, issue_id as issueId from vote_options where vote_id = ? order by position');
    const ballotsOf = sqlite.prepare('select id, vote_id as voteId, voter_key as voterKey, organisation_id as organisationId, cast_by as castBy, cast_by_hash as castByHash, choices_json as choicesJson from ballots where vote_id = ?');
    const members = sqlite.prepare('select count(*) as n from team_members where program_team_id = ?');
    const store = sqlite.prepare('update votes set closed_at = closes_at, result_json = ? where id = ?');
    sqlite.transaction(() => {
      for (const v of todo) {
        const vote = { method: v.method, anonymous: Boolean(v.anonymous), eligibility: v.eligibility } as Pick<Vote, 'method' | 'anonymous' | 'eligibility'>;
        const eligible = (members.get(v.program_team_id) as { n: number }).n;
        const result = computeResult(vote, optionsOf.all(v.id) as VoteOption[], ballotsOf.all(v.id) as Ballot[], new Map(), eligible);
        store.run(JSON.stringify(result), v.id);
      }
    })();
  } finally {
    close();
  }
}

// Measure the code `npm start` runs: the tsc build, in plain node (no TypeScript loader in memory).
const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');

const results: Array<Record<string, unknown>> = [];
for (const k of scales.length === 0 ? [100] : scales) {
  const path = join(dir, `report-seed-${k}x.db`);
  if (!existsSync(path)) {
    process.stdout.write(`seeding ${k}× into ${path} (once)…\n`);
    seedDatabase(path, WS, scaled(k), NOW);
  }
  closeSeededVotes(path);
  for (const spec of PERIODS) {
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./report-run.mjs', import.meta.url)), path, spec], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      process.stderr.write(child.stderr);
      throw new Error(`report run at ${k}× failed (exit ${child.status ?? 'signal'})`);
    }
    const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; cpuMs: number; peakRssMb: number; rows: Record<string, number>; charts: number };
    const met = result.ms < TARGET_MS && result.peakRssMb < TARGET_MB;
    results.push({ scale: k, period: spec, ...result, targets: { ms: TARGET_MS, peakRssMb: TARGET_MB }, met });
    process.stdout.write(
      `${k}× /report all ${spec}: ${result.ms} ms (CPU ${result.cpuMs} ms), peak RSS ${result.peakRssMb} MB; CSV rows ${JSON.stringify(result.rows)}, ${result.charts} charts · ${met ? 'targets met' : 'TARGET MISSED'} (< ${TARGET_MS} ms, < ${TARGET_MB} MB)\n`,
    );
  }
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/report-latest.json', import.meta.url), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
if (results.some((r) => r.met !== true)) process.exitCode = 1;
