import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Storage } from '../../db/storage.js';
import type { Clock, Problem } from '../../domain/result.js';
import type { Kicker } from '../../outbox/kicker.js';
import type { ActorResolver } from '../../slack/actor.js';
import { InputIds, ViewIds } from '../../slack/ids.js';
import { decodeJson, submissionKey } from '../../slack/payload.js';
import { fieldErrors } from '../../slack/reply.js';
import { GoalRepository } from '../goal/repository.js';
import { formatKey } from '../issue/model.js';
import type { TeamRepository } from '../team/repository.js';
import type { BallotCaster } from './ballot.js';
import { electorateWithin, type ElectorateLoader } from './electorate.js';
import type { VoteRepository } from './repository.js';
import { validateDraft, voteKey } from './rules.js';
import type { VoteService } from './service.js';

const rankMetadata = z.object({ voteId: z.number().int().positive(), channelId: z.string().min(1) });
const newMetadata = z.object({ channelId: z.string().min(1), timeZone: z.string().min(1) });

const selected = z.object({ value: z.string() });
const stateValue = z
  .object({
    value: z.string().nullable().optional(),
    selected_option: selected.nullable().optional(),
    selected_options: z.array(selected).optional(),
    selected_date: z.string().nullable().optional(),
    selected_time: z.string().nullable().optional(),
  })
  .passthrough();
const viewBody = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  view: z.object({
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});
type StateValues = z.infer<typeof viewBody>['view']['state']['values'];
const field = (values: StateValues, id: string) => values[id]?.[id];


export interface VoteModalDeps {
  db: Storage;
  votes: VoteService;
  repo: VoteRepository;
  teamRepository: TeamRepository;
  electorates: ElectorateLoader;
  castFor: BallotCaster;
  actors: ActorResolver;
  outbox: Kicker;
  now: Clock;
}

/** The ranking form and the new-vote form. */
export function registerVoteModals(app: App, deps: VoteModalDeps): void {
  const { votes, repo, castFor } = deps;
  const electorateOf = (vote: Parameters<ElectorateLoader['of']>[0]) => deps.electorates.of(vote);
  app.view(ViewIds.voteRank, async ({ ack, body, client }) => {
    const parsed = viewBody.safeParse(body);
    const meta = parsed.success ? decodeJson(rankMetadata, parsed.data.view.private_metadata) : undefined;
    const first = `${InputIds.voteRankPrefix}1`;
    if (!parsed.success || meta === undefined || !meta.ok) {
      await ack({ response_action: 'errors', errors: { [first]: 'This form is out of date; close it and click "Rank the options" again.' } });
      return;
    }
    const vote = await repo.byId(meta.value.voteId);
    if (vote === undefined) {
      // Well-formed metadata naming no vote (changed, or the vote is gone): say so rather than "pick a choice".
      await ack({ response_action: 'errors', errors: { [first]: 'That vote no longer exists; close this form.' } });
      return;
    }
    const options = await repo.options(vote.id);
    const known = new Map(options.map((o) => [String(o.id), o]));
    const choices: number[] = [];
    const errors: Record<string, string> = {};
    options.forEach((_, i) => {
      const id = `${InputIds.voteRankPrefix}${i + 1}`;
      const picked = field(parsed.data.view.state.values, id)?.selected_option?.value;
      if (picked === undefined) return;
      const option = known.get(picked);
      if (option === undefined) errors[id] = 'That is not an option of this vote.';
      else if (choices.includes(option.id)) errors[id] = `You already ranked “${option.label}” higher; pick another option or leave this empty.`;
      else choices.push(option.id);
    });
    if (choices.length === 0 && Object.keys(errors).length === 0) errors[first] = 'Pick at least your first choice.';
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const answer = await castFor(meta.value.voteId, parsed.data.user.id, { kind: 'set', choices }, undefined, true);
    if (!answer.ok) {
      await ack({ response_action: 'errors', errors: { [first]: answer.text.replace(/^:[a-z_]+: /, '') } });
      return;
    }
    await ack();
    await client.chat.postEphemeral({ channel: answer.channelId ?? meta.value.channelId, user: parsed.data.user.id, text: answer.text, blocks: answer.blocks });
  });

  app.view(ViewIds.voteNew, async ({ ack, body }) => {
    const parsed = viewBody.safeParse(body);
    const meta = parsed.success ? decodeJson(newMetadata, parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || meta === undefined || !meta.ok) {
      await ack({ response_action: 'errors', errors: { [InputIds.voteQuestion]: 'This form is out of date; close it and run /vote new again.' } });
      return;
    }
    const values = parsed.data.view.state.values;
    const workspaceId = parsed.data.team?.id ?? '';
    const userId = parsed.data.user.id;
    const now = deps.now();
    const teamId = Number(field(values, InputIds.voteTeam)?.selected_option?.value ?? NaN);
    const team = Number.isInteger(teamId) ? await deps.teamRepository.byId(teamId) : undefined;
    if (team === undefined || team.workspaceId !== workspaceId) {
      await ack({ response_action: 'errors', errors: { [InputIds.voteTeam]: 'Pick the team this vote is for.' } });
      return;
    }
    const issueIds = (field(values, InputIds.voteIssues)?.selected_options ?? []).map((o) => Number(o.value)).filter((n) => Number.isInteger(n));
    const issues = await repo.openIssuesByIds(workspaceId, issueIds);
    const problems: Problem[] = [];
    if (issues.length !== issueIds.length) problems.push({ code: 'invalid', field: InputIds.voteIssues, message: 'One of the picked issues is closed or gone; pick again.' });
    const draft = validateDraft(
      {
        question: field(values, InputIds.voteQuestion)?.value ?? '',
        optionsText: field(values, InputIds.voteOptions)?.value ?? '',
        issues: issueIds.flatMap((id) => {
          const issue = issues.find((i) => i.id === id);
          return issue === undefined ? [] : [{ id, programTeamId: issue.programTeamId, label: `${formatKey(issue.teamKey, issue.number)} ${issue.title}` }];
        }),
        programTeamId: team.id,
        method: field(values, InputIds.voteMethod)?.selected_option?.value ?? '',
        maxChoicesText: field(values, InputIds.voteMaxChoices)?.value ?? '',
        eligibility: field(values, InputIds.voteEligibility)?.selected_option?.value ?? '',
        anonymous: (field(values, InputIds.voteAnonymous)?.selected_options ?? []).length > 0,
        visibility: field(values, InputIds.voteVisibility)?.selected_option?.value ?? '',
        closeDate: field(values, InputIds.voteCloseDate)?.selected_date ?? null,
        closeTime: field(values, InputIds.voteCloseTime)?.selected_time ?? null,
        timeZone: meta.value.timeZone,
      },
      now,
    );
    if (!draft.ok) problems.push(...(draft.problems ?? [draft.problem]));
    const linked = await deps.teamRepository.byChannel(workspaceId, meta.value.channelId);
    const channelId = linked?.id === team.id ? meta.value.channelId : (await deps.teamRepository.channelsOf(team.id))[0];
    if (channelId === undefined) problems.push({ code: 'invalid', field: InputIds.voteTeam, message: `${team.key} has no linked channel for the ballot yet; a coordinator can link one with /team link ${team.key}.` });
    const actor = await deps.actors.resolve(workspaceId, userId);
    const allowed = await votes.mayStart(actor, team, now);
    if (!allowed.ok) problems.push({ ...allowed.problem, field: InputIds.voteTeam });
    // "For goal": an open goal of the vote's team (the ballot names it).
    const goalRaw = field(values, InputIds.voteGoal)?.selected_option?.value;
    const goal = goalRaw === undefined ? undefined : await new GoalRepository(deps.db).byId(workspaceId, Number(goalRaw));
    if (goalRaw !== undefined && (goal === undefined || goal.status !== 'open')) problems.push({ code: 'invalid', field: InputIds.voteGoal, message: 'That goal is closed or gone; pick another or none.' });
    else if (goal !== undefined && goal.programTeamId !== team.id) problems.push({ code: 'invalid', field: InputIds.voteGoal, message: `G-${goal.number} is a goal of ${goal.teamKey}; pick a goal of ${team.key}, or another team.` });
    if (problems.length > 0 || !draft.ok || channelId === undefined) {
      await ack({ response_action: 'errors', errors: fieldErrors(problems, InputIds.voteQuestion) });
      return;
    }
    const electorate = await electorateWithin(async () => electorateOf({ eligibility: draft.value.eligibility, programTeamId: team.id, channelId }));
    if (!electorate.ok) {
      await ack({ response_action: 'errors', errors: fieldErrors([{ ...electorate.problem, field: InputIds.voteEligibility }], InputIds.voteQuestion) });
      return;
    }
    // The same form arriving twice at once (a double click, a resend after a lost answer) makes one
    // vote; the repeat is answered with exactly the vote the first one made.
    const requestKey = submissionKey(body);
    const created = await votes.create(actor, team, channelId, goal === undefined ? draft.value : { ...draft.value, goalId: goal.id }, electorate.value.ids.length, now, requestKey);
    if (!created.duplicate) deps.outbox.kick();
    const key = voteKey(created.vote.number);
    const ballotChannel = created.vote.channelId ?? channelId;
    await ack({
      response_action: 'update',
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'Vote started' },
        close: { type: 'plain_text', text: 'Done' },
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `:ballot_box_with_ballot: *${key}* is open; its ballot is posted in <#${ballotChannel}>. Close it early with \`/vote close ${key}\`, remind people with \`/vote remind ${key}\`.` } },
        ],
      },
    });
  });
}
