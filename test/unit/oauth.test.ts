import { readFileSync } from 'node:fs';
import type { Installation } from '@slack/oauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, isDistributionMode, loadConfig } from '../../src/config.js';
import type { Storage } from '../../src/db/storage.js';
import { createKeyring, EncryptionKeyError, parseKey } from '../../src/oauth/crypto.js';
import { DatabaseInstallationStore, OrgInstallRefusedError } from '../../src/oauth/installation-store.js';
import { BOT_SCOPES } from '../../src/oauth/scopes.js';
import { freshTestStorage, type TestStorage } from '../rig/engines.js';

const OLD = '1'.repeat(64);
const NEW = Buffer.alloc(32, 7).toString('base64');

describe('token encryption (AES-256-GCM)', () => {
  it('round-trips, with a fresh nonce each time', () => {
    const ring = createKeyring(OLD);
    const a = ring.encrypt('xoxb-secret', 'ws:T1');
    const b = ring.encrypt('xoxb-secret', 'ws:T1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('xoxb-secret');
    expect(ring.decrypt(a, 'ws:T1')).toBe('xoxb-secret');
  });

  it('refuses a changed value and a value moved to another workspace', () => {
    const ring = createKeyring(OLD);
    const stored = ring.encrypt('xoxb-secret', 'ws:T1');
    const parts = stored.split('.');
    const flipped = Buffer.from(parts[4] as string, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    parts[4] = flipped.toString('base64url');
    expect(() => ring.decrypt(parts.join('.'), 'ws:T1')).toThrow(EncryptionKeyError);
    expect(() => ring.decrypt(stored, 'ws:T2')).toThrow(/integrity/);
  });

  it('after a rotation reads old values with the previous key and says they are stale; without it, says which key is missing', () => {
    const stored = createKeyring(OLD).encrypt('xoxb-secret', 'ws:T1');
    const rotated = createKeyring(NEW, [OLD]);
    expect(rotated.decrypt(stored, 'ws:T1')).toBe('xoxb-secret');
    expect(rotated.isStale(stored)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('x', 'ws:T1'))).toBe(false);
    expect(() => createKeyring(NEW).decrypt(stored, 'ws:T1')).toThrow(/neither ALLIANCE_ENCRYPTION_KEY .* nor in ALLIANCE_ENCRYPTION_KEY_PREVIOUS/);
  });

  it('accepts 32 bytes as hex or base64 and refuses anything else', () => {
    expect(parseKey(OLD)).toHaveLength(32);
    expect(parseKey(NEW)).toHaveLength(32);
    for (const bad of ['', 'short', '1'.repeat(63), Buffer.alloc(16).toString('base64')]) expect(() => parseKey(bad)).toThrow(/openssl rand -hex 32/);
  });
});

describe('configuration: single workspace or install from Slack', () => {
  const base = { SLACK_SIGNING_SECRET: 'secret' };
  const oauth = { SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'cs', SLACK_STATE_SECRET: 'state-secret-0123456789', ALLIANCE_ENCRYPTION_KEY: OLD };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as ConfigError).problems;
    }
    return [];
  };

  it('takes either mode on its own', () => {
    expect(isDistributionMode(loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe(false);
    expect(isDistributionMode(loadConfig({ ...base, ...oauth }))).toBe(true);
  });

  it('lists every problem at once: both modes, missing OAuth settings, missing key, with the other settings’ problems', () => {
    const found = problems({ ...base, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CLIENT_ID: '1.2', PORT: 'x' });
    expect(found.join('\n')).toMatch(/PORT/);
    expect(found.join('\n')).toMatch(/SLACK_BOT_TOKEN must not be set together with SLACK_CLIENT_ID/);
    expect(found.join('\n')).toMatch(/SLACK_CLIENT_SECRET is required to install from Slack/);
    expect(found.join('\n')).toMatch(/SLACK_STATE_SECRET is required/);
    expect(found.join('\n')).toMatch(/ALLIANCE_ENCRYPTION_KEY is required to install from Slack/);
  });

  it('without either, names both ways', () => {
    expect(problems(base).join('\n')).toMatch(/SLACK_BOT_TOKEN is required .* unless you install from Slack with SLACK_CLIENT_ID/);
  });

  it('refuses a malformed key, a short state secret and Socket Mode with OAuth', () => {
    const found = problems({ ...base, ...oauth, ALLIANCE_ENCRYPTION_KEY: 'nope', SLACK_STATE_SECRET: 'short', SLACK_APP_TOKEN: 'xapp-1' }).join('\n');
    expect(found).toMatch(/ALLIANCE_ENCRYPTION_KEY must be 32 random bytes/);
    expect(found).toMatch(/SLACK_STATE_SECRET must be at least 16/);
    expect(found).toMatch(/SLACK_APP_TOKEN cannot be used when installing from Slack/);
  });
});

describe('OAuth scopes', () => {
  it('asks for exactly the bot scopes manifest.yml declares', () => {
    const manifest = parse(readFileSync('manifest.yml', 'utf8')) as { oauth_config: { scopes: { bot: string[] } } };
    expect([...BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });
});

describe('installation store', () => {
  let database: TestStorage;
  let storage: Storage;
  beforeAll(async () => {
    // SQLite, or PostgreSQL under ALLIANCE_TEST_ENGINE=postgres.
    database = await freshTestStorage();
    storage = database.storage;
  });
  afterAll(async () => {
    await database.dispose();
  });

  const installation = (team: string, token: string): Installation => ({
    team: { id: team, name: `Team ${team}` },
    enterprise: undefined,
    user: { id: 'U0INSTALL1', token: undefined, scopes: undefined },
    bot: { id: 'B1', userId: 'U0BOT', token, scopes: ['commands'] },
    isEnterpriseInstall: false,
    authVersion: 'v2',
  });

  it('stores, fetches, removes tokens at uninstall and refuses org installs', async () => {
    let at = 1_000;
    const store = new DatabaseInstallationStore({ storage, keyring: createKeyring(OLD), now: () => new Date(at) });
    await store.storeInstallation(installation('T1', 'xoxb-one'));
    expect((await store.fetchInstallation({ teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined })).bot?.token).toBe('xoxb-one');
    expect(await store.installedWorkspaces()).toEqual([expect.objectContaining({ workspaceId: 'T1', installerUserId: 'U0INSTALL1', installedAt: 1_000 })]);
    at = 2_000;
    await store.deleteInstallation({ teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined });
    await expect(store.fetchInstallation({ teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined })).rejects.toThrow(/No installation/);
    expect(await store.isInstalled('T1')).toBe(false);
    expect(await store.uninstalledBefore(3_000)).toEqual(['T1']);
    // A reinstall is a new installation, and brings the workspace back.
    at = 5_000;
    await store.storeInstallation(installation('T1', 'xoxb-two'));
    expect(await store.isInstalled('T1')).toBe(true);
    expect(await store.installedWorkspaces()).toEqual([expect.objectContaining({ workspaceId: 'T1', installedAt: 5_000 })]);
    await expect(store.storeInstallation({ ...installation('T9', 'x'), team: undefined, isEnterpriseInstall: true })).rejects.toThrow(OrgInstallRefusedError);
  });

  it('re-encrypts every installation with the new key after a rotation (npm run reencrypt)', async () => {
    const before = new DatabaseInstallationStore({ storage, keyring: createKeyring(OLD), now: () => new Date(10_000) });
    await before.storeInstallation(installation('T2', 'xoxb-rotate'));
    const during = new DatabaseInstallationStore({ storage, keyring: createKeyring(NEW, [OLD]), now: () => new Date(11_000) });
    expect(await during.reencryptAll()).toBe(2);
    expect(await during.reencryptAll()).toBe(0);
    const after = new DatabaseInstallationStore({ storage, keyring: createKeyring(NEW), now: () => new Date(12_000) });
    expect((await after.fetchInstallation({ teamId: 'T2', isEnterpriseInstall: false, enterpriseId: undefined })).bot?.token).toBe('xoxb-rotate');
  });
});
