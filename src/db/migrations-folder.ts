import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `migrations/` sits at the project root whether we run from src/ (tsx) or dist/src/ (compiled). */
export function findMigrationsFolder(from = dirname(fileURLToPath(import.meta.url)), folder = 'migrations'): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, folder);
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No ${folder} folder found above ${from}`);
    dir = parent;
  }
}
