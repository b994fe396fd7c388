import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export interface BackupResult {
  target: string;
  pages: number;
  integrity: string;
}

/**
 * An online, consistent copy: SQLite's backup API copies page by page and restarts when a writer
 * changes a page it already copied, so the bot keeps running and the copy is one moment's state.
 * The copy is then opened and checked before we call it good.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new Error(`No database at ${source}`);
  if (resolve(source) === resolve(target)) throw new Error('The backup must go to another file than the database itself');
  mkdirSync(dirname(resolve(target)), { recursive: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  // Wait for a writer's lock rather than failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  let pages = 0;
  try {
    const progress = await db.backup(target);
    pages = progress.totalPages;
  } finally {
    db.close();
  }
  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(copy.pragma('integrity_check', { simple: true }));
    if (integrity !== 'ok') throw new Error(`The copy at ${target} failed its integrity check: ${integrity}`);
    return { target, pages, integrity };
  } finally {
    copy.close();
  }
}
