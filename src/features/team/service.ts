import type { Actor } from '../../domain/actor.js';
import { fail, ok, type Result } from '../../domain/result.js';
import type { AuditEntry, Organisation, ProgramTeam, TeamRepository, TeamSummary } from './repository.js';

export const SEED_TEAMS = [
  {
    key: 'CNA',
    name: 'Certified Nursing Assistant',
    description: 'Awareness, recruitment and training for CNAs across the region’s hospitals and long-term care.',
  },
  {
    key: 'MA',
    name: 'Medical Assistant',
    description: 'Pipelines, curricula and work-based learning for medical assistants in clinics and health systems.',
  },
  {
    key: 'SPT',
    name: 'Sterile Processing Technician',
    description: 'Visibility and training capacity for sterile processing, a little-known occupation hospitals need.',
  },
] as const;

const TEAM_KEY = /^[A-Z][A-Z0-9]{1,9}$/;
export const MAX_TEAM_NAME = 80;
export const MAX_ORG_NAME = 80;
/**
 * People shown by `/team members` and `/team orgs`. Their answer goes back in the ack, so they read
 * at most this many rows however large the workspace grows (README, Performance); the message
 * says when there are more. 1,000 mentions fit Slack's 50 blocks with room to spare.
 */
export const LISTED_PEOPLE = 1000;

export const isTeamKey = (text: string): boolean => TEAM_KEY.test(text.toUpperCase());

/** Seeds the three HCASM program teams; running it again, or from two instances at once, changes nothing. */
export async function seedProgramTeams(repo: TeamRepository, workspaceId: string, now: Date): Promise<void> {
  for (const team of SEED_TEAMS) await repo.ensure({ workspaceId, ...team, createdAt: now.getTime() });
}

/** What a guest (or someone Slack did not confirm) hears instead of joining a team. */
export function guestJoinMessage(actor: Pick<Actor, 'unverified'>, key: string): string {
  return actor.unverified === true
    ? `Slack did not confirm who you are in time, so you were not added to ${key}. Please try /team join ${key} again in a moment.`
    : `People from a partner workspace join ${key} through a coordinator: ask one (see /team coordinators) to add you with /team add @you ${key}.`;
}

/** A refused request's target is whatever was typed (up to 4,000 characters); the log keeps enough to recognise it. */
const MAX_AUDIT_TARGET = 200;
const auditTarget = (text: string): string => (text.length <= MAX_AUDIT_TARGET ? text : `${text.slice(0, MAX_AUDIT_TARGET - 1)}…`);

export interface TeamServiceDeps {
  repo: TeamRepository;
}

/** Teams, membership, organisations and coordinators: the rules, independent of Slack. */
export class TeamService {
  constructor(private readonly repo: TeamRepository) {}

  async list(workspaceId: string): Promise<TeamSummary[]> {
    return await this.repo.list(workspaceId);
  }

  /** The team a command refers to: the KEY given, else the channel's linked team. */
  async resolveTeam(workspaceId: string, key: string | undefined, channelId: string): Promise<Result<ProgramTeam>> {
    if (key !== undefined && key !== '') {
      if (!isTeamKey(key)) return fail('invalid', `"${key}" is not a team key. Team keys look like CNA, MA or SPT: see /team list.`);
      const team = await this.repo.byKey(workspaceId, key);
      return team === undefined ? fail('not_found', `There is no team ${key.toUpperCase()}. See /team list for the teams.`) : ok(team);
    }
    const team = await this.repo.byChannel(workspaceId, channelId);
    return team === undefined
      ? fail('invalid', 'This channel is not linked to a team, so name one: for example `CNA`. See /team list for the teams.')
      : ok(team);
  }

  async create(actor: Actor, key: string, name: string, description: string, now: Date): Promise<Result<ProgramTeam>> {
    const refused = await this.requireCoordinator(actor, 'team.create', key, now);
    if (refused !== undefined) return refused;
    const upper = key.toUpperCase();
    if (!TEAM_KEY.test(upper)) {
      return fail('invalid', 'A team key is 2 to 10 letters or digits starting with a letter, for example `CNA` or `PHLEB`. Usage: /team create KEY Name of occupation');
    }
    const trimmed = name.trim().replace(/\s+/g, ' ');
    if (trimmed === '') return fail('invalid', `Give the team a name after the key, for example: /team create ${upper} Phlebotomy Technician`);
    if (trimmed.length > MAX_TEAM_NAME) return fail('invalid', `A team name can be at most ${MAX_TEAM_NAME} characters; that one has ${trimmed.length}.`);
    // The check and the insert in one transaction: two coordinators creating the same key at once
    // get one team and one "already exists", never a database error.
    const team = await this.repo.database.transaction(async () => {
      if ((await this.repo.byKey(actor.workspaceId, upper)) !== undefined) return undefined;
      return await this.repo.create({ workspaceId: actor.workspaceId, key: upper, name: trimmed, description, createdAt: now.getTime() });
    });
    if (team === undefined) return fail('conflict', `Team ${upper} already exists.`);
    await this.auditDone(actor, 'team.create', upper, now);
    return ok(team);
  }

  async link(actor: Actor, key: string | undefined, channelId: string, now: Date): Promise<Result<{ team: ProgramTeam; previous?: ProgramTeam }>> {
    const refused = await this.requireCoordinator(actor, 'team.link', key ?? channelId, now);
    if (refused !== undefined) return refused;
    if (key === undefined || key === '') return fail('invalid', 'Say which team this channel is for: /team link KEY (for example /team link CNA).');
    const team = await this.resolveTeam(actor.workspaceId, key, channelId);
    if (!team.ok) return team;
    // Read and replace together, so the "it was linked to …" answer names what this link replaced.
    const previous = await this.repo.database.transaction(async () => {
      const before = await this.repo.byChannel(actor.workspaceId, channelId);
      await this.repo.linkChannel({ workspaceId: actor.workspaceId, channelId, programTeamId: team.value.id, linkedBy: actor.userId, createdAt: now.getTime() });
      return before;
    });
    await this.auditDone(actor, 'team.link', `${team.value.key} ${channelId}`, now);
    return ok(previous !== undefined && previous.id !== team.value.id ? { team: team.value, previous } : { team: team.value });
  }

  async unlink(actor: Actor, channelId: string, now: Date): Promise<Result<ProgramTeam>> {
    const refused = await this.requireCoordinator(actor, 'team.unlink', channelId, now);
    if (refused !== undefined) return refused;
    const team = await this.repo.database.transaction(async () => {
      const linked = await this.repo.byChannel(actor.workspaceId, channelId);
      if (linked !== undefined) await this.repo.unlinkChannel(actor.workspaceId, channelId);
      return linked;
    });
    if (team === undefined) return fail('not_found', 'This channel is not linked to any team, so there is nothing to unlink.');
    await this.auditDone(actor, 'team.unlink', `${team.key} ${channelId}`, now);
    return ok(team);
  }

  /**
   * Anyone in the workspace joins a team themselves. A partner-workspace (Slack Connect) guest
   * joins only through a coordinator (`add`): team members start votes and vote on the team's
   * priorities, so who speaks for the team from outside is a coordinator's call. Refusals are audited.
   */
  async join(actor: Actor, key: string | undefined, channelId: string, now: Date): Promise<Result<{ team: ProgramTeam; already: boolean }>> {
    const team = await this.resolveTeam(actor.workspaceId, key, channelId);
    if (!team.ok) return team;
    if (actor.isExternal) {
      await this.auditRefusal(actor, 'team.join', team.value.key, actor.unverified === true ? 'identity unverified (users.info failed)' : 'Slack Connect guest', now);
      return fail('forbidden', guestJoinMessage(actor, team.value.key));
    }
    const added = await this.repo.addMember(actor.workspaceId, team.value.id, actor.userId, now.getTime());
    return ok({ team: team.value, already: !added });
  }

  /** A coordinator puts someone on a team: the way a partner-workspace guest joins. Audited. */
  async add(actor: Actor, userId: string, key: string | undefined, channelId: string, now: Date): Promise<Result<{ team: ProgramTeam; added: boolean }>> {
    const refused = await this.requireCoordinator(actor, 'team.add', `${key ?? channelId} ${userId}`, now);
    if (refused !== undefined) return refused;
    const team = await this.resolveTeam(actor.workspaceId, key, channelId);
    if (!team.ok) return team;
    const added = await this.repo.addMember(actor.workspaceId, team.value.id, userId, now.getTime());
    await this.auditDone(actor, 'team.add', `${team.value.key} ${userId}`, now);
    return ok({ team: team.value, added });
  }

  async leave(actor: Actor, key: string | undefined, channelId: string): Promise<Result<{ team: ProgramTeam; wasMember: boolean }>> {
    const team = await this.resolveTeam(actor.workspaceId, key, channelId);
    if (!team.ok) return team;
    return ok({ team: team.value, wasMember: await this.repo.removeMember(team.value.id, actor.userId) });
  }

  /** A team's members for `/team members`: the first LISTED_PEOPLE who joined, and whether there are more. */
  async members(
    workspaceId: string,
    key: string | undefined,
    channelId: string,
  ): Promise<Result<{ team: ProgramTeam; members: Array<{ userId: string; organisation: string | null }>; more: boolean }>> {
    const team = await this.resolveTeam(workspaceId, key, channelId);
    if (!team.ok) return team;
    const read = await this.repo.members(team.value.id, LISTED_PEOPLE + 1);
    return ok({ team: team.value, members: read.slice(0, LISTED_PEOPLE), more: read.length > LISTED_PEOPLE });
  }

  async setOrganisation(actor: Actor, userId: string, name: string, now: Date): Promise<Result<Organisation>> {
    const refused = await this.requireCoordinator(actor, 'team.org', userId, now);
    if (refused !== undefined) return refused;
    const trimmed = name.trim().replace(/\s+/g, ' ');
    if (trimmed.length > MAX_ORG_NAME) return fail('invalid', `An organisation name can be at most ${MAX_ORG_NAME} characters; that one has ${trimmed.length}.`);
    const org = await this.repo.database.transaction(async () => {
      const created = await this.repo.ensureOrganisation(actor.workspaceId, trimmed, now.getTime());
      await this.repo.setOrganisation(actor.workspaceId, userId, created.id, actor.userId, now.getTime());
      return created;
    });
    await this.auditDone(actor, 'team.org', `${userId} ${org.name}`, now);
    return ok(org);
  }

  async organisationOf(workspaceId: string, userId: string): Promise<Organisation | undefined> {
    return await this.repo.organisationOf(workspaceId, userId);
  }

  /** Organisations and their people for `/team orgs`: at most LISTED_PEOPLE people in all, and whether there are more. */
  async organisations(workspaceId: string): Promise<{ entries: Array<{ organisation: Organisation; userIds: string[] }>; more: boolean }> {
    return await this.repo.organisationsWithPeople(workspaceId, LISTED_PEOPLE);
  }

  async organisationsInUse(workspaceId: string): Promise<Organisation[]> {
    return await this.repo.organisationsInUse(workspaceId);
  }

  async coordinators(workspaceId: string, fromConfig: readonly string[]): Promise<string[]> {
    return [...new Set([...fromConfig, ...(await this.repo.storedCoordinators(workspaceId))])];
  }

  async addCoordinator(actor: Actor, userId: string, now: Date): Promise<Result<{ added: boolean }>> {
    const refused = await this.requireCoordinator(actor, 'team.coordinator.add', userId, now);
    if (refused !== undefined) return refused;
    const added = await this.repo.addCoordinator(actor.workspaceId, userId, actor.userId, now.getTime());
    await this.auditDone(actor, 'team.coordinator.add', userId, now);
    return ok({ added });
  }

  async removeCoordinator(actor: Actor, userId: string, fromConfig: readonly string[], now: Date): Promise<Result<{ removed: boolean }>> {
    const refused = await this.requireCoordinator(actor, 'team.coordinator.remove', userId, now);
    if (refused !== undefined) return refused;
    if (fromConfig.includes(userId)) {
      return fail('conflict', 'That person is a coordinator through the ALLIANCE_COORDINATORS setting; change the setting to remove them.');
    }
    const removed = await this.repo.removeCoordinator(actor.workspaceId, userId);
    await this.auditDone(actor, 'team.coordinator.remove', userId, now);
    return ok({ removed });
  }

  async audit(actor: Actor, limit: number, now: Date): Promise<Result<AuditEntry[]>> {
    const refused = await this.requireCoordinator(actor, 'team.audit', undefined, now);
    if (refused !== undefined) return refused;
    return ok(await this.repo.recentAudit(actor.workspaceId, limit));
  }

  /** Refuses politely and writes the refusal to the audit log; undefined means go ahead. */
  async requireCoordinator(actor: Actor, action: string, target: string | undefined, now: Date): Promise<{ ok: false; problem: { code: 'forbidden'; message: string } } | undefined> {
    if (actor.isCoordinator && !actor.isExternal) return undefined;
    await this.repo.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action, ...(target === undefined ? {} : { target: auditTarget(target) }), outcome: 'refused', detail: actor.unverified === true ? 'not a coordinator (users.info failed: identity unverified)' : 'not a coordinator', createdAt: now.getTime() });
    return {
      ok: false,
      problem: {
        code: 'forbidden',
        message:
          actor.unverified === true
            ? 'Slack did not confirm who you are in time, so coordinator actions are refused for now. Please try again in a moment.'
            : 'Only coordinators can do that. Ask a coordinator (see /team coordinators) if it needs doing.',
      },
    };
  }

  /** Records a refusal decided elsewhere (another feature's permission rule). */
  async auditRefusal(actor: Actor, action: string, target: string | undefined, detail: string, now: Date): Promise<void> {
    await this.repo.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action, ...(target === undefined ? {} : { target: auditTarget(target) }), outcome: 'refused', detail: auditTarget(detail), createdAt: now.getTime() });
  }

  private async auditDone(actor: Actor, action: string, target: string, now: Date): Promise<void> {
    await this.repo.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action, target, outcome: 'done', createdAt: now.getTime() });
  }
}
