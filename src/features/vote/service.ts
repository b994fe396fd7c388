import { randomInt } from 'node:crypto';
import type { Storage } from '../../db/storage.js';
import type { Actor } from '../../domain/actor.js';
import { fail, ok, type Result } from '../../domain/result.js';
import { enqueue, enqueueRefresh } from '../../outbox/outbox.js';
import { claimRequest, recordRequestResult, requestResult } from '../../slack/dedupe.js';
import { GoalRepository } from '../goal/repository.js';
import type { ProgramTeam, TeamRepository } from '../team/repository.js';
import type { Electorate } from './electorate.js';
import type { Eligibility, Vote, VoteOption, VoteRepository } from './repository.js';
import {
  checkChoices,
  computeResult,
  CURRENT_BALLOT_KEY_SCHEME,
  parseChoices,
  personHash,
  voteBallotKey,
  voteKey,
  voterKeyFor,
  type ElectorateCount,
  type ValidDraft,
  type VoteResult,
} from './rules.js';

/** Anonymous ballots get random ids from this range (far above any counted id, far below SQLite's 2^63). */
const ANONYMOUS_BALLOT_ID_MIN = 2 ** 32;
const ANONYMOUS_BALLOT_ID_MAX = 2 ** 47;

/** Outbox refresh kind of a ballot message (target `ballot:<voteId>`). */
export const BALLOT_REFRESH = 'ballot';

export type BallotAction = { kind: 'set'; choices: number[] } | { kind: 'add'; optionId: number } | { kind: 'remove'; optionId: number };

export interface CastOutcome {
  vote: Vote;
  options: VoteOption[];
  choices: number[];
  outcome: 'new' | 'changed' | 'unchanged' | 'replaced' | 'withdrawn';
  /** Per-organisation votes: the organisation the ballot counts for. */
  organisation: string | null;
  /**
   * The ballot message's refresh was newly queued (false when a refresh already waiting covers this
   * ballot, as in a burst of clicks): only then is there anything new for the outbox to send.
   */
  queued: boolean;
}

export interface CloseOutcome {
  vote: Vote;
  result: VoteResult;
  prioritiesChanged: number;
  /** Its options are issues (whether or not any priority changed). */
  priorityVote: boolean;
}

/** A message the service queues for Slack: text and Block Kit blocks, rendered by the feature's views. */
export interface VoteMessage {
  text: string;
  blocks: unknown[];
}

export interface VoteMessages {
  ballot(model: { vote: Vote; options: VoteOption[]; result: VoteResult; goal?: { number: number; name: string } }): VoteMessage;
  results(vote: Vote, result: VoteResult): VoteMessage;
}

/** Why someone may not vote: a sentence, or (for channel votes) the channel they are not in, which the caller links. */
export type Ineligibility = { kind: 'not_in_channel'; channelId: string | null; voteKey: string } | { kind: 'refused'; message: string };

/**
 * Votes: creating, casting, closing. Plain TypeScript: no Slack client and no views (the electorate
 * comes in as an argument, loaded by electorate.ts; messages are rendered by the injected `messages`).
 */
export class VoteService {
  constructor(
    private readonly db: Storage,
    private readonly repo: VoteRepository,
    private readonly teams: TeamRepository,
    /**
     * The deployment's ballot key (each vote's own key is derived from it by the vote's scheme, see
     * `voteBallotKey`). Null for jobs that only close votes: casting a ballot needs it, closing does not.
     */
    private readonly ballotSecret: string | null,
    /** How the ballot message and the results post look (views.ts): the service only queues them. */
    private readonly messages: VoteMessages,
  ) {
    this.goals = new GoalRepository(db);
  }

  /** Which goal a vote is for (goal_votes); votes read and write only that link. */
  private readonly goals: GoalRepository;

  /** The key this vote's ballots are keyed with (the deployment's, or its workspace's own). */
  private ballotKeyOf(vote: Vote): string {
    if (this.ballotSecret === null) throw new Error('casting ballots needs the ballot secret');
    return voteBallotKey(this.ballotSecret, vote);
  }

  get repository(): VoteRepository {
    return this.repo;
  }

  /** The vote a command names (`V-3`, `v3`, `3`), or a clear problem. */
  async find(workspaceId: string, number: number | undefined, typed: string | undefined): Promise<Result<Vote>> {
    if (number === undefined) return fail('invalid', `"${typed ?? ''}" is not a vote id. Vote ids look like V-3: see /vote list.`);
    const vote = await this.repo.byNumber(workspaceId, number);
    return vote === undefined ? fail('not_found', `There is no vote ${voteKey(number)}. See /vote list for the votes.`) : ok(vote);
  }

  /** Team members and coordinators start votes for a team; anyone else is refused and the refusal audited. */
  async mayStart(actor: Actor, team: ProgramTeam, now: Date): Promise<Result<true>> {
    if ((actor.isCoordinator && !actor.isExternal) || (await this.teams.isMember(team.id, actor.userId))) return ok(true);
    await this.teams.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'vote.new', target: team.key, outcome: 'refused', detail: 'not a member of the team', createdAt: now.getTime() });
    return fail('forbidden', `Only members of ${team.key} and coordinators can start a vote for it. Join with /team join ${team.key}.`);
  }

  /**
   * Stores the vote and queues its ballot message in one transaction. `requestKey` (a modal's view
   * id, hash and values) is claimed in that transaction, so the same form submitted twice at once
   * makes one vote; the repeat gets the vote the first one made (`duplicate: true`).
   */
  async create(
    actor: Actor,
    team: ProgramTeam,
    channelId: string,
    draft: ValidDraft,
    electorateSize: number,
    now: Date,
    requestKey?: string,
  ): Promise<{ vote: Vote; options: VoteOption[]; duplicate: boolean }> {
    return await this.db.transaction(async () => {
      if (requestKey !== undefined && !(await claimRequest(this.db, actor.workspaceId, requestKey, now))) {
        const first = await this.repo.byId(Number(await requestResult(this.db, actor.workspaceId, requestKey)));
        // The claim and its result are written in one transaction, so the first vote is there.
        if (first === undefined) throw new Error(`request ${requestKey} was claimed without a vote`);
        return { vote: first, options: await this.repo.options(first.id), duplicate: true };
      }
      const created = await this.repo.insert(
        {
          workspaceId: actor.workspaceId,
          programTeamId: team.id,
          question: draft.question,
          method: draft.method,
          maxChoices: draft.maxChoices,
          eligibility: draft.eligibility,
          anonymous: draft.anonymous,
          resultsVisibility: draft.resultsVisibility,
          closesAt: draft.closesAt,
          creatorId: actor.userId,
          channelId,
          createdAt: now.getTime(),
          electorateSize,
          ballotKeyScheme: CURRENT_BALLOT_KEY_SCHEME,
        },
        draft.options,
      );
      if (draft.goalId !== undefined) await this.goals.linkVote({ workspaceId: actor.workspaceId, voteId: created.vote.id, goalId: draft.goalId, createdAt: now.getTime() });
      const result = computeResult(created.vote, created.options, [], new Map(), electorateSize);
      const message = await this.ballot(created.vote, created.options, result);
      await enqueue(
        this.db,
        {
          workspaceId: actor.workspaceId,
          dedupeKey: `vote:${created.vote.id}:post`,
          method: 'chat.postMessage',
          args: { channel: channelId, text: message.text, blocks: message.blocks },
          notBefore: now,
          followUp: { kind: 'vote.posted', ref: String(created.vote.id) },
        },
        now,
      );
      if (requestKey !== undefined) await recordRequestResult(this.db, actor.workspaceId, requestKey, String(created.vote.id));
      return { ...created, duplicate: false };
    });
  }

  /** Why a person may not vote, or undefined; nothing is stored either way. */
  async ineligibility(vote: Vote, team: ProgramTeam, userId: string, electorate: Electorate): Promise<Ineligibility | undefined> {
    const key = voteKey(vote.number);
    const eligibility = vote.eligibility as Eligibility;
    if (eligibility === 'everyone') {
      return electorate.ids.includes(userId) ? undefined : { kind: 'not_in_channel', channelId: vote.channelId, voteKey: key };
    }
    if (!(await this.teams.isMember(team.id, userId))) return { kind: 'refused', message: `Only members of ${team.key} may vote on ${key}. Join the team with /team join ${team.key}, then vote again.` };
    if (eligibility === 'organisation' && (await this.teams.organisationOf(vote.workspaceId, userId)) === undefined) {
      return {
        kind: 'refused',
        message: `${key} takes one ballot per organisation, and no organisation is recorded for you. Ask a coordinator (see /team coordinators) to record yours with /team org @you Organisation name, then vote again.`,
      };
    }
    return undefined;
  }

  /**
   * Records a ballot in one write transaction: the vote must still be open (and before its
   * deadline), who votes for whom (the person, or their organisation) is decided from the rows as
   * they are inside it, and the ballot is an upsert on (vote, voter key), so a double click or a
   * double submission leaves one ballot. The ballot message's refresh is queued in the same transaction.
   */
  async cast(voteId: number, userId: string, action: BallotAction, electorate: Electorate, now: Date, message?: { channel: string; ts: string }): Promise<Result<CastOutcome>> {
    // Drawn before the transaction, which PostgreSQL may run again: a re-run keeps the same id.
    const anonymousBallotId = randomInt(ANONYMOUS_BALLOT_ID_MIN, ANONYMOUS_BALLOT_ID_MAX);
    return await this.db.transaction(async (): Promise<Result<CastOutcome>> => {
      const found = await this.repo.byId(voteId);
      if (found === undefined) return fail('not_found', 'That vote no longer exists.');
      let vote = found;
      const key = voteKey(vote.number);
      if (vote.status !== 'open' || (vote.closesAt !== null && vote.closesAt <= now.getTime())) {
        return fail('closed', `${key} is closed, so ballots are no longer accepted. See the results with /vote results ${key}.`);
      }
      if (vote.messageTs === null && message !== undefined) {
        await this.repo.setMessage(vote.id, message.channel, message.ts);
        vote = { ...vote, channelId: message.channel, messageTs: message.ts };
      }
      // The count this ballot's refresh shows is the one digests show too. Written only when it
      // changed: on PostgreSQL every ballot writing the vote's row would make concurrent ballots
      // conflict (SERIALIZABLE) and re-run, one after another.
      if (vote.electorateSize !== electorate.ids.length) await this.repo.recordElectorate(vote.id, electorate.ids.length, now.getTime());
      const options = await this.repo.options(vote.id);
      const optionIds = options.map((o) => o.id);
      // Team votes: membership and organisation are read here, inside the write transaction, so a
      // removal or an organisation change by another instance lands wholly before or after this ballot.
      if (vote.eligibility !== 'everyone' && !(await this.teams.isMember(vote.programTeamId, userId))) {
        return fail('forbidden', `Only members of the vote's team may vote on ${key}; nothing was recorded.`);
      }
      const organisation = vote.eligibility === 'organisation' ? await this.teams.organisationOf(vote.workspaceId, userId) : undefined;
      if (vote.eligibility === 'organisation' && organisation === undefined) return fail('forbidden', 'No organisation is recorded for you; ask a coordinator.');
      const ballotKey = this.ballotKeyOf(vote);
      const voterKey = voterKeyFor(ballotKey, vote, userId, organisation?.id ?? null);
      const mine = personHash(ballotKey, vote.id, userId);
      const existing = await this.repo.ballotByKey(vote.id, voterKey);
      const byColleague = existing !== undefined && existing.castByHash !== mine;
      // A colleague's ballot is replaced, not edited: the later ballot of an organisation is the one that counts.
      const before = existing === undefined || byColleague ? [] : parseChoices(existing.choicesJson);

      let choices: number[];
      if (action.kind === 'set') {
        choices = action.choices;
      } else if (!optionIds.includes(action.optionId)) {
        return fail('invalid', `That option is not part of ${key}.`);
      } else if (action.kind === 'add') {
        if (before.includes(action.optionId)) choices = before;
        else if (vote.method === 'single') choices = [action.optionId];
        else if (before.length >= vote.maxChoices) {
          return fail('conflict', `You have already chosen ${vote.maxChoices} options on ${key}, the most allowed. Remove one (buttons in your confirmation) before choosing another.`);
        } else choices = [...before, action.optionId];
      } else {
        choices = before.filter((c) => c !== action.optionId);
      }

      const orgName = organisation?.name ?? null;
      if (action.kind === 'remove' && byColleague) {
        return fail('conflict', `A colleague has since cast your organisation's ballot on ${key}; nothing changed.`);
      }
      if (choices.length === 0 && action.kind === 'remove') {
        if (existing !== undefined && !byColleague) await this.repo.deleteBallot(vote.id, voterKey);
        const queued = await this.refresh(vote, now);
        return ok({ vote, options, choices: [], outcome: 'withdrawn', organisation: orgName, queued });
      }
      const checked = checkChoices(vote, optionIds, choices);
      if (!checked.ok) return checked;
      const same = existing !== undefined && !byColleague && JSON.stringify(before) === JSON.stringify(choices);
      let queued = false;
      if (!same) {
        await this.repo.upsertBallot({
          workspaceId: vote.workspaceId,
          voteId: vote.id,
          voterKey,
          organisationId: organisation?.id ?? null,
          castBy: vote.anonymous ? null : userId,
          castByHash: mine,
          choicesJson: JSON.stringify(choices),
          // An anonymous ballot carries nothing to match against the request log: no time of its
          // own (the vote's start, which everyone knows) and a random id instead of one that
          // counts up in the order people clicked.
          ...(vote.anonymous ? { now: vote.createdAt, id: anonymousBallotId } : { now: now.getTime() }),
        });
        queued = await this.refresh(vote, now);
      }
      const outcome = existing === undefined ? 'new' : byColleague ? 'replaced' : same ? 'unchanged' : 'changed';
      return ok({ vote, options, choices, outcome, organisation: orgName, queued });
      // Ballots of one vote contend with each other (its row, its ballot refresh), not with other votes'.
    }, { turn: `ballots:${voteId}` });
  }

  /** A person's own current ballot (for prefilling the ranking modal); never a colleague's. */
  async ownChoices(vote: Vote, userId: string): Promise<number[]> {
    const organisation = vote.eligibility === 'organisation' ? await this.teams.organisationOf(vote.workspaceId, userId) : undefined;
    if (vote.eligibility === 'organisation' && organisation === undefined) return [];
    const ballotKey = this.ballotKeyOf(vote);
    const ballot = await this.repo.ballotByKey(vote.id, voterKeyFor(ballotKey, vote, userId, organisation?.id ?? null));
    return ballot === undefined || ballot.castByHash !== personHash(ballotKey, vote.id, userId) ? [] : parseChoices(ballot.choicesJson);
  }

  async currentResult(vote: Vote, electorate: number | ElectorateCount, known?: VoteOption[]): Promise<VoteResult> {
    if (vote.status === 'closed' && vote.resultJson !== null) return JSON.parse(vote.resultJson) as VoteResult;
    const options = known ?? (await this.repo.options(vote.id));
    const stored = await this.repo.ballots(vote.id);
    const names = await this.repo.organisationNames(stored.flatMap((b) => (b.organisationId === null ? [] : [b.organisationId])));
    return computeResult(vote, options, stored, names, electorate);
  }

  /** Remembers a successful count of an open vote's electorate (digests show turnout against it). */
  async recordElectorate(vote: Vote, size: number, now: Date): Promise<void> {
    if (vote.status === 'open') await this.repo.recordElectorate(vote.id, size, now.getTime());
  }

  /**
   * The electorate to close against when it cannot be counted now (Slack no longer lists the
   * channel's members): the size at its last successful count, marked with when that was.
   */
  lastKnownElectorate(vote: Vote): ElectorateCount {
    return { size: vote.electorateSize ?? 0, lastCountedAt: vote.electorateCountedAt };
  }

  /**
   * Who may close a vote now. Coordinators always. The creator may close their vote early, except
   * a priority vote (one whose options are issues: closing it rewrites the team's priorities),
   * which its creator may close only once its deadline has passed; before that, and for a priority
   * vote with no deadline, only coordinators. Everyone else is refused; refusals are audited.
   */
  async mayClose(actor: Actor, vote: Vote, now: Date): Promise<Result<true>> {
    const key = voteKey(vote.number);
    if (actor.isCoordinator && !actor.isExternal) return ok(true);
    const refuse = async (detail: string, message: string): Promise<Result<true>> => {
      await this.teams.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'vote.close', target: key, outcome: 'refused', detail, createdAt: now.getTime() });
      return fail('forbidden', message);
    };
    if (actor.userId !== vote.creatorId) return refuse('not the creator or a coordinator', `Only the person who started ${key} or a coordinator can close it.`);
    if (vote.status === 'open' && (await this.isPriorityVote(vote)) && (vote.closesAt === null || vote.closesAt > now.getTime())) {
      return refuse(
        'priority vote before its deadline: coordinators only',
        `${key} ranks issues, so closing it sets the team's priorities: before its deadline only a coordinator can close it (see /team coordinators).${vote.closesAt === null ? '' : ' It closes by itself at its deadline.'}`,
      );
    }
    return ok(true);
  }

  /** A vote whose options include issues: closing it writes the team's priorities. */
  async isPriorityVote(vote: Pick<Vote, 'id'>): Promise<boolean> {
    return (await this.repo.options(vote.id)).some((o) => o.issueId !== null);
  }

  /** Reminders go to the creator's and coordinators' discretion too. */
  async mayRemind(actor: Actor, vote: Vote, now: Date): Promise<Result<true>> {
    if (actor.userId === vote.creatorId || (actor.isCoordinator && !actor.isExternal)) return ok(true);
    await this.teams.audit({ workspaceId: actor.workspaceId, actorId: actor.userId, action: 'vote.remind', target: voteKey(vote.number), outcome: 'refused', detail: 'not the creator or a coordinator', createdAt: now.getTime() });
    return fail('forbidden', `Only the person who started ${voteKey(vote.number)} or a coordinator can send reminders for it.`);
  }

  /**
   * Closes a vote once: the `UPDATE … WHERE status = 'open'` decides who closes it (its count of
   * changed rows), so two instances (or the deadline job and a command) never both do. The result
   * is computed from the ballots, stored, written to linked issues as priorities, and the ballot
   * message update and the results post are queued, all in one transaction.
   */
  async close(voteId: number, closedBy: string, electorate: number | ElectorateCount, now: Date, how: 'early' | 'deadline' = 'early'): Promise<Result<CloseOutcome>> {
    return await this.db.transaction(async (): Promise<Result<CloseOutcome>> => {
      const before = await this.repo.byId(voteId);
      if (before === undefined) return fail('not_found', 'That vote no longer exists.');
      if (!(await this.repo.markClosed(voteId, now.getTime()))) return fail('closed', `${voteKey(before.number)} is already closed.`);
      const vote: Vote = { ...before, status: 'closed', closedAt: now.getTime() };
      const result = await this.currentResult(vote, electorate);
      await this.repo.storeResult(vote.id, JSON.stringify(result));
      const stored: Vote = { ...vote, resultJson: JSON.stringify(result) };
      const byOption = new Map(result.options.map((o) => [o.id, o.issueId]));
      const ranked = result.ranking.flatMap((id) => {
        const issueId = byOption.get(id);
        return issueId === null || issueId === undefined ? [] : [issueId];
      });
      // A vote nobody voted in ranks nothing: the team's priorities stay as they were.
      const prioritiesChanged =
        ranked.length === 0 || result.turnout.voted === 0
          ? 0
          : await this.repo.writePriorities(vote.workspaceId, vote.programTeamId, ranked, closedBy, `Ranked by vote ${voteKey(vote.number)}`, now.getTime());
      await this.teams.audit({
        workspaceId: vote.workspaceId,
        actorId: closedBy,
        action: 'vote.close',
        target: voteKey(vote.number),
        outcome: 'done',
        detail: `${how === 'deadline' ? 'at its deadline' : 'closed early'}; ${result.turnout.voted} of ${result.turnout.eligible} ${result.turnout.unit} voted${ranked.length === 0 ? '' : result.turnout.voted === 0 ? '; no ballots, priorities unchanged' : `; ${prioritiesChanged} issue priorities changed`}`,
        createdAt: now.getTime(),
      });
      await this.enqueueFinal(stored, now);
      return ok({ vote: stored, result, prioritiesChanged, priorityVote: ranked.length > 0 });
    });
  }

  /** The ballot message, naming the goal the vote is for (`/vote new for goal G-3 …`) if any. */
  private async ballot(vote: Vote, options: VoteOption[], result: VoteResult): Promise<VoteMessage> {
    const goal = await this.goals.goalOfVote(vote.id);
    return this.messages.ballot({ vote, options, result, ...(goal === undefined ? {} : { goal }) });
  }

  /**
   * The ballot message's final update and the results post of a closed vote; safe to call again.
   * The update is the ballot's coalesced refresh, so it is sent after any refresh still in flight
   * and renders the closed vote: an older update can never land after it.
   */
  async enqueueFinal(vote: Vote, now: Date): Promise<void> {
    if (vote.resultJson === null || vote.channelId === null) return;
    const result = JSON.parse(vote.resultJson) as VoteResult;
    await this.refresh(vote, now);
    const post = this.messages.results(vote, result);
    await enqueue(this.db, { workspaceId: vote.workspaceId, dedupeKey: `vote:${vote.id}:results`, method: 'chat.postMessage', args: { channel: vote.channelId, text: post.text, blocks: post.blocks }, notBefore: now }, now);
  }

  /** Asks for the ballot message to be brought up to date (turnout, results when live, the final result once closed). */
  private async refresh(vote: Vote, now: Date): Promise<boolean> {
    if (vote.channelId === null || vote.messageTs === null) return false;
    return await enqueueRefresh(this.db, { workspaceId: vote.workspaceId, kind: BALLOT_REFRESH, ref: String(vote.id) }, now);
  }

  /**
   * The ballot message as it should look now, rendered by the outbox when it sends the refresh:
   * a burst of ballots becomes one update showing all of them. Undefined when not posted yet.
   */
  async renderBallot(voteId: number): Promise<Record<string, unknown> | undefined> {
    const vote = await this.repo.byId(voteId);
    if (vote === undefined || vote.channelId === null || vote.messageTs === null) return undefined;
    const options = await this.repo.options(vote.id);
    const result = await this.currentResult(vote, vote.electorateSize ?? 0, options);
    const message = await this.ballot(vote, options, result);
    return { channel: vote.channelId, ts: vote.messageTs, text: message.text, blocks: message.blocks };
  }

  /**
   * Outbox follow-up once the ballot message is posted: remember where it is; a vote closed
   * meanwhile gets its final update. One transaction, so a close by another instance lands wholly
   * before (and is caught up here) or wholly after (and queues its own final update).
   */
  async posted(voteId: number, channel: string, ts: string, now: Date): Promise<void> {
    await this.db.transaction(async () => {
      await this.repo.setMessage(voteId, channel, ts);
      const vote = await this.repo.byId(voteId);
      if (vote !== undefined && vote.status === 'closed') await this.enqueueFinal(vote, now);
    });
  }

  /**
   * Who to remind: eligible people who have not voted. Per organisation: members of the team whose
   * organisation has not voted. Only for votes that are not anonymous (the caller checks).
   */
  async nonVoters(vote: Vote, electorate: Electorate): Promise<string[]> {
    const stored = await this.repo.ballots(vote.id);
    if (vote.eligibility === 'organisation') {
      const voted = new Set(stored.map((b) => b.organisationId));
      const people: string[] = [];
      for (const member of await this.teams.members(vote.programTeamId)) {
        const org = await this.teams.organisationOf(vote.workspaceId, member.userId);
        if (org !== undefined && !voted.has(org.id)) people.push(member.userId);
      }
      return people;
    }
    const voted = new Set(stored.map((b) => b.castBy));
    return electorate.ids.filter((id) => !voted.has(id));
  }
}
