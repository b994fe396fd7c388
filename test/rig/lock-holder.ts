/**
 * A second process that takes SQLite's write lock on a database file and holds it until told to
 * let go: what another instance of the app in a long write transaction looks like to this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

const SCRIPT = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 5000');
db.exec('begin immediate');
db.exec("insert into audit_log (team_id, actor_id, action, target, outcome, created_at) values ('T', 'U', 'lock.holder', 'x', 'done', 0)");
process.stdout.write('locked\\n');
process.stdin.once('data', () => {
  db.exec('commit');
  db.close();
  process.stdout.write('released\\n');
  process.exit(0);
});
`;

export interface LockHolder {
  process: ChildProcess;
  /** Commits and exits; resolves once the lock is gone. */
  release(): Promise<void>;
}

export async function holdWriteLock(dbPath: string): Promise<LockHolder> {
  const child = spawn(process.execPath, ['-e', SCRIPT, dbPath], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  const seen = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes(word)) resolve();
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        check();
      });
      child.once('exit', (code) => (output.includes(word) ? resolve() : reject(new Error(`lock holder exited (${String(code)}) before "${word}"`))));
      check();
    });
  await seen('locked');
  let releasing: Promise<void> | undefined;
  return {
    process: child,
    release: () => {
      releasing ??= release();
      return releasing;
    },
  };

  async function release(): Promise<void> {
    if (child.exitCode !== null) return;
    const released = seen('released');
    child.stdin?.write('go\n');
    await released;
  }
}
