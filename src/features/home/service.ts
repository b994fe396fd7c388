import type { Actor } from '../../domain/actor.js';
import { formatKey, isOverdue } from '../issue/model.js';
import { meetingKey } from '../meeting/views.js';
import { todayIn } from '../../time/zone.js';
import type { RsvpAnswer } from '../meeting/repository.js';
import { DEFAULT_DIGEST_CRON, nextRuns } from '../digest/schedule.js';
import { voteBallotKey, voteKey, voterKeyFor } from '../vote/rules.js';
import type { HomeGoalPace, HomeMeeting, HomeModel, HomeNotice, HomeTeam, HomeVote, TeamHealth } from './model.js';
import type { HomeRepository } from './repository.js';
import type { WorkspaceZones } from '../team/zones.js';

/** How many of each list a Home reads; the view shows what fits and counts the rest. */
export const HOME_LIMITS = { votes: 8, issues: 10, meetings: 5 } as const;

/** The goals feature: every open goal of the workspace with its pace, by team (see src/features/goal). */
export interface GoalPaceSource {
  goalsByTeam(workspaceId: string, now: Date): Promise<Map<number, HomeGoalPace[]>>;
}

export interface HomeServiceDeps {
  queries: HomeRepository;
  ballotSecret: string;
  /** The deployment's zone (ALLIANCE_TIMEZONE): every workspace's when `zones` is not given (tests, benches). */
  timeZone: string;
  /** Each workspace's own zone: its "today" (overdue) and its default digest schedule's zone. */
  zones?: Pick<WorkspaceZones, 'zoneFor'>;
  goals?: GoalPaceSource;
}

const RSVP: ReadonlySet<string> = new Set(['going', 'maybe', 'declined']);

/** Builds what one person's Home shows, from the database, as of `now`. No Slack here. */
export class HomeService {
  /**
   * A schedule's next run, kept until it passes: computing it (cron-parser, time zones) costs about
   * a millisecond, and every team usually shares one schedule.
   */
  private readonly nextRuns = new Map<string, { from: number; next: number | null }>();

  constructor(private readonly deps: HomeServiceDeps) {}

  private nextRun(cron: string, timeZone: string, at: number): number | null {
    const key = `${cron}|${timeZone}`;
    const known = this.nextRuns.get(key);
    if (known !== undefined && known.from <= at && (known.next === null || at < known.next)) return known.next;
    const next = nextRuns(cron, timeZone, new Date(at), 1)[0]?.getTime() ?? null;
    if (this.nextRuns.size > 1000) this.nextRuns.clear();
    this.nextRuns.set(key, { from: at, next });
    return next;
  }

  async build(actor: Actor, now: Date, notice?: HomeNotice): Promise<HomeModel> {
    const { queries } = this.deps;
    const ws = actor.workspaceId;
    const user = actor.userId;
    const at = now.getTime();
    const timeZone = this.deps.zones === undefined ? this.deps.timeZone : await this.deps.zones.zoneFor(ws);
    const today = todayIn(now, timeZone);
    const coordinator = actor.isCoordinator && !actor.isExternal;

    const mine = await queries.myTeams(ws, user);
    const goals = mine.length > 0 || coordinator ? await this.deps.goals?.goalsByTeam(ws, now) : undefined;
    const teams: HomeTeam[] = mine.map((t) => ({ ...t, goals: goals?.get(t.id) ?? [] }));

    const organisationId = await queries.organisationOf(ws, user);
    const secret = this.deps.ballotSecret;
    const waiting =
      teams.length === 0
        ? { items: [], total: 0, needOrganisation: 0 }
        : await queries.waitingVotes(
            ws,
            user,
            at,
            organisationId,
            HOME_LIMITS.votes,
            async (vote) =>
              !(await queries.hasBallot(
                vote.id,
                // Keyed as the vote's own scheme keys it (the deployment's key, or the workspace's own).
                voterKeyFor(voteBallotKey(secret, { workspaceId: ws, ballotKeyScheme: vote.ballotKeyScheme }), { id: vote.id, eligibility: vote.eligibility, anonymous: vote.anonymous === 1 }, user, organisationId),
              )),
          );
    // Options only for the votes shown.
    const shownVotes: HomeVote[] = [];
    for (const vote of waiting.items) {
      shownVotes.push({
        id: vote.id,
        key: voteKey(vote.number),
        teamKey: vote.teamKey,
        question: vote.question,
        method: vote.method === 'ranked' || vote.method === 'multiple' ? vote.method : 'single',
        maxChoices: vote.maxChoices,
        forOrganisation: vote.eligibility === 'organisation',
        anonymous: vote.anonymous === 1,
        closesAt: vote.closesAt,
        options: (await queries.options(vote.id)).map((o) => ({ id: o.id, label: o.label })),
      });
    }

    const issues = await queries.myIssues(ws, user, today, HOME_LIMITS.issues);
    const meetings = teams.length === 0 ? { items: [], total: 0 } : await queries.upcomingMeetings(ws, user, at, HOME_LIMITS.meetings);

    return {
      userId: user,
      coordinator,
      guest: actor.isExternal,
      today,
      ...(notice === undefined ? {} : { notice }),
      teams,
      votes: { items: shownVotes, total: waiting.total },
      votesNeedingOrganisation: waiting.needOrganisation,
      issues: {
        items: issues.items.map((i) => ({
          id: i.id,
          key: formatKey(i.teamKey, i.number),
          title: i.title,
          status: i.status,
          dueDate: i.dueDate,
          overdue: isOverdue(i, today),
        })),
        total: issues.total,
      },
      meetings: {
        items: meetings.items.map(
          (m): HomeMeeting => ({
            id: m.id,
            key: meetingKey(m.number),
            teamKey: m.teamKey,
            title: m.title,
            startsAt: m.startsAt,
            durationMinutes: m.durationMinutes,
            location: m.location,
            link: m.link,
            answer: m.answer !== null && RSVP.has(m.answer) ? (m.answer as RsvpAnswer) : null,
          }),
        ),
        total: meetings.total,
      },
      ...(coordinator ? { control: await this.controlRoom(ws, now, today, goals, timeZone) } : {}),
      goalsTracked: this.deps.goals !== undefined,
    };
  }

  /** One health row per team, for coordinators; `timeZone` (the workspace's) is the zone of a team still on the default digest schedule. */
  async controlRoom(ws: string, now: Date, today: string, goalsByTeam: Map<number, HomeGoalPace[]> | undefined, timeZone: string): Promise<TeamHealth[]> {
    const { queries } = this.deps;
    const at = now.getTime();
    const schedules = await queries.schedules(ws);
    const rows: TeamHealth[] = [];
    for (const team of await queries.allTeams(ws)) {
      const schedule = schedules.get(team.key) ?? { cron: DEFAULT_DIGEST_CRON, timeZone };
      const goals = goalsByTeam === undefined ? undefined : (goalsByTeam.get(team.id) ?? []);
      rows.push({
        key: team.key,
        name: team.name,
        ...(await queries.health(team.id, today)),
        ...(goals === undefined
          ? {}
          : { goalsBehind: goals.filter((g) => g.behind).length, goalsAtRisk: goals.filter((g) => g.atRisk).length, goalsStale: goals.filter((g) => g.stale).length }),
        nextMeetingAt: await queries.nextMeetingAt(team.id, at),
        lastDigestAt: await queries.lastDigestAt(ws, team.key),
        nextDigestAt: this.nextRun(schedule.cron, schedule.timeZone, at),
      });
    }
    return rows;
  }
}
