import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadResult } from './load.js';
import { Signer } from './payloads.js';
import { freePort, startChild, type Child } from './processes.js';
import { checkTargets, renderMarkdown, type BenchReport, type WorkloadRow } from './report.js';
import { benchChannel, benchUser, scaled, seedDatabase, TEAM_KEYS } from './seed.js';
import { workloads, type WorkloadContext } from './workloads.js';

const WORKSPACE = 'T0BENCH';
const TOKEN = 'xoxb-bench-token';
const SECRET = 'bench-signing-secret-0123456789';

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
}

export const fullOptions: BenchOptions = { scales: [1, 100], requests: 1000, concurrency: [1, 10, 50], memoryRequests: 100_000, voters: 1000, built: true };
export const smokeOptions: BenchOptions = { scales: [0.01], requests: 20, concurrency: [1, 5], memoryRequests: 50, voters: 20, built: false };

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

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const people = Math.max(options.voters, 1000);
  if (options.built) {
    log('building (npm run build)…');
    execFileSync('npm', ['run', 'build'], { cwd: join(import.meta.dirname, '..'), stdio: 'ignore' });
  }
  // Slack in its own process: the app's calls to it never share the load generator's event loop.
  const fakeConfig = {
    token: TOKEN,
    teamId: WORKSPACE,
    users: Array.from({ length: people }, (_, i) => benchUser(i)),
    // Team 0's channel holds the vote burst's voters (an "everyone" vote counts the channel).
    channels: TEAM_KEYS.map((_, t) => ({ id: benchChannel(t), name: `team-${t}`, ...(t === 0 ? { members: Array.from({ length: options.voters }, (_, i) => benchUser(i)) } : {}) })),
  };
  const fake = await startChild('bench/fake-slack-process.ts', { BENCH_FAKE: JSON.stringify(fakeConfig) }, await freePort(), async (port) => (await fetch(`http://127.0.0.1:${port}/api/api.test`, { method: 'POST' })).status > 0);
  const fakeOrigin = `http://127.0.0.1:${fake.port}`;
  const fakeUrl = `${fakeOrigin}/api/`;
  const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fakeUrl, HOST: '127.0.0.1', LOG_LEVEL: 'info', ALLIANCE_COORDINATORS: benchUser(0) };
  // Slack accepts any response_url it handed out; the fake accepts one it has not seen as well.
  let responses = 0;
  const signer = new Signer(SECRET, WORKSPACE, () => `${fakeOrigin}/respond/bench-${++responses}`);
  const rows: WorkloadRow[] = [];
  const extra: Record<string, unknown> = {};
  const dir = mkdtempSync(join(tmpdir(), 'alliance-bench-'));
  const baseline: Child = await startChild('bench/bare-bolt.ts', env, await freePort(), listening);
  try {
    for (const scale of options.scales) {
      const dbPath = join(dir, `bench-${scale}.db`);
      const now = new Date();
      log(`seeding ${scale}× data…`);
      const seeded = seedDatabase(dbPath, WORKSPACE, scaled(scale), now);
      const app = await startChild(options.built ? 'dist/src/main.js' : 'src/main.ts', { ...env, DATABASE_URL: dbPath }, await freePort(), healthy, { built: options.built, heapProbe: true });
      const idleRssMb = app.memory().rssMb;
      try {
        const context: WorkloadContext = { scale, app, baseline, signer, fakeUrl, dbPath, seeded, options, log, workspaceId: WORKSPACE, token: TOKEN, idleRssMb };
        for (const workload of workloads) {
          if (workload.scales !== undefined && !workload.scales(scale, options)) continue;
          log(`${workload.name} at ${scale}×…`);
          const produced = await workload.run(context);
          rows.push(...produced.rows);
          if (produced.extra !== undefined) extra[`${workload.name}@${scale}x`] = produced.extra;
        }
      } finally {
        await app.stop();
      }
    }
  } finally {
    await baseline.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    ...measuredCommit(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    options: { ...options, log: undefined },
    rows,
    extra,
  };
  report.targets = checkTargets(report);
  if (options.outFile !== undefined) {
    mkdirSync(join(options.outFile, '..'), { recursive: true });
    writeFileSync(options.outFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  log(renderMarkdown(report));
  return report;
}

export async function measurePair(context: WorkloadContext, concurrency: number, total: number, make: (i: number) => ReturnType<Signer['command']>): Promise<{ app: LoadResult; baseline: LoadResult }> {
  // Warm both up with as many requests as there are distinct people, so start-up costs (JIT, each
  // person's first users.info, cached for ten minutes after) do not count as steady state.
  await runLoad({ port: context.app.port, total: Math.min(600, total), concurrency, make });
  await runLoad({ port: context.baseline.port, total: Math.min(600, total), concurrency, make });
  const app = await runLoad({ port: context.app.port, total, concurrency, make });
  const baseline = await runLoad({ port: context.baseline.port, total, concurrency, make });
  return { app, baseline };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const smoke = process.argv.includes('--smoke');
  const scalesArg = process.argv.find((a) => a.startsWith('--scales='));
  const options = { ...(smoke ? smokeOptions : fullOptions), outFile: join(import.meta.dirname, 'results', 'latest.json') };
  if (scalesArg !== undefined) options.scales = scalesArg.slice('--scales='.length).split(',').map(Number);
  runBench(options).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
