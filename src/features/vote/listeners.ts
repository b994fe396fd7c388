import { performance } from 'node:perf_hooks';
import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { ActionIds, CommandNames, InputIds, ViewIds } from '../../slack/ids.js';
import { decodeJson, decodeValue, submissionKey } from '../../slack/payload.js';
import { fieldErrors, problemText } from '../../slack/reply.js';
import type { Problem } from '../../domain/result.js';
import { GoalRepository } from '../goal/repository.js';
import { voteCommand } from './command.js';
import { VoteRepository } from './repository.js';
import { validateDraft, voteKey } from './rules.js';
import { BALLOT_REFRESH, electorateWithin, loadElectorate, VoteService, type BallotAction, type Electorate } from './service.js';
import { confirmationBlocks, confirmationText, rankModal, resultsReply } from './views.js';
import { formatKey } from '../issue/model.js';

const CHANNEL_MEMBERS_TTL_MS = 30_000;

/* Payload shapes the vote listeners rely on; values come from buttons people can tamper with, so parse them. */
const actionBody = z.object({
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  trigger_id: z.string().default(''),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).passthrough().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});
const choiceValue = z.string().regex(/^\d{1,12}:\d{1,12}(:remove)?$/).transform((v) => {
  const [vote, option, remove] = v.split(':');
  return { voteId: Number(vote), optionId: Number(option), remove: remove === 'remove' };
});
const idValue = z.string().regex(/^\d{1,12}$/).transform(Number);
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

/** `/vote`, the ballot buttons, the ranking modal and the new-vote modal. */
export function registerVotes(app: App, deps: ListenerDeps): void {
  const repo = new VoteRepository(deps.db);
  const votes = new VoteService(deps.db, repo, deps.teamRepository, deps.ballotKey);
  let botUserId: string | undefined;
  const botUser = async (): Promise<string | undefined> => {
    botUserId ??= (await deps.client.auth.test()).user_id;
    return botUserId;
  };
  // A burst of clicks must not become a burst of conversations.members calls (Slack rate-limits
  // them): for "everyone" votes a channel's membership is reused for half a minute.
  const channelElectorates = new Map<string, { fetchedAt: number; electorate: Electorate }>();
  const electorateOf = async (vote: Parameters<typeof loadElectorate>[0]): Promise<Electorate> => {
    const load = async () => loadElectorate(vote, { teams: deps.teamRepository, client: deps.client, botUserId: await botUser() });
    if (vote.eligibility !== 'everyone' || vote.channelId === null) return load();
    const cached = channelElectorates.get(vote.channelId);
    if (cached !== undefined && performance.now() - cached.fetchedAt < CHANNEL_MEMBERS_TTL_MS) return cached.electorate;
    const electorate = await load();
    channelElectorates.set(vote.channelId, { fetchedAt: performance.now(), electorate });
    return electorate;
  };

  deps.refreshers[BALLOT_REFRESH] = (ref) => votes.renderBallot(Number(ref));
  deps.followUps['vote.posted'] = (_db, ref, result) => {
    const channel = typeof result.channel === 'string' ? result.channel : undefined;
    const ts = typeof result.ts === 'string' ? result.ts : undefined;
    if (channel !== undefined && ts !== undefined) votes.posted(Number(ref), channel, ts, deps.now());
  };

  registerCommand(
    app,
    CommandNames.vote,
    voteCommand({
      db: deps.db,
      votes,
      teams: deps.teams,
      teamRepository: deps.teamRepository,
      client: deps.client,
      outbox: deps.outbox,
      now: deps.now,
      timeZoneOf: (ws, user) => deps.actors.timeZoneOf(ws, user),
      defaultTimeZone: deps.config.ALLIANCE_TIMEZONE,
      botUserId: botUser,
    }),
    { actors: deps.actors },
  );

  /** Checks the vote and the person, casts, and answers privately; used by the buttons and the ranking modal. */
  const castFor = async (voteId: number, userId: string, action: BallotAction, message?: { channel: string; ts: string }, beforeAck = false) => {
    const vote = repo.byId(voteId);
    if (vote === undefined) return { ok: false as const, text: ':mag: That vote no longer exists.' };
    const key = voteKey(vote.number);
    const now = deps.now();
    if (vote.status !== 'open' || (vote.closesAt !== null && vote.closesAt <= now.getTime())) {
      return { ok: false as const, text: `:lock: ${key} is closed, so ballots are no longer accepted. See the results with \`/vote results ${key}\`.` };
    }
    const team = deps.teamRepository.byId(vote.programTeamId);
    if (team === undefined) return { ok: false as const, text: ':mag: That vote’s team no longer exists.' };
    const load = () => electorateOf(message !== undefined && vote.channelId === null ? { ...vote, channelId: message.channel } : vote);
    // A modal submission lists the channel before its ack, so it races the deadline; a button was acked already.
    const loaded = beforeAck ? await electorateWithin(load) : { ok: true as const, value: await load() };
    if (!loaded.ok) return { ok: false as const, text: problemText(loaded.problem) };
    const electorate = loaded.value;
    const why = votes.ineligibility(vote, team, userId, electorate);
    if (why !== undefined) {
      deps.teamRepository.audit({ workspaceId: vote.workspaceId, actorId: userId, action: 'vote.ballot', target: key, outcome: 'refused', detail: 'not eligible', createdAt: now.getTime() });
      return { ok: false as const, text: problemText({ code: 'forbidden', message: why }) };
    }
    const cast = votes.cast(voteId, userId, action, electorate, now, message);
    if (!cast.ok) return { ok: false as const, text: problemText(cast.problem) };
    deps.outbox.kick();
    const { vote: v, options, choices, outcome, organisation } = cast.value;
    const text = confirmationText(v, options, choices, outcome, organisation);
    return { ok: true as const, text, blocks: confirmationBlocks(v, options, choices, text), channelId: v.channelId };
  };

  const onChoice = (remove: boolean) =>
    async ({ ack, body, respond }: { ack: () => Promise<void>; body: unknown; respond: RespondFn }) => {
      await ack();
      // A ballot on the Home tab has no response_url: the answer goes on top of the Home.
      const reply = deps.home.respondVia(body, respond);
      const parsed = actionBody.safeParse(body);
      const value = parsed.success ? decodeValue(choiceValue, parsed.data.actions[0]?.value) : undefined;
      if (!parsed.success || value === undefined || !value.ok || value.value.remove !== remove) {
        await reply({ response_type: 'ephemeral', replace_original: false, text: ':warning: That button is not valid any more; nothing was recorded.' });
        return;
      }
      const { user, channel, container } = parsed.data;
      const channelId = channel?.id ?? container?.channel_id;
      const ts = container?.message_ts;
      // The ballot message's own position, in case its ts was not stored yet; not for the ephemeral confirmation.
      const message = !remove && channelId !== undefined && ts !== undefined ? { channel: channelId, ts } : undefined;
      const action: BallotAction = remove ? { kind: 'remove', optionId: value.value.optionId } : { kind: 'add', optionId: value.value.optionId };
      const answer = await castFor(value.value.voteId, user.id, action, message);
      await reply({
        response_type: 'ephemeral',
        // A Remove click updates the confirmation it was on; a vote click gets a fresh confirmation.
        replace_original: remove && answer.ok,
        text: answer.text,
        ...(answer.ok ? { blocks: answer.blocks } : {}),
      });
    };
  // `vote_choose` on the channel ballot; `vote_choose_<option id>` where options share one block (the Home tab).
  app.action(new RegExp(`^${ActionIds.voteChoose}(_\\d+)?$`), onChoice(false));
  app.action(new RegExp(`^${ActionIds.voteRemove}_\\d+$`), onChoice(true));

  app.action(ActionIds.voteResults, async ({ ack, body, respond }) => {
    await ack();
    const reply = deps.home.respondVia(body, respond);
    const parsed = actionBody.safeParse(body);
    const voteId = parsed.success ? decodeValue(idValue, parsed.data.actions[0]?.value) : undefined;
    const vote = voteId?.ok === true ? repo.byId(voteId.value) : undefined;
    if (vote === undefined) {
      await reply({ response_type: 'ephemeral', replace_original: false, text: ':mag: That vote no longer exists.' });
      return;
    }
    const size = vote.status === 'open' ? (await electorateOf(vote)).ids.length : 0;
    votes.recordElectorate(vote, size, deps.now());
    const view = resultsReply(vote, votes.currentResult(vote, size));
    await reply({ response_type: 'ephemeral', replace_original: false, text: view.text, blocks: view.blocks });
  });

  app.action(ActionIds.voteRankOpen, async ({ ack, body, respond, client }) => {
    await ack();
    const reply = deps.home.respondVia(body, respond);
    const parsed = actionBody.safeParse(body);
    const voteId = parsed.success ? decodeValue(idValue, parsed.data.actions[0]?.value) : undefined;
    const vote = voteId?.ok === true ? repo.byId(voteId.value) : undefined;
    if (!parsed.success || vote === undefined || vote.method !== 'ranked') {
      await reply({ response_type: 'ephemeral', replace_original: false, text: ':mag: That vote no longer exists.' });
      return;
    }
    const key = voteKey(vote.number);
    if (vote.status !== 'open' || (vote.closesAt !== null && vote.closesAt <= deps.now().getTime())) {
      await reply({ response_type: 'ephemeral', replace_original: false, text: `:lock: ${key} is closed, so ballots are no longer accepted. See the results with \`/vote results ${key}\`.` });
      return;
    }
    const team = deps.teamRepository.byId(vote.programTeamId);
    const why = team === undefined ? 'That vote’s team no longer exists.' : votes.ineligibility(vote, team, parsed.data.user.id, await electorateOf(vote));
    if (why !== undefined) {
      await reply({ response_type: 'ephemeral', replace_original: false, text: problemText({ code: 'forbidden', message: why }) });
      return;
    }
    const channelId = vote.channelId ?? parsed.data.channel?.id ?? '';
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: rankModal(vote, repo.options(vote.id), votes.ownChoices(vote, parsed.data.user.id), channelId) });
  });

  app.view(ViewIds.voteRank, async ({ ack, body, client }) => {
    const parsed = viewBody.safeParse(body);
    const meta = parsed.success ? decodeJson(rankMetadata, parsed.data.view.private_metadata) : undefined;
    const first = `${InputIds.voteRankPrefix}1`;
    if (!parsed.success || meta === undefined || !meta.ok) {
      await ack({ response_action: 'errors', errors: { [first]: 'This form is out of date; close it and click "Rank the options" again.' } });
      return;
    }
    const vote = repo.byId(meta.value.voteId);
    if (vote === undefined) {
      // Well-formed metadata naming no vote (changed, or the vote is gone): say so rather than "pick a choice".
      await ack({ response_action: 'errors', errors: { [first]: 'That vote no longer exists; close this form.' } });
      return;
    }
    const options = repo.options(vote.id);
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
    const team = Number.isInteger(teamId) ? deps.teamRepository.byId(teamId) : undefined;
    if (team === undefined || team.workspaceId !== workspaceId) {
      await ack({ response_action: 'errors', errors: { [InputIds.voteTeam]: 'Pick the team this vote is for.' } });
      return;
    }
    const issueIds = (field(values, InputIds.voteIssues)?.selected_options ?? []).map((o) => Number(o.value)).filter((n) => Number.isInteger(n));
    const issues = repo.openIssuesByIds(workspaceId, issueIds);
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
    const linked = deps.teamRepository.byChannel(workspaceId, meta.value.channelId);
    const channelId = linked?.id === team.id ? meta.value.channelId : deps.teamRepository.channelsOf(team.id)[0];
    if (channelId === undefined) problems.push({ code: 'invalid', field: InputIds.voteTeam, message: `${team.key} has no linked channel for the ballot yet; a coordinator can link one with /team link ${team.key}.` });
    const actor = await deps.actors.resolve(workspaceId, userId);
    const allowed = votes.mayStart(actor, team, now);
    if (!allowed.ok) problems.push({ ...allowed.problem, field: InputIds.voteTeam });
    // "For goal": an open goal of the vote's team (the ballot names it).
    const goalRaw = field(values, InputIds.voteGoal)?.selected_option?.value;
    const goal = goalRaw === undefined ? undefined : new GoalRepository(deps.db).byId(workspaceId, Number(goalRaw));
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
    const created = votes.create(actor, team, channelId, goal === undefined ? draft.value : { ...draft.value, goalId: goal.id }, electorate.value.ids.length, now, requestKey);
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
