import type { Clock } from '../../domain/result.js';
import { CommandNames } from '../../slack/ids.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import { say, sayProblem, type CommandReply } from '../../slack/reply.js';
import { subcommandRouter, type SubcommandCall } from '../../slack/subcommands.js';
import type { ReportRequest, ReportService } from './service.js';
import { REPORT_HELP } from './views.js';

export interface ReportCommandDeps {
  reports: ReportService;
  now: Clock;
  /** Builds and delivers the report after the ack (src/features/report/deliver.ts). */
  deliver: (userId: string, request: ReportRequest, now: Date) => Promise<unknown>;
  /** Dates and times in the workspace's zone. */
  formatTimeFor: (workspaceId: string) => Promise<(ms: number) => string>;
}

/** `/report …`: parses the text, asks the service, answers at once and sends the report after the ack. */
export function reportCommand(deps: ReportCommandDeps) {
  /** `/report [KEY|all] [period]`: the words are the report's scope and period, not a subcommand. */
  const report = async ({ input, actor, now }: SubcommandCall): Promise<CommandReply> => {
    const words = input.text === '' ? [] : input.text.split(/\s+/);
    const request = await deps.reports.request(actor, words, input.channelId, now);
    if (!request.ok) return sayProblem(request.problem);
    const { period, scope, teams } = request.value;
    const what = scope === 'all' ? 'all teams' : (teams[0]?.key ?? '');
    return {
      kind: 'message',
      text: `:bar_chart: Preparing the report for *${escapeMrkdwn(what)}* · ${escapeMrkdwn(period.label)} (${period.firstDay} to ${period.lastDay}). It will be in your direct messages with Alliance in a moment: a summary, CSV files and charts.`,
      afterAck: async () => {
        await deps.deliver(actor.userId, request.value, now);
      },
    };
  };

  return subcommandRouter({
    command: CommandNames.report,
    help: REPORT_HELP,
    now: deps.now,
    empty: report,
    otherwise: report,
    handlers: {
      schedule: async ({ actor, args, now }) => {
        const [word, ...extra] = args;
        if (extra.length > 0) return say(':information_source: Usage: `/report schedule quarterly`, `/report schedule` or `/report schedule off`.');
        if (word === undefined) {
          const mine = await deps.reports.scheduleOf(actor.workspaceId, actor.userId);
          const next = await deps.reports.nextQuarterly(actor.workspaceId, now);
          const formatTime = await deps.formatTimeFor(actor.workspaceId);
          return say(
            mine === undefined
              ? ':calendar: You have no scheduled report. Coordinators can have every team’s quarterly report sent to them with `/report schedule quarterly`.'
              : `:calendar: Every team’s quarterly report comes to your direct messages on the first day of each quarter. Next: *${escapeMrkdwn(next.period.label)}*, on ${formatTime(next.at)}. \`/report schedule off\` stops it.`,
          );
        }
        if (word.toLowerCase() === 'off') {
          const removed = await deps.reports.unschedule(actor, now);
          if (!removed.ok) return sayProblem(removed.problem);
          return say(removed.value.removed ? ':white_check_mark: Your quarterly report is stopped.' : 'You had no scheduled report, so nothing changed.');
        }
        const scheduled = await deps.reports.schedule(actor, word, now);
        if (!scheduled.ok) return sayProblem(scheduled.problem);
        const next = await deps.reports.nextQuarterly(actor.workspaceId, now);
        const formatTime = await deps.formatTimeFor(actor.workspaceId);
        return say(
          `:white_check_mark: ${scheduled.value.added ? 'Scheduled' : 'Already scheduled'}: every team’s report for each quarter comes to your direct messages on the quarter’s first day. The first, for *${escapeMrkdwn(next.period.label)}*, on ${formatTime(next.at)}.`,
        );
      },
    },
  });
}
