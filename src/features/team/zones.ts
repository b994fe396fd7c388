import type { Storage } from '../../db/storage.js';
import { isValidTimeZone } from '../../time/zone.js';
import { TeamRepository } from './repository.js';

/** How long a workspace's zone is reused before it is read again (another instance may have changed it). */
export const ZONE_CACHE_MS = 60_000;

interface CachedZone {
  /** The workspace's own zone, or undefined for the deployment's default. */
  own: string | undefined;
  readAt: number;
}

// One cache per storage, shared by every WorkspaceZones on it: a change made through any of them
// is seen at once by all of them in this process (other processes within ZONE_CACHE_MS).
interface ZoneCache {
  zones: Map<string, CachedZone>;
  /** Bumped by every `forget`: a read that started before a change must not put the old zone back. */
  generations: Map<string, number>;
}
const caches = new WeakMap<Storage, ZoneCache>();
const cacheOf = (db: Storage): ZoneCache => {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = { zones: new Map(), generations: new Map() };
    caches.set(db, cache);
  }
  return cache;
};

export interface WorkspaceZonesOptions {
  /** Milliseconds since the epoch; the cache's clock. */
  now?: () => number;
  cacheMs?: number;
}

/**
 * Each workspace's time zone (`/team settings timezone`), or the deployment's default
 * (ALLIANCE_TIMEZONE) where the workspace has not chosen one. Read often (every date shown, every
 * schedule), so cached per process for a minute.
 */
export class WorkspaceZones {
  private readonly repo: TeamRepository;
  private readonly cache: ZoneCache;
  private readonly now: () => number;
  private readonly cacheMs: number;

  constructor(
    db: Storage,
    readonly defaultZone: string,
    options: WorkspaceZonesOptions = {},
  ) {
    this.repo = new TeamRepository(db);
    this.cache = cacheOf(db);
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? ZONE_CACHE_MS;
  }

  /** The zone dates and schedules of this workspace are in. */
  async zoneFor(workspaceId: string): Promise<string> {
    return (await this.ownZone(workspaceId)) ?? this.defaultZone;
  }

  /** The workspace's own zone, or undefined when it uses the deployment's default. */
  async ownZone(workspaceId: string): Promise<string | undefined> {
    const now = this.now();
    const cached = this.cache.zones.get(workspaceId);
    if (cached !== undefined && now - cached.readAt < this.cacheMs) return cached.own;
    const generation = this.cache.generations.get(workspaceId) ?? 0;
    const stored = (await this.repo.settings(workspaceId))?.timeZone ?? undefined;
    // A zone the runtime no longer knows (time zone data changed under a stored name) falls back to
    // the default rather than breaking every date of the workspace.
    const own = stored !== undefined && isValidTimeZone(stored) ? stored : undefined;
    if ((this.cache.generations.get(workspaceId) ?? 0) === generation) this.cache.zones.set(workspaceId, { own, readAt: now });
    return own;
  }

  /** Forgets the cached zone after a change, so this process uses the new one at once. */
  forget(workspaceId: string): void {
    this.cache.zones.delete(workspaceId);
    this.cache.generations.set(workspaceId, (this.cache.generations.get(workspaceId) ?? 0) + 1);
  }
}
