import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ballotKeyPath, legacyBallotKey, loadBallotKey } from '../../src/features/vote/ballot-key.js';
import { personHash } from '../../src/features/vote/rules.js';
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
});
