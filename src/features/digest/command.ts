import type { Clock } from '../../domain/result.js';
import { escapeMrkdwn, mentionChannel, mentionUser } from '../../slack/mrkdwn.js';
import { say, sayProblem } from '../../slack/reply.js';
import { CommandNames } from '../../slack/ids.js';
import { subcommandRouter, usageFor } from '../../slack/subcommands.js';
import { describeSchedule } from './schedule.js';
import type { DigestService } from './service.js';
import { DIGEST_HELP, formatRunTime } from './views.js';

export interface DigestCommandDeps {
  digests: DigestService;
  now: Clock;
  /** Starts delivery of what was just queued. */
  kickOutbox: () => void;
}

const usage = usageFor(CommandNames.digest);

/** A schedule's first field is a minute (digits or `*`), so a leading word is the team key or `rollup`. */
const looksLikeTarget = (word: string): boolean => /^[a-z]/i.test(word) && word.toLowerCase() !== 'default';

/** `/digest …`: parses the text, calls the digest service, renders the answer. */
export function digestCommand(deps: DigestCommandDeps) {
  return subcommandRouter({
    command: CommandNames.digest,
    help: DIGEST_HELP,
    now: deps.now,
    handlers: {
      preview: async ({ input, actor, args, now }) => {
        if (args.length > 1) return usage('/digest preview [KEY|all]');
        const target = await deps.digests.resolveTarget(actor.workspaceId, args[0], input.channelId);
        if (!target.ok) return sayProblem(target.problem);
        // The preview reads the team's (or every team's) week, which grows with the data: it is built
        // after the ack and arrives through the command's response_url.
        const what = target.value.kind === 'team' ? `*${escapeMrkdwn(target.value.team.key)}*’s digest` : 'the coordinators’ roll-up';
        return {
          kind: 'message',
          text: `:hourglass_flowing_sand: Building a preview of ${what}; it will be here in a moment.`,
          afterAck: async (respond) => {
            const message = await deps.digests.preview(actor.workspaceId, target.value, now);
            await respond({ text: message.text, blocks: message.blocks });
          },
        };
      },
      send: async ({ input, actor, args, now }) => {
        if (args.length > 1) return usage('/digest send [KEY|rollup|all]');
        const sent = await deps.digests.sendNow(actor, args[0], input.channelId, now);
        if (!sent.ok) return sayProblem(sent.problem);
        deps.kickOutbox();
        const lines = sent.value.sent.map(({ name, to }) => {
          if (to.length === 0) return `• ${escapeMrkdwn(name)}: nowhere to send it (no linked channel or recipients)`;
          const where = name === 'the roll-up' ? to.map(mentionUser) : to.map(mentionChannel);
          return `• ${escapeMrkdwn(name)} → ${where.join(', ')}`;
        });
        return say(`:outbox_tray: Sending now:\n${lines.join('\n')}`);
      },
      schedule: async ({ input, actor, args, now }) => {
        if (args.length === 0) {
          const view = await deps.digests.schedules(actor.workspaceId, now);
          return say(view.text, view.blocks);
        }
        const [first = ''] = args;
        const named = looksLikeTarget(first);
        const target = await deps.digests.resolveTarget(actor.workspaceId, named ? first : undefined, input.channelId);
        if (!target.ok) return sayProblem(target.problem);
        const expression = (named ? args.slice(1) : args).join(' ');
        if (expression === '') {
          const view = await deps.digests.schedules(actor.workspaceId, now);
          return say(view.text, view.blocks);
        }
        const set = await deps.digests.setSchedule(actor, target.value, expression, now);
        if (!set.ok) return sayProblem(set.problem);
        const who = target.value.kind === 'team' ? `*${escapeMrkdwn(target.value.team.key)}*’s digest` : 'The coordinators’ roll-up';
        // The schedule's own zone: the workspace's when it was set.
        const zone = set.value.schedule.timeZone;
        const next = set.value.next.map((d) => formatRunTime(d.getTime(), zone)).join(' · ');
        return say(
          `:calendar: ${who} now goes out ${describeSchedule(set.value.schedule.cron)} (\`${set.value.schedule.cron}\`, ${escapeMrkdwn(zone)}). Next: ${next}.`,
        );
      },
      subscribe: async ({ actor, args, now }) => {
        if (args.length > 0) return usage('/digest subscribe');
        const subscribed = await deps.digests.subscribe(actor, now);
        if (!subscribed.ok) return sayProblem(subscribed.problem);
        const note = subscribed.value.isCoordinator ? ' (As a coordinator you get it anyway; you will not get it twice.)' : '';
        return say(
          subscribed.value.added
            ? `:incoming_envelope: You will get the coordinators’ roll-up by direct message on its schedule.${note} Stop with \`/digest unsubscribe\`.`
            : `You are already subscribed to the roll-up.${note}`,
        );
      },
      unsubscribe: async ({ actor, args }) => {
        if (args.length > 0) return usage('/digest unsubscribe');
        const { removed, isCoordinator } = await deps.digests.unsubscribe(actor);
        const note = isCoordinator ? ' As a coordinator you still get it; coordinators always do.' : '';
        return say(`${removed ? 'You are unsubscribed from the roll-up.' : 'You were not subscribed, so nothing changed.'}${note}`);
      },
    },
  });
}
