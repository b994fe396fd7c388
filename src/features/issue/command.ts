import type { Actor } from '../../domain/actor.js';
import type { Clock } from '../../domain/result.js';
import type { CommandInput } from '../../slack/commands.js';
import { escapeMrkdwn, mentionUser, parseUserMention } from '../../slack/mrkdwn.js';
import { say, sayProblem, type CommandReply } from '../../slack/reply.js';
import { CommandNames } from '../../slack/ids.js';
import { subcommandRouter, usageFor } from '../../slack/subcommands.js';
import type { Kicker } from '../../outbox/kicker.js';
import { isListScope, MAX_TITLE, normaliseTitle, parseStatus, STATUS_WORDS, statusLabel, type ListScope } from './model.js';
import { newIssueMetadata, editIssueMetadata } from './metadata.js';
import type { Issue } from './repository.js';
import type { IssueService } from './service.js';
import { announcedText, ISSUE_HELP, issueCard, issueDetailView, issueListView, issueModal, keyOf } from './views.js';

export interface IssueCommandDeps {
  issues: IssueService;
  outbox: Kicker;
  now: Clock;
  /** Formats an instant in the workspace's zone (date and time). */
  formatTimeFor: (workspaceId: string) => Promise<(ms: number) => string>;
}

const usage = usageFor(CommandNames.issue);

const NONE = new Set(['none', 'nobody', 'clear', '-']);

/** Words after a key, keeping the person's own spacing and line breaks (comments, notes). */
function afterWords(text: string, words: number): string {
  let rest = text.trim();
  for (let i = 0; i < words; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest.trim();
}

/** `/issue …`: parses the text, calls the issue service, renders the answer. */
export function issueCommand(deps: IssueCommandDeps) {
  /** The answer to a change; the change may have queued an announcement update, so the outbox is nudged. */
  const answer = async (note: string, issue: Issue, now: Date): Promise<CommandReply> => {
    deps.outbox.kick();
    const card = issueCard(issue, await deps.issues.today(issue.workspaceId, now), note);
    return say(card.text, card.blocks);
  };

  return subcommandRouter({
    command: CommandNames.issue,
    help: ISSUE_HELP,
    now: deps.now,
    handlers: {
      new: ({ input, actor, rest, now }) => newIssue(input, actor, rest, now),
      list: async ({ input, actor, args, now }) => {
        let teamKey: string | undefined;
        let scope: ListScope = 'open';
        let scopeSeen = false;
        for (const arg of args) {
          const word = arg.toLowerCase();
          if (isListScope(word) && !scopeSeen) {
            scope = word;
            scopeSeen = true;
          } else if (teamKey === undefined && !isListScope(word)) teamKey = arg;
          else return usage('/issue list [KEY] [open|closed|all|mine|overdue]');
        }
        const page = await deps.issues.listFor(actor, teamKey, scope, input.channelId, now);
        if (!page.ok) return sayProblem(page.problem);
        const view = issueListView(page.value);
        return say(view.text, view.blocks.length > 0 ? view.blocks : undefined);
      },
      show: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/issue show CNA-3');
        const issue = await deps.issues.find(actor.workspaceId, args[0]);
        if (!issue.ok) return sayProblem(issue.problem);
        const view = issueDetailView(issue.value, await deps.issues.history(issue.value), await deps.issues.today(actor.workspaceId, now), await deps.formatTimeFor(actor.workspaceId));
        return say(view.text, view.blocks);
      },
      status: async ({ actor, rest, args, now }) => {
        const [key, word] = args;
        if (key === undefined || word === undefined) return usage(`/issue status CNA-3 ${STATUS_WORDS.replace(/, | or /g, '|')} [note]`);
        const issue = await deps.issues.find(actor.workspaceId, key);
        if (!issue.ok) return sayProblem(issue.problem);
        // "in progress" typed as two words is still one status.
        const twoWords = args[2] !== undefined && parseStatus(`${word} ${args[2]}`) === 'in_progress' && word.toLowerCase() === 'in';
        const status = twoWords ? 'in_progress' : parseStatus(word);
        if (status === undefined) return say(`:warning: "${escapeMrkdwn(word)}" is not a status. Use ${STATUS_WORDS}, for example \`/issue status ${keyOf(issue.value)} in-progress\`.`);
        const changed = await deps.issues.setStatus(actor, issue.value, status, afterWords(rest, twoWords ? 3 : 2), now);
        if (!changed.ok) return sayProblem(changed.problem);
        return await answer(
          changed.value.changed ? `:white_check_mark: *${keyOf(issue.value)}* is now *${statusLabel(status)}*.` : `*${keyOf(issue.value)}* was already *${statusLabel(status)}*, so nothing changed.`,
          changed.value.issue,
          now,
        );
      },
      assign: async ({ actor, args, now }) => {
        const [key, who] = args;
        if (key === undefined || who === undefined || args.length !== 2) return usage('/issue assign CNA-3 @person (or none)');
        const issue = await deps.issues.find(actor.workspaceId, key);
        if (!issue.ok) return sayProblem(issue.problem);
        const ownerId = NONE.has(who.toLowerCase()) ? null : parseUserMention(who);
        if (ownerId === undefined) return say(`:warning: "${escapeMrkdwn(who)}" is not a person. Mention them, for example \`/issue assign ${keyOf(issue.value)} @name\`, or say \`none\` to unassign.`);
        const changed = await deps.issues.assign(actor, issue.value, ownerId, now);
        if (!changed.ok) return sayProblem(changed.problem);
        const whom = ownerId === null ? 'nobody' : mentionUser(ownerId);
        return await answer(
          changed.value.changed ? `:bust_in_silhouette: *${keyOf(issue.value)}* is now assigned to ${whom}.` : `*${keyOf(issue.value)}* was already assigned to ${whom}, so nothing changed.`,
          changed.value.issue,
          now,
        );
      },
      due: async ({ actor, args, now }) => {
        const [key, date] = args;
        if (key === undefined || date === undefined || args.length !== 2) return usage('/issue due CNA-3 YYYY-MM-DD (or none)');
        const issue = await deps.issues.find(actor.workspaceId, key);
        if (!issue.ok) return sayProblem(issue.problem);
        const due = NONE.has(date.toLowerCase()) ? null : date;
        const changed = await deps.issues.setDue(actor, issue.value, due, now);
        if (!changed.ok) return sayProblem(changed.problem);
        const what = due === null ? 'has no due date' : `is due ${due}`;
        return await answer(changed.value.changed ? `:calendar: *${keyOf(issue.value)}* now ${what}.` : `*${keyOf(issue.value)}* already ${what}, so nothing changed.`, changed.value.issue, now);
      },
      comment: async ({ actor, rest, args, now }) => {
        const [key] = args;
        if (key === undefined) return usage('/issue comment CNA-3 text');
        const issue = await deps.issues.find(actor.workspaceId, key);
        if (!issue.ok) return sayProblem(issue.problem);
        const commented = await deps.issues.comment(actor, issue.value, afterWords(rest, 1), now);
        if (!commented.ok) return sayProblem(commented.problem);
        return await answer(`:speech_balloon: Your comment is in the history of *${keyOf(issue.value)}*.`, commented.value, now);
      },
      edit: async ({ actor, args, now }) => {
        if (args.length !== 1) return usage('/issue edit CNA-3');
        const issue = await deps.issues.find(actor.workspaceId, args[0]);
        if (!issue.ok) return sayProblem(issue.problem);
        const refused = await deps.issues.refuse(actor, issue.value, 'issue.edit', now);
        if (refused !== undefined) return sayProblem(refused.problem);
        const team = (await deps.issues.teamChoices(actor.workspaceId)).filter((t) => t.id === issue.value.programTeamId);
        return {
          kind: 'modal',
          view: issueModal({
            mode: 'edit',
            teams: team,
            issueKey: keyOf(issue.value),
            title: issue.value.title,
            details: issue.value.details,
            category: issue.value.category,
            ownerId: issue.value.ownerId,
            dueDate: issue.value.dueDate,
            privateMetadata: editIssueMetadata(issue.value.id),
          }),
        };
      },
    },
  });

  /** `/issue new [title]`: at once in a team channel, else (or without a title) the form. */
  async function newIssue(input: CommandInput, actor: Actor, text: string, now: Date): Promise<CommandReply> {
    const [firstLine = '', ...more] = text.split('\n');
    const title = normaliseTitle(firstLine);
    const details = more.join('\n').trim();
    const channelTeam = await deps.issues.teamOfChannel(actor.workspaceId, input.channelId);
    if (title !== '' && title.length > MAX_TITLE) {
      return say(`:warning: A title can be at most ${MAX_TITLE} characters; this one has ${title.length}. Put the rest on the next lines (they become the details), or use \`/issue new\` for the form.`);
    }
    if (title === '' || channelTeam === undefined) {
      return {
        kind: 'modal',
        view: issueModal({
          mode: 'new',
          teams: await deps.issues.teamChoices(actor.workspaceId),
          ...(channelTeam === undefined ? {} : { teamId: channelTeam.id }),
          title,
          details,
          privateMetadata: newIssueMetadata({ channelId: input.channelId }),
        }),
      };
    }
    const created = await deps.issues.create(actor, channelTeam.id, { title, details, category: 'other', ownerId: null, dueDate: null }, now);
    if (!created.ok) return sayProblem(created.problem);
    const issue = created.value.issue;
    return await answer(`:memo: Logged *${keyOf(issue)}*. ${announcedText(issue, created.value.announcedIn)} Add details, an owner or a due date with \`/issue edit ${keyOf(issue)}\`.`, issue, now);
  }
}
