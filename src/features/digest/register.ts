import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { CommandNames } from '../../slack/ids.js';
import { digestCommand } from './command.js';
import { DigestRepository } from './repository.js';
import { DigestService } from './service.js';

/** `/digest`. The scheduled sending is a job (src/jobs/schedule.ts → runDigests), not a listener. */
export function registerDigests(app: App, deps: ListenerDeps): void {
  const digests = new DigestService({
    repo: new DigestRepository(deps.db),
    teamRepository: deps.teamRepository,
    teams: deps.teams,
    timeZone: deps.config.ALLIANCE_TIMEZONE,
    zones: deps.zones,
    configCoordinators: deps.config.ALLIANCE_COORDINATORS,
  });
  registerCommand(
    app,
    CommandNames.digest,
    digestCommand({ digests, now: deps.now, kickOutbox: () => deps.outbox.kick() }),
    { actors: deps.actors },
  );
}
