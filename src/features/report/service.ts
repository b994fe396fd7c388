import type { Actor } from '../../domain/actor.js';
import { fail, ok, type Result } from '../../domain/result.js';
import type { TeamRepository } from '../team/repository.js';
import type { TeamService } from '../team/service.js';
import { looksLikePeriod, parsePeriod, previousQuarter, quarterStart, type ReportPeriod } from './period.js';
import type { ReportQueries, ReportTeam } from './queries.js';
import type { ReportRepository, ReportSchedule } from './repository.js';

export interface ReportRequest {
  workspaceId: string;
  scope: 'team' | 'all';
  teams: ReportTeam[];
  period: ReportPeriod;
}

export interface ReportServiceDeps {
  queries: ReportQueries;
  repo: ReportRepository;
  teams: TeamService;
  teamRepository: TeamRepository;
  /** Periods are whole days on the workspace's clock: this zone, or each workspace's own when `zones` is given. */
  timeZone: string;
  zones?: { zoneFor(workspaceId: string): Promise<string> };
}

/** A quarterly report is due at 08:00 on the quarter's first day (local), for the quarter that just ended. */
export const QUARTERLY_HOUR = 8;

const USAGE = 'Usage: `/report [KEY|all] [period]`, for example `/report CNA last-month` or `/report all 2026-Q4`. See `/report help`.';

/** Who may see which report, and what a scheduled report covers. Plain TypeScript; `now` is passed in. */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  private async zoneOf(workspaceId: string): Promise<string> {
    return (await this.deps.zones?.zoneFor(workspaceId)) ?? this.deps.timeZone;
  }

  /**
   * Reads `/report [KEY|all] [period]` and checks the person may have it: team members for their
   * own teams, coordinators for any team and `all`, partner-workspace guests never. Refusals are
   * written to the audit log.
   */
  async request(actor: Actor, words: string[], channelId: string, now: Date): Promise<Result<ReportRequest>> {
    if (words.length > 2) return fail('invalid', USAGE);
    let teamWord: string | undefined;
    let periodWord: string | undefined;
    if (words.length === 2) [teamWord, periodWord] = words;
    else if (words.length === 1 && words[0] !== undefined) {
      if (looksLikePeriod(words[0])) periodWord = words[0];
      else teamWord = words[0];
    }
    const period = parsePeriod(periodWord, now, await this.zoneOf(actor.workspaceId));
    if (!period.ok) return fail('invalid', period.message);
    const target = teamWord ?? '';
    if (actor.isExternal) {
      await this.deps.teams.auditRefusal(actor, 'report', target || channelId, 'external user', now);
      return fail('forbidden', 'Reports are for people in this workspace, so they cannot go to a partner-workspace guest. Ask a coordinator for the figures you need.');
    }
    if (teamWord?.toLowerCase() === 'all') {
      const refused = await this.deps.teams.requireCoordinator(actor, 'report.all', period.period.spec, now);
      if (refused !== undefined) {
        return fail('forbidden', 'Only coordinators can have the report for all teams. Ask for one team you are on instead, for example `/report CNA`.');
      }
      return ok({ workspaceId: actor.workspaceId, scope: 'all', teams: await this.deps.queries.teams(actor.workspaceId, 'all'), period: period.period });
    }
    const team = await this.deps.teams.resolveTeam(actor.workspaceId, teamWord, channelId);
    if (!team.ok) {
      if (teamWord !== undefined) return team;
      const mine = (await this.deps.teamRepository.teamsOf(actor.workspaceId, actor.userId)).map((t) => t.key);
      return fail('invalid', `This channel is not linked to a team, so name one: for example \`/report ${mine[0] ?? 'CNA'} ${period.period.spec}\`.${mine.length > 0 ? ` You are on ${mine.join(', ')}.` : ''}`);
    }
    if (!actor.isCoordinator && !(await this.deps.teamRepository.isMember(team.value.id, actor.userId))) {
      await this.deps.teams.auditRefusal(actor, 'report', team.value.key, 'not a member of the team', now);
      return fail('forbidden', `Reports on ${team.value.key} are for its members and coordinators. Join with \`/team join ${team.value.key}\` if you work on it.`);
    }
    return ok({ workspaceId: actor.workspaceId, scope: 'team', teams: await this.deps.queries.teams(actor.workspaceId, [team.value.key]), period: period.period });
  }

  async schedule(actor: Actor, cadence: string, now: Date): Promise<Result<{ added: boolean }>> {
    const refused = await this.deps.teams.requireCoordinator(actor, 'report.schedule', cadence, now);
    if (refused !== undefined) return refused;
    if (cadence.toLowerCase() !== 'quarterly') return fail('invalid', `Reports can be scheduled quarterly: \`/report schedule quarterly\`. "${cadence}" is not a schedule I know.`);
    const added = await this.deps.repo.database.transaction(async () => {
      const created = await this.deps.repo.addSchedule({ workspaceId: actor.workspaceId, userId: actor.userId, cadence: 'quarterly', createdAt: now.getTime() });
      await this.deps.teamRepository.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'report.schedule', target: 'quarterly', outcome: 'done', createdAt: now.getTime() });
      return created;
    });
    return ok({ added });
  }

  async unschedule(actor: Actor, now: Date): Promise<Result<{ removed: boolean }>> {
    if (actor.isExternal) {
      await this.deps.teams.auditRefusal(actor, 'report.unschedule', undefined, 'external user', now);
      return fail('forbidden', 'Reports are for people in this workspace.');
    }
    return ok({ removed: await this.deps.repo.removeSchedule(actor.workspaceId, actor.userId) });
  }

  async scheduleOf(workspaceId: string, userId: string): Promise<ReportSchedule | undefined> {
    return await this.deps.repo.scheduleOf(workspaceId, userId);
  }

  /** When the workspace's next quarterly report goes out, and which quarter it covers. */
  async nextQuarterly(workspaceId: string, now: Date): Promise<{ at: number; period: ReportPeriod }> {
    const tz = await this.zoneOf(workspaceId);
    const hour = QUARTERLY_HOUR * 3_600_000;
    const thisOne = quarterStart(now.getTime(), tz);
    // 100 days after a quarter's first day is always inside the next quarter (quarters are 90–92 days).
    const at = thisOne + hour > now.getTime() ? thisOne + hour : quarterStart(thisOne + 100 * 86_400_000, tz) + hour;
    return { at, period: previousQuarter(at, tz) };
  }

  /**
   * Scheduled reports due at `now`: for each schedule, the quarter that ended before the current
   * one, once its report time (08:00 on the new quarter's first day) has passed and if the schedule
   * existed by then. Whether it was already sent is the claim's business (see the job).
   */
  async due(workspaceId: string, now: Date): Promise<Array<{ schedule: ReportSchedule; period: ReportPeriod }>> {
    const tz = await this.zoneOf(workspaceId);
    const dueAt = quarterStart(now.getTime(), tz) + QUARTERLY_HOUR * 3_600_000;
    if (now.getTime() < dueAt) return [];
    const period = previousQuarter(now.getTime(), tz);
    return (await this.deps.repo.schedules(workspaceId))
      .filter((s) => s.createdAt <= dueAt)
      .map((schedule) => ({ schedule, period }));
  }
}
