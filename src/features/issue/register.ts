import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { CommandNames } from '../../slack/ids.js';
import { registerIssueActions } from './actions.js';
import { issueCommand } from './command.js';
import { registerIssueModals } from './modal.js';
import { IssueRepository } from './repository.js';
import { ISSUE_ANNOUNCED, ISSUE_CARD_REFRESH, IssueService } from './service.js';
import { registerLogAsIssue } from './shortcut.js';
import { announcement, loggedReply, statusReply } from './views.js';

/** `/issue`, its forms, its buttons and the "Log as issue" message shortcut. */
export function registerIssues(app: App, deps: ListenerDeps): void {
  const issues = new IssueService({
    db: deps.db,
    issues: new IssueRepository(deps.db),
    teamRepository: deps.teamRepository,
    teams: deps.teams,
    timeZone: deps.config.ALLIANCE_TIMEZONE,
    zones: deps.zones,
    messages: { announcement, loggedReply, statusReply },
  });
  deps.refreshers[ISSUE_CARD_REFRESH] = (ref, now) => issues.renderAnnouncement(Number(ref), now);
  // After the announcement is posted: remember where, and catch up on changes made meanwhile.
  deps.followUps[ISSUE_ANNOUNCED] = async (_db, ref, result) => {
    await issues.recordAnnouncement(ref, result, deps.now());
    deps.outbox.kick();
  };
  registerCommand(app, CommandNames.issue, issueCommand({ issues, outbox: deps.outbox, now: deps.now, formatTimeFor: deps.formatTimeFor }), { actors: deps.actors });
  registerIssueModals(app, { issues, actors: deps.actors, outbox: deps.outbox, now: deps.now, logger: deps.logger });
  registerIssueActions(app, { issues, actors: deps.actors, outbox: deps.outbox, now: deps.now, formatTimeFor: deps.formatTimeFor, respondVia: (body, respond) => deps.home.respondVia(body, respond) });
  registerLogAsIssue(app, { issues });
}
