import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { CommandNames } from '../../slack/ids.js';
import { teamCommand } from './command.js';
import { registerTeamEvents } from './events.js';
import { WorkspaceSettingsService } from './settings.js';

/** `/team`, and the channel events that keep team membership and guests' welcomes current. */
export function registerTeams(app: App, deps: ListenerDeps): void {
  const settings = new WorkspaceSettingsService({ repo: deps.teamRepository, teams: deps.teams, zones: deps.zones });
  registerCommand(
    app,
    CommandNames.team,
    teamCommand({ teams: deps.teams, settings, configCoordinators: deps.config.ALLIANCE_COORDINATORS, now: deps.now, formatTimeFor: deps.formatTimeFor }),
    { actors: deps.actors },
  );
  registerTeamEvents(app, { db: deps.db, repo: deps.teamRepository, outbox: deps.outbox, now: deps.now, actors: deps.actors });
}
