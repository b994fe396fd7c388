import type { Actor } from '../../domain/actor.js';
import { fail, ok, type Result } from '../../domain/result.js';
import { isValidTimeZone } from '../../time/zone.js';
import { DigestRepository, ROLLUP_SCOPE } from '../digest/repository.js';
import { DEFAULT_DIGEST_CRON } from '../digest/schedule.js';
import * as ballotKeys from '../vote/ballot-key.js';
import type { ProgramTeam, TeamRepository } from './repository.js';
import type { TeamService } from './service.js';
import type { WorkspaceZones } from './zones.js';

/** A setting's value and where it comes from. */
export interface SettingValue {
  value: string;
  /** 'workspace': chosen with /team settings (or /digest schedule); 'default': the deployment's. */
  source: 'workspace' | 'default';
  setBy?: string;
  setAt?: number;
}

export interface ScheduleSetting {
  /** A team key, or undefined for the coordinators' roll-up. */
  teamKey?: string;
  cron: string;
  /** The zone a stored schedule was set in (it keeps it); undefined for the default schedule. */
  timeZone?: string;
  source: 'workspace' | 'default';
}

export interface WorkspaceSettingsView {
  timeZone: SettingValue;
  teamDigests: ScheduleSetting[];
  rollup: ScheduleSetting;
  /** True when anonymous ballots are keyed per workspace (meetvote's ballot-key.ts says so). */
  perWorkspaceBallotKeys: boolean;
}

/**
 * A time zone as typed, checked and spelled the way the runtime spells it ("america/chicago" →
 * "America/Chicago"), or a problem with an example.
 */
export function parseTimeZone(text: string): Result<string> {
  const typed = text.trim();
  const problem = fail(
    'invalid',
    `"${typed}" is not a time zone I know. Use an IANA name such as America/Chicago, America/Detroit or Europe/London: /team settings timezone America/Chicago`,
  );
  if (typed === '' || /\s/.test(typed) || !isValidTimeZone(typed)) return problem;
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
  return isValidTimeZone(canonical) ? ok(canonical) : problem;
}

/** Whether meetvote keys anonymous ballots per workspace: read from its module, so this never claims more than it does. */
export const ballotKeysPerWorkspace = (): boolean => (ballotKeys as { perWorkspaceBallotKeys?: unknown }).perWorkspaceBallotKeys === true;

export interface WorkspaceSettingsDeps {
  repo: TeamRepository;
  teams: TeamService;
  zones: WorkspaceZones;
}

/**
 * `/team settings`: each workspace's own settings. Team members and coordinators may look; only
 * the workspace's coordinators may change them. Digest schedules are per workspace already and
 * stay with `/digest schedule`; they are shown here so all of a workspace's settings are in one place.
 */
export class WorkspaceSettingsService {
  private readonly digests: DigestRepository;

  constructor(private readonly deps: WorkspaceSettingsDeps) {
    this.digests = new DigestRepository(deps.repo.database);
  }

  async show(actor: Actor, now: Date): Promise<Result<WorkspaceSettingsView>> {
    const ws = actor.workspaceId;
    const isCoordinator = actor.isCoordinator && !actor.isExternal;
    if (!isCoordinator && (await this.deps.repo.teamsOf(ws, actor.userId)).length === 0) {
      await this.deps.teams.auditRefusal(actor, 'team.settings', undefined, 'not on a team or a coordinator', now);
      return fail('forbidden', 'Workspace settings are for team members and coordinators. Join a team first: see /team list.');
    }
    const stored = await this.deps.repo.settings(ws);
    const own = await this.deps.zones.ownZone(ws);
    const timeZone: SettingValue =
      own === undefined
        ? { value: this.deps.zones.defaultZone, source: 'default' }
        : { value: own, source: 'workspace', ...(stored === undefined ? {} : { setBy: stored.updatedBy, setAt: stored.updatedAt }) };
    const teams = await this.deps.repo.teams(ws);
    const teamDigests: ScheduleSetting[] = [];
    for (const team of teams) teamDigests.push(await this.schedule(ws, team));
    return ok({ timeZone, teamDigests, rollup: await this.schedule(ws, undefined), perWorkspaceBallotKeys: ballotKeysPerWorkspace() });
  }

  /** `/team settings timezone ZONE`: coordinators only; audited. */
  async setTimeZone(actor: Actor, typed: string, now: Date): Promise<Result<string>> {
    const refused = await this.deps.teams.requireCoordinator(actor, 'team.settings.timezone', typed, now);
    if (refused !== undefined) return refused;
    const zone = parseTimeZone(typed);
    if (!zone.ok) return zone;
    await this.change(actor, zone.value, `timezone ${zone.value}`, now);
    return zone;
  }

  /** `/team settings reset timezone`: back to the deployment's default; coordinators only; audited. */
  async resetTimeZone(actor: Actor, now: Date): Promise<Result<string>> {
    const refused = await this.deps.teams.requireCoordinator(actor, 'team.settings.timezone', 'reset', now);
    if (refused !== undefined) return refused;
    await this.change(actor, null, 'timezone reset', now);
    return ok(this.deps.zones.defaultZone);
  }

  private async change(actor: Actor, zone: string | null, target: string, now: Date): Promise<void> {
    // The setting and its audit entry are written together or not at all.
    await this.deps.repo.database.transaction(async () => {
      await this.deps.repo.setTimeZone(actor.workspaceId, zone, actor.userId, now.getTime());
      await this.deps.repo.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'team.settings.timezone', target, outcome: 'done', createdAt: now.getTime() });
    });
    this.deps.zones.forget(actor.workspaceId);
  }

  private async schedule(workspaceId: string, team: ProgramTeam | undefined): Promise<ScheduleSetting> {
    const stored = await this.digests.schedule(workspaceId, team === undefined ? ROLLUP_SCOPE : team.key);
    const which = team === undefined ? {} : { teamKey: team.key };
    return stored === undefined ? { ...which, cron: DEFAULT_DIGEST_CRON, source: 'default' } : { ...which, cron: stored.cron, timeZone: stored.timeZone, source: 'workspace' };
  }
}
