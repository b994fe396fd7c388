import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { seedProgramTeams, TeamService } from '../../src/features/team/service.js';
import { ballotKeysPerWorkspace, parseTimeZone, WorkspaceSettingsService, type WorkspaceSettingsView } from '../../src/features/team/settings.js';
import { settingsView } from '../../src/features/team/views.js';
import { WorkspaceZones, ZONE_CACHE_MS } from '../../src/features/team/zones.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

const WS = 'T0SETTINGS';
const OTHER_WS = 'T0OTHERWS';
const DEFAULT_ZONE = 'America/Detroit';
const now = new Date('2025-03-10T14:00:00Z');
const coordinator: Actor = { workspaceId: WS, userId: 'U0COORD', isCoordinator: true, isExternal: false };
const member: Actor = { workspaceId: WS, userId: 'U0MEMBER', isCoordinator: false, isExternal: false };
const outsider: Actor = { workspaceId: WS, userId: 'U0OUTSIDER', isCoordinator: false, isExternal: false };
const guestCoordinator: Actor = { workspaceId: WS, userId: 'U0GUEST', isCoordinator: true, isExternal: true };

describe('parseTimeZone', () => {
  it('accepts an IANA zone and spells it the runtime’s way', () => {
    expect(parseTimeZone('America/Chicago')).toEqual({ ok: true, value: 'America/Chicago' });
    expect(parseTimeZone('  america/chicago ')).toEqual({ ok: true, value: 'America/Chicago' });
    expect(parseTimeZone('UTC')).toEqual({ ok: true, value: 'UTC' });
  });

  it('refuses anything else politely, with an example', () => {
    for (const typed of ['', 'Mars/Olympus', 'America/Chicago extra', 'CST6CDT;drop', '<!channel>']) {
      const parsed = parseTimeZone(typed);
      expect(parsed.ok, typed).toBe(false);
      if (!parsed.ok) {
        expect(parsed.problem.code).toBe('invalid');
        expect(parsed.problem.message).toContain('/team settings timezone America/Chicago');
      }
    }
  });
});

describe('settingsView', () => {
  const view: WorkspaceSettingsView = {
    timeZone: { value: 'America/Detroit', source: 'default' },
    teamDigests: [
      { teamKey: 'CNA', cron: '0 8 * * 1', source: 'default' },
      { teamKey: 'MA', cron: '30 9 * * 5', timeZone: 'America/Chicago', source: 'workspace' },
    ],
    rollup: { cron: '0 8 * * 1', source: 'default' },
    perWorkspaceBallotKeys: false,
  };
  const text = (v: WorkspaceSettingsView) => JSON.stringify(settingsView(v, (ms) => new Date(ms).toISOString()).blocks);

  it('shows each setting and where it comes from, never a key', () => {
    const shown = text(view);
    expect(shown).toContain('America/Detroit (deployment default)');
    expect(shown).toContain('*CNA digest*: every Monday at 08:00');
    expect(shown).toContain('America/Chicago) · set with /digest schedule');
    expect(shown).toContain('*Roll-up digest*');
    expect(shown).toContain('keyed with the deployment’s key (never shown)');
    expect(shown).toContain('/digest schedule');
    const own = text({ ...view, timeZone: { value: 'America/Chicago', source: 'workspace', setBy: 'U0COORD', setAt: 0 }, perWorkspaceBallotKeys: true });
    expect(own).toContain('America/Chicago (this workspace’s, set by <@U0COORD> on 1970-01-01T00:00:00.000Z)');
    expect(own).toContain('keyed per workspace');
  });

  it('claims per-workspace ballot keys only when the vote feature says so', () => {
    expect(typeof ballotKeysPerWorkspace()).toBe('boolean');
  });
});

describe(`workspace settings on storage (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let repo: TeamRepository;
  let clock: number;
  let zones: WorkspaceZones;
  let settings: WorkspaceSettingsService;

  beforeEach(async () => {
    database = await freshTestStorage();
    repo = new TeamRepository(database.storage);
    await seedProgramTeams(repo, WS, now);
    const cna = await repo.byKey(WS, 'CNA');
    await repo.addMember(WS, cna?.id ?? 0, member.userId, now.getTime());
    clock = now.getTime();
    zones = new WorkspaceZones(database.storage, DEFAULT_ZONE, { now: () => clock });
    settings = new WorkspaceSettingsService({ repo, teams: new TeamService(repo), zones });
  });
  afterEach(async () => {
    await database.dispose();
  });

  const audit = async () => (await repo.recentAudit(WS, 50)).map((e) => ({ actorId: e.actorId, action: e.action, target: e.target, outcome: e.outcome })).reverse();

  it('uses the deployment’s zone until a coordinator sets the workspace’s own, and again after a reset; each change audited', async () => {
    expect(await zones.zoneFor(WS)).toBe(DEFAULT_ZONE);
    const set = await settings.setTimeZone(coordinator, 'america/chicago', now);
    expect(set).toEqual({ ok: true, value: 'America/Chicago' });
    expect(await zones.zoneFor(WS)).toBe('America/Chicago');
    expect(await zones.zoneFor(OTHER_WS)).toBe(DEFAULT_ZONE);
    const shown = await settings.show(member, now);
    expect(shown.ok && shown.value.timeZone).toEqual({ value: 'America/Chicago', source: 'workspace', setBy: coordinator.userId, setAt: now.getTime() });
    expect(await settings.resetTimeZone(coordinator, now)).toEqual({ ok: true, value: DEFAULT_ZONE });
    expect(await zones.zoneFor(WS)).toBe(DEFAULT_ZONE);
    expect(await audit()).toEqual([
      { actorId: coordinator.userId, action: 'team.settings.timezone', target: 'timezone America/Chicago', outcome: 'done' },
      { actorId: coordinator.userId, action: 'team.settings.timezone', target: 'timezone reset', outcome: 'done' },
    ]);
  });

  it('lets only the workspace’s coordinators change settings (not a member, not a partner-workspace coordinator), auditing refusals', async () => {
    for (const actor of [member, guestCoordinator]) {
      const refused = await settings.setTimeZone(actor, 'Europe/London', now);
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.problem.code).toBe('forbidden');
    }
    const badZone = await settings.setTimeZone(coordinator, 'Mars/Olympus', now);
    expect(badZone.ok).toBe(false);
    expect(await zones.zoneFor(WS)).toBe(DEFAULT_ZONE);
    expect(await repo.settings(WS)).toBeUndefined();
    expect(await audit()).toEqual([
      { actorId: member.userId, action: 'team.settings.timezone', target: 'Europe/London', outcome: 'refused' },
      { actorId: guestCoordinator.userId, action: 'team.settings.timezone', target: 'Europe/London', outcome: 'refused' },
    ]);
  });

  it('shows settings to team members and coordinators only', async () => {
    expect((await settings.show(coordinator, now)).ok).toBe(true);
    const shown = await settings.show(member, now);
    expect(shown.ok).toBe(true);
    if (shown.ok) {
      expect(shown.value.timeZone).toEqual({ value: DEFAULT_ZONE, source: 'default' });
      expect(shown.value.teamDigests.map((d) => [d.teamKey, d.source])).toEqual([
        ['CNA', 'default'],
        ['MA', 'default'],
        ['SPT', 'default'],
      ]);
      expect(shown.value.rollup).toEqual({ cron: '0 8 * * 1', source: 'default' });
    }
    const refused = await settings.show(outsider, now);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problem.code).toBe('forbidden');
    expect(await audit()).toEqual([{ actorId: outsider.userId, action: 'team.settings', target: null, outcome: 'refused' }]);
  });

  it('caches a workspace’s zone for a minute, shares the cache among every WorkspaceZones on the storage, and forgets it on a change', async () => {
    const elsewhere = new WorkspaceZones(database.storage, DEFAULT_ZONE, { now: () => clock });
    expect(await elsewhere.zoneFor(WS)).toBe(DEFAULT_ZONE);
    // Written behind the cache's back (another instance of the app): not seen until the minute is up.
    await repo.setTimeZone(WS, 'Asia/Tokyo', 'U0ELSEWHERE', now.getTime());
    expect(await elsewhere.zoneFor(WS)).toBe(DEFAULT_ZONE);
    clock += ZONE_CACHE_MS;
    expect(await elsewhere.zoneFor(WS)).toBe('Asia/Tokyo');
    // Changed through this process's settings: every instance sees it at once.
    await settings.setTimeZone(coordinator, 'Europe/London', now);
    expect(await elsewhere.zoneFor(WS)).toBe('Europe/London');
  });

  it('does not let a read that started before a change put the old zone back in the cache', async () => {
    // The first read gets the row as it was, then is held until the change has committed and been forgotten.
    const direct = new TeamRepository(database.storage);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const spy = vi.spyOn(TeamRepository.prototype, 'settings').mockImplementationOnce(async (workspaceId: string) => {
      const before = await direct.settings(workspaceId);
      await held;
      return before;
    });
    const reading = zones.zoneFor(WS);
    await settings.setTimeZone(coordinator, 'Europe/Paris', now);
    release();
    expect(await reading).toBe(DEFAULT_ZONE);
    spy.mockRestore();
    expect(await zones.zoneFor(WS)).toBe('Europe/Paris');
  });

  it('falls back to the deployment’s zone when a stored zone is no longer known', async () => {
    await repo.setTimeZone(WS, 'Nowhere/Gone', 'U0OLD', now.getTime());
    expect(await zones.zoneFor(WS)).toBe(DEFAULT_ZONE);
    expect(await zones.ownZone(WS)).toBeUndefined();
  });
});
