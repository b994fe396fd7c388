import type { Clock } from '../../domain/result.js';
import type { Kicker } from '../../outbox/kicker.js';
import { mentionChannel } from '../../slack/mrkdwn.js';
import { problemText } from '../../slack/reply.js';
import type { TeamRepository } from '../team/repository.js';
import { electorateWithin, type ElectorateLoader } from './electorate.js';
import type { VoteRepository } from './repository.js';
import { voteKey } from './rules.js';
import type { BallotAction, Ineligibility, VoteService } from './service.js';
import { confirmationBlocks, confirmationText } from './views.js';

export interface BallotDeps {
  votes: VoteService;
  repo: VoteRepository;
  teamRepository: TeamRepository;
  electorates: ElectorateLoader;
  outbox: Kicker;
  /** Republishes the Homes a ballot made stale (the outbox does that after each run it makes). */
  homes: { kick(): void };
  now: Clock;
}

export type BallotAnswer =
  | { ok: true; text: string; blocks: ReturnType<typeof confirmationBlocks>; channelId: string | null }
  | { ok: false; text: string };

/** The refusal a person reads (mrkdwn); a channel vote links the channel they are not in. */
export function ineligibilityText(why: Ineligibility): string {
  if (why.kind === 'refused') return problemText({ code: 'forbidden', message: why.message });
  return `:no_entry: Only people in ${why.channelId === null ? 'the vote’s channel' : mentionChannel(why.channelId)} may vote on ${why.voteKey}.`;
}

/**
 * One ballot from a button or the ranking form: the vote must be open, the person eligible (Slack
 * lists a channel vote's electorate), then the service casts it and the person gets a private
 * confirmation. A refusal is audited and stores nothing.
 */
export function ballotCaster(deps: BallotDeps) {
  return async (voteId: number, userId: string, action: BallotAction, message?: { channel: string; ts: string }, beforeAck = false): Promise<BallotAnswer> => {
    const vote = await deps.repo.byId(voteId);
    if (vote === undefined) return { ok: false, text: ':mag: That vote no longer exists.' };
    const key = voteKey(vote.number);
    const now = deps.now();
    if (vote.status !== 'open' || (vote.closesAt !== null && vote.closesAt <= now.getTime())) {
      return { ok: false, text: `:lock: ${key} is closed, so ballots are no longer accepted. See the results with \`/vote results ${key}\`.` };
    }
    const team = await deps.teamRepository.byId(vote.programTeamId);
    if (team === undefined) return { ok: false, text: ':mag: That vote’s team no longer exists.' };
    const load = () => deps.electorates.of(message !== undefined && vote.channelId === null ? { ...vote, channelId: message.channel } : vote);
    // A modal submission lists the channel before its ack, so it races the deadline; a button was acked already.
    const loaded = beforeAck ? await electorateWithin(load) : { ok: true as const, value: await load() };
    if (!loaded.ok) return { ok: false, text: problemText(loaded.problem) };
    const electorate = loaded.value;
    const why = await deps.votes.ineligibility(vote, team, userId, electorate);
    if (why !== undefined) {
      await deps.teamRepository.audit({ workspaceId: vote.workspaceId, actorId: userId, action: 'vote.ballot', target: key, outcome: 'refused', detail: 'not eligible', createdAt: now.getTime() });
      return { ok: false, text: ineligibilityText(why) };
    }
    const cast = await deps.votes.cast(voteId, userId, action, electorate, now, message);
    if (!cast.ok) return { ok: false, text: problemText(cast.problem) };
    // A refresh already waiting will show this ballot too: a burst of clicks makes one outbox run
    // per message update, not one per click (each run is a claiming transaction and a look ahead).
    if (cast.value.queued) deps.outbox.kick();
    else deps.homes.kick();
    const { vote: v, options, choices, outcome, organisation } = cast.value;
    const text = confirmationText(v, options, choices, outcome, organisation);
    return { ok: true, text, blocks: confirmationBlocks(v, options, choices, text), channelId: v.channelId };
  };
}

export type BallotCaster = ReturnType<typeof ballotCaster>;
