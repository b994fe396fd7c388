/**
 * Who may vote on a vote, as Slack says it now: the Slack-facing half of voting (the service takes
 * the electorate as an argument and never calls Slack). "Everyone" votes ask Slack for the ballot
 * channel's members; team and organisation votes read the team from the database.
 */
import { performance } from 'node:perf_hooks';
import type { WebClient } from '@slack/web-api';
import { fail, ok, type Result } from '../../domain/result.js';
import { DeadlineError, withDeadline } from '../../slack/deadline.js';
import type { TeamRepository } from '../team/repository.js';
import type { Eligibility, Vote } from './repository.js';

/** Who may vote, as ids: user ids, or organisation ids (as strings) for per-organisation votes. */
export interface Electorate {
  unit: 'people' | 'organisations';
  ids: string[];
}

/**
 * The electorate of a vote. "Everyone" means the members of the ballot's channel now
 * (conversations.members, paged), without the bot itself.
 */
export async function loadElectorate(vote: Pick<Vote, 'eligibility' | 'programTeamId' | 'channelId'>, deps: { teams: TeamRepository; client: WebClient; botUserId?: string | undefined }): Promise<Electorate> {
  const eligibility = vote.eligibility as Eligibility;
  if (eligibility === 'organisation') return { unit: 'organisations', ids: (await deps.teams.organisationsOnTeam(vote.programTeamId)).map((o) => String(o.id)) };
  if (eligibility === 'members') return { unit: 'people', ids: (await deps.teams.members(vote.programTeamId)).map((m) => m.userId) };
  const channel = vote.channelId;
  if (channel === null) return { unit: 'people', ids: [] };
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.client.conversations.members({ channel, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...(page.members ?? []));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor !== undefined);
  return { unit: 'people', ids: ids.filter((id) => id !== deps.botUserId) };
}

/**
 * Listing a channel's members before the ack (a command, a modal submission) races this deadline:
 * users.info may already have taken up to 1.5 s of Slack's 3, and a hung Slack must still get an
 * answer. After the ack (buttons) the client's own timeout applies.
 */
export const ELECTORATE_DEADLINE_MS = 1000;
export const SLOW_ELECTORATE = 'Slack did not list the channel’s members in time, so nothing was changed. Please try again in a moment.';

/** `load` within the deadline, or a polite problem when Slack is too slow; other failures still throw. */
export async function electorateWithin(load: () => Promise<Electorate>, ms = ELECTORATE_DEADLINE_MS): Promise<Result<Electorate>> {
  try {
    return ok(await withDeadline(load(), ms));
  } catch (error) {
    if (error instanceof DeadlineError) return fail('conflict', SLOW_ELECTORATE);
    throw error;
  }
}


/** A channel's membership is reused this long, so a burst of ballot clicks is not a burst of conversations.members calls (Slack rate-limits them). */
const CHANNEL_MEMBERS_TTL_MS = 30_000;

export interface ElectorateLoader {
  /** The electorate of a vote (or a vote being created), with "everyone" votes' channel members cached briefly. */
  of: (vote: Pick<Vote, 'eligibility' | 'programTeamId' | 'channelId'>) => Promise<Electorate>;
  /** The bot's own user id (auth.test, asked once): never counted as a voter. */
  botUserId: () => Promise<string | undefined>;
}

export function electorateLoader(deps: { teams: TeamRepository; client: WebClient }): ElectorateLoader {
  let botUserId: string | undefined;
  const botUser = async (): Promise<string | undefined> => {
    botUserId ??= (await deps.client.auth.test()).user_id;
    return botUserId;
  };
  const channels = new Map<string, { fetchedAt: number; electorate: Electorate }>();
  // Clicks arriving while a channel's members are being listed wait for that listing instead of
  // paging through conversations.members again: on a slow machine a burst of clicks otherwise
  // overran Slack's limit (Tier 4) before the first listing was cached, and a refused listing lost a ballot.
  const listing = new Map<string, Promise<Electorate>>();
  return {
    botUserId: botUser,
    async of(vote) {
      const load = async () => loadElectorate(vote, { teams: deps.teams, client: deps.client, botUserId: await botUser() });
      const channelId = vote.channelId;
      if (vote.eligibility !== 'everyone' || channelId === null) return load();
      const cached = channels.get(channelId);
      if (cached !== undefined && performance.now() - cached.fetchedAt < CHANNEL_MEMBERS_TTL_MS) return cached.electorate;
      const pending = listing.get(channelId);
      if (pending !== undefined) return pending;
      const started = load()
        .then((electorate) => {
          channels.set(channelId, { fetchedAt: performance.now(), electorate });
          return electorate;
        })
        .finally(() => listing.delete(channelId));
      listing.set(channelId, started);
      return started;
    },
  };
}
