import { App, type Receiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ListenerDispatcher } from '../../src/slack/dispatcher.js';

const quietReceiver: Receiver = { init: () => undefined, start: async () => undefined, stop: async () => undefined };
const silent = { debug: () => undefined };

function newApp(): App {
  // authorize instead of a token: a token would make Bolt call auth.test, and Slack is not reachable here.
  return new App({ authorize: async () => ({ botToken: 'xoxb-test', botId: 'B1', botUserId: 'UBOT' }), signingSecret: 'secret', receiver: quietReceiver });
}

const blockAction = (actionId: string) => ({
  type: 'block_actions',
  team: { id: 'T1' },
  user: { id: 'U1', team_id: 'T1' },
  api_app_id: 'A1',
  token: 't',
  trigger_id: 'tr',
  container: { type: 'message' },
  actions: [{ type: 'button', action_id: actionId, block_id: 'b', action_ts: '1' }],
});

async function deliver(app: App, body: Record<string, unknown>): Promise<void> {
  await app.processEvent({ body, ack: async () => undefined });
}

describe('one listener per request kind', () => {
  it('gives the App one listener per kind however many the features register', () => {
    const app = newApp();
    const registered: string[] = [];
    for (const kind of ['command', 'action', 'view', 'shortcut', 'event'] as const) {
      const original = app[kind].bind(app) as (...args: unknown[]) => void;
      (app as unknown as Record<string, unknown>)[kind] = (...args: unknown[]) => {
        registered.push(kind);
        original(...args);
      };
    }
    const dispatcher = new ListenerDispatcher();
    const recorder = dispatcher.recorder(app);
    for (let i = 0; i < 20; i++) recorder.action(`button_${i}`, async () => undefined);
    recorder.action(/^rsvp_(going|maybe)$/, async () => undefined);
    recorder.command('/issue', async () => undefined);
    recorder.command('/vote', async () => undefined);
    recorder.view('issue_new', async () => undefined);
    expect(registered).toEqual([]);
    dispatcher.install(app, silent);
    expect(registered.sort()).toEqual(['action', 'command', 'view']);
  });

  it('runs only the listener registered for the clicked id, exact ids before patterns', async () => {
    const app = newApp();
    const dispatcher = new ListenerDispatcher();
    const recorder = dispatcher.recorder(app);
    const ran: string[] = [];
    recorder.action('vote_choose_1', async ({ ack }) => {
      await ack();
      ran.push('exact');
    });
    recorder.action(/^vote_choose_\d+$/, async () => void ran.push('pattern'));
    recorder.action('other', async () => void ran.push('other'));
    dispatcher.install(app, silent);

    await deliver(app, blockAction('vote_choose_1'));
    await deliver(app, blockAction('vote_choose_7'));
    await deliver(app, blockAction('unknown'));
    expect(ran).toEqual(['exact', 'pattern']);
  });

  it('passes to the next listener of a chain when one calls next()', async () => {
    const app = newApp();
    const dispatcher = new ListenerDispatcher();
    const ran: string[] = [];
    dispatcher.recorder(app).action(
      'guarded',
      async ({ next }) => {
        ran.push('guard');
        await next?.();
      },
      async () => void ran.push('listener'),
    );
    dispatcher.install(app, silent);
    await deliver(app, blockAction('guarded'));
    expect(ran).toEqual(['guard', 'listener']);
  });

  it('finds commands, views, shortcuts and events by their own ids', () => {
    const dispatcher = new ListenerDispatcher();
    const recorder = dispatcher.recorder(newApp());
    const listener = async () => undefined;
    recorder.command('/goal', listener);
    recorder.view('goal_new', listener);
    recorder.shortcut('log_as_issue', listener);
    recorder.event('member_joined_channel', listener);
    expect(dispatcher.find('command', '/goal')).toEqual([listener]);
    expect(dispatcher.find('view', 'goal_new')).toEqual([listener]);
    expect(dispatcher.find('shortcut', 'log_as_issue')).toEqual([listener]);
    expect(dispatcher.find('event', 'member_joined_channel')).toEqual([listener]);
    expect(dispatcher.find('command', '/vote')).toBeUndefined();
    expect(dispatcher.registered('command')).toEqual(['/goal']);
  });

  it('refuses an id registered twice, a stateful pattern and a registration after install', () => {
    const app = newApp();
    const dispatcher = new ListenerDispatcher();
    const recorder = dispatcher.recorder(app);
    recorder.action('twice', async () => undefined);
    expect(() => recorder.action('twice', async () => undefined)).toThrow(/Two action listeners for "twice"/);
    expect(() => recorder.action(/x/g, async () => undefined)).toThrow(/global or sticky/);
    dispatcher.install(app, silent);
    expect(() => recorder.command('/late', async () => undefined)).toThrow(/after the dispatcher was installed/);
  });

  it('leaves the rest of the App as it is (middleware, error handler, client)', () => {
    const app = newApp();
    const recorder = new ListenerDispatcher().recorder(app);
    expect(recorder.client).toBe(app.client);
    expect(typeof recorder.use).toBe('function');
  });
});
