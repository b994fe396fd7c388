import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { groupConcat } from '../../db/portable.js';
import { affectedRows, type Storage } from '../../db/storage.js';
import { auditLog, coordinators, organisations, people, programTeams, teamChannels, teamMemberCounts, teamMembers, workspaceSettings } from '../../db/schema.js';

export type ProgramTeam = typeof programTeams.$inferSelect;
export type Organisation = typeof organisations.$inferSelect;
export type WorkspaceSettings = typeof workspaceSettings.$inferSelect;

export interface TeamSummary extends ProgramTeam {
  channelIds: string[];
  memberCount: number;
}

export interface AuditEntry {
  actorId: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: string | null;
  createdAt: number;
}

/**
 * The reads on every request's path, as prepared queries: drizzle builds each one's SQL text once,
 * and a call only fills in its parameters (building the text anew per call was ~18% of the app's
 * busy time on SQLite). They run through the storage like any query, so on the transaction's
 * connection inside one.
 */
const qualified = (table: string, column: string) => sql`${sql.identifier(table)}.${sql.identifier(column)}`;

function prepareHotReads(db: Storage) {
  const ws = sql.placeholder('workspaceId');
  return {
    teamsOfWorkspace: db.select().from(programTeams).where(eq(programTeams.workspaceId, ws)).orderBy(asc(programTeams.key)).prepare(),
    // `/team list` in one statement (one round trip on PostgreSQL): each team with its channels and member count.
    // Names are written qualified: drizzle leaves a one-table select's columns unqualified, and an
    // unqualified "id" inside a subquery would mean the inner table's id if it ever had one.
    teamSummaries: db
      .select({
        team: programTeams,
        channelIds: sql<string | null>`(select ${groupConcat(db.engine, qualified('team_channels', 'channel_id'), ',')} from ${teamChannels} where ${qualified('team_channels', 'program_team_id')} = ${qualified('program_teams', 'id')})`,
        // From the counter the membership triggers keep: one row per team, however many members.
        memberCount: sql<number>`coalesce((select ${qualified('team_member_counts', 'count')} from ${teamMemberCounts} where ${qualified('team_member_counts', 'program_team_id')} = ${qualified('program_teams', 'id')}), 0)`,
      })
      .from(programTeams)
      .where(eq(programTeams.workspaceId, ws))
      .orderBy(asc(programTeams.key))
      .prepare(),
    teamByKey: db
      .select()
      .from(programTeams)
      .where(and(eq(programTeams.workspaceId, ws), eq(programTeams.key, sql.placeholder('key'))))
      .prepare(),
    teamById: db.select().from(programTeams).where(eq(programTeams.id, sql.placeholder('id'))).prepare(),
    teamByChannel: db
      .select({ team: programTeams })
      .from(teamChannels)
      .innerJoin(programTeams, eq(programTeams.id, teamChannels.programTeamId))
      .where(and(eq(teamChannels.workspaceId, ws), eq(teamChannels.channelId, sql.placeholder('channelId'))))
      .prepare(),
    membership: db
      .select({ one: sql<number>`1` })
      .from(teamMembers)
      .where(and(eq(teamMembers.programTeamId, sql.placeholder('programTeamId')), eq(teamMembers.userId, sql.placeholder('userId'))))
      .prepare(),
    teamsOfUser: db
      .select({ team: programTeams })
      .from(teamMembers)
      .innerJoin(programTeams, eq(programTeams.id, teamMembers.programTeamId))
      .where(and(eq(teamMembers.workspaceId, ws), eq(teamMembers.userId, sql.placeholder('userId'))))
      .orderBy(asc(programTeams.key))
      .prepare(),
    storedCoordinator: db
      .select({ one: sql<number>`1` })
      .from(coordinators)
      .where(and(eq(coordinators.workspaceId, ws), eq(coordinators.userId, sql.placeholder('userId'))))
      .prepare(),
  };
}

/** Program teams, their channels and members, organisations and coordinators. Wraps drizzle; no rules here. */
export class TeamRepository {
  // Prepared on first use: repositories are also built for a single call (inside transactions).
  private preparedReads: ReturnType<typeof prepareHotReads> | undefined;

  constructor(private readonly db: Storage) {}

  private get reads(): ReturnType<typeof prepareHotReads> {
    return (this.preparedReads ??= prepareHotReads(this.db));
  }

  get database(): Storage {
    return this.db;
  }

  async list(workspaceId: string): Promise<TeamSummary[]> {
    const rows = await this.reads.teamSummaries.all({ workspaceId });
    // Slack channel ids have no commas.
    return rows.map((r) => ({ ...r.team, channelIds: r.channelIds === null || r.channelIds === '' ? [] : r.channelIds.split(','), memberCount: Number(r.memberCount) }));
  }

  /** The teams alone, without channels or member counts: for pickers and labels. */
  async teams(workspaceId: string): Promise<ProgramTeam[]> {
    return await this.reads.teamsOfWorkspace.all({ workspaceId });
  }

  async byKey(workspaceId: string, key: string): Promise<ProgramTeam | undefined> {
    return await this.reads.teamByKey.get({ workspaceId, key: key.toUpperCase() });
  }

  async byId(id: number): Promise<ProgramTeam | undefined> {
    return await this.reads.teamById.get({ id });
  }

  async byChannel(workspaceId: string, channelId: string): Promise<ProgramTeam | undefined> {
    return (await this.reads.teamByChannel.get({ workspaceId, channelId }))?.team;
  }

  async channelsOf(programTeamId: number): Promise<string[]> {
    const rows = await this.db
      .select({ channelId: teamChannels.channelId })
      .from(teamChannels)
      .where(eq(teamChannels.programTeamId, programTeamId))
      .orderBy(asc(teamChannels.createdAt))
      .all();
    return rows.map((r) => r.channelId);
  }

  async create(team: { workspaceId: string; key: string; name: string; description: string; createdAt: number }): Promise<ProgramTeam> {
    return await this.db.insert(programTeams).values(team).returning().get();
  }

  /** Seeding must be idempotent: a second start, or two instances at once, change nothing. */
  async ensure(team: { workspaceId: string; key: string; name: string; description: string; createdAt: number }): Promise<void> {
    await this.db.insert(programTeams).values(team).onConflictDoNothing().run();
  }

  async linkChannel(link: { workspaceId: string; channelId: string; programTeamId: number; linkedBy: string; createdAt: number }): Promise<void> {
    await this.db
      .insert(teamChannels)
      .values(link)
      .onConflictDoUpdate({
        target: [teamChannels.workspaceId, teamChannels.channelId],
        set: { programTeamId: link.programTeamId, linkedBy: link.linkedBy, createdAt: link.createdAt },
      })
      .run();
  }

  async unlinkChannel(workspaceId: string, channelId: string): Promise<number> {
    return affectedRows(
      await this.db
        .delete(teamChannels)
        .where(and(eq(teamChannels.workspaceId, workspaceId), eq(teamChannels.channelId, channelId)))
        .run(),
    );
  }

  async addMember(workspaceId: string, programTeamId: number, userId: string, createdAt: number): Promise<boolean> {
    return affectedRows(await this.db.insert(teamMembers).values({ workspaceId, programTeamId, userId, createdAt }).onConflictDoNothing().run()) > 0;
  }

  async removeMember(programTeamId: number, userId: string): Promise<boolean> {
    return (
      affectedRows(
        await this.db
          .delete(teamMembers)
          .where(and(eq(teamMembers.programTeamId, programTeamId), eq(teamMembers.userId, userId)))
          .run(),
      ) > 0
    );
  }

  /** Every member, first joined first; `limit` bounds the rows read (a listing before the ack reads at most that many). */
  async members(programTeamId: number, limit?: number): Promise<Array<{ userId: string; organisation: string | null }>> {
    const query = this.db
      .select({ userId: teamMembers.userId, organisation: organisations.name })
      .from(teamMembers)
      .leftJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
      .leftJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(teamMembers.programTeamId, programTeamId))
      .orderBy(asc(teamMembers.createdAt), asc(teamMembers.userId));
    return await (limit === undefined ? query.all() : query.limit(limit).all());
  }

  async isMember(programTeamId: number, userId: string): Promise<boolean> {
    return (await this.reads.membership.get({ programTeamId, userId })) !== undefined;
  }

  async teamsOf(workspaceId: string, userId: string): Promise<ProgramTeam[]> {
    return (await this.reads.teamsOfUser.all({ workspaceId, userId })).map((r) => r.team);
  }

  async organisationByName(workspaceId: string, name: string): Promise<Organisation | undefined> {
    return await this.db
      .select()
      .from(organisations)
      .where(and(eq(organisations.workspaceId, workspaceId), eq(organisations.nameKey, organisationKey(name))))
      .get();
  }

  async ensureOrganisation(workspaceId: string, name: string, createdAt: number): Promise<Organisation> {
    await this.db
      .insert(organisations)
      .values({ workspaceId, name, nameKey: organisationKey(name), createdAt })
      .onConflictDoNothing()
      .run();
    const org = await this.organisationByName(workspaceId, name);
    if (org === undefined) throw new Error(`organisation ${name} vanished after insert`);
    return org;
  }

  async setOrganisation(workspaceId: string, userId: string, organisationId: number | null, updatedBy: string, updatedAt: number): Promise<void> {
    await this.db
      .insert(people)
      .values({ workspaceId, userId, organisationId, updatedBy, updatedAt })
      .onConflictDoUpdate({ target: [people.workspaceId, people.userId], set: { organisationId, updatedBy, updatedAt } })
      .run();
  }

  async organisationOf(workspaceId: string, userId: string): Promise<Organisation | undefined> {
    const row = await this.db
      .select({ org: organisations })
      .from(people)
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(and(eq(people.workspaceId, workspaceId), eq(people.userId, userId)))
      .get();
    return row?.org;
  }

  /**
   * Organisations that have people, by name, with their people (longest recorded first): at most
   * `limit` people in all, read in one query and grouped in one pass, so the listing's cost before
   * the ack does not grow with the workspace.
   */
  async organisationsWithPeople(workspaceId: string, limit: number): Promise<{ entries: Array<{ organisation: Organisation; userIds: string[] }>; more: boolean }> {
    const rows = await this.db
      .select({ organisation: organisations, userId: people.userId })
      .from(people)
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(people.workspaceId, workspaceId))
      .orderBy(asc(organisations.nameKey), asc(people.updatedAt), asc(people.userId))
      .limit(limit + 1)
      .all();
    const entries: Array<{ organisation: Organisation; userIds: string[] }> = [];
    for (const row of rows.slice(0, limit)) {
      const last = entries[entries.length - 1];
      if (last !== undefined && last.organisation.id === row.organisation.id) last.userIds.push(row.userId);
      else entries.push({ organisation: row.organisation, userIds: [row.userId] });
    }
    return { entries, more: rows.length > limit };
  }

  /** Organisations that have at least one person, by name: what a goal may be for. Reads no people beyond one per organisation. */
  async organisationsInUse(workspaceId: string): Promise<Organisation[]> {
    return await this.db
      .select()
      .from(organisations)
      .where(and(eq(organisations.workspaceId, workspaceId), sql`exists (select 1 from ${people} where ${people.organisationId} = ${organisations.id})`))
      .orderBy(asc(organisations.nameKey))
      .all();
  }

  /** Organisations with at least one member on the team: the denominator of per-organisation turnout. */
  async organisationsOnTeam(programTeamId: number): Promise<Organisation[]> {
    const rows = await this.db
      .selectDistinct({ org: organisations })
      .from(teamMembers)
      .innerJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(teamMembers.programTeamId, programTeamId))
      .all();
    return rows.map((r) => r.org);
  }

  async isStoredCoordinator(workspaceId: string, userId: string): Promise<boolean> {
    return (await this.reads.storedCoordinator.get({ workspaceId, userId })) !== undefined;
  }

  async storedCoordinators(workspaceId: string): Promise<string[]> {
    const rows = await this.db
      .select({ userId: coordinators.userId })
      .from(coordinators)
      .where(eq(coordinators.workspaceId, workspaceId))
      .orderBy(asc(coordinators.createdAt))
      .all();
    return rows.map((r) => r.userId);
  }

  async addCoordinator(workspaceId: string, userId: string, addedBy: string, createdAt: number): Promise<boolean> {
    return affectedRows(await this.db.insert(coordinators).values({ workspaceId, userId, addedBy, createdAt }).onConflictDoNothing().run()) > 0;
  }

  async removeCoordinator(workspaceId: string, userId: string): Promise<boolean> {
    return (
      affectedRows(
        await this.db
          .delete(coordinators)
          .where(and(eq(coordinators.workspaceId, workspaceId), eq(coordinators.userId, userId)))
          .run(),
      ) > 0
    );
  }

  async audit(entry: { workspaceId: string; actorId: string; action: string; target?: string; outcome: 'refused' | 'done'; detail?: string; createdAt: number }): Promise<void> {
    await this.db
      .insert(auditLog)
      .values({ ...entry, target: entry.target ?? null, detail: entry.detail ?? null })
      .run();
  }

  async recentAudit(workspaceId: string, limit: number): Promise<AuditEntry[]> {
    return await this.db
      .select({
        actorId: auditLog.actorId,
        action: auditLog.action,
        target: auditLog.target,
        outcome: auditLog.outcome,
        detail: auditLog.detail,
        createdAt: auditLog.createdAt,
      })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, workspaceId))
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(limit)
      .all();
  }

  /** The workspace's own settings; undefined when nobody has set any (every one is the deployment's default). */
  async settings(workspaceId: string): Promise<WorkspaceSettings | undefined> {
    return await this.db.select().from(workspaceSettings).where(eq(workspaceSettings.workspaceId, workspaceId)).get();
  }

  /** Sets (or, with null, resets to the deployment's default) the workspace's time zone. */
  async setTimeZone(workspaceId: string, timeZone: string | null, updatedBy: string, updatedAt: number): Promise<void> {
    await this.db
      .insert(workspaceSettings)
      .values({ workspaceId, timeZone, updatedBy, updatedAt })
      .onConflictDoUpdate({ target: workspaceSettings.workspaceId, set: { timeZone, updatedBy, updatedAt } })
      .run();
  }
}

export const organisationKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();
