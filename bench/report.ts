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

/** Checks the brief's targets against what was measured; a missed target is reported, not hidden. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const loadRows = report.rows.filter((r) => r.baseline !== undefined);
  for (const row of loadRows) {
    const r = ratio(row);
    if (r !== undefined) checks.push({ target: `${row.workload} @${row.scale}× c=${row.concurrency}: throughput ≥ 0.7× bare Bolt`, measured: `${r}×`, met: r >= 0.7 });
    if (row.concurrency >= 50) checks.push({ target: `${row.workload} @${row.scale}× c=${row.concurrency}: p99 ack < 100 ms`, measured: `${row.app.p99} ms`, met: row.app.p99 < 100 });
  }
  const byKey = new Map(loadRows.map((r) => [`${r.workload}|${r.concurrency}|${r.scale}`, r]));
  const scales = [...new Set(report.rows.map((r) => r.scale))].sort((a, b) => a - b);
  const smallest = scales[0];
  const largest = scales[scales.length - 1];
  if (smallest !== undefined && largest !== undefined && largest >= smallest * 100) {
    for (const row of loadRows.filter((r) => r.scale === largest)) {
      const base = byKey.get(`${row.workload}|${row.concurrency}|${smallest}`);
      if (base === undefined) continue;
      const growth = Math.round((row.app.p50 / Math.max(0.01, base.app.p50)) * 100) / 100;
      checks.push({ target: `${row.workload} c=${row.concurrency}: p50 at ${largest}× ≤ 3× p50 at ${smallest}×`, measured: `${growth}×`, met: growth <= 3 });
    }
  }
  for (const [key, value] of Object.entries(report.extra)) {
    const v = value as { perTeamMaxMs?: number; totalMs?: number; growthMb?: number };
    if (key.startsWith('digests@1x') && v.perTeamMaxMs !== undefined && v.totalMs !== undefined) {
      checks.push({ target: 'every digest < 50 ms at 1×', measured: `${v.perTeamMaxMs} ms max`, met: v.perTeamMaxMs < 50 });
      checks.push({ target: 'all digests < 1 s at 1×', measured: `${v.totalMs} ms`, met: v.totalMs < 1000 });
    }
    if (key.startsWith('memory') && v.growthMb !== undefined) {
      checks.push({ target: `${key}: RSS growth < 20 MB over the run`, measured: `${v.growthMb} MB`, met: v.growthMb < 20 });
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
