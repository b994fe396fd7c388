import { expect } from 'vitest';
import type { FakeOAuth } from '../../src/fake-slack/methods/oauth.js';
import { createSlackRequester, type SlackRequester } from './slack-request.js';
import { SIGNING_SECRET, type Harness } from './harness.js';

/** The fake Slack's OAuth app and the settings that put Alliance in distribution mode. */
export const CLIENT_ID = '1111.2222';
export const CLIENT_SECRET = 'fake-client-secret-0123';
export const FAKE_OAUTH: FakeOAuth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
export const OAUTH_ENV = {
  SLACK_BOT_TOKEN: '',
  SLACK_CLIENT_ID: CLIENT_ID,
  SLACK_CLIENT_SECRET: CLIENT_SECRET,
  SLACK_STATE_SECRET: 'state-secret-0123456789',
  ALLIANCE_ENCRYPTION_KEY: 'a'.repeat(64),
};

export interface Page {
  status: number;
  body: string;
  cookie?: string;
}

export async function getPage(h: Harness, path: string, cookie?: string): Promise<Page> {
  const response = await fetch(`http://127.0.0.1:${h.alliance.port}${path}`, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } });
  const setCookie = response.headers.get('set-cookie') ?? undefined;
  return { status: response.status, body: await response.text(), ...(setCookie === undefined ? {} : { cookie: setCookie }) };
}

/** Opens the install page the way a browser would: the state in the Slack link and the cookie that goes with it. */
export async function openInstallPage(h: Harness): Promise<{ state: string; cookie: string; link: URL }> {
  const page = await getPage(h, '/slack/install');
  expect(page.status).toBe(200);
  const href = /id="add-to-slack" href="([^"]+)"/.exec(page.body)?.[1]?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  expect(href).toBeDefined();
  const link = new URL(href as string);
  const state = link.searchParams.get('state') as string;
  const cookie = (page.cookie ?? '').split(';')[0] as string;
  expect(cookie).toBe(`slack-app-oauth-state=${state}`);
  return { state, cookie, link };
}

export const oauthRedirect = (h: Harness, code: string, state: string, cookie?: string): Promise<Page> =>
  getPage(h, `/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, cookie);

/** A person installs Alliance into a workspace from Slack, start to finish; returns a requester for that workspace. */
export async function installWorkspace(h: Harness, teamId: string, installer: string): Promise<SlackRequester> {
  const { state, cookie } = await openInstallPage(h);
  const done = await oauthRedirect(h, h.fake.authorizeInstall({ userId: installer, teamId, teamName: `Workspace ${teamId}` }), state, cookie);
  expect(done.status).toBe(200);
  return requesterFor(h, teamId);
}

/** Signed requests as Slack sends them for one workspace. */
export function requesterFor(h: Harness, teamId: string): SlackRequester {
  return createSlackRequester({
    baseUrl: `http://127.0.0.1:${h.alliance.port}`,
    signingSecret: SIGNING_SECRET,
    teamId,
    responseUrl: (origin) => h.fake.responseUrl(undefined, origin),
  });
}
