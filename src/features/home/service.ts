import type { Actor } from '../../domain/actor.js';
import { isOverdue, todayIn } from '../issue/model.js';
import type { RsvpAnswer } from '../meeting/repository.js';
import { DEFAULT_DIGEST_CRON, nextRuns } from '../digest/schedule.js';
import { voteKey, voterKeyFor } from '../vote/rules.js';
import type { HomeGoalPace, HomeMeeting, HomeModel, HomeNotice, HomeTeam, HomeVote, TeamHealth } from './model.js';
import type { HomeQueries } from './queries.js';

/** How many of each list a Home reads; the view shows what fits and counts the rest. */
export const HOME_LIMITS = { votes: 8, issues: 10, meetings: 5 } as const;

/** The goals feature, when present: each team's goals with their pace (see src/features/goal). */
export interface GoalPaceSource {
  teamGoals(teamId: number, now: Date): HomeGoalPace[];
}

export interface HomeServiceDeps {
  queries: HomeQueries;
  ballotSecret: string;
  timeZone: string;
  goals?: GoalPaceSource;
}

const RSVP: ReadonlySet<string> = new Set(['going', 'maybe', 'declined']);

/** Builds what one person's Home shows, from the database, as of `now`. No Slack here. */
export class HomeService {
  constructor(private readonly deps: HomeServiceDeps) {}

  build(actor: Actor, now: Date, notice?: HomeNotice): HomeModel {
    const { queries } = this.deps;
    const ws = actor.workspaceId;
    const user = actor.userId;
    const at = now.getTime();
    const today = todayIn(now, this.deps.timeZone);
    const coordinator = actor.isCoordinator && !actor.isExternal;

    const teams: HomeTeam[] = queries.myTeams(ws, user).map((t) => ({ ...t, goals: this.deps.goals?.teamGoals(t.id, now) ?? [] }));

    const organisationId = queries.organisationOf(ws, user);
    const waiting: HomeVote[] = [];
    let needOrganisation = 0;
    for (const vote of teams.length === 0 ? [] : queries.openVotes(ws, user, at)) {
      if (vote.eligibility === 'organisation' && organisationId === null) {
        needOrganisation++;
        continue;
      }
      const key = voterKeyFor(this.deps.ballotSecret, { id: vote.id, eligibility: vote.eligibility, anonymous: vote.anonymous === 1 }, user, organisationId);
      if (queries.hasBallot(vote.id, key)) continue;
      waiting.push({
        id: vote.id,
        key: voteKey(vote.number),
        teamKey: vote.teamKey,
        question: vote.question,
        method: vote.method === 'ranked' || vote.method === 'multiple' ? vote.method : 'single',
        maxChoices: vote.maxChoices,
        forOrganisation: vote.eligibility === 'organisation',
        anonymous: vote.anonymous === 1,
        closesAt: vote.closesAt,
        options: [],
      });
    }
    // Options only for the votes shown.
    const shownVotes = waiting.slice(0, HOME_LIMITS.votes).map((v) => ({ ...v, options: queries.options(v.id).map((o) => ({ id: o.id, label: o.label })) }));

    const issues = queries.myIssues(ws, user, today, HOME_LIMITS.issues);
    const meetings = teams.length === 0 ? { items: [], total: 0 } : queries.upcomingMeetings(ws, user, at, HOME_LIMITS.meetings);

    return {
      userId: user,
      coordinator,
      guest: actor.isExternal,
      today,
      ...(notice === undefined ? {} : { notice }),
      teams,
      votes: { items: shownVotes, total: waiting.length },
      votesNeedingOrganisation: needOrganisation,
      issues: {
        items: issues.items.map((i) => ({
          id: i.id,
          key: `${i.teamKey}-${i.number}`,
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
            key: `M-${m.number}`,
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
      ...(coordinator ? { control: this.controlRoom(ws, now, today) } : {}),
      goalsTracked: this.deps.goals !== undefined,
    };
  }

  /** One health row per team, for coordinators. */
  controlRoom(ws: string, now: Date, today: string): TeamHealth[] {
    const { queries } = this.deps;
    const at = now.getTime();
    const schedules = queries.schedules(ws);
    return queries.allTeams(ws).map((team) => {
      const schedule = schedules.get(team.key) ?? { cron: DEFAULT_DIGEST_CRON, timeZone: this.deps.timeZone };
      const goals = this.deps.goals?.teamGoals(team.id, now);
      return {
        key: team.key,
        name: team.name,
        ...queries.health(team.id, today),
        ...(goals === undefined
          ? {}
          : { goalsBehind: goals.filter((g) => g.behind).length, goalsAtRisk: goals.filter((g) => g.atRisk).length, goalsStale: goals.filter((g) => g.stale).length }),
        nextMeetingAt: queries.nextMeetingAt(team.id, at),
        lastDigestAt: queries.lastDigestAt(ws, team.key),
        nextDigestAt: nextRuns(schedule.cron, schedule.timeZone, now, 1)[0]?.getTime() ?? null,
      };
    });
  }
}
