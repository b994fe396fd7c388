/**
 * The key of the keyed hash that hides who cast an anonymous ballot. It must never change while a
 * vote is open (a new key gives every voter a new ballot key, so each could vote again) and must
 * not be readable by whoever can read the database or the app's settings in Slack:
 *
 * - `ALLIANCE_BALLOT_SECRET`, when set, is the key (keep it in your secret store);
 * - otherwise a random key is generated once, on first start, into `ALLIANCE_BALLOT_KEY_FILE`
 *   (default: `ballot.key` beside the database), readable by the app's user only, and read from
 *   there on every later start. It is not in the database, so a copy of the database (a backup)
 *   does not carry it, and rotating the signing secret does not change it.
 *
 * Installations from before this file existed derived the key from the signing secret; if such a
 * database already holds anonymous ballots of open votes, the first start writes that derived key
 * to the file (so those voters keep their one ballot) and warns; from then on the file is the key
 * and the signing secret can be rotated freely. A missing file with open anonymous ballots that were
 * provably cast under another key (a lost file) stops start-up instead of minting a new key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Storage } from '../../db/storage.js';
import type { AppLogger } from '../../logger.js';
import { personHash } from './rules.js';

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
 * hash of who cast it (`cast_by_hash`); for a ballot that also names its caster (not anonymous)
 * the hash can be recomputed. Undefined when no such ballot exists to tell.
 */
async function castUnder(db: Storage, key: string): Promise<boolean | undefined> {
  const [row] = await db.rows<{ voteId: number; castBy: string; castByHash: string }>(
    sql`select vote_id as "voteId", cast_by as "castBy", cast_by_hash as "castByHash" from ballots where cast_by is not null order by id desc limit 1`,
  );
  return row === undefined ? undefined : personHash(key, row.voteId, row.castBy) === row.castByHash;
}

function readKey(path: string): string {
  const key = readFileSync(path, 'utf8').trim();
  if (!KEY_PATTERN.test(key)) throw new Error(`The ballot key file ${path} is damaged (expected 64 hex characters). Restore it from where you keep secrets; a new key would let anonymous voters vote again on open votes.`);
  return key;
}

/** The ballot key: the configured secret, or the key file, created once (race-free: `wx`) when missing. */
export async function loadBallotKey(settings: BallotKeySettings, db: Storage, logger: AppLogger): Promise<string> {
  if (settings.ALLIANCE_BALLOT_SECRET !== undefined) return settings.ALLIANCE_BALLOT_SECRET;
  const path = ballotKeyPath(settings);
  try {
    return readKey(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const legacy = await hasOpenAnonymousBallots(db);
  if (legacy && (await castUnder(db, legacyBallotKey(settings.SLACK_SIGNING_SECRET))) === false) {
    // The ballots were cast under another key: the file was lost (or the signing secret changed
    // before upgrading). A new key would give every anonymous voter of an open vote a second ballot.
    throw new Error(
      `The ballot key file ${path} is missing, and open anonymous votes have ballots cast under a key that is not the one derived from this signing secret. ` +
        'Restore ballot.key from your backups (or set ALLIANCE_BALLOT_SECRET to the key), then start again.',
    );
  }
  const key = legacy ? legacyBallotKey(settings.SLACK_SIGNING_SECRET) : randomBytes(32).toString('hex');
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
    logger.event('warn', 'ballot key: kept the key derived from the signing secret, because open anonymous votes already have ballots under it; it is now fixed in the key file and no longer follows the signing secret', { path });
  } else {
    logger.event('info', 'ballot key: generated a new key for anonymous ballots; back it up with your secrets, apart from the database', { path });
  }
  return key;
}
