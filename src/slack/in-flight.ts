import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';

/**
 * Work still running after its request was answered. Buttons and forms ack first and work after
 * (the 3-second rule), so when the HTTP response is done the work may not be: a shutdown must wait
 * for it before closing the database, or a click acked just before a deploy is lost.
 */
export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = (): void => {
      this.running.delete(work);
    };
    // Only bookkeeping: the caller awaits `work` itself and its errors go where they always went.
    work.then(done, done);
    return work;
  }

  /**
   * Waits until every tracked piece of work has ended, or `timeoutMs` has passed (a hung listener
   * must not hold a shutdown forever). Returns how many were still running.
   */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    // Work may start more work while we wait (a listener that acks and then continues): loop until quiet.
    while (this.running.size > 0) {
      const settled = Promise.allSettled([...this.running]).then(() => 'settled' as const);
      if ((await Promise.race([settled, deadline.then(() => 'timeout' as const)])) === 'timeout') break;
    }
    clearTimeout(timer);
    return this.running.size;
  }

  /** First global middleware: Bolt's `next()` resolves when the request's listeners have finished. */
  middleware(): Middleware<AnyMiddlewareArgs> {
    return async ({ next }) => {
      await this.track(next());
    };
  }
}
