// Preloaded into the app's process by the benchmark only (node --expose-gc --import): on SIGUSR2,
// collect garbage fully and write the heap figures to BENCH_HEAP_FILE, so heap growth is measured
// after a forced GC rather than read off one RSS sample. The app itself knows nothing of it.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const m = process.memoryUsage();
  writeFileSync(process.env.BENCH_HEAP_FILE ?? '/dev/null', JSON.stringify({ at: Date.now(), heapUsedMb: m.heapUsed / 1048576, rssMb: m.rss / 1048576 }));
});
