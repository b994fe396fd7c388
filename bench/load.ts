import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  non200: number;
  seconds: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export function summarise(latencies: number[], errors: number, non200: number, seconds: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: latencies.length,
    errors,
    non200,
    seconds: round(seconds),
    throughput: round(latencies.length / seconds),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

export interface LoadOptions {
  port: number;
  total: number;
  concurrency: number;
  make: (i: number) => PreparedRequest;
  /** The index of the first request (a run split into slices continues where the last slice ended). */
  first?: number;
  onResponse?: (i: number, status: number, body: string) => void;
}

/** The raw outcome of a run, before summarising (runs of one measurement in slices add up). */
export interface LoadSamples {
  latencies: number[];
  errors: number;
  non200: number;
  seconds: number;
}

/**
 * Sends `total` requests with `concurrency` in flight, over keep-alive connections to a server on
 * loopback only. `make(i)` builds request i (already signed). Latency is until the full response.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const samples = await runLoadSamples(opts);
  return summarise(samples.latencies, samples.errors, samples.non200, samples.seconds);
}

/** Several slices of one measurement as one result: their latencies together, their times added. */
export function combine(slices: LoadSamples[]): LoadResult {
  return summarise(
    slices.flatMap((s) => s.latencies),
    slices.reduce((n, s) => n + s.errors, 0),
    slices.reduce((n, s) => n + s.non200, 0),
    slices.reduce((n, s) => n + s.seconds, 0),
  );
}

export async function runLoadSamples(opts: LoadOptions): Promise<LoadSamples> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let non200 = 0;
  const first = opts.first ?? 0;
  let next = first;
  const started = performance.now();
  const worker = async () => {
    while (next < first + opts.total) {
      const i = next++;
      const prepared = opts.make(i);
      const t0 = performance.now();
      try {
        const { status, body } = await send(agent, opts.port, prepared);
        latencies.push(performance.now() - t0);
        if (status !== 200) non200++;
        opts.onResponse?.(i, status, body);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, errors, non200, seconds };
}

function send(agent: Agent, port: number, prepared: PreparedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: prepared.path, agent, headers: { ...prepared.headers, 'content-length': Buffer.byteLength(prepared.body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(prepared.body);
  });
}
