import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../src/fake-slack/server.js';
import type { FakeSlack } from '../src/fake-slack/types.js';
import { runLoad, type LoadResult } from './load.js';
import { Signer } from './payloads.js';
import { freePort, startChild, type Child } from './processes.js';
import { renderMarkdown, type BenchReport, type WorkloadRow } from './report.js';
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
}

export const fullOptions: BenchOptions = { scales: [1, 10, 100], requests: 2000, concurrency: [1, 10, 50], memoryRequests: 100_000, voters: 1000 };
export const smokeOptions: BenchOptions = { scales: [0.01], requests: 20, concurrency: [1, 5], memoryRequests: 50, voters: 20 };

const healthy = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
const listening = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
  return response.status > 0;
};

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const fake: FakeSlack = await startFakeSlack({ botToken: TOKEN, teamId: WORKSPACE, teamName: 'Bench', rateLimits: false });
  const people = Math.max(options.voters, 1000);
  for (let i = 0; i < people; i++) fake.addUser({ id: benchUser(i), name: `person${i}`, tz: 'America/Detroit' });
  for (let t = 0; t < TEAM_KEYS.length; t++) fake.addChannel({ id: benchChannel(t), name: `team-${t}` });
  const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, HOST: '127.0.0.1', LOG_LEVEL: 'info', ALLIANCE_COORDINATORS: benchUser(0) };
  const signer = new Signer(SECRET, WORKSPACE, () => fake.responseUrl());
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
      const app = await startChild('src/main.ts', { ...env, DATABASE_URL: dbPath }, await freePort(), healthy);
      try {
        const context: WorkloadContext = { scale, app, baseline, signer, fake, dbPath, seeded, options, log, workspaceId: WORKSPACE, token: TOKEN };
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
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const report: BenchReport = { startedAt: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, options, rows, extra };
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
