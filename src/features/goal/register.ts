import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { CommandNames } from '../../slack/ids.js';
import { IssueRepository } from '../issue/repository.js';
import { IssueService } from '../issue/service.js';
import { announcement, loggedReply, statusReply } from '../issue/views.js';
import { goalCommand } from './command.js';
import { registerGoalListeners } from './listeners.js';
import { GoalRepository } from './repository.js';
import { GOAL_ANNOUNCED, GoalService } from './service.js';
import { closedAnnouncement, createdAnnouncement, staleReminder } from './views.js';
import type { WorkspaceZones } from '../team/zones.js';

/** Builds the goal service from the app's dependencies (listeners and jobs share this). */
/** `timeZone` is the deployment's default; `zones` gives each workspace its own (without it, `timeZone` serves every workspace). */
export function buildGoalService(deps: Pick<ListenerDeps, 'db' | 'teamRepository' | 'teams'> & { timeZone: string; zones?: Pick<WorkspaceZones, 'zoneFor'> }): GoalService {
  const zones = deps.zones === undefined ? {} : { zones: deps.zones };
  const issues = new IssueRepository(deps.db);
  // Linking a goal redraws the issue's channel card (through the outbox), like every other issue change.
  const issueService = new IssueService({ db: deps.db, issues, teamRepository: deps.teamRepository, teams: deps.teams, timeZone: deps.timeZone, ...zones, messages: { announcement, loggedReply, statusReply } });
  return new GoalService({
    db: deps.db,
    goals: new GoalRepository(deps.db),
    issues,
    issueLinksChanged: async (issueId, now) => {
      await issueService.goalLinksChanged(issueId, now);
    },
    teamRepository: deps.teamRepository,
    teams: deps.teams,
    timeZone: deps.timeZone,
    ...zones,
    messages: { created: createdAnnouncement, closed: closedAnnouncement, staleReminder },
  });
}

/** `/goal`, its forms and its buttons. */
export function registerGoals(app: App, deps: ListenerDeps): void {
  const goals = buildGoalService({ ...deps, timeZone: deps.config.ALLIANCE_TIMEZONE, zones: deps.zones });
  // After the announcement is posted: remember where, and catch up on readings made meanwhile.
  // Database work only (it runs in the outbox's transaction, which PostgreSQL may re-run): the
  // outbox run that called it sees the catch-up update due and runs again (nextInMs), no kick needed.
  deps.followUps[GOAL_ANNOUNCED] = async (_db, ref, result) => {
    await goals.recordAnnouncement(ref, result, deps.now());
  };
  registerCommand(app, CommandNames.goal, goalCommand({ goals, outbox: deps.outbox, now: deps.now, formatTimeFor: deps.formatTimeFor }), { actors: deps.actors });
  registerGoalListeners(app, { goals, actors: deps.actors, outbox: deps.outbox, now: deps.now });
}
