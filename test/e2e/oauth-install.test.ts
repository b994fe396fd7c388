import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { startHarness, type Harness } from '../rig/harness.js';
import { CLIENT_ID, CLIENT_SECRET, OAUTH_ENV, oauthRedirect, openInstallPage } from '../rig/oauth.js';

const oauthEnv = OAUTH_ENV;
const redirect = oauthRedirect;

describe('installing from Slack (distribution mode)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('serves Add to Slack, trades the code at oauth.v2.access, stores the token encrypted and makes the installer a coordinator', async () => {
    h = await startHarness({ fakeOAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, env: oauthEnv });
    const { state, cookie, link } = await openInstallPage(h);
    expect(link.origin + link.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(link.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(link.searchParams.get('scope')?.split(',')).toContain('commands');

    const code = h.fake.authorizeInstall({ userId: PEOPLE.henryFord1.id });
    const done = await redirect(h, code, state, cookie);
    expect(done.body).toContain('Alliance is installed');
    expect(done.status).toBe(200);
    const exchange = h.fake.callsTo('oauth.v2.access');
    expect(exchange).toHaveLength(1);
    expect(exchange[0]?.ok).toBe(true);

    const rows = await h.query<{ team_id: string; installer_user_id: string; installation_enc: string }>('select team_id, installer_user_id, installation_enc from slack_installations');
    expect(rows).toEqual([expect.objectContaining({ team_id: h.fake.teamId, installer_user_id: PEOPLE.henryFord1.id })]);
    expect(rows[0]?.installation_enc).toMatch(/^v1\./);
    // The bot token is nowhere in the database file in clear.
    const token = h.fake.issuedTokens()[0] ?? '';
    expect(token).toMatch(/^xoxb-fake-/);
    for (const file of [h.dbPath, `${h.dbPath}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(token.slice('xoxb-'.length)))).toBe(false);
    }
    expect(h.logs.join('\n')).not.toContain(token);

    // The installer coordinates the workspace, whose three teams are there.
    expect(await h.query('select user_id from coordinators where team_id = ?', h.fake.teamId)).toEqual([{ user_id: PEOPLE.henryFord1.id }]);
    expect((await h.query<{ key: string }>('select key from program_teams where team_id = ? order by key', h.fake.teamId)).map((t) => t.key)).toEqual(['CNA', 'MA', 'SPT']);
  });

  it('refuses a replayed state, a forged state and a state from another browser, and stores nothing', async () => {
    h = await startHarness({ fakeOAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, env: oauthEnv });
    const first = await openInstallPage(h);
    expect((await redirect(h, h.fake.authorizeInstall({ userId: PEOPLE.coordinator.id }), first.state, first.cookie)).status).toBe(200);

    const replay = await redirect(h, h.fake.authorizeInstall({ userId: PEOPLE.trinity.id }), first.state, first.cookie);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('expired, was already used, or was not started from this browser');

    const second = await openInstallPage(h);
    const forged = `${second.state.split('.')[0]}.${'A'.repeat(43)}`;
    const forgedPage = await redirect(h, h.fake.authorizeInstall({ userId: PEOPLE.trinity.id }), forged, `slack-app-oauth-state=${forged}`);
    expect(forgedPage.status).toBe(400);

    const otherBrowser = await redirect(h, h.fake.authorizeInstall({ userId: PEOPLE.trinity.id }), second.state);
    expect(otherBrowser.status).toBe(400);

    // Only the first install reached Slack's token exchange; the installer is still the first one.
    expect(h.fake.callsTo('oauth.v2.access')).toHaveLength(1);
    expect(await h.query('select installer_user_id from slack_installations')).toEqual([{ installer_user_id: PEOPLE.coordinator.id }]);
  });

  it('refuses an Enterprise Grid org-wide install with a page that says why, storing nothing', async () => {
    h = await startHarness({ fakeOAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, env: oauthEnv });
    const { state, cookie } = await openInstallPage(h);
    const page = await redirect(h, h.fake.authorizeInstall({ userId: PEOPLE.coordinator.id, enterpriseInstall: true }), state, cookie);
    expect(page.status).toBe(400);
    expect(page.body).toContain('does not support org-wide installs on Enterprise Grid');
    expect(await h.count('slack_installations')).toBe(0);
  });

  it('refreshes a rotating token before it expires and keeps the new one (encrypted)', async () => {
    // Slack's rotating tokens live 12 hours; InstallProvider refreshes any that expire within 2, so 1 hour refreshes at once.
    h = await startHarness({ fakeOAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rotationExpiresInSeconds: 3600 }, env: oauthEnv });
    const { state, cookie } = await openInstallPage(h);
    expect((await redirect(h, h.fake.authorizeInstall({ userId: PEOPLE.coordinator.id }), state, cookie)).status).toBe(200);
    const before = (await h.query<{ installation_enc: string; token_expires_at: number }>('select installation_enc, token_expires_at from slack_installations'))[0];

    const ack = await h.command('/team', 'list', { userId: PEOPLE.coordinator.id, channelId: CHANNELS.general.id });
    expect(ack.status).toBe(200);
    const exchanges = h.fake.callsTo('oauth.v2.access');
    expect(exchanges.map((c) => c.args['grant_type'] ?? 'authorization_code')).toEqual(['authorization_code', 'refresh_token']);
    const after = (await h.query<{ installation_enc: string; token_expires_at: number }>('select installation_enc, token_expires_at from slack_installations'))[0];
    expect(after?.installation_enc).not.toBe(before?.installation_enc);
    expect(after?.token_expires_at).toBeGreaterThanOrEqual(before?.token_expires_at ?? Infinity);
  });

  it('refuses and logs a request from a workspace that has not installed the app', async () => {
    h = await startHarness({ fakeOAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, env: oauthEnv });
    const ack = await h.command('/team', 'list', { userId: PEOPLE.coordinator.id, channelId: CHANNELS.general.id });
    expect(ack.raw).not.toContain('CNA');
    expect(h.logs.join('\n')).toMatch(/No installation for workspace/);
  });
});

