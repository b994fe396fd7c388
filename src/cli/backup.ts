import { spawnSync } from 'node:child_process';
import { backupDatabase, pgDumpCommand } from '../db/backup.js';
import { engineOf } from '../db/open-storage.js';

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

/**
 * `npm run backup -- <file>`: copies DATABASE_URL (default ./data/alliance.db) while the bot runs.
 * SQLite: SQLite's online backup, then an integrity check of the copy. PostgreSQL: pg_dump (a
 * consistent snapshot while the bot runs); when pg_dump is not installed, the exact command to run.
 */
async function main(): Promise<void> {
  const target = process.argv[2];
  if (target === undefined || target === '') {
    process.stderr.write('Usage: npm run backup -- <backup file>   (reads DATABASE_URL, default ./data/alliance.db)\n');
    process.exit(2);
  }
  const source = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '' ? process.env.DATABASE_URL : './data/alliance.db';
  if (engineOf(source) === 'postgres') {
    const command = pgDumpCommand(source, target);
    const run = spawnSync('pg_dump', command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.error !== undefined && 'code' in run.error && run.error.code === 'ENOENT') {
      process.stderr.write(`pg_dump is not installed here. Back PostgreSQL up with (restore with pg_restore --dbname=…):\n  ${command.map(quote).join(' ')}\n`);
      process.exit(2);
    }
    if (run.status !== 0) throw new Error(`pg_dump exited with ${run.status ?? run.signal}`);
    process.stdout.write(`${JSON.stringify({ msg: 'backup written', engine: 'postgres', target, tool: 'pg_dump --format=custom' })}\n`);
    return;
  }
  const result = await backupDatabase(source, target);
  process.stdout.write(`${JSON.stringify({ msg: 'backup written', source, ...result })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
