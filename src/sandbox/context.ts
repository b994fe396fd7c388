import type { SlackHttpResponse } from '../fake-slack/slack-request.js';
import type { StoredMessage } from '../fake-slack/types.js';
import { HttpProblem, isObject, LONG_POLL_MS, type Json, type SandboxRouteDeps } from './http.js';
import { ShortcutIds } from '../slack/ids.js';
import type { Directory } from './text.js';
import { CHANNELS, PEOPLE } from './workspace.js';

/** The message shortcuts the page offers on a message's hover menu. */
export const SHORTCUT_NAMES: Record<string, string> = { [ShortcutIds.logAsIssue]: 'Log as issue' };

interface Notice {
  channel: string;
  user: string;
  text: string;
  ts: string;
}

/**
 * What the sandbox page's handlers share: the fake Slack, the people and channels, Slackbot notices,
 * modal field errors, and the change counter the page long-polls on.
 */
export function createSandboxContext(deps: SandboxRouteDeps) {
  const { fake } = deps;
  let version = 0;
  const waiters = new Set<() => void>();
  const notices: Notice[] = [];
  const viewErrors = new Map<string, Record<string, string>>();
  let noticeCounter = 0;

  const bump = (): void => {
    version += 1;
    for (const wake of [...waiters]) wake();
  };
  const unsubscribe = fake.onActivity(bump);

  const people = Object.values(PEOPLE);
  const channels = Object.values(CHANNELS);
  const directory: Directory = { people, channels };
  const personById = (id: string) => people.find((p) => p.id === id);
  // The same rule as the ActorResolver: configured, stored, or a workspace admin.
  const isCoordinator = async (id: string): Promise<boolean> => {
    const p = personById(id);
    return deps.coordinators.includes(id) || (await deps.isStoredCoordinator(id)) || (p !== undefined && 'isAdmin' in p && p.isAdmin);
  };

  const notify = (user: string, channel: string, text: string): void => {
    noticeCounter += 1;
    notices.push({ user, channel, text, ts: `${Math.floor(Date.now() / 1000)}.${String(noticeCounter).padStart(6, '0')}` });
    bump();
  };

  const channelName = (id: string): string => channels.find((c) => c.id === id)?.name ?? (id.startsWith('D') ? 'directmessage' : id.toLowerCase());

  /** Slack's client shows a failed request as a Slackbot line; so does the sandbox. */
  const reportFailure = (as: string, channel: string, what: string, response: SlackHttpResponse): void => {
    if (response.status === 200) return;
    deps.logger.event('warn', 'sandbox: the app did not answer 200', { what, status: response.status });
    notify(as, channel, `${what} failed: the app answered HTTP ${response.status}. (In Slack this reads "failed with the error \\"dispatch_failed\\"".)`);
  };

  const storedMessage = (channel: string, ts: string): StoredMessage | undefined =>
    fake.messages(channel).find((m) => m.ts === ts && !m.deleted);

  const messagePayload = (m: StoredMessage): Json => ({
    type: 'message',
    ts: m.ts,
    text: m.text ?? '',
    user: m.author ?? fake.botUserId,
    ...(m.author === undefined ? { bot_id: fake.botId } : {}),
    ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
    ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
  });

  const viewFor = (viewId: string, as: string): Json => {
    const view = fake.views.get(viewId);
    // A person's own Home tab, as Slack shows it to them alone.
    const home = fake.homeView(as);
    if (isObject(view) && view.type === 'home' && isObject(home) && home.id === viewId) return view;
    if (!isObject(view) || view.type !== 'modal') throw new HttpProblem(404, 'that modal is no longer open');
    if (ownerOf(viewId) !== as) throw new HttpProblem(403, 'that modal belongs to someone else');
    return view;
  };

  const ownerOf = (viewId: string): string | undefined => {
    const view = fake.views.get(viewId);
    const root = isObject(view) && typeof view.root_view_id === 'string' ? view.root_view_id : viewId;
    return fake.viewOwner(viewId) ?? fake.viewOwner(root);
  };

  const modalsOf = (as: string): Json[] =>
    [...fake.views.values()].filter((v): v is Json => isObject(v) && v.type === 'modal' && typeof v.id === 'string' && ownerOf(v.id) === as);

  const closeView = (viewId: string): void => {
    fake.views.delete(viewId);
    viewErrors.delete(viewId);
    bump();
  };

  const waitForChange = (since: number): Promise<void> =>
    new Promise((resolve) => {
      if (version > since) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, LONG_POLL_MS);
      waiters.add(done);
    });

  /** Stops listening to the fake Slack and answers every waiting long poll. */
  const stop = (): void => {
    unsubscribe();
    for (const wake of [...waiters]) wake();
  };

  return { fake, deps, version: (): number => version, notices, viewErrors, bump, people, channels, directory, personById, isCoordinator, notify, channelName, reportFailure, storedMessage, messagePayload, viewFor, ownerOf, modalsOf, closeView, waitForChange, stop };
}

export type SandboxContext = ReturnType<typeof createSandboxContext>;
