/**
 * Full garbage collections, asked of V8 between a report's teams and before its charts.
 *
 * A report reads and writes hundreds of thousands of short-lived rows; the few alive whenever V8
 * collects its young objects move to the old generation, which V8 lets grow to several times what
 * is really alive (about 15 MB) before collecting it: at 100× data the quarter's report held 40 to
 * 70 MB of dead rows at times, and when its charts began with them (Vega, and resvg's native
 * memory, come on top), its peak was 200 to 235 MB depending on where V8 was in that cycle.
 * Collected between teams once the old generation passes OLD_SPACE_LIMIT, and always before the
 * charts, the dead rows never add up: peaks of 173 to 183 MB. Each collection pauses the main thread
 * for under 15 ms (few objects are alive), but costs more CPU than that (V8's helper threads):
 * collecting after every team cost about 1 s more CPU and 0.3 s more time for a few MB less, and
 * a 32 MB limit 0.2 s more time than 48 MB for the same peaks.
 *
 * V8 offers `gc` only behind its `--expose-gc` flag: it is set here, once, for the process (it only
 * makes `gc` available to contexts created afterwards), and the function is taken from a fresh
 * context, so the app's global scope gets no `gc`.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Old-generation bytes in use (live or dead) above which a report collects between teams. */
export const OLD_SPACE_LIMIT = 48 * 1024 * 1024;

let gc: (() => void) | undefined;

/** A full collection, now. */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** A full collection if the old generation holds more than OLD_SPACE_LIMIT; says whether it ran. */
export function collectGarbageIfGrown(): boolean {
  const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
  if (old === undefined || old.space_used_size <= OLD_SPACE_LIMIT) return false;
  collectGarbage();
  return true;
}
