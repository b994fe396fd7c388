import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type OpenedDatabase } from '../../src/db/open.js';
import { ballotKeyPath, legacyBallotKey, loadBallotKey } from '../../src/features/vote/ballot-key.js';
import { personHash } from '../../src/features/vote/rules.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { createLogger } from '../../src/logger.js';

const SIGNING = 'signing-secret-0123456789abcdef';
const WS = 'T0KEY';

describe('the ballot key', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let settings: { DATABASE_URL: string; SLACK_SIGNING_SECRET: string; ALLIANCE_BALLOT_SECRET?: string };
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));

  /** An open anonymous vote with one ballot, and a public vote whose ballot was cast under `key`. */
  function legacyBallots(key: string): void {
    const team = new TeamRepository(opened.db).create({ workspaceId: WS, key: 'CNA', name: 'CNA', description: '', createdAt: 0 });
    const vote = (number: number, anonymous: number) =>
      Number(
        opened.sqlite
          .prepare("insert into votes (team_id, number, program_team_id, question, method, eligibility, anonymous, results_visibility, creator_id, created_at) values (?, ?, ?, 'Q', 'single', 'members', ?, 'live', 'U0C', 0)")
          .run(WS, number, team.id, anonymous).lastInsertRowid,
      );
    const ballot = opened.sqlite.prepare("insert into ballots (team_id, vote_id, voter_key, cast_by, cast_by_hash, choices_json, created_at, updated_at) values (?, ?, ?, ?, ?, '[]', 0, 0)");
    const secret = vote(1, 1);
    ballot.run(WS, secret, 'anon:x', null, personHash(key, secret, 'U0A'));
    const open = vote(2, 0);
    ballot.run(WS, open, 'user:U0B', 'U0B', personHash(key, open, 'U0B'));
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-key-'));
    opened = openDatabase(join(dir, 'alliance.db'));
    migrateDatabase(opened.db);
    settings = { DATABASE_URL: join(dir, 'alliance.db'), SLACK_SIGNING_SECRET: SIGNING };
  });
  afterEach(() => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is generated once beside the database, readable by the app only, and read back on every start', () => {
    const key = loadBallotKey(settings, opened.db, logger);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(legacyBallotKey(SIGNING));
    const path = ballotKeyPath(settings);
    expect(path).toBe(join(dir, 'ballot.key'));
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(loadBallotKey({ ...settings, SLACK_SIGNING_SECRET: 'rotated-secret-0123456789' }, opened.db, logger)).toBe(key);
    expect(readFileSync(path, 'utf8').trim()).toBe(key);
  });

  it('lives in ALLIANCE_BALLOT_KEY_FILE when set, and never in a path made from a database URL', () => {
    expect(ballotKeyPath({ DATABASE_URL: 'postgres://alliance:secret@postgres:5432/alliance' })).toBe(join('data', 'ballot.key'));
    expect(ballotKeyPath({ DATABASE_URL: 'postgres://x/y', ALLIANCE_BALLOT_KEY_FILE: '/data/ballot.key' })).toBe('/data/ballot.key');
  });

  it('is ALLIANCE_BALLOT_SECRET when set, and then writes no file', () => {
    expect(loadBallotKey({ ...settings, ALLIANCE_BALLOT_SECRET: 'from-the-secret-store-1234' }, opened.db, logger)).toBe('from-the-secret-store-1234');
    expect(() => statSync(ballotKeyPath(settings))).toThrow();
  });

  it('keeps the derived key of an older installation whose open anonymous votes have ballots, fixed from then on', () => {
    legacyBallots(legacyBallotKey(SIGNING));
    expect(loadBallotKey(settings, opened.db, logger)).toBe(legacyBallotKey(SIGNING));
    expect(loadBallotKey({ ...settings, SLACK_SIGNING_SECRET: 'rotated-secret-0123456789' }, opened.db, logger)).toBe(legacyBallotKey(SIGNING));
  });

  it('refuses to start, rather than mint a new key, when the file is lost and ballots were cast under another key', () => {
    legacyBallots('a'.repeat(64));
    expect(() => loadBallotKey(settings, opened.db, logger)).toThrow(/Restore ballot.key/);
    expect(() => statSync(ballotKeyPath(settings))).toThrow();
  });

  it('refuses a damaged key file', () => {
    writeFileSync(ballotKeyPath(settings), 'not a key\n');
    expect(() => loadBallotKey(settings, opened.db, logger)).toThrow(/damaged/);
  });
});
