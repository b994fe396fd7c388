import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The Home bench (npm run bench:home) at a tiny scale, so it cannot rot; its timings are not asserted. */
describe('bench/home.ts', () => {
  it('seeds a tiny database and builds a coordinator’s and a member’s Home', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-home-bench-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/home.ts', '--smoke'], { env: { ...process.env, HOME_BENCH_DIR: dir }, timeout: 120_000 });
      expect(stdout).toMatch(/0\.01x: coordinator Home p50 [\d.]+ ms, p99 [\d.]+ ms \(\d+ blocks\) · member Home/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
