import type { IncomingMessage, ServerResponse } from 'node:http';
import { InstallProvider, type CallbackOptions, type Installation, type OrgInstallation } from '@slack/oauth';
import type { Logger } from '@slack/logger';
import type { Session } from '../db/storage.js';
import type { Clock } from '../domain/result.js';
import type { AppLogger } from '../logger.js';
import type { Keyring } from './crypto.js';
import { DatabaseInstallationStore, ORG_INSTALL_REFUSED } from './installation-store.js';
import { BOT_SCOPES } from './scopes.js';
import { OneTimeStateStore } from './state-store.js';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  redirectUri?: string;
  /** Web API base URL (the fake Slack in tests). */
  slackApiUrl?: string;
}

export interface OAuthDeps {
  storage: Session;
  keyring: Keyring;
  now: Clock;
  logger: AppLogger;
  /** After a workspace's installation is stored (seed its teams, make the installer its first coordinator…). */
  onInstalled?: (installation: Installation) => Promise<void>;
}

export interface SlackOAuth {
  installer: InstallProvider;
  store: DatabaseInstallationStore;
  /** Serves /slack/install and /slack/oauth_redirect; false for any other path. */
  route(req: IncomingMessage, res: ServerResponse): boolean;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
      `<title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style></head>` +
      `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/** The @slack/logger interface over our JSON logger. */
function slackLogger(logger: AppLogger): Logger {
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => logger.event(level, 'oauth', { detail: msg.map(String).join(' ') });
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    setLevel: () => undefined,
    getLevel: () => 'info' as never,
    setName: () => undefined,
  };
}

/**
 * Installing from Slack with Bolt's own OAuth library: InstallProvider serves the "Add to Slack"
 * page (setting the state cookie), checks the state on the way back (cookie, signature, used
 * once: OneTimeStateStore), trades the code at `oauth.v2.access`, and keeps the installation in
 * our database (DatabaseInstallationStore, tokens encrypted). `installer.authorize` is Bolt's
 * `authorize`: it finds a workspace's token for each request and job, and refreshes rotating
 * tokens before they expire. Enterprise Grid org-wide installs are refused with a page that says
 * why, and nothing is stored.
 */
export function createSlackOAuth(settings: OAuthSettings, deps: OAuthDeps): SlackOAuth {
  const store = new DatabaseInstallationStore({ storage: deps.storage, keyring: deps.keyring, now: deps.now });
  const installUrlOptions = {
    scopes: [...BOT_SCOPES],
    ...(settings.redirectUri === undefined ? {} : { redirectUri: settings.redirectUri }),
  };
  const installer = new InstallProvider({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    stateSecret: settings.stateSecret,
    stateStore: new OneTimeStateStore({ storage: deps.storage, stateSecret: settings.stateSecret }),
    installationStore: store,
    installUrlOptions,
    logger: slackLogger(deps.logger),
    clientOptions: {
      ...(settings.slackApiUrl === undefined ? {} : { slackApiUrl: settings.slackApiUrl }),
      timeout: 10_000,
    },
    renderHtmlForInstallPath: (url) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Add Alliance to Slack</title>` +
      `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style></head><body>` +
      `<h1>Alliance</h1><p>Issues, meetings, priority votes, goals and digests for your workforce collaborative's program teams, in Slack.</p>` +
      `<p><a id="add-to-slack" href="${escapeHtml(url)}">Add to Slack</a></p>` +
      `<p>The person who installs it becomes the workspace's first coordinator.</p></body></html>`,
  });

  const callbackOptions: CallbackOptions = {
    afterInstallation: async (installation: Installation | OrgInstallation, _options, _req, res) => {
      if (installation.isEnterpriseInstall === true) {
        deps.logger.event('warn', 'org-wide install refused', { enterpriseId: installation.enterprise?.id });
        page(res, 400, 'Alliance cannot be installed org-wide', `<p>${escapeHtml(ORG_INSTALL_REFUSED)}</p>`);
        return false;
      }
      return true;
    },
    successAsync: async (installation, _options, _req, res) => {
      const workspace = installation as Installation;
      deps.logger.event('info', 'workspace installed', { workspaceId: workspace.team?.id, installer: workspace.user.id });
      await deps.onInstalled?.(workspace);
      page(
        res,
        200,
        'Alliance is installed',
        `<p>Alliance is now in <strong>${escapeHtml(workspace.team?.name ?? 'your workspace')}</strong>. You are its first coordinator.</p>` +
          `<p>In Slack, invite it to each team channel (<code>/invite @Alliance</code>) and run <code>/team link CNA</code> there; <code>/team help</code> lists the rest.</p>`,
      );
    },
    failure: (error, _options, _req, res) => {
      const code = (error as { code?: string }).code ?? 'unknown';
      deps.logger.event('warn', 'install failed', { code, error: error.message });
      const cancelled = code === 'slack_oauth_authorization_error' && /cancelled/i.test(error.message);
      const stateProblem = /state/i.test(code) || /state/i.test(error.message);
      page(
        res,
        cancelled ? 200 : 400,
        cancelled ? 'Installation cancelled' : 'Alliance was not installed',
        cancelled
          ? `<p>Nothing was installed. <a href="${INSTALL_PATH}">Start again</a> when you are ready.</p>`
          : stateProblem
            ? `<p>This installation link has expired, was already used, or was not started from this browser. <a href="${INSTALL_PATH}">Start again</a>.</p>`
            : `<p>Slack did not complete the installation (${escapeHtml(code)}). <a href="${INSTALL_PATH}">Try again</a>; if it keeps failing, tell whoever runs Alliance.</p>`,
      );
    },
  };

  const route = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (path !== INSTALL_PATH && path !== REDIRECT_PATH)) return false;
    const work = path === INSTALL_PATH ? installer.handleInstallPath(req, res, {}, installUrlOptions) : installer.handleCallback(req, res, callbackOptions);
    work.catch((error: unknown) => {
      deps.logger.event('error', 'oauth route failed', { path, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) page(res, 500, 'Something went wrong', '<p>Please try again in a minute.</p>');
      else res.end();
    });
    return true;
  };

  return { installer, store, route };
}
