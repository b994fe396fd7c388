import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db/open-storage.js';
import type { Storage } from '../../src/db/storage.js';
import type { Actor } from '../../src/domain/actor.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { seedProgramTeams, TeamService } from '../../src/features/team/service.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * Team changes that read first (is the key taken? is the channel linked?) decide inside their
 * transaction, so two at once never both act on what they read before the other wrote. On
 * PostgreSQL two storages on one database stand in for two instances; on SQLite one storage (its
 * transactions queue on its one connection; other processes are the e2e robust-busy suite's).
 */

const WS = 'T0TEAMRACE';
const now = new Date('2025-03-10T14:00:00Z');
const coordinator = (userId: string): Actor => ({ workspaceId: WS, userId, isCoordinator: true, isExternal: false });

describe(`team changes from two places at once (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let other: Storage | undefined;
  let a: TeamService;
  let b: TeamService;

  beforeEach(async () => {
    database = await freshTestStorage();
    other = TEST_ENGINE === 'postgres' ? await openStorage(database.url) : undefined;
    const repo = new TeamRepository(database.storage);
    await seedProgramTeams(repo, WS, now);
    a = new TeamService(repo);
    b = new TeamService(new TeamRepository(other ?? database.storage));
  });
  afterEach(async () => {
    await other?.close();
    await database.dispose();
  });

  const auditCount = async (action: string): Promise<number> =>
    (await new TeamRepository(database.storage).recentAudit(WS, 100)).filter((e) => e.action === action && e.outcome === 'done').length;

  it('creates a key once: the other creation hears it already exists', async () => {
    const results = await Promise.all([
      a.create(coordinator('U0ONE'), 'RESP', 'Respiratory Therapist', '', now),
      b.create(coordinator('U0TWO'), 'resp', 'Respiratory Therapy', '', now),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? undefined : r.problem))).toEqual([{ code: 'conflict', message: 'Team RESP already exists.' }]);
    expect((await new TeamRepository(database.storage).teams(WS)).filter((t) => t.key === 'RESP')).toHaveLength(1);
    expect(await auditCount('team.create')).toBe(1);
  });

  it('unlinks a channel once: the other unlink hears there is nothing to unlink', async () => {
    const linked = await a.link(coordinator('U0ONE'), 'CNA', 'C0CHANNEL', now);
    expect(linked.ok).toBe(true);
    const results = await Promise.all([a.unlink(coordinator('U0ONE'), 'C0CHANNEL', now), b.unlink(coordinator('U0TWO'), 'C0CHANNEL', now)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? undefined : r.problem.code))).toEqual(['not_found']);
    expect(await auditCount('team.unlink')).toBe(1);
  });
});
