/*
 * Times every team's digest and the roll-up (DigestService.preview, as the `digests` workload does)
 * on seeded databases at several scales, and writes each rendered message so two code versions can
 * be compared for identical content.
 *   npx tsx bench/digest-scale.ts <label> [scales…]      e.g. npx tsx bench/digest-scale.ts after 1 10 100
 * Seeded databases are kept in DIGEST_BENCH_DIR (default /tmp/digest-bench) and reused.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateDatabase, openDatabase } from '../src/db/open.js';
import { sqliteStorage } from '../src/db/storage-sqlite.js';
import { DigestRepository } from '../src/features/digest/repository.js';
import { DigestService } from '../src/features/digest/service.js';
import { TeamRepository } from '../src/features/team/repository.js';
import { TeamService } from '../src/features/team/service.js';
import { benchUser, scaled, seedDatabase } from './seed.js';

const WS = 'T0BENCH';
/** A fixed "now" so every run sees the same data and the same periods. */
const NOW = new Date('2026-03-09T13:00:00Z');
const dir = process.env.DIGEST_BENCH_DIR ?? '/tmp/digest-bench';
const [label = 'run', ...scaleArgs] = process.argv.slice(2);
const scales = scaleArgs.length === 0 ? [1, 10, 100] : scaleArgs.map(Number);
mkdirSync(dir, { recursive: true });

const round = (ms: number) => Math.round(ms * 10) / 10;

for (const k of scales) {
  const seeded = join(dir, `seed-${k}x.db`);
  if (!existsSync(seeded)) seedDatabase(seeded, WS, scaled(k), NOW);
  const path = join(dir, `work-${k}x-${label}.db`);
  copyFileSync(seeded, path);
  const { db, sqlite, close } = openDatabase(path);
  // Applies migrations newer than the seed (indexes), then refreshes the planner's statistics.
  migrateDatabase(db);
  sqlite.exec('analyze');
  const storage = sqliteStorage(sqlite, path, { closeConnection: false });
  const teamRepository = new TeamRepository(storage);
  const service = new DigestService({ repo: new DigestRepository(storage), teamRepository, teams: new TeamService(teamRepository), timeZone: 'America/Detroit', configCoordinators: [benchUser(0)] });
  const outputs: Record<string, unknown> = {};
  const perTeam: Record<string, number> = {};
  const started = performance.now();
  for (const team of await teamRepository.list(WS)) {
    const t0 = performance.now();
    const target = await service.resolveTarget(WS, team.key, '');
    if (target.ok) outputs[team.key] = await service.preview(WS, target.value, NOW);
    perTeam[team.key] = round(performance.now() - t0);
  }
  const r0 = performance.now();
  outputs['*'] = await service.preview(WS, { kind: 'rollup' }, NOW);
  const rollupMs = round(performance.now() - r0);
  const totalMs = round(performance.now() - started);
  await storage.close();
  close();
  writeFileSync(join(dir, `out-${k}x-${label}.json`), JSON.stringify(outputs, null, 1));
  process.stdout.write(`${label} ${k}x: per-team max ${Math.max(...Object.values(perTeam))} ms, roll-up ${rollupMs} ms, total ${totalMs} ms ${JSON.stringify(perTeam)}\n`);
}
