import { describe, expect, it } from 'vitest';
import { runBench, smokeOptions } from '../../bench/run.js';

// The benchmark suite at a tiny scale, so it cannot rot. It asserts that every workload ran and
// every request was answered; it asserts no timings (this machine is slow and noisy).
describe('benchmark suite (smoke run at tiny scale)', () => {
  it('runs every workload against the app and the bare Bolt baseline and answers every request', async () => {
    const lines: string[] = [];
    const report = await runBench({ ...smokeOptions, log: (line) => lines.push(line) });
    const workloads = new Set(report.rows.map((row) => row.workload));
    expect([...workloads].length).toBeGreaterThanOrEqual(4);
    for (const row of report.rows) {
      expect(row.app.requests, row.workload).toBeGreaterThan(0);
      expect(row.app.errors + row.app.non200, row.workload).toBe(0);
      if (row.baseline !== undefined) expect(row.baseline.errors + row.baseline.non200, row.workload).toBe(0);
    }
    expect(lines.join('\n')).toContain('| workload | data |');
    const burst = Object.entries(report.extra).find(([key]) => key.startsWith('vote burst'))?.[1];
    expect(burst).toMatchObject({ countedExactlyOnce: true });
    const digests = Object.entries(report.extra).find(([key]) => key.startsWith('digests'))?.[1];
    expect(digests).toHaveProperty('totalMs');
  }, 120_000);
});
