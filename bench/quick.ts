import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Engine } from '../src/db/storage.js';
import { startBenchSlack, TOKEN, WORKSPACE } from './bench-slack.js';
import { copySqliteToPostgres, createBenchDatabase, type BenchDatabase } from './postgres.js';
import { freePort, startChild } from './processes.js';
import { summariseProfileFile } from './profile-summary.js';
import type { BenchOptions } from './run.js';
import type { WorkloadRow } from './report.js';
import { scaled, seedDatabase } from './seed.js';
import { workloads, type WorkloadContext } from './workloads.js';

/**
 * A quicker look than `bench/run.ts`: one data scale, one engine, chosen workloads and concurrencies, one table.
 *   npx tsx bench/quick.ts --scale=1 --c=1,50 --n=2000 --only=/team,/issue,vote,modal [--engine=postgres] [--built] [--prof=/tmp/prof]
 * `--built` runs `npm run build` and measures `node dist/src/main.js`, as `npm start` runs it (else
 * the sources through tsx); `--engine=postgres` runs the app on a fresh PostgreSQL database holding
 * a copy of the seeded data (see bench/postgres.ts); `--entry=path/main.ts` runs another copy of the
 * app (an older checkout, to compare); `--node='--import ./x.mjs'` passes node options to the app;
 * `--prof=DIR` starts the app with `--cpu-prof` into DIR (written when the app stops) and prints a
 * summary of it (bench/profile-summary.ts), also written beside it as summary.txt.
 */
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const scale = Number(arg('scale', '1'));
const only = arg('only', '/team,/issue,vote,modal').split(',');
const prof = arg('prof', '') === '' ? '' : resolve(arg('prof', ''));
const engine = arg('engine', 'sqlite') as Engine;
const built = process.argv.includes('--built');
const options: BenchOptions = {
  scales: [scale],
  requests: Number(arg('n', '2000')),
  concurrency: arg('c', '1,50').split(',').map(Number),
  memoryRequests: 0,
  voters: Number(arg('voters', '1000')),
  built,
  engines: [engine],
  idleSettleMs: 0,
};

const root = join(import.meta.dirname, '..');
if (built) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
// Slack in its own process, as in bench/run.ts.
const { fake, fakeUrl, env, signer } = await startBenchSlack(Math.max(options.voters, 1000), options.voters, 'quick');
const dir = mkdtempSync(join(tmpdir(), 'alliance-quick-'));
const dbPath = join(dir, 'bench.db');
const seeded = seedDatabase(dbPath, WORKSPACE, scaled(scale), new Date());
let pgDatabase: BenchDatabase | undefined;
if (engine === 'postgres') {
  pgDatabase = await createBenchDatabase();
  await copySqliteToPostgres(dbPath, pgDatabase.url);
}
const databaseUrl = pgDatabase?.url ?? dbPath;
const baseline = await startChild('bench/bare-bolt.ts', env, await freePort(), async (port) => (await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' })).status > 0);
const entry = arg('entry', built ? 'dist/src/main.js' : 'src/main.ts');
const app = await startChild(entry, { ...env, DATABASE_URL: databaseUrl }, await freePort(), async (port) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, {
  built: entry.endsWith('.js'),
  nodeArgs: [...(prof === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${prof}`]), ...arg('node', '').split(' ').filter((a) => a !== '')],
});
const rows: WorkloadRow[] = [];
process.stdout.write(`${engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}, ${scale}×, ${built ? 'the build (dist/)' : entry}\n`);
try {
  // No rest before the reading here (quick runs look at CPU, not idle memory): start-up's reading serves as both.
  const startRssMb = app.memory().rssMb;
  const context: WorkloadContext = { scale, app, baseline, signer, fakeUrl, idleRssMb: startRssMb, startRssMb, databaseUrl, seeded, options, log: () => undefined, workspaceId: WORKSPACE, token: TOKEN };
  for (const workload of workloads) {
    if (!only.some((o) => workload.name.includes(o))) continue;
    const produced = await workload.run(context);
    for (const row of produced.rows) {
      rows.push(row);
      const ratio = row.baseline === undefined ? '-' : (row.app.throughput / row.baseline.throughput).toFixed(2);
      process.stdout.write(
        `${row.workload.padEnd(26)} c=${String(row.concurrency).padEnd(3)} app ${String(row.app.throughput).padStart(8)}/s bare ${String(row.baseline?.throughput ?? '-').padStart(8)}/s ratio ${ratio}  p50 ${row.app.p50} p99 ${row.app.p99} max ${row.app.max} (bare p99 ${row.baseline?.p99 ?? '-'}) err ${row.app.errors + row.app.non200}${row.note === undefined ? '' : ` (${row.note})`}\n`,
      );
    }
  }
} finally {
  await app.stop();
  await baseline.stop();
  await fake.stop();
  await pgDatabase?.drop();
  rmSync(dir, { recursive: true, force: true });
}
if (prof !== '') {
  mkdirSync(prof, { recursive: true });
  const summary = summariseProfileFile(prof);
  writeFileSync(join(prof, 'summary.txt'), `${summary}\n`);
  process.stdout.write(`\n${summary}\n`);
}
process.exit(0);
