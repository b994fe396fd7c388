/**
 * The deployment's ballot key: the key of the keyed hash that hides who cast an anonymous ballot.
 * Each workspace's votes are keyed with the workspace's own key, derived from it (rules.ts
 * `workspaceBallotKey`, HKDF-SHA256); votes opened before that keep the deployment's key itself
 * (`votes.ballot_key_scheme`). It must never change while a vote is open (a new key gives every
 * voter a new ballot key, so each could vote again), must be the same on every instance, and must
 * not be readable by whoever can read the database or the app's settings in Slack:
 *
 * - `ALLIANCE_BALLOT_SECRET`, when set, is the key (keep it in your secret store). With PostgreSQL
 *   it is required (src/config.ts): several machines need one key, and a key file is per machine;
 * - otherwise (SQLite) a random key is generated once, on first start, into `ALLIANCE_BALLOT_KEY_FILE`
 *   (default: `ballot.key` beside the database), readable by the app's user only, and read from
 *   there on every later start. It is not in the database, so a copy of the database (a backup)
 *   does not carry it, and rotating the signing secret does not change it.
 *
 * The database keeps a check value of the key (`key_checks`, HMAC-SHA256 of a fixed label under the
 * key: it reveals nothing a ballot's own keyed hashes do not already). It is stored on the first
 * start, and a later start with another key (a mistyped secret, a machine with its own key, a lost
 * key file replaced by a new one) is refused instead of letting anonymous voters vote again.
 * Changing the key on purpose: no anonymous vote may be open; stop every instance, delete the check
 * (`delete from key_checks where name = 'ballot_key'`), and start with the new key, which is then stored.
 *
 * Installations from before the key file existed derived the key from the signing secret; if such a
 * database already holds anonymous ballots of open votes, the first start writes that derived key
 * to the file (so those voters keep their one ballot) and warns; from then on the file is the key
 * and the signing secret can be rotated freely. A missing file with open anonymous ballots that were
 * provably cast under another key (a lost file) stops start-up instead of minting a new key.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { keyChecks } from '../../db/schema.js';
import type { Storage } from '../../db/storage.js';
import type { AppLogger } from '../../logger.js';
import { personHash, voteBallotKey } from './rules.js';

/**
 * Each workspace's anonymous ballots are keyed with its own key, derived from the deployment's (votes
 * opened before keep the deployment's key: `votes.ballot_key_scheme`). `/team settings` shows it.
 */
export const perWorkspaceBallotKeys = true;

/** Start-up refused because of the ballot key; the message says what to do (src/main.ts prints it). */
export class BallotKeyStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BallotKeyStartError';
  }
}

export interface BallotKeySettings {
  ALLIANCE_BALLOT_SECRET?: string | undefined;
  ALLIANCE_BALLOT_KEY_FILE?: string | undefined;
  DATABASE_URL: string;
  SLACK_SIGNING_SECRET: string;
}

/**
 * Where the generated key lives: the configured file, else `ballot.key` beside a SQLite database
 * file, or `./data/ballot.key` when the database is a server (`postgres://…`, no folder to share).
 */
export function ballotKeyPath(settings: Pick<BallotKeySettings, 'ALLIANCE_BALLOT_KEY_FILE' | 'DATABASE_URL'>): string {
  if (settings.ALLIANCE_BALLOT_KEY_FILE !== undefined) return settings.ALLIANCE_BALLOT_KEY_FILE;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(settings.DATABASE_URL)) return join('data', 'ballot.key');
  return join(dirname(settings.DATABASE_URL), 'ballot.key');
}

/** The key older installations used: derived from the signing secret (so it changed when the secret rotated). */
export const legacyBallotKey = (signingSecret: string): string => createHash('sha256').update(`ballots:${signingSecret}`).digest('hex');

const KEY_PATTERN = /^[0-9a-f]{64}$/;

async function hasOpenAnonymousBallots(db: Storage): Promise<boolean> {
  const [row] = await db.rows<{ n: number }>(sql`select count(*) as n from ballots join votes on votes.id = ballots.vote_id where votes.anonymous = 1 and votes.status = 'open'`);
  return Number(row?.n ?? 0) > 0;
}

/**
 * Whether `key` is the one this database's ballots were cast under. Every ballot stores a keyed
 * hash of who cast it (`cast_by_hash`, under its vote's key: the deployment's or the workspace's
 * derived from it); for a ballot that also names its caster (not anonymous) the hash can be
 * recomputed. Undefined when no such ballot exists to tell.
 */
async function castUnder(db: Storage, key: string): Promise<boolean | undefined> {
  const [row] = await db.rows<{ voteId: number; castBy: string; castByHash: string; workspaceId: string; ballotKeyScheme: number }>(
    sql`select b.vote_id as "voteId", b.cast_by as "castBy", b.cast_by_hash as "castByHash", v.team_id as "workspaceId", v.ballot_key_scheme as "ballotKeyScheme"
        from ballots b join votes v on v.id = b.vote_id where b.cast_by is not null order by b.id desc limit 1`,
  );
  return row === undefined ? undefined : personHash(voteBallotKey(key, row), row.voteId, row.castBy) === row.castByHash;
}

const CHECK_NAME = 'ballot_key';
const CHECK_LABEL = 'alliance ballot key check v1';

/** What the database keeps of the key: an HMAC of a fixed label, which tells whether a key is the same and nothing else. */
export const ballotKeyCheckValue = (key: string): string => createHmac('sha256', key).update(CHECK_LABEL).digest('hex');

async function storedCheck(db: Storage): Promise<{ checkValue: string; storedAt: number } | undefined> {
  return await db.select({ checkValue: keyChecks.checkValue, storedAt: keyChecks.storedAt }).from(keyChecks).where(eq(keyChecks.name, CHECK_NAME)).get();
}

const CHANGE_ON_PURPOSE =
  "To change the ballot key on purpose: wait until no anonymous vote is open, stop every instance, run `delete from key_checks where name = 'ballot_key'` on the database, then start them all with the new key.";

/**
 * Holds `key` to the check value stored in the database: stores it on the first start (several
 * instances starting at once: the first insert wins and the others compare against it), refuses a
 * different key afterwards. On that first start, a key that provably is not the one open anonymous
 * votes' ballots were cast under (an upgrade that brought a new ALLIANCE_BALLOT_SECRET instead of the
 * old key) is refused as well.
 */
async function holdToStoredCheck(db: Storage, key: string, source: string, now: Date): Promise<void> {
  const value = ballotKeyCheckValue(key);
  let stored = await storedCheck(db);
  if (stored === undefined) {
    if ((await hasOpenAnonymousBallots(db)) && (await castUnder(db, key)) === false) {
      throw new BallotKeyStartError(
        `Alliance cannot start: ${source} is not the ballot key the ballots of open anonymous votes were cast under, so their voters could vote again. ` +
          'Give it the key they were cast under (the ballot.key file the instances used: ALLIANCE_BALLOT_SECRET may be set to its contents), then start again.',
      );
    }
    await db.insert(keyChecks).values({ name: CHECK_NAME, checkValue: value, storedAt: now.getTime() }).onConflictDoNothing().run();
    stored = await storedCheck(db);
    if (stored === undefined) throw new Error('the ballot key check value was stored but cannot be read back');
  }
  if (stored.checkValue !== value) {
    throw new BallotKeyStartError(
      `Alliance cannot start: ${source} is not the ballot key this database has been used with since ${new Date(stored.storedAt).toISOString()} (its check value differs). ` +
        'A different key gives every anonymous voter a new ballot key, so they could vote again, and instances with different keys would each take their ballot. ' +
        `Use the same key as before and on every instance (ALLIANCE_BALLOT_SECRET from your secret store, or the ballot.key file from your backups). ${CHANGE_ON_PURPOSE}`,
    );
  }
}

function readKey(path: string): string {
  const key = readFileSync(path, 'utf8').trim();
  if (!KEY_PATTERN.test(key)) throw new BallotKeyStartError(`Alliance cannot start: the ballot key file ${path} is damaged (expected 64 hex characters). Restore it from where you keep secrets; a new key would let anonymous voters vote again on open votes.`);
  return key;
}

/**
 * The deployment's ballot key: the configured secret, or the key file, created once (race-free:
 * `wx`) when missing; either way held to the check value stored in the database. Call after migrating.
 */
export async function loadBallotKey(settings: BallotKeySettings, db: Storage, logger: AppLogger, now: Date = new Date()): Promise<string> {
  if (settings.ALLIANCE_BALLOT_SECRET !== undefined) {
    await holdToStoredCheck(db, settings.ALLIANCE_BALLOT_SECRET, 'ALLIANCE_BALLOT_SECRET', now);
    return settings.ALLIANCE_BALLOT_SECRET;
  }
  const path = ballotKeyPath(settings);
  const key = await keyFromFile(settings, path, db, logger);
  await holdToStoredCheck(db, key, `the key in ${path}`, now);
  return key;
}

async function keyFromFile(settings: BallotKeySettings, path: string, db: Storage, logger: AppLogger): Promise<string> {
  try {
    return readKey(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const stored = await storedCheck(db);
  const legacyKey = legacyBallotKey(settings.SLACK_SIGNING_SECRET);
  if (stored !== undefined && stored.checkValue !== ballotKeyCheckValue(legacyKey)) {
    // This database has been used with a key, and the file that held it is gone: a new key would
    // give every anonymous voter of an open vote a second ballot.
    throw new BallotKeyStartError(
      `Alliance cannot start: the ballot key file ${path} is missing, and this database has been used with a ballot key since ${new Date(stored.storedAt).toISOString()}. ` +
        `Restore ballot.key from your backups (or set ALLIANCE_BALLOT_SECRET to the key), then start again. ${CHANGE_ON_PURPOSE}`,
    );
  }
  const legacy = stored !== undefined || (await hasOpenAnonymousBallots(db));
  if (stored === undefined && legacy && (await castUnder(db, legacyKey)) === false) {
    // The ballots were cast under another key: the file was lost (or the signing secret changed
    // before upgrading). A new key would give every anonymous voter of an open vote a second ballot.
    throw new BallotKeyStartError(
      `Alliance cannot start: the ballot key file ${path} is missing, and open anonymous votes have ballots cast under a key that is not the one derived from this signing secret. ` +
        'Restore ballot.key from your backups (or set ALLIANCE_BALLOT_SECRET to the key), then start again.',
    );
  }
  const key = legacy ? legacyKey : randomBytes(32).toString('hex');
  mkdirSync(dirname(path), { recursive: true });
  // Written whole under a private name, then linked into place: link() fails if the file exists and
  // is atomic, so an instance starting at the same moment never reads a half-written key.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(draft, `${key}\n`, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    // Another instance created it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKey(path);
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  if (legacy) {
    logger.event('warn', 'ballot key: kept the key derived from the signing secret, because this database\'s ballots are keyed with it; it is now fixed in the key file and no longer follows the signing secret', { path });
  } else {
    logger.event('info', 'ballot key: generated a new key for anonymous ballots; back it up with your secrets, apart from the database', { path });
  }
  return key;
}
