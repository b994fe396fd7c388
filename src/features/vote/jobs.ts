import type { WebClient } from '@slack/web-api';
import { unscoped, type InWorkspace } from '../../slack/workspace-scope.js';
import type { Storage } from '../../db/storage.js';
import type { AppLogger } from '../../logger.js';
import { TeamRepository } from '../team/repository.js';
import { VoteRepository } from './repository.js';
import { voteKey, type ElectorateCount } from './rules.js';
import { loadElectorate } from './electorate.js';
import { VoteService } from './service.js';
import { voteMessages } from './views.js';

export interface VoteDeadlineDeps {
  db: Storage;
  client: WebClient;
  /** Distribution mode: each vote's Slack calls carry its own workspace's token. */
  inWorkspace?: InWorkspace;
  now: Date;
  logger: AppLogger;
}

/**
 * Closes every open vote whose deadline is at or before `now`, once. Run every minute; after
 * downtime the first run closes the votes whose deadline passed meanwhile. Two instances running
 * it at once close each vote once (the close is an `UPDATE … WHERE status = 'open'`). The outbox
 * delivers the updated ballot message and the results post. A vote whose channel Slack will not
 * list closes against the electorate counted last, and its results say so.
 */
export async function runVoteDeadlines(deps: VoteDeadlineDeps): Promise<{ closed: number }> {
  const teams = new TeamRepository(deps.db);
  const repo = new VoteRepository(deps.db);
  const votes = new VoteService(deps.db, repo, teams, null, voteMessages);
  let closed = 0;
  // The bot's own user id, per workspace (it is not a voter in the channel it posts the ballot to).
  const botUserIds = new Map<string, string | undefined>();
  const inWorkspace = deps.inWorkspace ?? unscoped;
  for (const vote of await repo.dueForClosing(deps.now.getTime())) {
    let electorate: number | ElectorateCount;
    try {
      electorate = await inWorkspace(vote.workspaceId, async () => {
        if (vote.eligibility === 'everyone' && !botUserIds.has(vote.workspaceId)) botUserIds.set(vote.workspaceId, (await deps.client.auth.test()).user_id);
        return (await loadElectorate(vote, { teams, client: deps.client, botUserId: botUserIds.get(vote.workspaceId) })).ids.length;
      });
    } catch (error) {
      // Slack cannot list the channel (the bot was removed, the channel archived): waiting would
      // leave the vote open forever, so it closes against the electorate counted last, and says so.
      electorate = votes.lastKnownElectorate(vote);
      deps.logger.event('warn', 'vote deadline: could not count the electorate; closing with the last known count', {
        job: 'vote-deadlines',
        vote: voteKey(vote.number),
        eligible: electorate.size,
        countedAt: electorate.lastCountedAt ?? null,
        error,
      });
    }
    // Issue priorities written by a deadline close are attributed to the vote's creator.
    const result = await votes.close(vote.id, vote.creatorId, electorate, deps.now, 'deadline');
    if (!result.ok) continue;
    closed++;
    deps.logger.event('info', 'vote closed at its deadline', { job: 'vote-deadlines', vote: voteKey(vote.number), ballots: result.value.result.turnout.voted });
  }
  return { closed };
}
