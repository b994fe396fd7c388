import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { slackInstallations } from '../db/schema.js';
import type { Session } from '../db/storage.js';
import type { Clock } from '../domain/result.js';
import type { Keyring } from './crypto.js';

/** Why we refuse Enterprise Grid org-wide installs (shown on the install page and in logs). */
export const ORG_INSTALL_REFUSED =
  'Alliance does not support org-wide installs on Enterprise Grid: its teams, votes and digests belong to one workspace. ' +
  'Ask your Enterprise Grid admin to install it to each workspace that needs it instead.';

export class OrgInstallRefusedError extends Error {
  constructor() {
    super(ORG_INSTALL_REFUSED);
    this.name = 'OrgInstallRefusedError';
  }
}

/** What we know about a workspace's installation without decrypting its tokens. */
export interface InstalledWorkspace {
  workspaceId: string;
  teamName: string | null;
  installerUserId: string;
  installedAt: number;
  uninstalledAt: number | null;
}

type WorkspaceInstallation = Installation<'v1' | 'v2', false>;

/** The associated data each encrypted installation is bound to: its own workspace. */
const boundTo = (workspaceId: string) => `slack_installations:${workspaceId}`;

/**
 * @slack/oauth's InstallationStore in our own database. Bolt's InstallProvider calls it on every
 * install (storeInstallation), on every request and job to find the workspace's token
 * (fetchInstallation, through `authorize`, which also refreshes rotating tokens and stores them
 * again), and on uninstall (deleteInstallation).
 */
export class DatabaseInstallationStore implements InstallationStore {
  constructor(
    private readonly deps: { storage: Session; keyring: Keyring; now: Clock },
  ) {}

  async storeInstallation(installation: Installation): Promise<void> {
    if (installation.isEnterpriseInstall === true || installation.team === undefined) throw new OrgInstallRefusedError();
    const workspaceId = installation.team.id;
    const at = this.deps.now().getTime();
    const encrypted = this.deps.keyring.encrypt(JSON.stringify(installation), boundTo(workspaceId));
    const expiresAt = installation.bot?.expiresAt;
    const row = {
      workspaceId,
      enterpriseId: installation.enterprise?.id ?? null,
      teamName: installation.team.name ?? null,
      appId: installation.appId ?? null,
      botUserId: installation.bot?.userId ?? null,
      installerUserId: installation.user.id,
      scopes: (installation.bot?.scopes ?? []).join(','),
      installationEnc: encrypted,
      tokenExpiresAt: expiresAt === undefined ? null : expiresAt * 1000,
      installedAt: at,
      updatedAt: at,
      uninstalledAt: null,
    };
    await this.deps.storage.db
      .insert(slackInstallations)
      .values(row)
      .onConflictDoUpdate({
        target: slackInstallations.workspaceId,
        set: {
          ...row,
          // A token refresh, or a reinstall that adds scopes, keeps who installed and when; an
          // install after an uninstall is a new installation.
          installedAt: sql`case when ${slackInstallations.uninstalledAt} is null then ${slackInstallations.installedAt} else excluded.installed_at end`,
          installerUserId: sql`case when ${slackInstallations.uninstalledAt} is null then ${slackInstallations.installerUserId} else excluded.installer_user_id end`,
        },
      })
      .run();
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<WorkspaceInstallation> {
    if (query.isEnterpriseInstall === true || query.teamId === undefined) throw new OrgInstallRefusedError();
    const row = await this.deps.storage.db
      .select({ installationEnc: slackInstallations.installationEnc })
      .from(slackInstallations)
      .where(and(eq(slackInstallations.workspaceId, query.teamId), isNull(slackInstallations.uninstalledAt), isNotNull(slackInstallations.installationEnc)))
      .get();
    if (row?.installationEnc == null) throw new Error(`No installation for workspace ${query.teamId}`);
    const installation = JSON.parse(this.deps.keyring.decrypt(row.installationEnc, boundTo(query.teamId))) as WorkspaceInstallation;
    return installation;
  }

  /** Uninstall or revoked tokens: the tokens go at once; the row stays to date the data's retention. */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    if (query.teamId === undefined) return;
    const at = this.deps.now().getTime();
    await this.deps.storage.db
      .update(slackInstallations)
      .set({ installationEnc: null, tokenExpiresAt: null, uninstalledAt: at, updatedAt: at })
      .where(and(eq(slackInstallations.workspaceId, query.teamId), isNull(slackInstallations.uninstalledAt)))
      .run();
  }

  /** Workspaces with a live installation (jobs run for these). */
  async installedWorkspaces(): Promise<InstalledWorkspace[]> {
    return this.deps.storage.db
      .select({
        workspaceId: slackInstallations.workspaceId,
        teamName: slackInstallations.teamName,
        installerUserId: slackInstallations.installerUserId,
        installedAt: slackInstallations.installedAt,
        uninstalledAt: slackInstallations.uninstalledAt,
      })
      .from(slackInstallations)
      .where(isNull(slackInstallations.uninstalledAt))
      .orderBy(slackInstallations.workspaceId)
      .all();
  }

  /** Whether requests from this workspace may be served. */
  async isInstalled(workspaceId: string): Promise<boolean> {
    const row = await this.deps.storage.db
      .select({ workspaceId: slackInstallations.workspaceId })
      .from(slackInstallations)
      .where(and(eq(slackInstallations.workspaceId, workspaceId), isNull(slackInstallations.uninstalledAt)))
      .get();
    return row !== undefined;
  }

  /** Uninstalled before `before` (ms): their data is due to be purged. */
  async uninstalledBefore(before: number): Promise<string[]> {
    const rows = await this.deps.storage.db
      .select({ workspaceId: slackInstallations.workspaceId })
      .from(slackInstallations)
      .where(lt(slackInstallations.uninstalledAt, before))
      .all();
    return rows.map((r) => r.workspaceId);
  }

  /**
   * Re-encrypts every stored installation with the current key (after a key rotation); returns
   * how many were rewritten. Values that are already current are left alone.
   */
  async reencryptAll(): Promise<number> {
    const rows = await this.deps.storage.db
      .select({ workspaceId: slackInstallations.workspaceId, installationEnc: slackInstallations.installationEnc })
      .from(slackInstallations)
      .where(isNotNull(slackInstallations.installationEnc))
      .all();
    let rewritten = 0;
    for (const row of rows) {
      if (row.installationEnc === null || !this.deps.keyring.isStale(row.installationEnc)) continue;
      const plain = this.deps.keyring.decrypt(row.installationEnc, boundTo(row.workspaceId));
      const fresh = this.deps.keyring.encrypt(plain, boundTo(row.workspaceId));
      await this.deps.storage.db
        .update(slackInstallations)
        .set({ installationEnc: fresh })
        .where(and(eq(slackInstallations.workspaceId, row.workspaceId), eq(slackInstallations.installationEnc, row.installationEnc)))
        .run();
      rewritten++;
    }
    return rewritten;
  }
}
