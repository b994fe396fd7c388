import type { WebClient } from '@slack/web-api';
import type { Actor } from '../domain/actor.js';
import type { AppLogger } from '../logger.js';
import { withDeadline } from './deadline.js';

/** users.info runs before the ack, so it must leave room inside Slack's 3 seconds. */
const USERS_INFO_DEADLINE_MS = 1500;
/** When users.info fails, a profile Slack gave within this long still counts; older, the person is unverified. */
const STALE_PROFILE_MS = 24 * 60 * 60 * 1000;

interface Profile {
  /** False when Slack did not answer users.info (error or timeout): the person is then unknown. */
  known: boolean;
  isAdmin: boolean;
  teamId: string | undefined;
  timeZone: string | undefined;
  fetchedAt: number;
}

export interface ActorResolverDeps {
  client: WebClient;
  /** Reads the database (coordinators added with `/team coordinator add`). */
  isStoredCoordinator: (workspaceId: string, userId: string) => Promise<boolean> | boolean;
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
 *
 * Fails closed: when users.info fails or times out for someone Slack has not described in the last
 * day (and the operator did not name in ALLIANCE_COORDINATORS), we cannot tell a guest from a
 * colleague, so the person counts as external and not a coordinator for this request (they may take part, as a guest may, but not administer). Nothing is
 * cached, so the next request asks Slack again. Concurrent requests of one person share one lookup.
 */
export class ActorResolver {
  private readonly cache = new Map<string, Profile>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly inFlight = new Map<string, Promise<Profile>>();

  constructor(private readonly deps: ActorResolverDeps) {
    this.now = deps.now ?? Date.now;
    this.ttlMs = deps.ttlMs ?? 10 * 60 * 1000;
  }

  /** `deadlineMs`: how long to wait for users.info; work after the ack (events) can wait longer than a request being answered. */
  async resolve(workspaceId: string, userId: string, options: { deadlineMs?: number } = {}): Promise<Actor> {
    const profile = await this.profile(workspaceId, userId, options.deadlineMs ?? USERS_INFO_DEADLINE_MS);
    if (!profile.known) {
      // The operator named these people in ALLIANCE_COORDINATORS: that trust does not come from Slack, so a slow Slack does not take it away.
      if (this.deps.configCoordinators.includes(userId)) return { workspaceId, userId, isCoordinator: true, isExternal: false };
      return { workspaceId, userId, isCoordinator: false, isExternal: true, unverified: true };
    }
    const isCoordinator =
      this.deps.configCoordinators.includes(userId) || (await this.deps.isStoredCoordinator(workspaceId, userId)) || profile.isAdmin;
    const isExternal = profile.teamId !== undefined && profile.teamId !== workspaceId;
    return { workspaceId, userId, isCoordinator, isExternal };
  }

  async timeZoneOf(workspaceId: string, userId: string): Promise<string | undefined> {
    return (await this.profile(workspaceId, userId, USERS_INFO_DEADLINE_MS)).timeZone;
  }

  forget(userId: string): void {
    for (const key of this.cache.keys()) if (key.endsWith(`:${userId}`)) this.cache.delete(key);
  }

  private async profile(workspaceId: string, userId: string, deadlineMs: number): Promise<Profile> {
    const key = `${workspaceId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.now() - cached.fetchedAt < this.ttlMs) return cached;
    // A burst of requests from one person asks Slack once, not once per request.
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const lookup = this.lookUp(key, userId, cached, deadlineMs).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookUp(key: string, userId: string, previous: Profile | undefined, deadlineMs: number): Promise<Profile> {
    try {
      const info = await withDeadline(this.deps.client.users.info({ user: userId }), deadlineMs);
      const user = info.user;
      const profile: Profile = {
        known: true,
        isAdmin: user?.is_admin === true || user?.is_owner === true || user?.is_primary_owner === true,
        teamId: user?.team_id,
        timeZone: user?.tz,
        fetchedAt: this.now(),
      };
      this.cache.set(key, profile);
      return profile;
    } catch (error) {
      // Someone Slack described recently is still known: which workspace a person belongs to does not change.
      if (previous !== undefined && this.now() - previous.fetchedAt < STALE_PROFILE_MS) {
        this.deps.logger.event('warn', 'users.info failed; using the profile Slack gave earlier', { userId, error });
        return previous;
      }
      // Unknown is not trusted: a Slack Connect guest must not pass as a colleague (or a coordinator) because Slack was slow.
      this.deps.logger.event('warn', 'users.info failed; treating the person as unverified (not a coordinator, not internal)', { userId, error });
      return { known: false, isAdmin: false, teamId: undefined, timeZone: undefined, fetchedAt: 0 };
    }
  }
}
