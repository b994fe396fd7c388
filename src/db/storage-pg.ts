import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { Mutex } from './mutex.js';
import { asStorage, AUTO_ID_MARKER, currentTransaction, databaseErrorCode, markAutoIds, runInTransaction, type Storage, type TransactionOptions } from './storage.js';

type Method = 'run' | 'all' | 'values' | 'get';
type Queryable = Pick<pg.PoolClient, 'query'>;

const dialect = new SQLiteSyncDialect();

/** bigint and numeric come back as JS numbers, as SQLite's integers and reals do (our ids and epoch ms fit). */
export const postgresTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === Number(pg.types.builtins.INT8) || oid === Number(pg.types.builtins.NUMERIC)) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

/**
 * drizzle's SQLite dialect writes `?` for parameters; PostgreSQL wants `$1`, `$2`… Quoted strings,
 * quoted names and comments are copied untouched. An autoincrement id left out of an insert
 * becomes `default` (see AUTO_ID_MARKER).
 */
export function toPostgresSql(text: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = closing(text, i, c);
      out += text.slice(i, end + 1);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      if (text.startsWith(AUTO_ID_MARKER, i - 5) && out.endsWith('null ')) {
        out = out.slice(0, -'null '.length) + 'default';
        i = text.indexOf('*/', i) + 1;
        continue;
      }
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length - 1 : end + 1;
      out += text.slice(i, stop + 1);
      i = stop;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length - 1 : end;
      out += text.slice(i, stop + 1);
      i = stop;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return unqualifyConflictTarget(out);
}

/**
 * drizzle's SQLite dialect qualifies an upsert's conflict target (`on conflict ("t"."a", "t"."b")`),
 * which SQLite accepts and PostgreSQL rejects as a syntax error: the columns are named bare there.
 */
function unqualifyConflictTarget(text: string): string {
  return text.replace(/ on conflict \(((?:"[^"]+"\."[^"]+"(?:, )?)+)\)/g, (_match, target: string) => ` on conflict (${target.replace(/"[^"]+"\.("[^"]+")/g, '$1')})`);
}

function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i;
    } else i++;
  }
  return text.length - 1;
}

/** serialization_failure and deadlock_detected: the transaction is re-run (up to `retries` times). */
const CONFLICTS = new Set(['40001', '40P01']);
/**
 * unique_violation: PostgreSQL may report two transactions that both read max(number) and insert
 * max+1 as a unique violation rather than a serialization failure; run one after the other, the
 * second would have read the first's row, so it is re-run too, but only this often: a genuine
 * duplicate fails the same way on every run, and must not hold the turn while it is retried.
 */
const UNIQUE_VIOLATION = '23505';
const UNIQUE_VIOLATION_RETRIES = 2;

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** How many times a transaction is re-run after a serialization conflict (default 20). */
  retries?: number;
  /**
   * Transactions take turns across every instance on the database (default true; see
   * TRANSACTION_LOCK_KEY). false leaves them to SERIALIZABLE and re-runs alone (the storage tests
   * use it to prove those alone keep the outcome right).
   */
  takeTurns?: boolean;
}

/** A fixed key for the migration lock (any bigint; this one spells "alliance"). */
export const MIGRATION_LOCK_KEY = 0x616c6c69616e6365n;
/** The key of the lock transactions take turns on (see postgresStorage). */
export const TRANSACTION_LOCK_KEY = MIGRATION_LOCK_KEY + 1n;
/**
 * The first key of the two-key advisory locks of named turns (the second is PostgreSQL's hash of
 * the name): a key space apart from the one-key locks above. Two names whose hashes collide share
 * a turn, which costs waiting, never correctness.
 */
export const NAMED_TURN_LOCK_CLASS = 0x616c6c69;
/** How long PostgreSQL lets one of our transactions wait on its client before ending its session. */
export const IDLE_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * The PostgreSQL engine: statements outside a transaction go to any pooled connection; a
 * transaction takes one connection for its whole life and runs SERIALIZABLE, the guarantee SQLite
 * gives by having one writer: whatever interleaving the instances produce, the outcome is that of
 * some order one after another. When PostgreSQL detects that it could not be (SQLSTATE 40001, or a
 * deadlock), the transaction is rolled back and its work re-run from the start after a short,
 * random pause.
 *
 * Re-running alone does not scale with contention: when dozens of transactions numbering issues
 * max+1 for one team start together, each round commits one and conflicts the rest, so the last
 * one runs dozens of times, past Slack's 3-second deadline. So transactions also take turns, as
 * SQLite's do: one at a time per instance (a mutex, so waiting ones hold no pooled connection), and
 * one at a time across instances (a session advisory lock on TRANSACTION_LOCK_KEY taken before
 * BEGIN, so the snapshot is taken after the previous holder committed, and let go after COMMIT).
 * A process that dies holding it loses its session, and PostgreSQL lets the lock go with it.
 * Statements outside transactions do not wait for the turn; SERIALIZABLE and the re-runs remain
 * for conflicts with them.
 */
export function postgresStorage(url: string, options: PostgresOptions = {}): Storage {
  markAutoIds();
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: postgresTypes,
    // A transaction's session that waits on its client this long has lost it (a machine gone
    // without closing its connection): PostgreSQL ends it, and with it the turn it held, instead of
    // leaving every instance waiting until TCP notices. Transactions only touch the database.
    idle_in_transaction_session_timeout: IDLE_TRANSACTION_TIMEOUT_MS,
  });
  // An idle pooled connection that the server drops must not crash the process.
  pool.on('error', () => undefined);
  // The transaction the current async flow is inside, if any: the storage runs on its connection.
  // (This storage's key to it: see storage.ts.)
  const owner = {};
  const openTransaction = (): { open: boolean; client: pg.PoolClient } | undefined => {
    const state = currentTransaction<{ open: boolean; client: pg.PoolClient }>(owner);
    return state?.open === true ? state : undefined;
  };
  const retries = options.retries ?? 20;
  const takeTurns = options.takeTurns ?? true;
  // This instance's queue for each turn (the unnamed one is ''): waiting transactions hold no pooled connection.
  const turns = new Map<string, Mutex>();
  const takeTurn = async <T>(turn: string, run: () => Promise<T>): Promise<T> => {
    let mutex = turns.get(turn);
    if (mutex === undefined) turns.set(turn, (mutex = new Mutex()));
    try {
      return await mutex.run(run);
    } finally {
      // Named turns come and go (one per issue team, per vote): forget a queue nobody waits in.
      if (!mutex.locked && turns.get(turn) === mutex) turns.delete(turn);
    }
  };
  let closing: Promise<void> | undefined;

  const exec = async (client: Queryable, text: string, params: unknown[], method: Method): Promise<{ rows: unknown[]; changes?: number }> => {
    const query = toPostgresSql(text);
    if (method === 'run') {
      const result = await client.query({ text: query, values: params });
      return { rows: [], changes: result.rowCount ?? 0 };
    }
    const result = await client.query({ text: query, values: params, rowMode: 'array' });
    return { rows: method === 'get' ? (result.rows[0] as unknown[]) : (result.rows) };
  };
  const objects = async (client: Queryable, query: SQL): Promise<Record<string, unknown>[]> => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await client.query<Record<string, unknown>>({ text: toPostgresSql(text), values: params })).rows;
  };
  const changes = async (client: Queryable, query: SQL): Promise<number> => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await client.query({ text: toPostgresSql(text), values: params })).rowCount ?? 0;
  };
  const runTransaction = async <T>(work: (tx: Storage) => Promise<T>, turn: string): Promise<T> => {
    // The turn's advisory lock: the unnamed turn's one key, or the name's two keys.
    const lock = turn === '' ? { take: 'select pg_advisory_lock($1)', give: `select pg_advisory_unlock(${TRANSACTION_LOCK_KEY})`, values: [TRANSACTION_LOCK_KEY.toString()] } : namedTurnLock(turn);
    let uniqueViolations = 0;
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      const state = { open: true, client };
      let broken = false;
      let turnTaken = false;
      try {
        if (takeTurns) {
          await client.query(lock.take, lock.values);
          turnTaken = true;
        }
        // Its own round trip: in one query string with the lock, the snapshot would be taken before the lock was granted.
        await client.query('begin isolation level serializable');
        const result = await runInTransaction(owner, state, () => work(storage));
        if (turnTaken) {
          // COMMIT and giving the turn back in one round trip (the turn is held through every round
          // trip of a transaction, so each one saved is time the others wait less). A COMMIT that
          // fails (a serialization failure) stops the rest of the string: the turn is let go below.
          await client.query(`commit; ${lock.give}`);
          turnTaken = false;
        } else {
          await client.query('commit');
        }
        return result;
      } catch (error) {
        try {
          await client.query('rollback');
        } catch {
          broken = true;
        }
        const code = databaseErrorCode(error);
        if (code === UNIQUE_VIOLATION) uniqueViolations++;
        const again = code !== undefined && attempt <= retries && (CONFLICTS.has(code) || (code === UNIQUE_VIOLATION && uniqueViolations <= UNIQUE_VIOLATION_RETRIES));
        if (!again) throw error;
      } finally {
        state.open = false;
        await letGo(client, turnTaken ? lock : undefined, broken);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(attempt, 10)));
    }
  };
  /** Gives the turn back and the connection to the pool (a broken one is closed, which also ends the turn). */
  const letGo = async (client: pg.PoolClient, turn: { give: string } | undefined, broken: boolean): Promise<void> => {
    let keep = !broken;
    if (turn !== undefined && keep) {
      try {
        await client.query(turn.give);
      } catch {
        keep = false;
      }
    }
    client.release(!keep);
  };
  const current = (): Queryable => openTransaction()?.client ?? pool;

  const description = (() => {
    try {
      const u = new URL(url);
      return `postgres://${u.host}${u.pathname}`;
    } catch {
      return 'postgres';
    }
  })();

  const storage: Storage = asStorage(
    drizzle(async (text, params, method) => exec(current(), text, params, method)),
    {
      engine: 'postgres',
      description,
      rows: async <T extends Record<string, unknown>>(query: SQL) => (await objects(current(), query)) as T[],
      execute: async (query: SQL) => changes(current(), query),
      transaction: async <T>(work: (tx: Storage) => Promise<T>, options?: TransactionOptions): Promise<T> => {
        // A transaction inside a transaction is part of it (all or nothing, re-run together).
        if (openTransaction() !== undefined) return work(storage);
        const turn = options?.turn ?? '';
        return takeTurns ? takeTurn(turn, () => runTransaction(work, turn)) : runTransaction(work, turn);
      },
      healthy: async () => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const answered = pool.query('select 1 as ok').then((r) => r.rows.length === 1);
          const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000)));
          return await Promise.race([answered, late]);
        } catch {
          return false;
        } finally {
          clearTimeout(timer);
        }
      },
      close: () => {
        // Once: stop() after a test closed the storage itself must not fail on a second end().
        closing ??= pool.end();
        return closing;
      },
    },
  );
  return storage;
}

/** A named turn's advisory lock: two keys, NAMED_TURN_LOCK_CLASS and PostgreSQL's hash of the name. */
function namedTurnLock(turn: string): { take: string; give: string; values: unknown[] } {
  const keys = `${NAMED_TURN_LOCK_CLASS}, hashtext(${quoteLiteral(turn)})`;
  return { take: `select pg_advisory_lock(${NAMED_TURN_LOCK_CLASS}, hashtext($1))`, give: `select pg_advisory_unlock(${keys})`, values: [turn] };
}

/** A string as an SQL literal (for the unlock that shares a query string with COMMIT, which takes no parameters). */
function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Applies migrations-pg/ while holding a PostgreSQL advisory lock, so instances starting together
 * migrate one after another: the first applies, the others find everything applied.
 */
export async function migratePostgres(url: string, migrationsFolder: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await migrate(drizzlePg(client), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await client.end();
  }
}
