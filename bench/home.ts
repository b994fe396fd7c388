/*
 * Times building Home tabs (the reads of HomeService.build and the pure homeView, exactly what a
 * publish renders) on seeded databases: a coordinator's Home (every team's health row) and a
 * member's (their ballots, issues, meetings and teams). Target: a coordinator's Home at 100× data
 * under 50 ms. Not part of `npm run bench` (bench/run.ts belongs to the request-path workloads):
 *   npm run bench:home -- [scales…]        e.g. npm run bench:home -- 1 100   (default 1 10 100)
 *   npm run bench:home -- --smoke          a tiny scale, to check it runs
 * Seeded databases are kept in HOME_BENCH_DIR (default /tmp/home-bench) and reused; the result is
 * written to bench/results/home.json.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateDatabase, openDatabase } from '../src/db/open.js';
import { sqliteStorage } from '../src/db/storage-sqlite.js';
import { goalPaces } from '../src/features/home/goals.js';
import { HomeRepository } from '../src/features/home/repository.js';
import { HomeService } from '../src/features/home/service.js';
import { homeView } from '../src/features/home/views.js';
import { benchUser, scaled, seedDatabase } from './seed.js';

const WS = 'T0BENCH';
const NOW = new Date('2026-03-09T13:00:00Z');
const TARGET_MS = 50;
const RUNS = 50;
const smoke = process.argv.includes('--smoke');
const scales = smoke ? [0.01] : process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const dir = process.env.HOME_BENCH_DIR ?? '/tmp/home-bench';
mkdirSync(dir, { recursive: true });

const round = (ms: number) => Math.round(ms * 100) / 100;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** The busiest member: the person who owns the most open issues (their Home lists the most). */
function busiestMember(sqlite: import('better-sqlite3').Database): string {
  const row = sqlite
    .prepare("select owner_id as id from issues where team_id = ? and owner_id is not null and status not in ('resolved', 'dropped') group by owner_id order by count(*) desc limit 1")
    .get(WS) as { id: string } | undefined;
  return row?.id ?? benchUser(1);
}

const results: Array<Record<string, unknown>> = [];
for (const k of scales.length === 0 ? [1, 10, 100] : scales) {
  const seeded = join(dir, `seed-${k}x.db`);
  if (!existsSync(seeded)) {
    process.stdout.write(`seeding ${k}x…\n`);
    seedDatabase(seeded, WS, scaled(k), NOW);
  }
  const path = join(dir, `work-${k}x.db`);
  copyFileSync(seeded, path);
  const { db, sqlite, close } = openDatabase(path);
  migrateDatabase(db);
  sqlite.exec('analyze');
  // The app's storage on this connection: what a publish reads through.
  const storage = sqliteStorage(sqlite, path, { closeConnection: false });
  const service = new HomeService({ queries: new HomeRepository(storage), ballotSecret: 'bench-secret', timeZone: 'America/Detroit', goals: goalPaces(storage, 'America/Detroit') });
  const member = busiestMember(sqlite);
  const measure = async (who: { userId: string; isCoordinator: boolean }) => {
    const times: number[] = [];
    let blocks = 0;
    // Warm up first (JIT, page cache), as a long-running app is.
    for (let i = 0; i < 5; i++) homeView(await service.build({ workspaceId: WS, userId: who.userId, isCoordinator: who.isCoordinator, isExternal: false }, NOW));
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const view = homeView(await service.build({ workspaceId: WS, userId: who.userId, isCoordinator: who.isCoordinator, isExternal: false }, NOW));
      times.push(performance.now() - t0);
      blocks = view.blocks.length;
    }
    times.sort((a, b) => a - b);
    return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), max: round(times.at(-1) ?? 0), blocks };
  };
  const coordinator = await measure({ userId: benchUser(0), isCoordinator: true });
  const memberHome = await measure({ userId: member, isCoordinator: false });
  await storage.close();
  close();
  const met = coordinator.p50 < TARGET_MS;
  results.push({ scale: k, coordinator, member: memberHome, target: `coordinator Home built in < ${TARGET_MS} ms (median of ${RUNS})`, met });
  process.stdout.write(
    `${k}x: coordinator Home p50 ${coordinator.p50} ms, p99 ${coordinator.p99} ms (${coordinator.blocks} blocks) · member Home p50 ${memberHome.p50} ms, p99 ${memberHome.p99} ms · target ${met ? 'met' : 'MISSED'}\n`,
  );
}
if (!smoke) {
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'home.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), runsPerHome: RUNS, results }, null, 2)}\n`);
}
