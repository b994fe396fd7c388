import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';

/*
 * Charts are drawn in a worker thread (./chart-worker.mjs), started when the first chart is wanted
 * and stopped after a quiet minute: Vega, Vega-Lite and resvg are loaded there only, so the app's
 * main thread stays small while idle, and a report's charts do not hold up requests.
 */

const WORKER_URL = new URL('./chart-worker.mjs', import.meta.url);
/** How long the worker stays after its last chart (a report's charts, a digest's teams come in bursts). */
const IDLE_MS = 60_000;

export interface RenderedChart {
  png: Buffer;
  width: number;
  height: number;
}

type Reply = { id: number; png: Uint8Array; width: number; height: number } | { id: number; error: string };

interface Job {
  resolve: (chart: RenderedChart) => void;
  reject: (error: Error) => void;
}

class ChartRenderer {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  /** Starts the worker ahead of the first chart, so Vega loads while the caller reads its data. */
  warmUp(): void {
    this.start();
    this.idleSoon();
  }

  render(spec: TopLevelSpec, scale: number, maxPixels: number): Promise<RenderedChart> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<RenderedChart>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      // While a chart is being drawn the worker keeps the process alive; idle, it does not.
      worker.ref();
      worker.postMessage({ id, spec, scale, maxPixels });
    });
  }

  private start(): Worker {
    clearTimeout(this.idleTimer);
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const job = this.jobs.get(reply.id);
      this.jobs.delete(reply.id);
      if ('error' in reply) job?.reject(new Error(`chart rendering failed: ${reply.error}`));
      else job?.resolve({ png: Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength), width: reply.width, height: reply.height });
      if (this.jobs.size === 0) this.idleSoon();
    });
    // A worker that failed or exited takes its unfinished charts with it; the next chart starts a new one.
    const gone = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      clearTimeout(this.idleTimer);
      for (const job of this.jobs.values()) job.reject(error);
      this.jobs.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the chart worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private idleSoon(): void {
    this.worker?.unref();
    clearTimeout(this.idleTimer);
    // terminate() settles once the thread is gone; nothing waits for it.
    this.idleTimer = setTimeout(() => void this.stop(), IDLE_MS);
    this.idleTimer.unref();
  }

  /** Stops the worker (it is started again by the next chart). */
  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    if (worker === undefined || this.jobs.size > 0) return;
    this.worker = undefined;
    await worker.terminate();
  }
}

/** The app's one chart renderer. */
export const chartRenderer = new ChartRenderer();
