import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { auditLog, coordinators, organisations, people, programTeams, teamChannels, teamMembers } from '../../db/schema.js';

export type ProgramTeam = typeof programTeams.$inferSelect;
export type Organisation = typeof organisations.$inferSelect;

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

/** Program teams, their channels and members, organisations and coordinators. Wraps drizzle; no rules here. */
export class TeamRepository {
  // The reads on every request's path are prepared once: building and preparing SQL per call
  // was most of a simple command's cost.
  private readonly teamsOfWorkspace;
  private readonly channelsOfWorkspace;
  private readonly memberCounts;
  private readonly teamByChannel;
  private readonly teamByKey;
  private readonly storedCoordinator;

  constructor(private readonly db: Db) {
    const ws = sql.placeholder('workspaceId');
    this.teamsOfWorkspace = db.select().from(programTeams).where(eq(programTeams.workspaceId, ws)).orderBy(asc(programTeams.key)).prepare();
    this.channelsOfWorkspace = db.select().from(teamChannels).where(eq(teamChannels.workspaceId, ws)).prepare();
    this.memberCounts = db
      .select({ programTeamId: teamMembers.programTeamId, n: count() })
      .from(teamMembers)
      .where(eq(teamMembers.workspaceId, ws))
      .groupBy(teamMembers.programTeamId)
      .prepare();
    this.teamByChannel = db
      .select({ team: programTeams })
      .from(teamChannels)
      .innerJoin(programTeams, eq(programTeams.id, teamChannels.programTeamId))
      .where(and(eq(teamChannels.workspaceId, ws), eq(teamChannels.channelId, sql.placeholder('channelId'))))
      .prepare();
    this.teamByKey = db
      .select()
      .from(programTeams)
      .where(and(eq(programTeams.workspaceId, ws), eq(programTeams.key, sql.placeholder('key'))))
      .prepare();
    this.storedCoordinator = db
      .select({ one: sql<number>`1` })
      .from(coordinators)
      .where(and(eq(coordinators.workspaceId, ws), eq(coordinators.userId, sql.placeholder('userId'))))
      .prepare();
  }

  get database(): Db {
    return this.db;
  }

  list(workspaceId: string): TeamSummary[] {
    const teams = this.teamsOfWorkspace.all({ workspaceId });
    const channels = this.channelsOfWorkspace.all({ workspaceId });
    const members = this.memberCounts.all({ workspaceId });
    return teams.map((team) => ({
      ...team,
      channelIds: channels.filter((c) => c.programTeamId === team.id).map((c) => c.channelId),
      memberCount: members.find((m) => m.programTeamId === team.id)?.n ?? 0,
    }));
  }

  /** The teams alone, without channels or member counts: for pickers and labels. */
  teams(workspaceId: string): ProgramTeam[] {
    return this.teamsOfWorkspace.all({ workspaceId });
  }

  byKey(workspaceId: string, key: string): ProgramTeam | undefined {
    return this.teamByKey.get({ workspaceId, key: key.toUpperCase() });
  }

  byId(id: number): ProgramTeam | undefined {
    return this.db.select().from(programTeams).where(eq(programTeams.id, id)).get();
  }

  byChannel(workspaceId: string, channelId: string): ProgramTeam | undefined {
    return this.teamByChannel.get({ workspaceId, channelId })?.team;
  }

  channelsOf(programTeamId: number): string[] {
    return this.db
      .select({ channelId: teamChannels.channelId })
      .from(teamChannels)
      .where(eq(teamChannels.programTeamId, programTeamId))
      .orderBy(asc(teamChannels.createdAt))
      .all()
      .map((r) => r.channelId);
  }

  create(team: { workspaceId: string; key: string; name: string; description: string; createdAt: number }): ProgramTeam {
    return this.db.insert(programTeams).values(team).returning().get();
  }

  /** Seeding must be idempotent: a second start, or two instances at once, change nothing. */
  ensure(team: { workspaceId: string; key: string; name: string; description: string; createdAt: number }): void {
    this.db.insert(programTeams).values(team).onConflictDoNothing().run();
  }

  linkChannel(link: { workspaceId: string; channelId: string; programTeamId: number; linkedBy: string; createdAt: number }): void {
    this.db
      .insert(teamChannels)
      .values(link)
      .onConflictDoUpdate({
        target: [teamChannels.workspaceId, teamChannels.channelId],
        set: { programTeamId: link.programTeamId, linkedBy: link.linkedBy, createdAt: link.createdAt },
      })
      .run();
  }

  unlinkChannel(workspaceId: string, channelId: string): number {
    return this.db
      .delete(teamChannels)
      .where(and(eq(teamChannels.workspaceId, workspaceId), eq(teamChannels.channelId, channelId)))
      .run().changes;
  }

  addMember(workspaceId: string, programTeamId: number, userId: string, createdAt: number): boolean {
    return this.db.insert(teamMembers).values({ workspaceId, programTeamId, userId, createdAt }).onConflictDoNothing().run().changes > 0;
  }

  removeMember(programTeamId: number, userId: string): boolean {
    return this.db
      .delete(teamMembers)
      .where(and(eq(teamMembers.programTeamId, programTeamId), eq(teamMembers.userId, userId)))
      .run().changes > 0;
  }

  members(programTeamId: number): Array<{ userId: string; organisation: string | null }> {
    return this.db
      .select({ userId: teamMembers.userId, organisation: organisations.name })
      .from(teamMembers)
      .leftJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
      .leftJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(teamMembers.programTeamId, programTeamId))
      .orderBy(asc(teamMembers.createdAt))
      .all();
  }

  isMember(programTeamId: number, userId: string): boolean {
    return (
      this.db
        .select({ one: sql<number>`1` })
        .from(teamMembers)
        .where(and(eq(teamMembers.programTeamId, programTeamId), eq(teamMembers.userId, userId)))
        .get() !== undefined
    );
  }

  teamsOf(workspaceId: string, userId: string): ProgramTeam[] {
    return this.db
      .select({ team: programTeams })
      .from(teamMembers)
      .innerJoin(programTeams, eq(programTeams.id, teamMembers.programTeamId))
      .where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.userId, userId)))
      .orderBy(asc(programTeams.key))
      .all()
      .map((r) => r.team);
  }

  organisationByName(workspaceId: string, name: string): Organisation | undefined {
    return this.db
      .select()
      .from(organisations)
      .where(and(eq(organisations.workspaceId, workspaceId), eq(organisations.nameKey, organisationKey(name))))
      .get();
  }

  ensureOrganisation(workspaceId: string, name: string, createdAt: number): Organisation {
    this.db
      .insert(organisations)
      .values({ workspaceId, name, nameKey: organisationKey(name), createdAt })
      .onConflictDoNothing()
      .run();
    const org = this.organisationByName(workspaceId, name);
    if (org === undefined) throw new Error(`organisation ${name} vanished after insert`);
    return org;
  }

  setOrganisation(workspaceId: string, userId: string, organisationId: number | null, updatedBy: string, updatedAt: number): void {
    this.db
      .insert(people)
      .values({ workspaceId, userId, organisationId, updatedBy, updatedAt })
      .onConflictDoUpdate({ target: [people.workspaceId, people.userId], set: { organisationId, updatedBy, updatedAt } })
      .run();
  }

  organisationOf(workspaceId: string, userId: string): Organisation | undefined {
    const row = this.db
      .select({ org: organisations })
      .from(people)
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(and(eq(people.workspaceId, workspaceId), eq(people.userId, userId)))
      .get();
    return row?.org;
  }

  organisationsWithPeople(workspaceId: string): Array<{ organisation: Organisation; userIds: string[] }> {
    const orgs = this.db.select().from(organisations).where(eq(organisations.workspaceId, workspaceId)).orderBy(asc(organisations.nameKey)).all();
    const links = this.db
      .select({ userId: people.userId, organisationId: people.organisationId })
      .from(people)
      .where(eq(people.workspaceId, workspaceId))
      .orderBy(asc(people.updatedAt))
      .all();
    return orgs
      .map((organisation) => ({ organisation, userIds: links.filter((l) => l.organisationId === organisation.id).map((l) => l.userId) }))
      .filter((entry) => entry.userIds.length > 0);
  }

  /** Organisations with at least one member on the team: the denominator of per-organisation turnout. */
  organisationsOnTeam(programTeamId: number): Organisation[] {
    return this.db
      .selectDistinct({ org: organisations })
      .from(teamMembers)
      .innerJoin(people, and(eq(people.workspaceId, teamMembers.workspaceId), eq(people.userId, teamMembers.userId)))
      .innerJoin(organisations, eq(organisations.id, people.organisationId))
      .where(eq(teamMembers.programTeamId, programTeamId))
      .all()
      .map((r) => r.org);
  }

  isStoredCoordinator(workspaceId: string, userId: string): boolean {
    return this.storedCoordinator.get({ workspaceId, userId }) !== undefined;
  }

  storedCoordinators(workspaceId: string): string[] {
    return this.db
      .select({ userId: coordinators.userId })
      .from(coordinators)
      .where(eq(coordinators.workspaceId, workspaceId))
      .orderBy(asc(coordinators.createdAt))
      .all()
      .map((r) => r.userId);
  }

  addCoordinator(workspaceId: string, userId: string, addedBy: string, createdAt: number): boolean {
    return this.db.insert(coordinators).values({ workspaceId, userId, addedBy, createdAt }).onConflictDoNothing().run().changes > 0;
  }

  removeCoordinator(workspaceId: string, userId: string): boolean {
    return this.db
      .delete(coordinators)
      .where(and(eq(coordinators.workspaceId, workspaceId), eq(coordinators.userId, userId)))
      .run().changes > 0;
  }

  audit(entry: { workspaceId: string; actorId: string; action: string; target?: string; outcome: 'refused' | 'done'; detail?: string; createdAt: number }): void {
    this.db
      .insert(auditLog)
      .values({ ...entry, target: entry.target ?? null, detail: entry.detail ?? null })
      .run();
  }

  recentAudit(workspaceId: string, limit: number): AuditEntry[] {
    return this.db
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
}

export const organisationKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();
