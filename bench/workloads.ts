import type { FakeSlack } from '../src/fake-slack/types.js';
import type { BenchOptions } from './run.js';
import { measurePair } from './run.js';
import { runLoad } from './load.js';
import type { Signer } from './payloads.js';
import type { Child } from './processes.js';
import type { WorkloadRow } from './report.js';
import { benchChannel, benchUser, TEAM_KEYS } from './seed.js';

export interface WorkloadContext {
  scale: number;
  app: Child;
  baseline: Child;
  signer: Signer;
  fake: FakeSlack;
  dbPath: string;
  seeded: { teamIds: number[] };
  options: BenchOptions;
  log: (line: string) => void;
  workspaceId: string;
}

export interface Workload {
  name: string;
  scales?: (scale: number, options: BenchOptions) => boolean;
  run(context: WorkloadContext): Promise<{ rows: WorkloadRow[]; extra?: unknown }>;
}

const teamOf = (i: number) => i % TEAM_KEYS.length;

function commandWorkload(name: string, text: (i: number) => string, command: string): Workload {
  return {
    name,
    async run(context) {
      const rows: WorkloadRow[] = [];
      for (const concurrency of context.options.concurrency) {
        const make = (i: number) => context.signer.command(command, text(i), benchUser(i % 500), benchChannel(teamOf(i)));
        const { app, baseline } = await measurePair(context, concurrency, context.options.requests, make);
        rows.push({ workload: name, scale: context.scale, concurrency, app, baseline });
      }
      return { rows };
    },
  };
}

const memory: Workload = {
  name: 'memory',
  scales: (scale, options) => scale === options.scales[0],
  async run(context) {
    const make = (i: number) =>
      i % 2 === 0
        ? context.signer.command('/issue', 'list', benchUser(i % 500), benchChannel(teamOf(i)))
        : context.signer.command('/team', 'list', benchUser(i % 500), benchChannel(teamOf(i)));
    await runLoad({ port: context.app.port, total: Math.min(2000, context.options.memoryRequests), concurrency: 50, make });
    const before = context.app.memory();
    const load = await runLoad({ port: context.app.port, total: context.options.memoryRequests, concurrency: 50, make });
    const after = context.app.memory();
    return {
      rows: [{ workload: `memory run (${context.options.memoryRequests} requests)`, scale: context.scale, concurrency: 50, app: load }],
      extra: { rssBeforeMb: before.rssMb, rssAfterMb: after.rssMb, growthMb: Math.round((after.rssMb - before.rssMb) * 10) / 10, peakMb: after.peakMb },
    };
  },
};

export const workloads: Workload[] = [
  commandWorkload('/team list', () => 'list', '/team'),
  commandWorkload('/issue list', (i) => `list ${TEAM_KEYS[teamOf(i)]}`, '/issue'),
  commandWorkload('/issue show', (i) => `show ${TEAM_KEYS[teamOf(i)]}-${1 + (i % 400)}`, '/issue'),
  memory,
];
