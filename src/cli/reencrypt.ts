import { openStorage } from '../db/open-storage.js';
import { createKeyring } from '../oauth/crypto.js';
import { DatabaseInstallationStore } from '../oauth/installation-store.js';

/*
 * `npm run reencrypt`: the last step of rotating ALLIANCE_ENCRYPTION_KEY. Rewrites every stored
 * installation with the current key (those written with a key in ALLIANCE_ENCRYPTION_KEY_PREVIOUS
 * are decrypted with it first); afterwards the previous key can be dropped. Safe to run while the
 * app runs and to run twice.
 */
async function main(): Promise<void> {
  const key = process.env['ALLIANCE_ENCRYPTION_KEY'];
  if (key === undefined || key === '') {
    process.stderr.write('Set ALLIANCE_ENCRYPTION_KEY (the new key) and ALLIANCE_ENCRYPTION_KEY_PREVIOUS (the old one, comma-separated if several).\n');
    process.exit(2);
  }
  const previous = (process.env['ALLIANCE_ENCRYPTION_KEY_PREVIOUS'] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const keyring = createKeyring(key, previous);
  const url = process.env['DATABASE_URL'] !== undefined && process.env['DATABASE_URL'] !== '' ? process.env['DATABASE_URL'] : './data/alliance.db';
  const storage = await openStorage(url);
  try {
    const rewritten = await new DatabaseInstallationStore({ storage, keyring, now: () => new Date() }).reencryptAll();
    process.stdout.write(`${JSON.stringify({ msg: 'installations re-encrypted', key: keyring.currentId, rewritten, database: storage.description })}\n`);
  } finally {
    await storage.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Re-encryption failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
