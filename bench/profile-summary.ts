import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A text summary of a V8 CPU profile (`node --cpu-prof`, as `bench/quick.ts --prof=DIR` takes of
 * the app): where the sampled time went, by place (the app's own files, each package in
 * node_modules, Node's internals, garbage collection, idle) and by function, self time (the
 * function's own code) and total time (with what it called).
 *   npx tsx bench/profile-summary.ts DIR_OR_FILE.cpuprofile [--top=25]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const root = join(import.meta.dirname, '..');

/** Where a frame's code lives: `src/features/issue`, a package name, `node:internal`, or V8's own (GC, idle, program). */
export function placeOf(url: string, functionName: string): string {
  // V8's own entries keep their names; a native binding (a socket's writev, say) is named after itself.
  if (url === '') return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  // node:internal/async_hooks, node:internal/streams, node:_http_server…
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/').replace(/\.js$/, '');
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const inRepo = relative(root, path);
  const parts = inRepo.split('/');
  // dist/src/features/issue/service.js → src/features/issue
  const from = parts[0] === 'dist' ? 1 : 0;
  return parts.slice(from, Math.min(parts.length - 1, from + 3)).join('/') || inRepo;
}

const frameName = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '') return functionName || '(anonymous)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  const short = modules >= 0 ? path.slice(modules + '/node_modules/'.length) : url.startsWith('node:') ? url : relative(root, path);
  return `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
};

export function summariseProfile(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const idleMs = [...selfMs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, ms]) => a + ms, 0);
  const busyMs = totalMs - idleMs;

  const places = new Map<string, number>();
  const functionsSelf = new Map<string, number>();
  const functionsTotal = new Map<string, number>();
  const nativeCallers = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    if (node.callFrame.url === '' && !node.callFrame.functionName.startsWith('(') && node.callFrame.functionName !== 'runMicrotasks') {
      // A native call (a socket write, say) is charged to the first caller outside Node's own code.
      let at = parent.get(id);
      while (at !== undefined && (byId.get(at)?.callFrame.url ?? '').startsWith('node:')) at = parent.get(at);
      const caller = at === undefined ? undefined : byId.get(at);
      const name = `${node.callFrame.functionName} ← ${caller === undefined ? '?' : frameName(caller)}`;
      nativeCallers.set(name, (nativeCallers.get(name) ?? 0) + ms);
    }
    const place = placeOf(node.callFrame.url, node.callFrame.functionName);
    places.set(place, (places.get(place) ?? 0) + ms);
    functionsSelf.set(frameName(node), (functionsSelf.get(frameName(node)) ?? 0) + ms);
    // Total time: each distinct function on the sample's stack once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined) break;
      const name = frameName(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      functionsTotal.set(name, (functionsTotal.get(name) ?? 0) + ms);
    }
  }
  const pct = (ms: number) => `${((ms / busyMs) * 100).toFixed(1).padStart(5)}%`;
  const table = (entries: Map<string, number>, count: number, skip: (name: string) => boolean = () => false) =>
    [...entries]
      .filter(([name]) => !skip(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => `  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  const wrappers = (name: string) => name.startsWith('(root)') || name.startsWith('(idle)') || name.startsWith('(program)') || name.startsWith('(garbage collector)');
  return [
    `Profile: ${totalMs.toFixed(0)} ms sampled, ${idleMs.toFixed(0)} ms idle, ${busyMs.toFixed(0)} ms busy (percentages below are of busy time).`,
    '',
    'Self time by place (the app\'s files, packages, Node internals, V8):',
    ...table(places, top, (name) => name === '(idle)'),
    '',
    'Self time by function:',
    ...table(functionsSelf, top, (name) => name.startsWith('(idle)')),
    '',
    'Native calls by the code that made them:',
    ...table(nativeCallers, Math.min(top, 10)),
    '',
    'Total time by function (with what it called; asynchronous work is counted from its last await, not its caller):',
    ...table(functionsTotal, top, wrappers),
  ].join('\n');
}

/** The newest .cpuprofile in a directory, or the file itself. */
export function newestProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files[0] === undefined) throw new Error(`no .cpuprofile in ${path}`);
  return files[0];
}

export function summariseProfileFile(path: string, top = 25): string {
  return summariseProfile(JSON.parse(readFileSync(newestProfile(path), 'utf8')) as CpuProfile, top);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const target = process.argv[2];
  if (target === undefined) throw new Error('usage: npx tsx bench/profile-summary.ts DIR_OR_FILE.cpuprofile [--top=25]');
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice('--top='.length) ?? 25);
  process.stdout.write(`${summariseProfileFile(target, top)}\n`);
}
