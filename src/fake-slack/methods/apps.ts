import type { FakeState } from '../state.js';
import { fail, ok, type MethodHandler } from './common.js';
import { issuedTokenError } from './oauth.js';

/** Methods Slack only answers for an app-level token (xapp-…); every other method wants the bot token. */
const APP_TOKEN_METHODS: ReadonlySet<string> = new Set(['apps.connections.open']);
/** Methods that take the app's client id and secret instead of a token. */
const NO_TOKEN_METHODS: ReadonlySet<string> = new Set(['oauth.v2.access']);

/**
 * Why Slack refuses `token` for `method`, or undefined when it accepts it. A token of the wrong
 * kind (the bot token on an app-level method, or the reverse) is `not_allowed_token_type` at
 * Slack; a token Slack does not know is `invalid_auth`.
 */
export function tokenError(state: FakeState, method: string, token: string | undefined): string | undefined {
  if (NO_TOKEN_METHODS.has(method)) return undefined;
  if (token === undefined) return 'not_authed';
  // Bot tokens handed out by oauth.v2.access (installs from Slack, rotated tokens).
  const issued = issuedTokenError(state, token);
  if (issued !== 'unknown') return APP_TOKEN_METHODS.has(method) ? 'not_allowed_token_type' : issued;
  const appToken = state.socketMode?.appToken;
  const wanted = APP_TOKEN_METHODS.has(method) ? appToken : state.botToken;
  if (wanted !== undefined && token === wanted) return undefined;
  if (token === state.botToken || (appToken !== undefined && token === appToken)) return 'not_allowed_token_type';
  return 'invalid_auth';
}

export const appMethods: Record<string, MethodHandler> = {
  // Socket Mode's first call: a single-use WebSocket URL for the app (the token check is in tokenError).
  'apps.connections.open': (_args, { state }) => {
    if (state.socketMode === undefined) return fail('invalid_auth');
    return ok({ url: state.socketMode.connectionUrl(state.appId) });
  },
};
