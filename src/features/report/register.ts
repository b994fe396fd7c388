import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { CommandNames } from '../../slack/ids.js';
import { reportCommand } from './command.js';
import { runReport } from './deliver.js';
import { ReportQueries } from './queries.js';
import { ReportRepository } from './repository.js';
import { ReportService } from './service.js';

/** `/report`. The quarterly reports are a job (src/jobs/schedule.ts → runScheduledReports). */
export function registerReports(app: App, deps: ListenerDeps): void {
  const queries = new ReportQueries(deps.db);
  const reports = new ReportService({ queries, repo: new ReportRepository(deps.db), teams: deps.teams, teamRepository: deps.teamRepository, timeZone: deps.config.ALLIANCE_TIMEZONE, zones: deps.zones });
  registerCommand(
    app,
    CommandNames.report,
    reportCommand({
      reports,
      now: deps.now,
      formatTimeFor: deps.formatTimeFor,
      deliver: async (userId, request, now) => runReport({ client: deps.client, queries, timeZone: await deps.zones.zoneFor(request.workspaceId), logger: deps.logger }, userId, request, now),
    }),
    { actors: deps.actors },
  );
}
