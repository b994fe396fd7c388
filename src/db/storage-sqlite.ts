import type Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { Mutex } from './mutex.js';
import { asStorage, currentTransaction, markAutoIds, runInTransaction, type Storage } from './storage.js';

type Method = 'run' | 'all' | 'values' | 'get';

const dialect = new SQLiteSyncDialect();

/**
 * How long a transaction waits for another process's write lock before it fails with SQLITE_BUSY.
 * Another instance's transactions hold the lock for milliseconds, so this is mostly never reached;
 * it stays well under the request-level retry budget (BUSY_RETRY_BUDGET_MS in
 * src/slack/busy-retry.ts, 1.5 s) so that a request still gets run again, and answered in time,
 * when the lock is held longer (a backup, a stuck process).
 */
export const BEGIN_BUSY_BUDGET_MS = 500;

/** 2, 4, 8, 16, 32 ms, then 40 ms: most locks are let go within a few milliseconds. */
const beginBackoffMs = (attempt: number): number => Math.min(40, 2 ** attempt);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isBusy = (error: unknown): boolean => typeof (error as { code?: unknown } | null)?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_BUSY');


/**
 * The SQLite engine: the one better-sqlite3 connection, used asynchronously. A transaction holds
 * the connection from BEGIN IMMEDIATE to COMMIT while its work awaits, so everything else that
 * wants the connection (another transaction, or a single statement outside one) waits on a FIFO
 * mutex: nothing ever runs inside someone else's open transaction. Within a transaction's own
 * async flow the storage (and any repository holding it) runs on the transaction. Across
 * processes, BEGIN IMMEDIATE takes SQLite's write lock (waiting up to the busy timeout) before the
 * work reads anything, so a write that reads first decides from rows nobody else is changing.
 * When another process holds that lock, nothing blocks the event loop waiting for it: the
 * connection's busy timeout is 0 while this storage uses it, so BEGIN (or a single write outside a
 * transaction) fails at once, the connection is handed to whoever waits for it, and it is tried
 * again after an asynchronous pause: a transaction for up to `busyBudgetMs`, a single statement
 * for up to the busy timeout the connection was opened with (BUSY_TIMEOUT_MS, src/db/open.ts); then
 * SQLITE_BUSY is thrown, with nothing done. (Setting the timeout once, rather than turning it off
 * around each BEGIN and back on, saves three statements per transaction.)
 */
export function sqliteStorage(
  sqlite: Database.Database,
  description = sqlite.name,
  options: { closeConnection?: boolean; busyBudgetMs?: number } = {},
): Storage {
  const busyBudgetMs = options.busyBudgetMs ?? BEGIN_BUSY_BUDGET_MS;
  // What the connection was opened with becomes the budget of a single statement's asynchronous retries.
  const openedBusyTimeoutMs = Number(sqlite.pragma('busy_timeout', { simple: true }));
  sqlite.pragma('busy_timeout = 0');
  markAutoIds();
  const mutex = new Mutex();
  // This storage's key to the transaction the current async flow is inside, if any (see storage.ts).
  const owner = {};
  const insideOpenTransaction = (): boolean => currentTransaction<{ open: boolean }>(owner)?.open === true;
  const statements = new Map<string, Database.Statement>();
  const statement = (text: string): Database.Statement => {
    let s = statements.get(text);
    if (s === undefined) {
      s = sqlite.prepare(text);
      // Generated SQL repeats; a bounded cache keeps the hot statements compiled.
      if (statements.size >= 500) statements.delete(statements.keys().next().value as string);
      statements.set(text, s);
    }
    return s;
  };

  const exec = (text: string, params: unknown[], method: Method): { rows: unknown[]; changes?: number } => {
    const s = statement(text);
    if (method === 'run' || !s.reader) {
      const result = s.run(...params);
      return { rows: [], changes: result.changes };
    }
    if (method === 'get') return { rows: s.raw(true).get(...params) as unknown[] };
    return { rows: s.raw(true).all(...params) };
  };
  const objects = (query: SQL): Record<string, unknown>[] => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    const s = statement(text);
    return s.reader ? (s.raw(false).all(...params) as Record<string, unknown>[]) : (s.run(...params), []);
  };
  const changes = (query: SQL): number => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return statement(text).run(...params).changes;
  };

  // BEGIN IMMEDIATE without waiting (busy_timeout is 0): SQLite's SQLITE_BUSY when another process holds the write lock.
  const beginAtOnce = (): { busy: unknown } | undefined => {
    try {
      statement('begin immediate').run();
      return undefined;
    } catch (error) {
      if (isBusy(error)) return { busy: error };
      throw error;
    }
  };

  // Inside this flow's open transaction: straight on the connection it holds. Otherwise one
  // statement at a time through the mutex, never inside someone else's open transaction; a
  // statement that finds another process's write lock (it had no effect) goes again after an
  // asynchronous pause, while others use the connection.
  const guarded = async <T>(work: () => T): Promise<T> => {
    if (insideOpenTransaction()) return work();
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const outcome = await mutex.run((): { done: T } | { busy: unknown } => {
        try {
          return { done: work() };
        } catch (error) {
          if (isBusy(error)) return { busy: error };
          throw error;
        }
      });
      if ('done' in outcome) return outcome.done;
      if (Date.now() - started >= openedBusyTimeoutMs) throw outcome.busy;
      await pause(beginBackoffMs(attempt));
    }
  };

  let closed = false;
  const storage: Storage = asStorage(
    drizzle(async (text, params, method) => guarded(() => exec(text, params, method))),
    {
      engine: 'sqlite',
      description,
      rows: async <T extends Record<string, unknown>>(query: SQL) => (await guarded(() => objects(query))) as T[],
      execute: (query: SQL) => guarded(() => changes(query)),
      // One writer: a named turn (options.turn, for PostgreSQL) changes nothing here.
      transaction: async <T>(work: (tx: Storage) => Promise<T>): Promise<T> => {
        // A transaction inside a transaction is part of it (all or nothing together).
        if (insideOpenTransaction()) return work(storage);
        const started = Date.now();
        for (let attempt = 1; ; attempt++) {
          const outcome = await mutex.run(async (): Promise<{ result: T } | { busy: unknown }> => {
            const locked = beginAtOnce();
            if (locked !== undefined) return locked;
            const state = { open: true };
            try {
              const result = await runInTransaction(owner, state, () => work(storage));
              statement('commit').run();
              return { result };
            } catch (error) {
              if (sqlite.inTransaction) statement('rollback').run();
              throw error;
            } finally {
              state.open = false;
            }
          });
          if ('result' in outcome) return outcome.result;
          // SQLite's own SQLITE_BUSY, so callers' busy handling (src/slack/busy-retry.ts) applies.
          if (Date.now() - started >= busyBudgetMs) throw outcome.busy;
          await pause(beginBackoffMs(attempt));
        }
      },
      healthy: async () => {
        try {
          return !closed && sqlite.prepare('select 1 as ok').get() !== undefined;
        } catch {
          return false;
        }
      },
      close: async () => {
        if (closed) return;
        closed = true;
        // Let queued work finish before the connection goes.
        await mutex.run(() => undefined);
        if (options.closeConnection !== false) sqlite.close();
        else sqlite.pragma(`busy_timeout = ${openedBusyTimeoutMs}`);
      },
    },
  );
  return storage;
}
