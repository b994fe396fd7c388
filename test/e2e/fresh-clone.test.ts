import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A newcomer's `git clone` must pass the checks on its own, with nothing beside it: this clones the
 * committed HEAD into an empty temporary folder and runs the type check and the unit tests there
 * (the manifest test once read Slack's schema from a folder beside the checkout and failed anywhere
 * else). node_modules is linked from this checkout to keep the test quick and offline; installing
 * from the lock file in such a clone (`npm ci`) and running the whole `npm test` is `.ci/run`'s job.
 */
const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('a fresh clone in an empty folder', () => {
  let parent: string;
  let clone: string;
  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'alliance-clone-'));
    clone = join(parent, 'alliance');
    await run('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  }, 120_000);
  afterAll(() => {
    if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
  });

  const env = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CI: '1' });

  it('has nothing beside it', () => {
    expect(readdirSync(parent)).toEqual(['alliance']);
  });

  it('type-checks', async () => {
    await expect(run(process.execPath, [join(clone, 'node_modules', '@typescript', 'native', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd: clone, env: env() })).resolves.toBeDefined();
  }, 180_000);

  it('passes its unit tests, the manifest schema test included', async () => {
    const result = await run(process.execPath, [join(clone, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/unit', '--reporter=dot'], {
      cwd: clone,
      env: env(),
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => ({ failed: true, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
    expect('failed' in result ? `${result.stdout}\n${result.stderr}` : 'passed').toBe('passed');
  }, 300_000);
});
