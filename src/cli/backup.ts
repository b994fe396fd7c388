import { backupDatabase } from '../db/backup.js';

/** `npm run backup -- <file>`: copies DATABASE_URL (default ./data/alliance.db) while the bot runs. */
async function main(): Promise<void> {
  const target = process.argv[2];
  if (target === undefined || target === '') {
    process.stderr.write('Usage: npm run backup -- <backup file>   (reads DATABASE_URL, default ./data/alliance.db)\n');
    process.exit(2);
  }
  const source = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '' ? process.env.DATABASE_URL : './data/alliance.db';
  const result = await backupDatabase(source, target);
  process.stdout.write(`${JSON.stringify({ msg: 'backup written', source, ...result })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
