import { AsyncLocalStorage } from 'node:async_hooks';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';
import { getTableConfig, SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as schema from './schema.js';

/*
 * The asynchronous storage layer: one interface, two engines.
 *
 * Queries are written once with drizzle's SQLite query builder against ./schema.ts (async flavour:
 * every `.all()`, `.get()`, `.run()` returns a promise). The SQL it produces (double-quoted names,
 * `?` parameters, ON CONFLICT, RETURNING) is also PostgreSQL's, so each engine only runs it: the
 * SQLite engine on its one better-sqlite3 connection, the PostgreSQL engine on a node-postgres pool
 * with `?` turned into `$n` (see storage-pg.ts). The PostgreSQL tables are derived from the same
 * definitions (./schema-pg.ts).
 *
 * Hand-written SQL (`rows`, `execute`) must stay in the common subset: quote camelCase aliases
 * (`as "voteId"`, PostgreSQL folds unquoted names to lower case), no SQLite-only functions.
 */

export type Engine = 'sqlite' | 'postgres';

/** drizzle's async SQLite-dialect query builder (without its own transactions: see Storage.transaction). */
export type Query = Omit<SqliteRemoteDatabase<Record<string, never>>, 'transaction' | 'batch'>;

/**
 * The database: drizzle's query builder (`await db.select()…all()`, `.get()`, `.run()`) plus
 * hand-written SQL and transactions. The same object serves inside and outside transactions: which
 * connection a statement uses follows the async flow (see `transaction`).
 */
export interface Storage extends Query {
  readonly engine: Engine;
  /** Where the data is, without secrets (for logs and /healthz). */
  readonly description: string;
  /** The storage itself (older call sites read `x.db`). */
  readonly db: Storage;
  /** Hand-written SQL; rows as objects keyed by column alias. */
  rows<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Hand-written SQL that writes; the number of rows it changed. */
  execute(query: SQL): Promise<number>;
  /**
   * Runs `work` in one transaction and returns its result. Transactions never interleave and
   * behave as if run one after another: on SQLite they are serialized on the single connection
   * (BEGIN IMMEDIATE, one at a time); on PostgreSQL they are SERIALIZABLE on a pooled connection
   * and re-run from the start when PostgreSQL reports a conflict, so `work` must only touch the
   * database (no Slack calls). Inside `work` (its whole async flow), the storage (`tx` is the
   * same object) and anything holding it (repositories) run on the transaction; a transaction
   * started inside it joins it. Work merely *started* there that runs after the commit (a kick
   * of the outbox) uses the storage normally.
   *
   * `options.turn` names what the transaction contends for (`issue-number:<team id>`): on
   * PostgreSQL, transactions naming the same turn take turns, and run beside those naming another
   * (or none, which share one turn); SERIALIZABLE keeps the outcome that of some order either way.
   * SQLite has one writer and ignores it.
   */
  transaction<T>(work: (tx: Storage) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Answers a trivial query within a deadline. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /** What the transaction contends for; see `Storage.transaction`. */
  turn?: string;
}

/*
 * Which transactions the current async flow is inside: per storage (an engine's own token), the
 * engine's state of that transaction. One scope for every storage, so that `outsideTransactions`
 * can leave all of them at once.
 */
const transactionScope = new AsyncLocalStorage<ReadonlyMap<object, unknown>>();

/** The state of `owner`'s transaction this async flow is inside, if any (for the engines). */
export function currentTransaction<S>(owner: object): S | undefined {
  return transactionScope.getStore()?.get(owner) as S | undefined;
}

/** Runs `work` (and everything its async flow does) inside `owner`'s transaction `state` (for the engines). */
export function runInTransaction<S, T>(owner: object, state: S, work: () => T): T {
  return transactionScope.run(new Map(transactionScope.getStore() ?? []).set(owner, state), work);
}

/**
 * Runs `work` outside every transaction the caller may be in: what it starts (a job kicked from
 * inside a transaction, whose own statements and transactions must stand alone) uses the storage
 * as if called from nowhere, and is neither rolled back nor re-run with the caller's transaction.
 * Start such work, do not await it inside the transaction: a transaction it runs waits for the
 * caller's to end (they take turns), so awaiting it there would wait forever.
 */
export function outsideTransactions<T>(work: () => T): T {
  return transactionScope.exit(work);
}

/** Kept for readability where code runs inside a transaction: the same object as Storage. */
export type Session = Storage;

/** drizzle's own db.transaction() would bypass the engine's serialization; Storage.transaction replaces it. */
export function asStorage(query: SqliteRemoteDatabase<Record<string, never>>, extras: Omit<Storage, keyof Query | 'db'>): Storage {
  const storage = Object.assign(query, extras) as unknown as Storage & { db: Storage; batch?: unknown };
  Object.defineProperty(storage, 'db', { value: storage, enumerable: false });
  storage.batch = () => {
    throw new Error('batch() is not supported; use storage.transaction()');
  };
  return storage;
}

/** How many rows a `.run()` changed, on either engine. */
export function affectedRows(result: unknown): number {
  const changes = (result as { changes?: unknown } | undefined)?.changes;
  return typeof changes === 'number' ? changes : 0;
}

/**
 * drizzle wraps a driver's error in its own ("Failed query: …") with the original as `cause`;
 * this walks the chain to the first error that has `what`.
 */
export function findCause<T>(error: unknown, what: (e: unknown) => e is T): T | undefined {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (what(e)) return e;
  }
  return undefined;
}

/** The SQLSTATE (PostgreSQL) or SQLite error code of a failed query, wherever it is in the cause chain. */
export function databaseErrorCode(error: unknown): string | undefined {
  const found = findCause(error, (e): e is { code: string } => typeof (e as { code?: unknown })?.code === 'string');
  return found?.code;
}

/** A unique index refused the row: SQLITE_CONSTRAINT_UNIQUE (or the primary key's) on SQLite, 23505 on PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const code = databaseErrorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The SQLite dialect inserts `null` for an autoincrement id left out of an insert; SQLite then picks
 * the next id, but PostgreSQL refuses null in a bigserial. So those columns get a default that
 * renders as `null /*auto-id*\/`: SQLite ignores the comment, the PostgreSQL engine replaces it
 * with `default`.
 */
export const AUTO_ID_MARKER = 'null /*auto-id*/';
let autoIdsMarked = false;
export function markAutoIds(): void {
  if (autoIdsMarked) return;
  autoIdsMarked = true;
  for (const table of Object.values(schema)) {
    if (!(table instanceof SQLiteTable)) continue;
    for (const column of getTableConfig(table).columns as SQLiteColumn[]) {
      if ((column as unknown as { autoIncrement?: boolean }).autoIncrement === true && column.defaultFn === undefined) {
        (column as unknown as { defaultFn: () => SQL }).defaultFn = () => sql.raw(AUTO_ID_MARKER);
      }
    }
  }
}
