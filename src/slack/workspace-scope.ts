import { AsyncLocalStorage } from 'node:async_hooks';
import { WebClient, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';

/*
 * Which workspace the current work is for, and so whose bot token its Web API calls carry.
 *
 * In single-workspace mode every client has the one token and nothing here matters. In
 * distribution mode the app has no token of its own: a request's work runs inside the scope of the
 * workspace it came from (the token Bolt's authorize found), and a job or an outbox row runs inside
 * the scope of the workspace it belongs to (the token is looked up, and refreshed when rotating,
 * through InstallProvider.authorize). `WorkspaceClient` adds that token to every call, so the
 * features' code needs no token plumbing and a call can never go out with another workspace's token.
 */

interface Scope {
  workspaceId: string;
  token?: string;
}

export type TokenLookup = (workspaceId: string) => Promise<string>;

export class NoWorkspaceError extends Error {
  constructor(method: string) {
    super(`Web API call ${method} made outside any workspace's scope (distribution mode has no app-wide token)`);
    this.name = 'NoWorkspaceError';
  }
}

export class WorkspaceScope {
  private readonly current = new AsyncLocalStorage<Scope>();

  /** `lookup` is undefined in single-workspace mode: clients keep their own token. */
  constructor(private readonly lookup: TokenLookup | undefined) {}

  get distributed(): boolean {
    return this.lookup !== undefined;
  }

  /** Runs `work` for one workspace; `token` when it is already known (a request's, from Bolt). */
  run<T>(workspaceId: string, work: () => Promise<T>, token?: string): Promise<T> {
    if (this.lookup === undefined) return work();
    return this.current.run(token === undefined ? { workspaceId } : { workspaceId, token }, work);
  }

  workspaceId(): string | undefined {
    return this.current.getStore()?.workspaceId;
  }

  /** The token for the current scope, or undefined in single-workspace mode. */
  async token(method: string): Promise<string | undefined> {
    if (this.lookup === undefined) return undefined;
    const scope = this.current.getStore();
    if (scope === undefined) throw new NoWorkspaceError(method);
    scope.token ??= await this.lookup(scope.workspaceId);
    return scope.token;
  }
}

/** A WebClient whose calls carry the current workspace's token (distribution mode). */
export class WorkspaceClient extends WebClient {
  constructor(
    private readonly scope: WorkspaceScope,
    options: WebClientOptions,
  ) {
    super(undefined, options);
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    const token = options['token'] === undefined ? await this.scope.token(method) : undefined;
    return super.apiCall(method, token === undefined ? options : { ...options, token });
  }
}

/** Runs work for one workspace (its Web API calls carry that workspace's token). */
export type InWorkspace = <T>(workspaceId: string, work: () => Promise<T>) => Promise<T>;

/** Single-workspace mode: nothing to scope. */
export const unscoped: InWorkspace = (_workspaceId, work) => work();
