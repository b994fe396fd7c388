import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

export interface Child {
  process: ChildProcess;
  port: number;
  stop(): Promise<void>;
  /** Resident memory of the process now, and its peak, in MB (Linux /proc). */
  memory(): { rssMb: number; peakMb: number };
  /** Heap in use after a forced full GC, in MB (only for a child started with `heapProbe`). */
  heapAfterGc(): Promise<{ heapUsedMb: number; rssMb: number }>;
}

export interface ChildOptions {
  /** Run the built JavaScript as `npm start` does (`node dist/…`), not TypeScript through tsx. */
  built?: boolean;
  /** Preload bench/heap-probe.mjs with --expose-gc, so heapAfterGc() works. */
  heapProbe?: boolean;
  /** More node flags (a CPU profile, say). */
  nodeArgs?: string[];
}

function readMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 102.4) / 10, peakMb: Math.round(kb('VmHWM') / 102.4) / 10 };
}

async function waitUntil(check: () => Promise<boolean>, what: string, exited: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (exited()) throw new Error(`${what} exited before it was ready`);
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready`);
}

/** Starts a TypeScript entry point as its own process (so load generation does not share its event loop). */
export async function startChild(entry: string, env: Record<string, string>, port: number, ready: (port: number) => Promise<boolean>, options: ChildOptions = {}): Promise<Child> {
  const heapFile = join(root, 'bench', 'results', `.heap-${process.pid}-${port}.json`);
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.heapProbe === true ? ['--expose-gc', '--import', join(root, 'bench', 'heap-probe.mjs')] : []),
    ...(options.built === true ? [] : ['--import', 'tsx']),
    join(root, entry),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), BENCH_HEAP_FILE: heapFile },
    stdio: ['ignore', process.env.BENCH_APP_LOG === undefined ? 'ignore' : 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  try {
    await waitUntil(() => ready(port), entry, () => exited);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    process: child,
    port,
    memory: () => readMemory(child.pid ?? 0),
    heapAfterGc: async () => {
      rmSync(heapFile, { force: true });
      child.kill('SIGUSR2');
      for (let i = 0; i < 200 && !existsSync(heapFile); i++) await new Promise((r) => setTimeout(r, 50));
      const read = JSON.parse(readFileSync(heapFile, 'utf8')) as { heapUsedMb: number; rssMb: number };
      rmSync(heapFile, { force: true });
      return { heapUsedMb: Math.round(read.heapUsedMb * 10) / 10, rssMb: Math.round(read.rssMb * 10) / 10 };
    },
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}

export { freePort } from '../test/rig/free-port.js';
