import type { App, ReceiverEvent } from '@slack/bolt';
import type { AppLogger } from '../logger.js';

/**
 * better-sqlite3 is synchronous: while it waits for another process's write lock (busy_timeout)
 * the whole event loop waits with it, and no other request is answered. So the busy timeout is
 * short (`BUSY_TIMEOUT_MS` in src/db/open.ts) and a request that still finds the database locked
 * before it has answered is run again from the start after an asynchronous pause, while other
 * requests go on. Its writes rolled back with the failed statement, and nothing was answered yet,
 * so a second run is the first one again. Requests already answered (a button acks before its
 * work) are not run again: they end in the one error path, which tells the person.
 */

/** Time after which a request stops retrying, so it still answers within Slack's 3 seconds. */
export const BUSY_RETRY_BUDGET_MS = 1_500;

/** Put in every request's context by `retryWhenDatabaseBusy`; read by `requestGuard`. */
export interface BusyRetry {
  /** True while another attempt fits in the budget and nothing has been answered. */
  mayRetry(): boolean;
  /** Asks for the request to be run again (instead of answering with an error). */
  retry(): void;
}

/** SQLITE_BUSY (and its extended codes), however deep a wrapper (drizzle, Bolt) put it. */
export function isDatabaseBusy(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
    current = (current as { cause?: unknown; original?: unknown }).cause ?? (current as { original?: unknown }).original;
  }
  return false;
}

/** 20, 40, 80, 160, 320 ms, then 320 ms: short first, as most locks are held for milliseconds. */
export const busyBackoffMs = (attempt: number): number => Math.min(320, 20 * 2 ** (attempt - 1));

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wraps `app.processEvent` (which both the HTTP and the Socket Mode receiver call) so a request
 * whose listener asked for it (through `BusyRetry` in its context) is processed again.
 */
export function retryWhenDatabaseBusy(app: App, logger: AppLogger, budgetMs = BUSY_RETRY_BUDGET_MS): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent): Promise<void> => {
    const started = Date.now();
    let acked = false;
    const ack = (response?: Parameters<ReceiverEvent['ack']>[0]): Promise<void> => {
      acked = true;
      return event.ack(response);
    };
    for (let attempt = 1; ; attempt++) {
      let requested = false;
      const busyRetry: BusyRetry = {
        mayRetry: () => !acked && Date.now() - started < budgetMs,
        retry: () => {
          requested = true;
        },
      };
      await processEvent({ ...event, ack, customProperties: { ...event.customProperties, ackProbe: () => acked, busyRetry } });
      if (!requested) return;
      logger.event('debug', 'database busy: request will run again', { attempt, ms: Date.now() - started });
      await pause(busyBackoffMs(attempt));
    }
  };
}

export function busyRetryOf(context: Record<string, unknown>): BusyRetry | undefined {
  const candidate = context.busyRetry as Partial<BusyRetry> | undefined;
  return typeof candidate?.mayRetry === 'function' && typeof candidate.retry === 'function' ? (candidate as BusyRetry) : undefined;
}

/**
 * Work after the ack (an event's writes: Bolt answers events before the listener runs) cannot be
 * re-run by `retryWhenDatabaseBusy`, and nobody is waiting on a 3-second answer. So a write there
 * that finds another process holding the write lock past the short busy timeout waits
 * asynchronously and tries again, up to this long, instead of being lost.
 */
export const AFTER_ACK_BUSY_BUDGET_MS = 15_000;

/**
 * Runs `work` (one immediate transaction: on SQLITE_BUSY it rolled back and wrote nothing) again
 * after an asynchronous pause while the database is busy, until `budgetMs` has passed.
 */
export async function retryWhileBusy<T>(work: () => T | Promise<T>, budgetMs = AFTER_ACK_BUSY_BUDGET_MS): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseBusy(error) || Date.now() - started >= budgetMs) throw error;
    }
    await pause(busyBackoffMs(attempt));
  }
}
