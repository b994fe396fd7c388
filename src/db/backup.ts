import { existsSync, mkdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

export interface BackupResult {
  target: string;
  pages: number;
  integrity: string;
}

/** SQLite keeps a database in up to four files; writing a backup over any of them corrupts it. */
const DATABASE_FILE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Where a path really leads: symlinks followed (also a dangling one, to where it would write) and,
 * for a file that does not exist yet, its folder's real path with its name.
 */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let link: string | undefined;
  try {
    link = readlinkSync(absolute);
  } catch {
    link = undefined;
  }
  if (link !== undefined) return realPathOf(resolve(dirname(absolute), link));
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPathOf(parent), basename(absolute));
}

const sameFile = (a: string, b: string): boolean => {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
};

/**
 * The target must not be the database or one of its companion files, by any name: compared by
 * real path (symlinks, `..`, a relative path) and, when both exist, by inode (a hard link).
 */
export function refuseDatabaseFiles(source: string, target: string): void {
  const realTarget = realPathOf(target);
  for (const suffix of DATABASE_FILE_SUFFIXES) {
    const file = realPathOf(source) + suffix;
    if (realTarget === file || realTarget === realPathOf(resolve(source) + suffix) || sameFile(target, file)) {
      throw new Error(`The backup must go to another file: ${target} is the database's own ${suffix === '' ? 'file' : `${suffix} file`} (${file})`);
    }
  }
}

/**
 * An online, consistent copy: SQLite's backup API copies page by page and restarts when a writer
 * changes a page it already copied, so the bot keeps running and the copy is one moment's state.
 * The copy is then opened and checked before we call it good.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new Error(`No database at ${source}`);
  refuseDatabaseFiles(source, target);
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

/** The exact pg_dump command that backs a PostgreSQL DATABASE_URL up into `target` (custom format, for pg_restore). */
export function pgDumpCommand(url: string, target: string): string[] {
  return ['pg_dump', '--format=custom', '--no-owner', `--file=${target}`, `--dbname=${url}`];
}
