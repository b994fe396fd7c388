import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` and `npm run backup` run the compiled build with production dependencies only:
 * no tsx, no sandbox, no fake Slack. These read what the build would ship and what it imports.
 */
const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const notShipped = [join(root, 'src', 'sandbox'), join(root, 'src', 'fake-slack')];

function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return notShipped.includes(path) ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Specifiers of imports that exist at run time (`import type` is erased). */
function runtimeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) if (match[2] === undefined) found.push(match[3] as string);
  for (const match of source.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(match[1] as string);
  for (const match of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(match[1] as string);
  return found;
}

const packageName = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));

describe('the production build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'alliance-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('imports only production dependencies and never the sandbox or the fake Slack', () => {
    const problems: string[] = [];
    for (const file of shippedSources(join(root, 'src'))) {
      for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
        const where = relative(root, file);
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (notShipped.some((dir) => target.startsWith(dir + '/'))) problems.push(`${where} imports ${specifier}`);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier) && !(packageName(specifier) in pkg.dependencies)) {
          problems.push(`${where} imports ${specifier}, which is not a production dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps tsx, the test tools and the type checker out of production dependencies', () => {
    for (const dev of ['tsx', 'typescript', 'vitest', 'drizzle-kit', 'playwright-core']) expect(Object.keys(pkg.dependencies), dev).not.toContain(dev);
    expect(pkg.scripts.start).toBe('node dist/src/main.js');
    expect(pkg.scripts.backup).toBe('node dist/src/cli/backup.js');
  });

  it('compiles the bot and the backup command, without the sandbox or the fake Slack', async () => {
    await run(process.execPath, [join(root, 'node_modules', '@typescript', 'native', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
    expect(existsSync(join(outDir, 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(outDir, 'src', 'cli', 'backup.js'))).toBe(true);
    expect(existsSync(join(outDir, 'src', 'sandbox'))).toBe(false);
    expect(existsSync(join(outDir, 'src', 'fake-slack'))).toBe(false);
  }, 120_000);
});
