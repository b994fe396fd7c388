import type { Clock } from '../../domain/result.js';
import { escapeMrkdwn, mentionChannel, mentionUser, parseUserMention } from '../../slack/mrkdwn.js';
import { say, sayProblem } from '../../slack/reply.js';
import { CommandNames } from '../../slack/ids.js';
import { subcommandRouter, usageFor } from '../../slack/subcommands.js';
import type { TeamService } from './service.js';
import type { WorkspaceSettingsService } from './settings.js';
import { auditView, DIGEST_SCHEDULE_POINTER, membersView, organisationsView, settingsView, TEAM_HELP, teamListView } from './views.js';

export interface TeamCommandDeps {
  teams: TeamService;
  settings: WorkspaceSettingsService;
  configCoordinators: readonly string[];
  now: Clock;
  /** An instant's date and time in the workspace's zone. */
  formatTimeFor: (workspaceId: string) => Promise<(ms: number) => string>;
}

const usage = usageFor(CommandNames.team);

/** `/team …`: parses the text, calls the team service, renders the answer. */
export function teamCommand(deps: TeamCommandDeps) {
  return subcommandRouter({
    command: CommandNames.team,
    help: TEAM_HELP,
    now: deps.now,
    handlers: {
      list: async ({ actor }) => {
        const view = teamListView(await deps.teams.list(actor.workspaceId));
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      create: async ({ actor, args, now }) => {
        const [key, ...name] = args;
        if (key === undefined) return usage('/team create KEY Name of occupation');
        const created = await deps.teams.create(actor, key, name.join(' '), '', now);
        if (!created.ok) return sayProblem(created.problem);
        return say(`:white_check_mark: Created team *${escapeMrkdwn(created.value.key)}* · ${escapeMrkdwn(created.value.name)}. Link a channel to it with \`/team link ${created.value.key}\` in that channel.`);
      },
      link: async ({ input, actor, args, now }) => {
        if (args.length > 1) return usage('/team link KEY');
        const linked = await deps.teams.link(actor, args[0], input.channelId, now);
        if (!linked.ok) return sayProblem(linked.problem);
        const moved = linked.value.previous === undefined ? '' : ` (it was linked to ${escapeMrkdwn(linked.value.previous.key)})`;
        return say(`:link: ${mentionChannel(input.channelId)} is now linked to *${escapeMrkdwn(linked.value.team.key)}*${moved}. Commands typed here default to that team.`);
      },
      unlink: async ({ input, actor, args, now }) => {
        if (args.length > 0) return usage('/team unlink');
        const unlinked = await deps.teams.unlink(actor, input.channelId, now);
        if (!unlinked.ok) return sayProblem(unlinked.problem);
        return say(`:broken_chain: ${mentionChannel(input.channelId)} is no longer linked to *${escapeMrkdwn(unlinked.value.key)}*.`);
      },
      join: async ({ input, actor, args, now }) => {
        if (args.length > 1) return usage('/team join [KEY]');
        const joined = await deps.teams.join(actor, args[0], input.channelId, now);
        if (!joined.ok) return sayProblem(joined.problem);
        const key = escapeMrkdwn(joined.value.team.key);
        return say(joined.value.already ? `You are already on *${key}*.` : `:wave: Welcome to *${key}* · ${escapeMrkdwn(joined.value.team.name)}.`);
      },
      add: async ({ input, actor, args, now }) => {
        const userId = parseUserMention(args[0]);
        if (userId === undefined || args.length > 2) return usage('/team add @person [KEY]');
        const added = await deps.teams.add(actor, userId, args[1], input.channelId, now);
        if (!added.ok) return sayProblem(added.problem);
        const key = escapeMrkdwn(added.value.team.key);
        return say(added.value.added ? `:wave: ${mentionUser(userId)} is now on *${key}*.` : `${mentionUser(userId)} was already on *${key}*.`);
      },
      leave: async ({ input, actor, args }) => {
        if (args.length > 1) return usage('/team leave [KEY]');
        const left = await deps.teams.leave(actor, args[0], input.channelId);
        if (!left.ok) return sayProblem(left.problem);
        const key = escapeMrkdwn(left.value.team.key);
        return say(left.value.wasMember ? `You have left *${key}*.` : `You were not on *${key}*, so nothing changed.`);
      },
      members: async ({ input, actor, args }) => {
        if (args.length > 1) return usage('/team members [KEY]');
        const members = await deps.teams.members(actor.workspaceId, args[0], input.channelId);
        if (!members.ok) return sayProblem(members.problem);
        const view = membersView(members.value.team, members.value.members, members.value.more);
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      org: async ({ actor, rest, args, now }) => {
        const userId = parseUserMention(args[0]);
        if (userId === undefined) return usage('/team org @person [Organisation name]');
        const name = rest.slice(rest.indexOf(args[0] ?? '') + (args[0]?.length ?? 0)).trim();
        if (name === '') {
          const org = await deps.teams.organisationOf(actor.workspaceId, userId);
          return say(
            org === undefined
              ? `${mentionUser(userId)} has no organisation recorded. A coordinator can set it with \`/team org @person Organisation name\`.`
              : `${mentionUser(userId)} represents *${escapeMrkdwn(org.name)}*.`,
          );
        }
        const set = await deps.teams.setOrganisation(actor, userId, name, now);
        if (!set.ok) return sayProblem(set.problem);
        return say(`:office: ${mentionUser(userId)} now represents *${escapeMrkdwn(set.value.name)}*.`);
      },
      orgs: async ({ actor }) => {
        const listed = await deps.teams.organisations(actor.workspaceId);
        const view = organisationsView(listed.entries, listed.more);
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      coordinators: async ({ actor }) => {
        const ids = await deps.teams.coordinators(actor.workspaceId, deps.configCoordinators);
        return say(
          ids.length === 0
            ? 'No coordinators are named yet; workspace admins and owners act as coordinators.'
            : `Coordinators: ${ids.map(mentionUser).join(', ')} (workspace admins and owners too).`,
        );
      },
      coordinator: async ({ actor, args, now }) => {
        const [action, who] = args;
        const userId = parseUserMention(who);
        if ((action !== 'add' && action !== 'remove') || userId === undefined || args.length !== 2) {
          return usage('/team coordinator add|remove @person');
        }
        if (action === 'add') {
          const added = await deps.teams.addCoordinator(actor, userId, now);
          if (!added.ok) return sayProblem(added.problem);
          return say(added.value.added ? `:star: ${mentionUser(userId)} is now a coordinator.` : `${mentionUser(userId)} was already a coordinator.`);
        }
        const removed = await deps.teams.removeCoordinator(actor, userId, deps.configCoordinators, now);
        if (!removed.ok) return sayProblem(removed.problem);
        return say(removed.value.removed ? `${mentionUser(userId)} is no longer a coordinator.` : `${mentionUser(userId)} was not a coordinator added here, so nothing changed.`);
      },
      settings: async ({ actor, args, now }) => {
        const [first, second] = args.map((a) => a.toLowerCase());
        if (args.length === 0) {
          const shown = await deps.settings.show(actor, now);
          if (!shown.ok) return sayProblem(shown.problem);
          const view = settingsView(shown.value, await deps.formatTimeFor(actor.workspaceId));
          return say(view.text, view.blocks);
        }
        const isZone = (word: string | undefined): boolean => word === 'timezone' || word === 'tz' || word === 'zone';
        if (isZone(first) && args.length === 2) {
          const set = await deps.settings.setTimeZone(actor, args[1] ?? '', now);
          if (!set.ok) return sayProblem(set.problem);
          return say(`:globe_with_meridians: This workspace's time zone is now *${escapeMrkdwn(set.value)}*. Digest schedules keep the zone they were set in.`);
        }
        if (first === 'reset' && isZone(second) && args.length === 2) {
          const reset = await deps.settings.resetTimeZone(actor, now);
          if (!reset.ok) return sayProblem(reset.problem);
          return say(`:globe_with_meridians: This workspace uses the deployment's time zone again: *${escapeMrkdwn(reset.value)}*.`);
        }
        const digestWord = (word: string | undefined): boolean => word === 'digest' || word === 'rollup' || word === 'roll-up';
        if (digestWord(first) || (first === 'reset' && digestWord(second))) return say(`:information_source: ${DIGEST_SCHEDULE_POINTER}`);
        return usage('/team settings [timezone Area/City | reset timezone]');
      },
      audit: async ({ actor, args, now }) => {
        const limit = args[0] === undefined ? 20 : Number(args[0]);
        if (!Number.isInteger(limit) || limit < 1 || limit > 200 || args.length > 1) return usage('/team audit [n] (n from 1 to 200)');
        const entries = await deps.teams.audit(actor, limit, now);
        if (!entries.ok) return sayProblem(entries.problem);
        const view = auditView(entries.value, await deps.formatTimeFor(actor.workspaceId));
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
    },
  });
}
