import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/storage.js';
import type { Actor } from '../../src/domain/actor.js';
import type { Result } from '../../src/domain/result.js';
import { retryWhileBusy } from '../../src/slack/busy-retry.js';
import type { ProgramTeam } from '../../src/features/team/repository.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import type { Electorate } from '../../src/features/vote/electorate.js';
import { VoteRepository, type Eligibility, type Vote } from '../../src/features/vote/repository.js';
import { VoteService, type CastOutcome } from '../../src/features/vote/service.js';
import { voteMessages } from '../../src/features/vote/views.js';
import { twoInstancesOnOneDatabase, type TwoStorages } from '../rig/two-instances.js';

/*
 * Two instances on one database (two connections on one SQLite file, or two connection pools on
 * one PostgreSQL database) do the same thing at the same moment: two colleagues cast their
 * organisation's ballot, one person's double click lands on both, both close the vote (a command
 * and the deadline job), a ballot races the close. Each guarantee is decided inside the write
 * transaction, so whatever the interleaving the outcome is one of doing them one after the other.
 *
 * On SQLite the second instance can find the write lock taken for longer than the short busy
 * timeout; the app then runs the request again (src/slack/busy-retry.ts), and so does `again`.
 */

const WS = 'T0VOTERACE';
const SECRET = 'ballot-secret-for-the-race-test';
const now = new Date('2026-03-02T15:00:00Z');
const COORDINATOR: Actor = { workspaceId: WS, userId: 'U0COORD', isCoordinator: true, isExternal: false };
const HANNAH = 'U0HANNAH';
const HUGO = 'U0HUGO';
const CORA = 'U0CORA';


function servicesOn(storage: Storage): VoteService {
  return new VoteService(storage, new VoteRepository(storage), new TeamRepository(storage), SECRET, voteMessages);
}

describe('votes decided by two instances at once', () => {
  let instances: TwoStorages;
  let one: Storage;
  let two: Storage;
  let a: VoteService;
  let b: VoteService;
  let team: ProgramTeam;
  let organisations: Electorate;

  const startVote = async (eligibility: Eligibility): Promise<{ vote: Vote; options: number[] }> => {
    const created = await a.create(
      COORDINATOR,
      team,
      'C0CNA',
      { question: 'Which first?', options: [{ label: 'Transport', issueId: null }, { label: 'Wages', issueId: null }], method: 'single', maxChoices: 1, eligibility, anonymous: false, resultsVisibility: 'live', closesAt: null },
      3,
      now,
    );
    // The ballot message is posted: later ballots refresh it.
    await a.posted(created.vote.id, 'C0CNA', '1.000100', now);
    return { vote: created.vote, options: created.options.map((o) => o.id) };
  };
  const ballots = async (voteId: number) =>
    one.rows<{ voterKey: string; organisationId: number | null; castBy: string | null }>(
      sql`select voter_key as "voterKey", organisation_id as "organisationId", cast_by as "castBy" from ballots where vote_id = ${voteId} order by voter_key`,
    );

  beforeEach(async () => {
    instances = await twoInstancesOnOneDatabase();
    ({ one, two } = instances);
    const teams = new TeamRepository(one);
    team = await teams.create({ workspaceId: WS, key: 'CNA', name: 'Certified Nursing Assistant', description: '', createdAt: now.getTime() });
    const henryFord = await teams.ensureOrganisation(WS, 'Henry Ford Health', now.getTime());
    const corewell = await teams.ensureOrganisation(WS, 'Corewell Health', now.getTime());
    for (const [userId, organisation] of [
      [HANNAH, henryFord],
      [HUGO, henryFord],
      [CORA, corewell],
    ] as const) {
      await teams.addMember(WS, team.id, userId, now.getTime());
      await teams.setOrganisation(WS, userId, organisation.id, COORDINATOR.userId, now.getTime());
    }
    organisations = { unit: 'organisations', ids: [String(henryFord.id), String(corewell.id)] };
    a = servicesOn(one);
    b = servicesOn(two);
  });
  afterEach(async () => {
    await instances.close();
  });

  it('two colleagues casting their organisation’s ballot at once leave one ballot for it: the later replaces the earlier', async () => {
    const { vote, options } = await startVote('organisation');
    const [first, second] = await Promise.all([
      retryWhileBusy(async () => a.cast(vote.id, HANNAH, { kind: 'add', optionId: options[0] ?? 0 }, organisations, now)),
      retryWhileBusy(async () => b.cast(vote.id, HUGO, { kind: 'add', optionId: options[1] ?? 0 }, organisations, now)),
    ]);
    const outcomes = [first, second].map((cast) => (cast.ok ? cast.value.outcome : cast.problem.code)).sort();
    expect(outcomes).toEqual(['new', 'replaced']);
    const stored = await ballots(vote.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.castBy === HANNAH || stored[0]?.castBy === HUGO).toBe(true);
  });

  it('one person’s double click landing on both instances is one ballot', async () => {
    const { vote, options } = await startVote('members');
    const people: Electorate = { unit: 'people', ids: [HANNAH, HUGO, CORA] };
    const casts = await Promise.all(
      [a, b].map(async (service) => retryWhileBusy(async () => service.cast(vote.id, CORA, { kind: 'add', optionId: options[0] ?? 0 }, people, now))),
    );
    expect(casts.map((cast) => (cast.ok ? cast.value.outcome : cast.problem.code)).sort()).toEqual(['new', 'unchanged']);
    expect(await ballots(vote.id)).toEqual([{ voterKey: `user:${CORA}`, organisationId: null, castBy: CORA }]);
  });

  it('decides team membership inside the ballot’s transaction: someone removed from the team by another instance after the eligibility check casts nothing', async () => {
    const { vote, options } = await startVote('members');
    const people: Electorate = { unit: 'people', ids: [HANNAH, HUGO, CORA] };
    // The button's eligibility check (outside the transaction) saw Cora on the team; then another instance removed her.
    expect(await b.ineligibility(vote, team, CORA, people)).toBeUndefined();
    await new TeamRepository(two).removeMember(team.id, CORA);
    const cast = await a.cast(vote.id, CORA, { kind: 'add', optionId: options[0] ?? 0 }, people, now);
    expect(!cast.ok && cast.problem.code).toBe('forbidden');
    expect(await ballots(vote.id)).toEqual([]);
  });

  it('closes once when both instances close at the same moment: one result, one results post, one audit entry', async () => {
    const { vote, options } = await startVote('organisation');
    expect((await a.cast(vote.id, CORA, { kind: 'add', optionId: options[1] ?? 0 }, organisations, now)).ok).toBe(true);
    const closes = await Promise.all([
      retryWhileBusy(async () => a.close(vote.id, COORDINATOR.userId, 2, now)),
      retryWhileBusy(async () => b.close(vote.id, COORDINATOR.userId, 2, now, 'deadline')),
    ]);
    expect(closes.filter((closed) => closed.ok)).toHaveLength(1);
    expect(closes.filter((closed) => !closed.ok && closed.problem.code === 'closed')).toHaveLength(1);
    expect(await one.rows(sql`select count(*) as n from outbox where dedupe_key = ${`vote:${vote.id}:results`}`)).toEqual([{ n: 1 }]);
    expect(await one.rows(sql`select count(*) as n from audit_log where action = 'vote.close' and outcome = 'done'`)).toEqual([{ n: 1 }]);
    const [row] = await one.rows<{ status: string; result: string | null }>(sql`select status, result_json as result from votes where id = ${vote.id}`);
    expect(row?.status).toBe('closed');
    expect(JSON.parse(row?.result ?? '{}')).toMatchObject({ turnout: { voted: 1 } });
  });

  it('a ballot racing the close is either counted in the stored result or refused: never stored after it', async () => {
    const { vote, options } = await startVote('organisation');
    const [cast, closed] = await Promise.all([
      retryWhileBusy(async (): Promise<Result<CastOutcome>> => b.cast(vote.id, HANNAH, { kind: 'add', optionId: options[0] ?? 0 }, organisations, now)),
      retryWhileBusy(async () => a.close(vote.id, COORDINATOR.userId, 2, now)),
    ]);
    expect(closed.ok).toBe(true);
    const stored = await ballots(vote.id);
    const [row] = await one.rows<{ result: string }>(sql`select result_json as result from votes where id = ${vote.id}`);
    const voted = (JSON.parse(row?.result ?? '{}') as { turnout: { voted: number } }).turnout.voted;
    expect(voted).toBe(stored.length);
    if (cast.ok) expect(stored).toHaveLength(1);
    else expect(cast.problem.code).toBe('closed');
  });
});
