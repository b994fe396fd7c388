import { createHmac, hkdfSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../src/domain/actor.js';
import { ballotKeyCheckValue, BallotKeyStartError, ballotKeyPath, legacyBallotKey, loadBallotKey, perWorkspaceBallotKeys } from '../../src/features/vote/ballot-key.js';
import type { Electorate } from '../../src/features/vote/electorate.js';
import { VoteRepository, type Vote } from '../../src/features/vote/repository.js';
import { BallotKeyScheme, personHash, voterKeyFor, workspaceBallotKey } from '../../src/features/vote/rules.js';
import { VoteService } from '../../src/features/vote/service.js';
import { voteMessages } from '../../src/features/vote/views.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { createLogger } from '../../src/logger.js';
import { freshTestStorage, type TestStorage } from '../rig/engines.js';

const SIGNING = 'signing-secret-0123456789abcdef';
const WS = 'T0KEY';

describe('the ballot key', () => {
  let dir: string;
  let database: TestStorage;
  let settings: { DATABASE_URL: string; SLACK_SIGNING_SECRET: string; ALLIANCE_BALLOT_SECRET?: string };
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));

  /** An open anonymous vote with one ballot, and a public vote whose ballot was cast under `key`. */
  async function legacyBallots(key: string): Promise<void> {
    const db = database.storage;
    const team = await new TeamRepository(db).create({ workspaceId: WS, key: 'CNA', name: 'CNA', description: '', createdAt: 0 });
    const vote = async (number: number, anonymous: number): Promise<number> => {
      const [row] = await db.rows<{ id: number }>(
        sql`insert into votes (team_id, number, program_team_id, question, method, eligibility, anonymous, results_visibility, creator_id, created_at) values (${WS}, ${number}, ${team.id}, 'Q', 'single', 'members', ${anonymous}, 'live', 'U0C', 0) returning id`,
      );
      if (row === undefined) throw new Error('no vote inserted');
      return row.id;
    };
    const ballot = (voteId: number, voterKey: string, castBy: string | null, castByHash: string) =>
      db.execute(sql`insert into ballots (team_id, vote_id, voter_key, cast_by, cast_by_hash, choices_json, created_at, updated_at) values (${WS}, ${voteId}, ${voterKey}, ${castBy}, ${castByHash}, '[]', 0, 0)`);
    const secret = await vote(1, 1);
    await ballot(secret, 'anon:x', null, personHash(key, secret, 'U0A'));
    const open = await vote(2, 0);
    await ballot(open, 'user:U0B', 'U0B', personHash(key, open, 'U0B'));
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-key-'));
    database = await freshTestStorage();
    // Where the key file goes follows from DATABASE_URL alone: a file path in this test's folder,
    // whichever engine holds the ballots.
    settings = { DATABASE_URL: join(dir, 'alliance.db'), SLACK_SIGNING_SECRET: SIGNING };
  });
  afterEach(async () => {
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is generated once beside the database, readable by the app only, and read back on every start', async () => {
    const key = await loadBallotKey(settings, database.storage, logger);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(legacyBallotKey(SIGNING));
    const path = ballotKeyPath(settings);
    expect(path).toBe(join(dir, 'ballot.key'));
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(await loadBallotKey({ ...settings, SLACK_SIGNING_SECRET: 'rotated-secret-0123456789' }, database.storage, logger)).toBe(key);
    expect(readFileSync(path, 'utf8').trim()).toBe(key);
  });

  it('lives in ALLIANCE_BALLOT_KEY_FILE when set, and never in a path made from a database URL', () => {
    expect(ballotKeyPath({ DATABASE_URL: 'postgres://alliance:secret@postgres:5432/alliance' })).toBe(join('data', 'ballot.key'));
    expect(ballotKeyPath({ DATABASE_URL: 'postgres://x/y', ALLIANCE_BALLOT_KEY_FILE: '/data/ballot.key' })).toBe('/data/ballot.key');
  });

  it('is ALLIANCE_BALLOT_SECRET when set, and then writes no file', async () => {
    expect(await loadBallotKey({ ...settings, ALLIANCE_BALLOT_SECRET: 'from-the-secret-store-1234' }, database.storage, logger)).toBe('from-the-secret-store-1234');
    expect(() => statSync(ballotKeyPath(settings))).toThrow();
  });

  it('keeps the derived key of an older installation whose open anonymous votes have ballots, fixed from then on', async () => {
    await legacyBallots(legacyBallotKey(SIGNING));
    expect(await loadBallotKey(settings, database.storage, logger)).toBe(legacyBallotKey(SIGNING));
    expect(await loadBallotKey({ ...settings, SLACK_SIGNING_SECRET: 'rotated-secret-0123456789' }, database.storage, logger)).toBe(legacyBallotKey(SIGNING));
  });

  it('refuses to start, rather than mint a new key, when the file is lost and ballots were cast under another key', async () => {
    await legacyBallots('a'.repeat(64));
    await expect(loadBallotKey(settings, database.storage, logger)).rejects.toThrow(/Restore ballot.key/);
    expect(() => statSync(ballotKeyPath(settings))).toThrow();
  });

  it('refuses a damaged key file', async () => {
    writeFileSync(ballotKeyPath(settings), 'not a key\n');
    await expect(loadBallotKey(settings, database.storage, logger)).rejects.toThrow(/damaged/);
  });

  // The check value: stored once, then every start (every instance) must bring the same key.
  const checks = async () => database.storage.rows<{ name: string; checkValue: string }>(sql`select name, check_value as "checkValue" from key_checks`);
  const secretSettings = (secret: string) => ({ ...settings, ALLIANCE_BALLOT_SECRET: secret });
  const KEY_A = 'first-shared-ballot-secret-0123';
  const KEY_B = 'another-ballot-secret-4567890ab';

  it('stores a check value of the key (never the key) on the first start, and refuses a later start with another key, saying why', async () => {
    expect(await loadBallotKey(secretSettings(KEY_A), database.storage, logger)).toBe(KEY_A);
    const stored = await checks();
    expect(stored).toEqual([{ name: 'ballot_key', checkValue: ballotKeyCheckValue(KEY_A) }]);
    expect(JSON.stringify(stored)).not.toContain(KEY_A);
    expect(ballotKeyCheckValue(KEY_A)).not.toBe(ballotKeyCheckValue(KEY_B));

    const refused = loadBallotKey(secretSettings(KEY_B), database.storage, logger);
    await expect(refused).rejects.toBeInstanceOf(BallotKeyStartError);
    await expect(refused).rejects.toThrow(/^Alliance cannot start: ALLIANCE_BALLOT_SECRET is not the ballot key this database has been used with since \d{4}-/);
    await expect(refused).rejects.toThrow(/so they could vote again.*on every instance/);
    expect(await checks()).toEqual(stored);
    // The right key still starts.
    expect(await loadBallotKey(secretSettings(KEY_A), database.storage, logger)).toBe(KEY_A);
  });

  it('lets only one key in when instances with different keys start together on a new database', async () => {
    const started = await Promise.allSettled([loadBallotKey(secretSettings(KEY_A), database.storage, logger), loadBallotKey(secretSettings(KEY_B), database.storage, logger)]);
    expect(started.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const refused = started.find((s) => s.status === 'rejected');
    expect(String(refused?.reason)).toContain('is not the ballot key this database has been used with');
  });

  it('refuses a lost key file instead of minting a new key once the database has a check value, and starts again when it is restored', async () => {
    const key = await loadBallotKey(settings, database.storage, logger);
    const path = ballotKeyPath(settings);
    rmSync(path);
    await expect(loadBallotKey(settings, database.storage, logger)).rejects.toThrow(/ballot key file .* is missing, and this database has been used with a ballot key since .*Restore ballot\.key/);
    expect(() => statSync(path)).toThrow();
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
    expect(await loadBallotKey(settings, database.storage, logger)).toBe(key);
  });

  it('moves from the key file to ALLIANCE_BALLOT_SECRET set to the file’s contents (the way to several machines), and refuses any other secret', async () => {
    const key = await loadBallotKey(settings, database.storage, logger);
    expect(await loadBallotKey(secretSettings(key), database.storage, logger)).toBe(key);
    await expect(loadBallotKey(secretSettings(KEY_B), database.storage, logger)).rejects.toThrow(/ALLIANCE_BALLOT_SECRET is not the ballot key/);
  });

  it('refuses, on the first check, a key that is not the one open anonymous votes were cast under', async () => {
    await legacyBallots('b'.repeat(64));
    await expect(loadBallotKey(secretSettings(KEY_A), database.storage, logger)).rejects.toThrow(/is not the ballot key the ballots of open anonymous votes were cast under/);
    expect(await checks()).toEqual([]);
    expect(await loadBallotKey(secretSettings('b'.repeat(64)), database.storage, logger)).toBe('b'.repeat(64));
  });

  it('changes the key on purpose once the stored check is deleted (no anonymous vote open), and then holds to the new key', async () => {
    await loadBallotKey(secretSettings(KEY_A), database.storage, logger);
    await database.storage.execute(sql`delete from key_checks where name = 'ballot_key'`);
    expect(await loadBallotKey(secretSettings(KEY_B), database.storage, logger)).toBe(KEY_B);
    await expect(loadBallotKey(secretSettings(KEY_A), database.storage, logger)).rejects.toThrow(/is not the ballot key this database has been used with/);
  });
});

describe('per-workspace ballot keys', () => {
  const DEPLOYMENT_KEY = 'deployment-ballot-secret-0123456789';
  const ONE = 'T0WSONE01';
  const TWO = 'T0WSTWO02';
  const SAME_USER = 'U0SAMEID1';
  const now = new Date('2026-03-02T15:00:00Z');
  let database: TestStorage;
  let votes: VoteService;

  const service = () => new VoteService(database.storage, new VoteRepository(database.storage), new TeamRepository(database.storage), DEPLOYMENT_KEY, voteMessages);
  /** An anonymous vote of the workspace's CNA team, which `SAME_USER` is a member of. */
  async function anonymousVote(workspaceId: string): Promise<{ vote: Vote; options: number[] }> {
    const teams = new TeamRepository(database.storage);
    const team = await teams.create({ workspaceId, key: 'CNA', name: 'CNA', description: '', createdAt: now.getTime() });
    await teams.addMember(workspaceId, team.id, SAME_USER, now.getTime());
    const actor: Actor = { workspaceId, userId: 'U0COORD', isCoordinator: true, isExternal: false };
    const draft = { question: 'Which first?', options: [{ label: 'Transport', issueId: null }, { label: 'Wages', issueId: null }], method: 'single' as const, maxChoices: 1, eligibility: 'members' as const, anonymous: true, resultsVisibility: 'closed' as const, closesAt: null };
    const created = await votes.create(actor, team, 'C0CNA', draft, 1, now);
    await votes.posted(created.vote.id, 'C0CNA', '1.000100', now);
    return { vote: created.vote, options: created.options.map((o) => o.id) };
  }
  const people: Electorate = { unit: 'people', ids: [SAME_USER] };
  const voterKeys = async (voteId: number) => (await database.storage.rows<{ voterKey: string }>(sql`select voter_key as "voterKey" from ballots where vote_id = ${voteId}`)).map((b) => b.voterKey);

  beforeEach(async () => {
    database = await freshTestStorage();
    votes = service();
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('are on, for /team settings to say so', () => {
    expect(perWorkspaceBallotKeys).toBe(true);
  });

  it('derive each workspace’s key from the deployment key with HKDF-SHA256, naming the purpose and the workspace', () => {
    const expected = (ws: string) => Buffer.from(hkdfSync('sha256', DEPLOYMENT_KEY, '', `alliance anonymous ballots v2 workspace:${ws}`, 32)).toString('hex');
    expect(workspaceBallotKey(DEPLOYMENT_KEY, ONE)).toBe(expected(ONE));
    expect(workspaceBallotKey(DEPLOYMENT_KEY, ONE)).not.toBe(workspaceBallotKey(DEPLOYMENT_KEY, TWO));
    expect(workspaceBallotKey(DEPLOYMENT_KEY, ONE)).not.toBe(DEPLOYMENT_KEY);
    expect(workspaceBallotKey('another-deployment-key-0123', ONE)).not.toBe(workspaceBallotKey(DEPLOYMENT_KEY, ONE));
    // Even on a vote with the same id, the same user id in two workspaces gets unrelated voter keys.
    const same = { id: 7, eligibility: 'members', anonymous: true };
    expect(voterKeyFor(workspaceBallotKey(DEPLOYMENT_KEY, ONE), same, SAME_USER, null)).not.toBe(voterKeyFor(workspaceBallotKey(DEPLOYMENT_KEY, TWO), same, SAME_USER, null));
  });

  it('give the same user id voting anonymously in two workspaces different voter keys, each under its workspace’s own key', async () => {
    const one = await anonymousVote(ONE);
    const two = await anonymousVote(TWO);
    for (const { vote, options } of [one, two]) {
      expect(vote.ballotKeyScheme).toBe(BallotKeyScheme.perWorkspace);
      const cast = await votes.cast(vote.id, SAME_USER, { kind: 'add', optionId: options[0] ?? 0 }, people, now);
      expect(cast.ok && cast.value.outcome).toBe('new');
    }
    const [inOne] = await voterKeys(one.vote.id);
    const [inTwo] = await voterKeys(two.vote.id);
    expect(inOne).toBe(voterKeyFor(workspaceBallotKey(DEPLOYMENT_KEY, ONE), one.vote, SAME_USER, null));
    expect(inTwo).toBe(voterKeyFor(workspaceBallotKey(DEPLOYMENT_KEY, TWO), two.vote, SAME_USER, null));
    expect(inOne).not.toBe(inTwo);
    // Not the deployment key's: one workspace's ballots tell nothing about another's.
    expect(inOne).not.toBe(voterKeyFor(DEPLOYMENT_KEY, one.vote, SAME_USER, null));
    // Derived, not stored: another instance with the same deployment key knows the ballot is theirs.
    const again = await service().cast(one.vote.id, SAME_USER, { kind: 'add', optionId: one.options[1] ?? 0 }, people, now);
    expect(again.ok && again.value.outcome).toBe('changed');
    expect(await voterKeys(one.vote.id)).toEqual([inOne]);
  });

  it('leave a vote opened before them on the deployment key: its voter cannot vote a second time and keeps their choices', async () => {
    const { vote, options } = await anonymousVote(ONE);
    // As a vote opened before the switch: the migration gives it scheme 1, its ballot was keyed with the deployment key.
    await database.storage.execute(sql`update votes set ballot_key_scheme = ${BallotKeyScheme.deployment} where id = ${vote.id}`);
    const hmac = (text: string) => createHmac('sha256', DEPLOYMENT_KEY).update(text).digest('hex');
    await database.storage.execute(
      sql`insert into ballots (team_id, vote_id, voter_key, cast_by, cast_by_hash, choices_json, created_at, updated_at)
          values (${ONE}, ${vote.id}, ${`anon:${hmac(`voter:${vote.id}:${SAME_USER}`)}`}, ${null}, ${hmac(`person:${vote.id}:${SAME_USER}`)}, ${JSON.stringify([options[0]])}, ${vote.createdAt}, ${vote.createdAt})`,
    );
    const reread = await new VoteRepository(database.storage).byId(vote.id);
    if (reread === undefined) throw new Error('vote gone');
    expect(await votes.ownChoices(reread, SAME_USER)).toEqual([options[0]]);
    const cast = await votes.cast(vote.id, SAME_USER, { kind: 'add', optionId: options[1] ?? 0 }, people, now);
    expect(cast.ok && cast.value.outcome).toBe('changed');
    expect(await voterKeys(vote.id)).toHaveLength(1);
    // A vote opened now is keyed per workspace.
    expect((await anonymousVoteInSameTeam(ONE)).ballotKeyScheme).toBe(BallotKeyScheme.perWorkspace);
  });

  async function anonymousVoteInSameTeam(workspaceId: string): Promise<Vote> {
    const team = await new TeamRepository(database.storage).byKey(workspaceId, 'CNA');
    if (team === undefined) throw new Error('no team');
    const actor: Actor = { workspaceId, userId: 'U0COORD', isCoordinator: true, isExternal: false };
    const created = await votes.create(actor, team, 'C0CNA', { question: 'Next?', options: [{ label: 'A', issueId: null }, { label: 'B', issueId: null }], method: 'single', maxChoices: 1, eligibility: 'members', anonymous: true, resultsVisibility: 'closed', closesAt: null }, 1, now);
    return created.vote;
  }
});
