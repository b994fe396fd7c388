import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever is installed; nothing is built or started. */
function composeCommand(): { command: string; args: string[] } | undefined {
  for (const candidate of [
    { command: 'docker', args: ['compose'] },
    { command: 'docker-compose', args: [] },
  ]) {
    const probe = spawnSync(candidate.command, [...candidate.args, 'version'], { stdio: 'pipe' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const compose = composeCommand();

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  it('builds in two stages on Node 20 slim, runs as the non-root node user with production dependencies only', () => {
    expect(dockerfile.match(/^FROM node:20-[a-z]+-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.indexOf('USER node')).toBeGreaterThan(dockerfile.lastIndexOf('FROM '));
  });
  it('checks /healthz and keeps SQLite data on a volume', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]/m);
    expect(dockerfile).toMatch(/DATABASE_URL=\/data\/alliance\.db/);
    expect(dockerfile).toMatch(/COPY migrations-pg/);
  });
});

describe('compose.yaml', () => {
  it('runs Alliance on the PostgreSQL service, after it is healthy', () => {
    const file = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, { environment: { DATABASE_URL: string }; depends_on: { postgres: { condition: string } } }> };
    expect(Object.keys(file.services).sort()).toEqual(['alliance', 'postgres']);
    expect(file.services['alliance']?.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(file.services['alliance']?.depends_on.postgres.condition).toBe('service_healthy');
  });

  it.skipIf(compose === undefined)(
    compose === undefined ? 'is valid for docker compose (skipped: neither `docker compose` nor `docker-compose` is installed)' : 'is valid for docker compose (`config`)',
    () => {
      // As a user would run it: the files beside a .env copied from .env.sample.
      const dir = mkdtempSync(join(tmpdir(), 'alliance-compose-'));
      try {
        for (const f of ['compose.yaml', 'Dockerfile']) copyFileSync(f, join(dir, f));
        copyFileSync('.env.sample', join(dir, '.env'));
        const { command, args } = compose as { command: string; args: string[] };
        const out = execFileSync(command, [...args, '-f', join(dir, 'compose.yaml'), 'config'], { cwd: dir, stdio: 'pipe' }).toString();
        expect(out).toMatch(/postgres:\/\/alliance:/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
