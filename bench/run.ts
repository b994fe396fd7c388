import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Engine } from '../src/db/storage.js';
import { combine, runLoad, runLoadSamples, type LoadResult, type LoadSamples } from './load.js';
import { startBenchSlack, TOKEN, WORKSPACE } from './bench-slack.js';
import type { Signer } from './payloads.js';
import { benchPostgresServer, copySqliteToPostgres, createBenchDatabase, postgresVersion, type BenchDatabase } from './postgres.js';
import { freePort, startChild, type Child } from './processes.js';
import { checkTargets, renderMarkdown, type BenchReport, type TargetCheck, type WorkloadRow } from './report.js';
import { scaled, seedDatabase } from './seed.js';
import { workloads, type WorkloadContext } from './workloads.js';


export interface BenchOptions {
  /** Data sizes relative to the brief's 1× database. */
  scales: number[];
  /** Requests per measured run (each concurrency level, each app). */
  requests: number;
  concurrency: number[];
  /** Requests for the memory (leak) check. */
  memoryRequests: number;
  voters: number;
  outFile?: string;
  log?: (line: string) => void;
  /** Measure the build as `npm start` runs it (`npm run build`, then `node dist/src/main.js`); the smoke run uses the sources through tsx. */
  built: boolean;
  /**
   * The engines the app is measured on, one after the other at each scale, on the same seeded
   * data: SQLite (a file) and PostgreSQL (a fresh database on `BENCH_DATABASE_URL`'s server, else
   * TEST_DATABASE_URL's, else postgres://postgres@127.0.0.1:5432/postgres; dropped afterwards).
   */
  engines: Engine[];
  /**
   * How long the app rests after start-up before its idle memory is read (at the first scale, where
   * the memory run is). Idle means at rest: V8 gives back start-up's garbage and its grown young
   * generation only after a while without work (its memory reducer; 10–20 s on this machine), so
   * a reading as `/healthz` first answers is start-up, not idle. That reading is kept too.
   */
  idleSettleMs: number;
}

export const fullOptions: BenchOptions = { scales: [1, 100], requests: 1000, concurrency: [1, 10, 50], memoryRequests: 100_000, voters: 1000, built: true, engines: ['sqlite', 'postgres'], idleSettleMs: 30_000 };
/** The smoke run (part of `npm test`) runs on the suite's engine (ALLIANCE_TEST_ENGINE). */
export const smokeOptions: BenchOptions = {
  scales: [0.01],
  requests: 20,
  concurrency: [1, 5],
  memoryRequests: 50,
  voters: 20,
  built: false,
  engines: [process.env['ALLIANCE_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite'],
  idleSettleMs: 0,
};

export const ENGINE_LABELS: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** A measured row, with the engine the app ran on (files written before PostgreSQL was measured have none: SQLite). */
export type EngineRow = WorkloadRow & { engine?: Engine };

/** bench/results/latest.json: both engines' rows; `extra` keys of PostgreSQL measurements end in EXTRA_SUFFIX.postgres. */
export interface EnginesReport extends BenchReport {
  engines?: Engine[];
  finishedAt?: string;
  rows: EngineRow[];
  machine: BenchReport['machine'] & { postgres?: string };
}

export const EXTRA_SUFFIX: Record<Engine, string> = { sqlite: '', postgres: ' on postgres' };
const engineOfRow = (row: EngineRow): Engine => row.engine ?? 'sqlite';

/** One engine's part of a report, as bench/report.ts reads a single-engine run. */
export function engineReport(report: EnginesReport, engine: Engine): BenchReport {
  const suffix = EXTRA_SUFFIX[engine];
  const extra = Object.fromEntries(
    Object.entries(report.extra)
      .filter(([key]) => (engine === 'sqlite' ? !Object.values(EXTRA_SUFFIX).some((s) => s !== '' && key.endsWith(s)) : key.endsWith(suffix)))
      .map(([key, value]) => [key.slice(0, key.length - suffix.length), value]),
  );
  return { ...report, rows: report.rows.filter((row) => engineOfRow(row) === engine), extra, targets: undefined };
}

/** Issue #18's targets, judged for each engine on its own (each target named with its engine). */
export function checkEngineTargets(report: EnginesReport): TargetCheck[] {
  const engines = report.engines ?? ['sqlite'];
  return engines.flatMap((engine) => checkTargets(engineReport(report, engine)).map((check) => ({ ...check, target: `${ENGINE_LABELS[engine]}: ${check.target}` })));
}

/** The commit the run measured (and whether the tree had changes on top of it). */
function measuredCommit(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

const healthy = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
const listening = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
  return response.status > 0;
};

export async function runBench(options: BenchOptions): Promise<EnginesReport> {
  const began = Date.now();
  const write = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Each progress line says how long the run has taken so far (the final run's length is planned from these).
  const log = (line: string) => write(line.startsWith('\n') || line.startsWith('|') ? line : `[${Math.round((Date.now() - began) / 1000)} s] ${line}`);
  const people = Math.max(options.voters, 1000);
  if (options.built) {
    log('building (npm run build)…');
    execFileSync('npm', ['run', 'build'], { cwd: join(import.meta.dirname, '..'), stdio: 'ignore' });
  }
  const { fake, fakeUrl, env, signer } = await startBenchSlack(people, options.voters, 'bench');
  const rows: EngineRow[] = [];
  const extra: Record<string, unknown> = {};
  const startedAt = new Date().toISOString();
  const postgresServer = options.engines.includes('postgres') ? benchPostgresServer() : undefined;
  const postgres = postgresServer === undefined ? undefined : await postgresVersion(postgresServer);
  const dir = mkdtempSync(join(tmpdir(), 'alliance-bench-'));
  const baseline: Child = await startChild('bench/bare-bolt.ts', env, await freePort(), listening);
  try {
    for (const scale of options.scales) {
      const dbPath = join(dir, `bench-${scale}.db`);
      const now = new Date();
      log(`seeding ${scale}× data…`);
      const seeded = seedDatabase(dbPath, WORKSPACE, scaled(scale), now);
      let pgDatabase: BenchDatabase | undefined;
      try {
        if (postgresServer !== undefined) {
          // Copied before SQLite is measured: the workloads write (issues, a vote), and both engines start from the same rows.
          log(`copying ${scale}× data to a fresh PostgreSQL database…`);
          const copyStarted = Date.now();
          pgDatabase = await createBenchDatabase(postgresServer);
          await copySqliteToPostgres(dbPath, pgDatabase.url);
          log(`  copied in ${((Date.now() - copyStarted) / 1000).toFixed(1)} s`);
        }
        for (const engine of options.engines) {
          const databaseUrl = engine === 'postgres' ? (pgDatabase?.url ?? '') : dbPath;
          const app = await startChild(options.built ? 'dist/src/main.js' : 'src/main.ts', { ...env, DATABASE_URL: databaseUrl }, await freePort(), healthy, { built: options.built, heapProbe: true });
          const startRssMb = app.memory().rssMb;
          if (options.idleSettleMs > 0 && scale === options.scales[0]) {
            log(`letting the app rest ${options.idleSettleMs / 1000} s before reading its idle memory…`);
            await new Promise((resolve) => setTimeout(resolve, options.idleSettleMs));
          }
          const idleRssMb = app.memory().rssMb;
          try {
            const context: WorkloadContext = { scale, app, baseline, signer, fakeUrl, databaseUrl, seeded, options, log, workspaceId: WORKSPACE, token: TOKEN, idleRssMb, startRssMb };
            for (const workload of workloads) {
              if (workload.scales !== undefined && !workload.scales(scale, options)) continue;
              log(`${workload.name} at ${scale}× on ${ENGINE_LABELS[engine]}…`);
              const produced = await workload.run(context);
              rows.push(...produced.rows.map((row) => ({ ...row, engine })));
              if (produced.extra !== undefined) extra[`${workload.name}@${scale}x${EXTRA_SUFFIX[engine]}`] = produced.extra;
            }
          } finally {
            await app.stop();
          }
        }
      } finally {
        await pgDatabase?.drop();
      }
    }
  } finally {
    await baseline.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const report: EnginesReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    ...measuredCommit(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, ...(postgres === undefined ? {} : { postgres }) },
    options: { ...options, log: undefined },
    engines: options.engines,
    rows,
    extra,
  };
  report.targets = checkEngineTargets(report);
  if (options.outFile !== undefined) {
    mkdirSync(join(options.outFile, '..'), { recursive: true });
    writeFileSync(options.outFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  for (const engine of options.engines) log(`\n${ENGINE_LABELS[engine]}:\n${renderMarkdown(engineReport(report, engine))}`);
  return report;
}

/** A measurement is taken in this many slices, the app's and bare Bolt's alternating. */
const SLICES = 5;

export async function measurePair(context: WorkloadContext, concurrency: number, total: number, make: (i: number) => ReturnType<Signer['command']>): Promise<{ app: LoadResult; baseline: LoadResult; sentToApp: number }> {
  // Warm both up with as many requests as there are distinct people, so start-up costs (JIT, each
  // person's first users.info, cached for ten minutes after) do not count as steady state.
  await runLoad({ port: context.app.port, total: Math.min(600, total), concurrency, make });
  await runLoad({ port: context.baseline.port, total: Math.min(600, total), concurrency, make });
  // The app's first answer goes to the log, so a run shows what was measured (an error answered fast would look good).
  await runLoad({ port: context.app.port, total: 1, concurrency: 1, make, onResponse: (_i, status, body) => context.log(`  the app answered ${status}: ${body.slice(0, 160)}`) });
  // The machine is shared: a neighbour's burst of work would land on whichever was being measured
  // at the time. Alternating short slices of the two spreads it over both, so the ratio is fairer.
  const app: LoadSamples[] = [];
  const baseline: LoadSamples[] = [];
  const slice = Math.max(concurrency, Math.ceil(total / SLICES));
  for (let first = 0; first < total; first += slice) {
    const size = Math.min(slice, total - first);
    app.push(await runLoadSamples({ port: context.app.port, total: size, first, concurrency, make }));
    baseline.push(await runLoadSamples({ port: context.baseline.port, total: size, first, concurrency, make }));
  }
  const measured = combine(app);
  // Warm-up, the first answer, and the measured requests.
  const sentToApp = Math.min(600, total) + 1 + measured.requests + measured.errors;
  return { app: measured, baseline: combine(baseline), sentToApp };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const smoke = process.argv.includes('--smoke');
  const value = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const options: BenchOptions = { ...(smoke ? smokeOptions : fullOptions), outFile: resolve(import.meta.dirname, 'results', value('out') ?? 'latest.json') };
  const numbers = (name: string) => value(name)?.split(',').map(Number);
  options.scales = numbers('scales') ?? options.scales;
  options.concurrency = numbers('c') ?? options.concurrency;
  options.requests = numbers('n')?.[0] ?? options.requests;
  options.memoryRequests = numbers('memory')?.[0] ?? options.memoryRequests;
  options.voters = numbers('voters')?.[0] ?? options.voters;
  options.engines = (value('engines')?.split(',') as Engine[] | undefined) ?? options.engines;
  if (process.argv.includes('--built')) options.built = true;
  runBench(options).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
