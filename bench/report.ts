import type { LoadResult } from './load.js';

export interface WorkloadRow {
  workload: string;
  scale: number;
  concurrency: number;
  app: LoadResult;
  baseline?: LoadResult;
  note?: string;
}

export interface BenchReport {
  startedAt: string;
  /** The commit measured, and whether the working tree had changes on top of it. */
  commit?: string;
  dirty?: boolean;
  machine: { cpus: number; node: string };
  options: unknown;
  rows: WorkloadRow[];
  extra: Record<string, unknown>;
  targets?: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const ratio = (row: WorkloadRow): number | undefined =>
  row.baseline === undefined || row.baseline.throughput === 0 ? undefined : Math.round((row.app.throughput / row.baseline.throughput) * 100) / 100;

/** Checks issue #18's targets against what was measured; a missed target is reported, not hidden. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const loadRows = report.rows.filter((r) => r.baseline !== undefined);
  const scales = [...new Set(report.rows.map((r) => r.scale))].sort((a, b) => a - b);
  const smallest = scales[0] ?? 1;
  for (const row of loadRows) {
    const r = ratio(row);
    const floor = row.scale <= smallest ? 0.5 : 0.4;
    if (r !== undefined) checks.push({ target: `${row.workload} @${row.scale}× c=${row.concurrency}: throughput ≥ ${floor}× bare Bolt`, measured: `${r}×`, met: r >= floor });
    if (row.concurrency >= 50) checks.push({ target: `${row.workload} @${row.scale}× c=${row.concurrency}: p99 ack < 100 ms`, measured: `${row.app.p99} ms`, met: row.app.p99 < 100 });
  }
  for (const [key, value] of Object.entries(report.extra)) {
    const v = value as { perTeamMaxMs?: number; totalMs?: number; countedExactlyOnce?: boolean; idleRssMb?: number; rssVsBareBolt?: number; rssAfterMb?: number; bareBoltRssAfterMb?: number; heapGrowthMb?: number };
    if (key.startsWith('digests@1x') && v.perTeamMaxMs !== undefined && v.totalMs !== undefined) {
      checks.push({ target: 'every digest < 50 ms at 1×', measured: `${v.perTeamMaxMs} ms max`, met: v.perTeamMaxMs < 50 });
      checks.push({ target: 'all digests < 1 s at 1×', measured: `${v.totalMs} ms`, met: v.totalMs < 1000 });
    }
    if (key.startsWith('vote burst') && v.countedExactlyOnce !== undefined) {
      checks.push({ target: `${key}: every ballot counted once`, measured: v.countedExactlyOnce ? 'yes' : 'no', met: v.countedExactlyOnce });
    }
    if (key.startsWith('memory') && v.heapGrowthMb !== undefined) {
      checks.push({ target: 'resident memory idle ≤ 100 MB', measured: `${v.idleRssMb} MB`, met: (v.idleRssMb ?? Infinity) <= 100 });
      checks.push({ target: 'resident memory after load ≤ 1.3× bare Bolt under the same load', measured: `${v.rssAfterMb} vs ${v.bareBoltRssAfterMb} MB (${v.rssVsBareBolt}×)`, met: (v.rssVsBareBolt ?? Infinity) <= 1.3 });
      checks.push({ target: 'heap growth after forced GC over the memory run < 5 MB', measured: `${v.heapGrowthMb} MB`, met: v.heapGrowthMb < 5 });
    }
  }
  return checks;
}

export function renderMarkdown(report: BenchReport): string {
  const lines = [
    '| workload | data | conc. | app req/s | bare Bolt req/s | ratio | app p50 ms | app p99 ms | bare p99 ms | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of report.rows) {
    lines.push(
      `| ${row.workload} | ${row.scale}× | ${row.concurrency} | ${row.app.throughput} | ${row.baseline?.throughput ?? '–'} | ${ratio(row) ?? '–'} | ${row.app.p50} | ${row.app.p99} | ${row.baseline?.p99 ?? '–'} | ${row.app.errors + row.app.non200}${row.note === undefined ? '' : ` (${row.note})`} |`,
    );
  }
  const targets = checkTargets(report);
  report.targets = targets;
  if (Object.keys(report.extra).length > 0) {
    lines.push('', '| measurement | value |', '| --- | --- |');
    for (const [key, value] of Object.entries(report.extra)) lines.push(`| ${key} | ${JSON.stringify(value)} |`);
  }
  if (targets.length > 0) {
    lines.push('', '| target | measured | met |', '| --- | --- | --- |');
    for (const t of targets) lines.push(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}
