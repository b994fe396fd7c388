import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { ReportQueries } from '../../src/features/report/queries.js';
import { ReportRepository } from '../../src/features/report/repository.js';
import { ReportService } from '../../src/features/report/service.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { seedProgramTeams, TeamService } from '../../src/features/team/service.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

const TOKYO = 'T0TOKYO';
const DETROIT = 'T0DETROIT';
// 20:00 UTC on 30 November: already 1 December in Tokyo, still 30 November in Detroit.
const now = new Date('2026-11-30T20:00:00Z');
const coordinator = (workspaceId: string): Actor => ({ workspaceId, userId: 'U0COORD', isCoordinator: true, isExternal: false });

describe(`report periods follow each workspace's time zone (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let reports: ReportService;

  beforeEach(async () => {
    database = await freshTestStorage();
    const teamRepository = new TeamRepository(database.storage);
    for (const ws of [TOKYO, DETROIT]) await seedProgramTeams(teamRepository, ws, now);
    reports = new ReportService({
      queries: new ReportQueries(database.storage),
      repo: new ReportRepository(database.storage),
      teams: new TeamService(teamRepository),
      teamRepository,
      timeZone: 'America/Detroit',
      zones: { zoneFor: async (workspaceId) => (workspaceId === TOKYO ? 'Asia/Tokyo' : 'America/Detroit') },
    });
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('reads "last month" on the workspace’s own calendar', async () => {
    const tokyo = await reports.request(coordinator(TOKYO), ['all', 'last-month'], 'C0NONE', now);
    const detroit = await reports.request(coordinator(DETROIT), ['all', 'last-month'], 'C0NONE', now);
    expect(tokyo.ok && [tokyo.value.period.firstDay, tokyo.value.period.lastDay]).toEqual(['2026-11-01', '2026-11-30']);
    expect(detroit.ok && [detroit.value.period.firstDay, detroit.value.period.lastDay]).toEqual(['2026-10-01', '2026-10-31']);
  });

  it('schedules the quarterly report for 08:00 on the quarter’s first day in the workspace’s zone', async () => {
    const tokyo = await reports.nextQuarterly(TOKYO, now);
    const detroit = await reports.nextQuarterly(DETROIT, now);
    expect(new Date(tokyo.at).toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(new Date(detroit.at).toISOString()).toBe('2027-01-01T13:00:00.000Z');
  });
});
