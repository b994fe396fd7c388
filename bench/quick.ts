import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../src/fake-slack/server.js';
import { Signer } from './payloads.js';
import { freePort, startChild } from './processes.js';
import type { BenchOptions } from './run.js';
import type { WorkloadRow } from './report.js';
import { benchChannel, benchUser, scaled, seedDatabase, TEAM_KEYS } from './seed.js';
import { workloads, type WorkloadContext } from './workloads.js';

/**
 * A quicker look than `bench/run.ts`: one data scale, chosen workloads and concurrencies, one table.
 *   npx tsx bench/quick.ts --scale=1 --c=1,50 --n=2000 --only=/team,/issue,vote,modal [--prof=/tmp/prof]
 * `--entry=path/main.ts` runs another copy of the app (an older checkout, to compare); `--node='--import ./x.mjs'` passes node options to the app; `--prof` starts the app with `--cpu-prof` into that directory (written when the app stops).
 */
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const scale = Number(arg('scale', '1'));
const only = arg('only', '/team,/issue,vote,modal').split(',');
const prof = arg('prof', '');
const options: BenchOptions = { scales: [scale], requests: Number(arg('n', '2000')), concurrency: arg('c', '1,50').split(',').map(Number), memoryRequests: 0, voters: Number(arg('voters', '1000')), built: false };

const WORKSPACE = 'T0BENCH';
const TOKEN = 'xoxb-bench-token';
const SECRET = 'bench-signing-secret-0123456789';
const fake = await startFakeSlack({ botToken: TOKEN, teamId: WORKSPACE, teamName: 'Bench', rateLimits: false });
for (let i = 0; i < Math.max(options.voters, 1000); i++) fake.addUser({ id: benchUser(i), name: `person${i}`, tz: 'America/Detroit' });
for (let t = 0; t < TEAM_KEYS.length; t++) fake.addChannel({ id: benchChannel(t), name: `team-${t}`, ...(t === 0 ? { members: Array.from({ length: options.voters }, (_, i) => benchUser(i)) } : {}) });
const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, HOST: '127.0.0.1', LOG_LEVEL: 'info', ALLIANCE_COORDINATORS: benchUser(0) };
const signer = new Signer(SECRET, WORKSPACE, () => fake.responseUrl());
const dir = mkdtempSync(join(tmpdir(), 'alliance-quick-'));
const dbPath = join(dir, 'bench.db');
const seeded = seedDatabase(dbPath, WORKSPACE, scaled(scale), new Date());
const baseline = await startChild('bench/bare-bolt.ts', env, await freePort(), async (port) => (await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' })).status > 0);
const app = await startChild(arg('entry', 'src/main.ts'), { ...env, DATABASE_URL: dbPath }, await freePort(), async (port) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, { nodeArgs: [...(prof === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${prof}`]), ...arg('node', '').split(' ').filter((a) => a !== '')] });
const rows: WorkloadRow[] = [];
try {
  const context: WorkloadContext = { scale, app, baseline, signer, fakeUrl: fake.url, idleRssMb: app.memory().rssMb, dbPath, seeded, options, log: () => undefined, workspaceId: WORKSPACE, token: TOKEN };
  for (const workload of workloads) {
    if (!only.some((o) => workload.name.includes(o))) continue;
    const produced = await workload.run(context);
    for (const row of produced.rows) {
      rows.push(row);
      const ratio = row.baseline === undefined ? '-' : (row.app.throughput / row.baseline.throughput).toFixed(2);
      process.stdout.write(
        `${row.workload.padEnd(26)} c=${String(row.concurrency).padEnd(3)} app ${String(row.app.throughput).padStart(8)}/s bare ${String(row.baseline?.throughput ?? '-').padStart(8)}/s ratio ${ratio}  p50 ${row.app.p50} p99 ${row.app.p99} max ${row.app.max} (bare p99 ${row.baseline?.p99 ?? '-'}) err ${row.app.errors + row.app.non200}\n`,
      );
    }
  }
} finally {
  await app.stop();
  await baseline.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
