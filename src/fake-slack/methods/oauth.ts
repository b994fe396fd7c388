import { randomBytes } from 'node:crypto';
import type { FakeState } from '../state.js';
import { fail, ok, str, type MethodHandler } from './common.js';

/*
 * Slack's OAuth v2 token exchange, as the fake plays it: `oauth.v2.access` trades a one-time code
 * (minted by `authorizeInstall`, which stands for a person clicking "Allow" on Slack's page) for a
 * bot token, and, with token rotation on, trades a refresh token for a fresh short-lived token.
 * Slack refuses a wrong client id or secret, an unknown or reused code, a code sent with another
 * redirect_uri than the one it was issued for, and an unknown refresh token.
 */

export interface FakeOAuth {
  clientId: string;
  clientSecret: string;
  /** Token rotation on: bot tokens expire after this many seconds and come with a refresh token. */
  rotationExpiresInSeconds?: number;
  scopes?: string[];
}

export interface FakeInstallGrant {
  userId: string;
  /** The workspace installing (default: the fake's own); another id stands for a second workspace. */
  teamId?: string;
  teamName?: string;
  /** An Enterprise Grid org-wide install: no team, an enterprise, is_enterprise_install. */
  enterpriseInstall?: boolean;
  redirectUri?: string;
}

export interface IssuedToken {
  kind: 'bot' | 'refresh';
  teamId: string;
  /** ms since epoch; a bot token past it is refused with token_expired. */
  expiresAt?: number;
  revoked?: boolean;
}

export interface OAuthState {
  config: FakeOAuth;
  codes: Map<string, FakeInstallGrant & { used: boolean }>;
  tokens: Map<string, IssuedToken>;
}

export const ENTERPRISE_ID = 'E0FAKEORG1';

export function createOAuthState(config: FakeOAuth): OAuthState {
  return { config, codes: new Map(), tokens: new Map() };
}

/** A one-time authorization code, as Slack appends it to the redirect URL after "Allow". */
export function authorizeInstall(state: FakeState, grant: FakeInstallGrant): string {
  if (state.oauth === undefined) throw new Error('The fake Slack was started without oauth options');
  const code = `${Date.now()}.${randomBytes(8).toString('hex')}`;
  state.oauth.codes.set(code, { ...grant, used: false });
  return code;
}

/** Why Slack refuses an issued token, or undefined when it is good (or not one of ours). */
export function issuedTokenError(state: FakeState, token: string): string | undefined {
  const issued = state.oauth?.tokens.get(token);
  if (issued === undefined || issued.kind !== 'bot') return 'unknown';
  if (issued.revoked === true) return 'token_revoked';
  if (issued.expiresAt !== undefined && issued.expiresAt <= Date.now()) return 'token_expired';
  return undefined;
}

/** The workspace a token belongs to: an issued token's team, the configured bot token's, else none. */
export function teamOfToken(state: FakeState, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (token === state.botToken) return state.teamId;
  return state.oauth?.tokens.get(token)?.teamId;
}

/** What app_uninstalled / tokens_revoked mean at Slack: every token of the workspace stops working. */
export function revokeTeamTokens(state: FakeState, teamId: string): void {
  for (const token of state.oauth?.tokens.values() ?? []) if (token.teamId === teamId) token.revoked = true;
}

const mint = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

function botTokenFields(state: FakeState, oauth: OAuthState, teamId: string): Record<string, unknown> {
  const rotation = oauth.config.rotationExpiresInSeconds;
  const accessToken = mint(rotation === undefined ? 'xoxb-fake' : 'xoxe.xoxb-1-fake');
  oauth.tokens.set(accessToken, { kind: 'bot', teamId, ...(rotation === undefined ? {} : { expiresAt: Date.now() + rotation * 1000 }) });
  const fields: Record<string, unknown> = {
    access_token: accessToken,
    token_type: 'bot',
    scope: (oauth.config.scopes ?? ['commands', 'chat:write']).join(','),
    bot_user_id: state.botUserId,
    app_id: state.appId,
  };
  if (rotation !== undefined) {
    const refreshToken = mint('xoxe-1-fake');
    oauth.tokens.set(refreshToken, { kind: 'refresh', teamId });
    fields['refresh_token'] = refreshToken;
    fields['expires_in'] = rotation;
  }
  return fields;
}

export const oauthMethods: Record<string, MethodHandler> = {
  'oauth.v2.access': (args, { state }) => {
    const oauth = state.oauth;
    if (oauth === undefined) return fail('invalid_client_id');
    if (str(args, 'client_id') !== oauth.config.clientId) return fail('invalid_client_id');
    if (str(args, 'client_secret') !== oauth.config.clientSecret) return fail('bad_client_secret');
    if (str(args, 'grant_type') === 'refresh_token') {
      const refresh = str(args, 'refresh_token');
      const issued = refresh === undefined ? undefined : oauth.tokens.get(refresh);
      if (issued === undefined || issued.kind !== 'refresh' || issued.revoked === true) return fail('invalid_refresh_token');
      return ok({ ...botTokenFields(state, oauth, issued.teamId), team: { id: issued.teamId, name: state.teamName }, enterprise: null, is_enterprise_install: false });
    }
    const code = str(args, 'code');
    const grant = code === undefined ? undefined : oauth.codes.get(code);
    if (grant === undefined || grant.used) return fail('invalid_code');
    if (grant.redirectUri !== undefined && str(args, 'redirect_uri') !== grant.redirectUri) return fail('bad_redirect_uri');
    grant.used = true;
    const enterprise = grant.enterpriseInstall === true;
    const teamId = grant.teamId ?? state.teamId;
    return ok({
      ...botTokenFields(state, oauth, teamId),
      team: enterprise ? null : { id: teamId, name: grant.teamName ?? state.teamName },
      enterprise: enterprise ? { id: ENTERPRISE_ID, name: 'Fake Enterprise' } : null,
      is_enterprise_install: enterprise,
      authed_user: { id: grant.userId },
    });
  },
};
