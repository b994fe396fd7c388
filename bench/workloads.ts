import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { WebClient } from '@slack/web-api';
import { openStorage } from '../src/db/open-storage.js';
import { DigestRepository } from '../src/features/digest/repository.js';
import { DigestService } from '../src/features/digest/service.js';
import { newIssueMetadata } from '../src/features/issue/metadata.js';
import { TeamRepository } from '../src/features/team/repository.js';
import { TeamService } from '../src/features/team/service.js';
import { ActionIds, InputIds, ViewIds } from '../src/slack/ids.js';
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
  /** The fake Slack's Web API base URL (it runs as its own process). */
  fakeUrl: string;
  /** The app's resident memory at rest after start-up (BenchOptions.idleSettleMs), before any load. */
  idleRssMb: number;
  /** The app's resident memory as `/healthz` first answered. */
  startRssMb: number;
  /** The app's DATABASE_URL: a SQLite file path or a postgres:// URL (workloads read and write through it). */
  databaseUrl: string;
  seeded: { teamIds: number[] };
  options: BenchOptions;
  log: (line: string) => void;
  workspaceId: string;
  token: string;
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

/**
 * 100,000 requests: the heap after a forced full GC before and after (growth means a leak), the
 * app's resident memory idle and after, and the bare Bolt app's after the same load beside it.
 */
const memory: Workload = {
  name: 'memory',
  scales: (scale, options) => scale === options.scales[0],
  async run(context) {
    const make = (i: number) =>
      i % 2 === 0
        ? context.signer.command('/issue', 'list', benchUser(i % 500), benchChannel(teamOf(i)))
        : context.signer.command('/team', 'list', benchUser(i % 500), benchChannel(teamOf(i)));
    await runLoad({ port: context.app.port, total: Math.min(2000, context.options.memoryRequests), concurrency: 50, make });
    const heapBefore = await context.app.heapAfterGc();
    const load = await runLoad({ port: context.app.port, total: context.options.memoryRequests, concurrency: 50, make });
    const heapAfter = await context.app.heapAfterGc();
    const after = context.app.memory();
    await runLoad({ port: context.baseline.port, total: context.options.memoryRequests, concurrency: 50, make });
    const bare = context.baseline.memory();
    return {
      rows: [{ workload: `memory run (${context.options.memoryRequests} requests)`, scale: context.scale, concurrency: 50, app: load }],
      extra: {
        idleRssMb: context.idleRssMb,
        startRssMb: context.startRssMb,
        idleSettleSeconds: context.options.idleSettleMs / 1000,
        rssAfterMb: after.rssMb,
        peakRssMb: after.peakMb,
        bareBoltRssAfterMb: bare.rssMb,
        rssVsBareBolt: Math.round((after.rssMb / Math.max(1, bare.rssMb)) * 100) / 100,
        heapAfterGcBeforeMb: heapBefore.heapUsedMb,
        heapAfterGcAfterMb: heapAfter.heapUsedMb,
        heapGrowthMb: Math.round((heapAfter.heapUsedMb - heapBefore.heapUsedMb) * 10) / 10,
      },
    };
  },
};

/** 1,000 distinct people click one option of one vote within seconds; every ballot must count once. */
const voteBurst: Workload = {
  name: 'vote burst',
  async run(context) {
    const voters = context.options.voters;
    const channel = benchChannel(0);
    // Team 0's channel has the voters as members (bench/run.ts starts the fake that way).
    // A real ballot message in the fake Slack, so the app's chat.update of it succeeds.
    const posted = await new WebClient(context.token, { slackApiUrl: context.fakeUrl }).chat.postMessage({ channel, text: 'ballot' });
    const db = await openStorage(context.databaseUrl);
    const teamId = context.seeded.teamIds[0] ?? 0;
    const [next] = await db.rows<{ n: number }>(sql`select coalesce(max(number), 0) + 1 as n from votes where team_id = ${context.workspaceId}`);
    const [vote] = await db.rows<{ id: number }>(
      sql`insert into votes (team_id, number, program_team_id, question, method, max_choices, eligibility, anonymous, results_visibility, closes_at, status, creator_id, channel_id, message_ts, created_at)
          values (${context.workspaceId}, ${next?.n ?? 1}, ${teamId}, 'Burst: which first?', 'single', 1, 'everyone', 0, 'live', null, 'open', ${benchUser(0)}, ${channel}, ${posted.ts ?? null}, ${Date.now()}) returning id`,
    );
    const voteId = Number(vote?.id);
    const optionIds: number[] = [];
    for (const p of [0, 1, 2]) {
      const [option] = await db.rows<{ id: number }>(sql`insert into vote_options (team_id, vote_id, position, label) values (${context.workspaceId}, ${voteId}, ${p}, ${`Option ${p + 1}`}) returning id`);
      optionIds.push(Number(option?.id));
    }
    const make = (i: number) =>
      context.signer.blockAction({ actionId: ActionIds.voteChoose, blockId: 'vote_options', value: `${voteId}:${optionIds[i % 3]}`, userId: benchUser(i), channelId: channel, messageTs: posted.ts ?? '' });
    const app = await runLoad({ port: context.app.port, total: voters, concurrency: 50, make });
    const baseline = await runLoad({ port: context.baseline.port, total: voters, concurrency: 50, make });
    // Clicks are acknowledged first and counted just after: wait until the count settles.
    const count = async () => (await db.rows<{ n: number; d: number }>(sql`select count(*) as n, count(distinct voter_key) as d from ballots where vote_id = ${voteId}`))[0] ?? { n: 0, d: 0 };
    let counted = await count();
    for (let i = 0; i < 100 && counted.n < voters; i++) {
      await new Promise((r) => setTimeout(r, 100));
      counted = await count();
    }
    await db.close();
    return {
      rows: [{ workload: 'vote burst (1 click each)', scale: context.scale, concurrency: 50, app, baseline, note: `${counted.n} ballots stored for ${voters} voters` }],
      extra: { voters, ballotsStored: counted.n, distinctVoters: counted.d, countedExactlyOnce: counted.n === voters && counted.d === voters },
    };
  },
};

/** The "new issue" modal submitted, as Slack sends view_submission. */
const issueModal: Workload = {
  name: 'issue modal submit',
  async run(context) {
    const rows: WorkloadRow[] = [];
    for (const concurrency of [context.options.concurrency[context.options.concurrency.length - 1] ?? 10]) {
      const make = (i: number) =>
        context.signer.viewSubmission({
          callbackId: ViewIds.issueNew,
          userId: benchUser(i % 500),
          privateMetadata: newIssueMetadata({ channelId: benchChannel(teamOf(i)) }),
          values: {
            [InputIds.issueTitle]: { [InputIds.issueTitle]: { type: 'plain_text_input', value: `Bench issue ${i}: placement shortage` } },
            [InputIds.issueDetails]: { [InputIds.issueDetails]: { type: 'plain_text_input', value: 'Details' } },
            [InputIds.issueCategory]: { [InputIds.issueCategory]: { type: 'static_select', selected_option: { value: 'recruitment', text: { type: 'plain_text', text: 'Recruitment' } } } },
            // The form's team menu carries the program team's id.
            [InputIds.issueTeam]: { [InputIds.issueTeam]: { type: 'static_select', selected_option: { value: String(context.seeded.teamIds[teamOf(i)]), text: { type: 'plain_text', text: TEAM_KEYS[teamOf(i)] } } } },
            [InputIds.issueOwner]: { [InputIds.issueOwner]: { type: 'users_select', selected_user: null } },
            [InputIds.issueDue]: { [InputIds.issueDue]: { type: 'datepicker', selected_date: null } },
          },
        });
      // Every submission the app answered must have logged an issue (a form rejected as invalid is answered too, and fast).
      const db = await openStorage(context.databaseUrl);
      const logged = async () => (await db.rows<{ n: number }>(sql`select count(*) as n from issues where title like 'Bench issue %'`))[0]?.n ?? 0;
      const before = await logged();
      const { app, baseline, sentToApp } = await measurePair(context, concurrency, context.options.requests, make);
      const after = await logged();
      await db.close();
      rows.push({ workload: 'issue modal submit', scale: context.scale, concurrency, app, baseline, note: `${after - before} issues logged for ${sentToApp} submissions` });
    }
    return { rows };
  },
};

/** Building every team's digest and the roll-up, in process, straight from the database. */
const digests: Workload = {
  name: 'digests',
  async run(context) {
    const storage = await openStorage(context.databaseUrl);
    const teamRepository = new TeamRepository(storage);
    const service = new DigestService({ repo: new DigestRepository(storage), teamRepository, teams: new TeamService(teamRepository), timeZone: 'America/Detroit', configCoordinators: [benchUser(0)] });
    const now = new Date();
    const perTeam: Record<string, number> = {};
    const started = performance.now();
    for (const team of await teamRepository.list(context.workspaceId)) {
      const t0 = performance.now();
      const target = await service.resolveTarget(context.workspaceId, team.key, '');
      if (target.ok) await service.preview(context.workspaceId, target.value, now);
      perTeam[team.key] = Math.round((performance.now() - t0) * 100) / 100;
    }
    const r0 = performance.now();
    await service.preview(context.workspaceId, { kind: 'rollup' }, now);
    const rollupMs = Math.round((performance.now() - r0) * 100) / 100;
    const totalMs = Math.round((performance.now() - started) * 100) / 100;
    await storage.close();
    return { rows: [], extra: { perTeamMaxMs: Math.max(...Object.values(perTeam)), rollupMs, totalMs, perTeam } };
  },
};

export const workloads: Workload[] = [
  commandWorkload('/team list', () => 'list', '/team'),
  commandWorkload('/issue list', (i) => `list ${TEAM_KEYS[teamOf(i)]}`, '/issue'),
  commandWorkload('/issue show', (i) => `show ${TEAM_KEYS[teamOf(i)]}-${1 + (i % 400)}`, '/issue'),
  voteBurst,
  issueModal,
  digests,
  memory,
];
