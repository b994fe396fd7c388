import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';

/*
 * Bolt keeps a list of listeners and, for every request, runs each one's matcher chain in turn
 * (every matching listener runs). With ~40 listeners that is ~40 chains per button click. Here the
 * features register on a stand-in for the App; the App itself gets ONE listener per request kind,
 * which finds the feature's listener by id in a map (exact ids) or, failing that, in the short
 * list of patterns (ids that carry a slot number, like an RSVP or a ballot option). At most one
 * listener handles a request; an id registered twice is refused at start.
 */

type Kind = 'command' | 'action' | 'view' | 'shortcut' | 'event';
const KINDS: ReadonlySet<string> = new Set<Kind>(['command', 'action', 'view', 'shortcut', 'event']);

type ListenerArgs = Parameters<Middleware<AnyMiddlewareArgs>>[0];
type Listener = Middleware<AnyMiddlewareArgs>;

interface Table {
  exact: Map<string, Listener[]>;
  patterns: Array<{ pattern: RegExp; chain: Listener[] }>;
}

export interface DispatchLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
}

export class ListenerDispatcher {
  private readonly tables = new Map<Kind, Table>();
  private installed = false;

  /**
   * An App whose command/action/view/shortcut/event registrations are recorded here; every other
   * member (use, error, client…) is the real App's.
   */
  recorder(app: App): App {
    return new Proxy(app, {
      get: (target, property, receiver) => {
        if (typeof property === 'string' && KINDS.has(property)) {
          return (constraint: unknown, ...chain: Listener[]) => this.add(property as Kind, constraint, chain);
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Registers the one listener per kind on the real App. */
  install(app: App, logger: DispatchLogger): void {
    if (this.installed) throw new Error('The listener dispatcher is already installed');
    this.installed = true;
    const dispatch = (kind: Kind): Listener => async (args) => {
      const id = idOf(kind, args.body, args.payload);
      const chain = id === undefined ? undefined : this.find(kind, id);
      if (chain === undefined) {
        // As with Bolt's own unmatched requests: nothing acks, the receiver answers Slack.
        logger.debug('no listener for this request', { kind, id });
        return;
      }
      await runChain(chain, args);
    };
    const everything = /[\s\S]*/;
    if (this.tables.has('command')) app.command(everything, dispatch('command'));
    if (this.tables.has('action')) app.action({ action_id: everything }, dispatch('action'));
    if (this.tables.has('view')) {
      app.view({ callback_id: everything, type: 'view_submission' }, dispatch('view'));
    }
    if (this.tables.has('shortcut')) app.shortcut(everything, dispatch('shortcut'));
    if (this.tables.has('event')) app.event(everything, dispatch('event'));
  }

  /** The listener chain for a request of this kind and id, if any. */
  find(kind: Kind, id: string): Listener[] | undefined {
    const table = this.tables.get(kind);
    if (table === undefined) return undefined;
    return table.exact.get(id) ?? table.patterns.find(({ pattern }) => pattern.test(id))?.chain;
  }

  /** What is registered, by kind (for the manifest test and logs). */
  registered(kind: Kind): string[] {
    const table = this.tables.get(kind);
    if (table === undefined) return [];
    return [...table.exact.keys(), ...table.patterns.map(({ pattern }) => String(pattern))];
  }

  private add(kind: Kind, constraint: unknown, chain: Listener[]): void {
    if (this.installed) throw new Error(`A ${kind} listener was registered after the dispatcher was installed`);
    if (chain.length === 0) throw new Error(`A ${kind} listener needs a function`);
    let table = this.tables.get(kind);
    if (table === undefined) {
      table = { exact: new Map(), patterns: [] };
      this.tables.set(kind, table);
    }
    if (typeof constraint === 'string') {
      if (table.exact.has(constraint)) throw new Error(`Two ${kind} listeners for "${constraint}"`);
      table.exact.set(constraint, chain);
    } else if (constraint instanceof RegExp) {
      // A global or sticky pattern keeps state between test() calls and would match every other time.
      if (constraint.global || constraint.sticky) throw new Error(`The ${kind} pattern ${String(constraint)} must not be global or sticky`);
      table.patterns.push({ pattern: constraint, chain });
    } else {
      throw new Error(`The ${kind} dispatcher takes an id or a pattern; register other constraints on the App itself`);
    }
  }
}

/** The id a request of this kind is registered under (Bolt has already checked the body's shape). */
function idOf(kind: Kind, body: unknown, payload: unknown): string | undefined {
  const b = body as Record<string, unknown> | undefined;
  const p = payload as Record<string, unknown> | undefined;
  switch (kind) {
    case 'command':
      return str(p?.['command']);
    case 'action':
      // block_actions carry the clicked element's action_id in the payload; legacy attachments the callback_id.
      return str(p?.['action_id']) ?? str(b?.['callback_id']);
    case 'view':
      return str((b?.['view'] as Record<string, unknown> | undefined)?.['callback_id']);
    case 'shortcut':
      return str(b?.['callback_id']);
    case 'event':
      return str(p?.['type']);
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Runs a listener chain as Bolt does: each listener may call `next()` to pass to the one after it. */
async function runChain(chain: Listener[], args: ListenerArgs): Promise<void> {
  const at = async (index: number): Promise<void> => {
    const listener = chain[index];
    if (listener === undefined) return;
    await listener({ ...args, next: () => at(index + 1) });
  };
  await at(0);
}
