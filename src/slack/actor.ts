import type { WebClient } from '@slack/web-api';
import type { Actor } from '../domain/actor.js';
import type { AppLogger } from '../logger.js';
import { withDeadline } from './deadline.js';

/** users.info runs before the ack, so it must leave room inside Slack's 3 seconds. */
const USERS_INFO_DEADLINE_MS = 1500;

interface Profile {
  isAdmin: boolean;
  teamId: string | undefined;
  timeZone: string | undefined;
  fetchedAt: number;
}

export interface ActorResolverDeps {
  client: WebClient;
  isStoredCoordinator: (workspaceId: string, userId: string) => boolean;
  configCoordinators: readonly string[];
  logger: AppLogger;
  now?: () => number;
  /** users.info answers change rarely; caching keeps it off the path of most requests. */
  ttlMs?: number;
}

/**
 * Who is asking: coordinators are those in ALLIANCE_COORDINATORS, those added with
 * `/team coordinator add`, and workspace admins and owners (users.info). A person whose profile
 * belongs to another workspace (Slack Connect) is external.
 */
export class ActorResolver {
  private readonly cache = new Map<string, Profile>();
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(private readonly deps: ActorResolverDeps) {
    this.now = deps.now ?? Date.now;
    this.ttlMs = deps.ttlMs ?? 10 * 60 * 1000;
  }

  async resolve(workspaceId: string, userId: string): Promise<Actor> {
    const profile = await this.profile(workspaceId, userId);
    const isCoordinator =
      this.deps.configCoordinators.includes(userId) || this.deps.isStoredCoordinator(workspaceId, userId) || profile.isAdmin;
    const isExternal = profile.teamId !== undefined && profile.teamId !== workspaceId;
    return { workspaceId, userId, isCoordinator, isExternal };
  }

  async timeZoneOf(workspaceId: string, userId: string): Promise<string | undefined> {
    return (await this.profile(workspaceId, userId)).timeZone;
  }

  forget(userId: string): void {
    for (const key of this.cache.keys()) if (key.endsWith(`:${userId}`)) this.cache.delete(key);
  }

  private async profile(workspaceId: string, userId: string): Promise<Profile> {
    const key = `${workspaceId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.now() - cached.fetchedAt < this.ttlMs) return cached;
    try {
      const info = await withDeadline(this.deps.client.users.info({ user: userId }), USERS_INFO_DEADLINE_MS);
      const user = info.user;
      const profile: Profile = {
        isAdmin: user?.is_admin === true || user?.is_owner === true || user?.is_primary_owner === true,
        teamId: user?.team_id,
        timeZone: user?.tz,
        fetchedAt: this.now(),
      };
      this.cache.set(key, profile);
      return profile;
    } catch (error) {
      // Without users.info we still know configured and stored coordinators; admins wait for Slack.
      this.deps.logger.event('warn', 'users.info failed; treating the person as a regular member', { userId, error });
      return { isAdmin: false, teamId: undefined, timeZone: undefined, fetchedAt: 0 };
    }
  }
}
