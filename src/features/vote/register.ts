import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../register.js';
import { registerCommand } from '../../slack/commands.js';
import { CommandNames } from '../../slack/ids.js';
import { registerVoteActions } from './actions.js';
import { ballotCaster } from './ballot.js';
import { voteCommand } from './command.js';
import { electorateLoader } from './electorate.js';
import { registerVoteModals } from './modal.js';
import { VoteRepository } from './repository.js';
import { BALLOT_REFRESH, VoteService } from './service.js';
import { voteMessages } from './views.js';

/** `/vote`, the ballot buttons, the ranking modal and the new-vote modal. */
export function registerVotes(app: App, deps: ListenerDeps): void {
  const repo = new VoteRepository(deps.db);
  const votes = new VoteService(deps.db, repo, deps.teamRepository, deps.ballotKey, voteMessages);
  const electorates = electorateLoader({ teams: deps.teamRepository, client: deps.client });
  const castFor = ballotCaster({ votes, repo, teamRepository: deps.teamRepository, electorates, outbox: deps.outbox, homes: deps.home, now: deps.now });

  deps.refreshers[BALLOT_REFRESH] = async (ref) => votes.renderBallot(Number(ref));
  deps.followUps['vote.posted'] = async (_db, ref, result) => {
    const channel = typeof result.channel === 'string' ? result.channel : undefined;
    const ts = typeof result.ts === 'string' ? result.ts : undefined;
    if (channel !== undefined && ts !== undefined) await votes.posted(Number(ref), channel, ts, deps.now());
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
      defaultTimeZone: (ws) => deps.zones.zoneFor(ws),
      botUserId: electorates.botUserId,
      logger: deps.logger,
    }),
    { actors: deps.actors },
  );
  registerVoteActions(app, { votes, repo, teamRepository: deps.teamRepository, electorates, castFor, home: deps.home, now: deps.now });
  registerVoteModals(app, { db: deps.db, votes, repo, teamRepository: deps.teamRepository, electorates, castFor, actors: deps.actors, outbox: deps.outbox, now: deps.now });
}
