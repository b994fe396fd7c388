import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Clock } from '../../domain/result.js';
import type { HomeRuntime } from '../home/runtime.js';
import { ActionIds } from '../../slack/ids.js';
import { decodeValue } from '../../slack/payload.js';
import type { TeamRepository } from '../team/repository.js';
import { ineligibilityText, type BallotCaster } from './ballot.js';
import type { ElectorateLoader } from './electorate.js';
import type { VoteRepository } from './repository.js';
import { voteKey } from './rules.js';
import type { BallotAction, VoteService } from './service.js';
import { rankModal, resultsReply } from './views.js';

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

export interface VoteActionDeps {
  votes: VoteService;
  repo: VoteRepository;
  teamRepository: TeamRepository;
  electorates: ElectorateLoader;
  castFor: BallotCaster;
  home: Pick<HomeRuntime, 'respondVia'>;
  now: Clock;
}

/** The ballot's buttons: choose and remove an option, see the results, open the ranking form. */
export function registerVoteActions(app: App, deps: VoteActionDeps): void {
  const { votes, repo, castFor } = deps;
  const electorateOf = (vote: Parameters<ElectorateLoader['of']>[0]) => deps.electorates.of(vote);
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
    const vote = voteId?.ok === true ? await repo.byId(voteId.value) : undefined;
    if (vote === undefined) {
      await reply({ response_type: 'ephemeral', replace_original: false, text: ':mag: That vote no longer exists.' });
      return;
    }
    const size = vote.status === 'open' ? (await electorateOf(vote)).ids.length : 0;
    await votes.recordElectorate(vote, size, deps.now());
    const view = resultsReply(vote, await votes.currentResult(vote, size));
    await reply({ response_type: 'ephemeral', replace_original: false, text: view.text, blocks: view.blocks });
  });

  app.action(ActionIds.voteRankOpen, async ({ ack, body, respond, client }) => {
    await ack();
    const reply = deps.home.respondVia(body, respond);
    const parsed = actionBody.safeParse(body);
    const voteId = parsed.success ? decodeValue(idValue, parsed.data.actions[0]?.value) : undefined;
    const vote = voteId?.ok === true ? await repo.byId(voteId.value) : undefined;
    if (!parsed.success || vote === undefined || vote.method !== 'ranked') {
      await reply({ response_type: 'ephemeral', replace_original: false, text: ':mag: That vote no longer exists.' });
      return;
    }
    const key = voteKey(vote.number);
    if (vote.status !== 'open' || (vote.closesAt !== null && vote.closesAt <= deps.now().getTime())) {
      await reply({ response_type: 'ephemeral', replace_original: false, text: `:lock: ${key} is closed, so ballots are no longer accepted. See the results with \`/vote results ${key}\`.` });
      return;
    }
    const team = await deps.teamRepository.byId(vote.programTeamId);
    const why = team === undefined ? ({ kind: 'refused', message: 'That vote’s team no longer exists.' } as const) : await votes.ineligibility(vote, team, parsed.data.user.id, await electorateOf(vote));
    if (why !== undefined) {
      await reply({ response_type: 'ephemeral', replace_original: false, text: ineligibilityText(why) });
      return;
    }
    const channelId = vote.channelId ?? parsed.data.channel?.id ?? '';
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: rankModal(vote, await repo.options(vote.id), await votes.ownChoices(vote, parsed.data.user.id), channelId) });
  });

}
