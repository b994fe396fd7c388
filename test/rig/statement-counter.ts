import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Counts the statements every database connection in this process runs (SQLite statements through
 * better-sqlite3, PostgreSQL round trips through node-postgres, BEGIN/COMMIT and pragmas included)
 * while recording, with their SQL, so a test can hold a request to a statement budget.
 */
export interface StatementRecorder {
  start(): void;
  stop(): string[];
}

let recording: string[] | undefined;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const probe = new Database(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statementPrototype[method] as (this: { source: string }, ...args: unknown[]) => unknown;
    statementPrototype[method] = function (this: { source: string }, ...args: unknown[]) {
      recording?.push(this.source);
      return original.apply(this, args);
    };
  }
  const clientPrototype = pg.Client.prototype as unknown as Record<string, unknown>;
  const query = clientPrototype['query'] as (this: unknown, ...args: unknown[]) => unknown;
  clientPrototype['query'] = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    recording?.push(typeof first === 'string' ? first : (first?.text ?? '?'));
    return query.apply(this, args);
  };
}

export function statementRecorder(): StatementRecorder {
  install();
  return {
    start: () => {
      recording = [];
    },
    stop: () => {
      const got = recording ?? [];
      recording = undefined;
      return got;
    },
  };
}
