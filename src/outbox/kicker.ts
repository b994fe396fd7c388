import { outsideTransactions } from '../db/storage.js';
import type { AppLogger } from '../logger.js';

/**
 * Runs a job soon after something asks for it (a listener that just queued a message), never two
 * at once in this process, and once more if asked while running (asked before it started: the
 * run about to start covers that). Failures are logged by the
 * job's own error path; the next kick or the periodic schedule tries again.
 */
export class Kicker {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private wake: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly name: string,
    private readonly job: () => Promise<unknown>,
    private readonly logger: AppLogger,
    /**
     * Start a run only after the requests already waiting for the event loop: in a burst, each of
     * them queues a message and kicks, and one run then takes all their rows (one claiming
     * transaction) instead of one run per request that finds one row. For the outbox.
     */
    private readonly options: { afterWaitingRequests?: boolean } = {},
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    // Outside the caller's transaction, if it is in one: the job's statements and transactions
    // stand alone instead of joining (and rolling back or re-running with) the caller's.
    this.running = outsideTransactions(() => this.loop()).finally(() => {
      this.running = undefined;
    });
  }

  /**
   * Runs the job again in `ms` (real time), e.g. when a paced refresh or a retry becomes due
   * before the periodic tick; only the earliest wake-up is kept. Never keeps the process alive.
   */
  kickIn(ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + Math.max(10, ms);
    if (this.wake !== undefined && this.wake.at <= at) return;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    const timer = setTimeout(() => {
      this.wake = undefined;
      this.kick();
    }, at - Date.now());
    timer.unref();
    this.wake = { at, timer };
  }

  /** Resolves when no run is in progress (used at shutdown and by tests). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    this.wake = undefined;
    await this.idle();
  }

  private async loop(): Promise<void> {
    if (this.options.afterWaitingRequests === true) await new Promise<void>((resolve) => setImmediate(resolve));
    do {
      this.again = false;
      try {
        await this.job();
      } catch (error) {
        this.logger.event('error', 'job failed', { job: this.name, error });
      }
    } while (this.again && !this.stopped);
  }
}
