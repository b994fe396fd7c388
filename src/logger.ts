import type { LogLevel, Logger } from '@slack/bolt';

export type Level = 'debug' | 'info' | 'warn' | 'error';

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Slack tokens and signatures must never reach a log line, whatever object carries them.
const secretPatterns: RegExp[] = [/xox[abposr]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /v0=[a-f0-9]{64}/g];
const secretKeys = /token|secret|signature|authorization|password/i;

/** Enough for any log line we write; a bigger graph is someone logging a socket by mistake. */
const MAX_LOGGED_VALUES = 5_000;

/**
 * What a log line says about an error: not its every field (a Web API error carries the whole HTTP
 * request and socket), but what explains it: message, stack, Slack's code and answer, its cause.
 */
function errorFields(error: Error): Array<[string, unknown]> {
  const own = error as Error & { code?: unknown; data?: unknown; statusCode?: unknown };
  const fields: Array<[string, unknown]> = [
    ['name', error.name],
    ['message', error.message],
    ['stack', error.stack],
  ];
  if (own.code !== undefined) fields.push(['code', own.code]);
  if (own.statusCode !== undefined) fields.push(['statusCode', own.statusCode]);
  if (own.data !== undefined) fields.push(['data', own.data]);
  if (error.cause !== undefined) fields.push(['cause', error.cause]);
  return fields;
}

function scrubText(text: string, secrets: readonly string[]): string {
  const scrubbed = secrets.reduce((t, secret) => (secret.length >= 8 ? t.split(secret).join('[redacted]') : t), text);
  return secretPatterns.reduce((t, pattern) => t.replace(pattern, '[redacted]'), scrubbed);
}

/**
 * A copy of `value` safe to log, however deep the secret sits (an error's `cause` of a response of
 * a request of its headers…): strings are scrubbed by value (`secrets`, exact values such as the
 * signing secret, which has no recognisable shape) and by shape (tokens, signatures), and fields
 * whose key names a secret are replaced whole. An object met again inside itself is written
 * `[circular]` (a shared object that is not a cycle is written each time). Past `MAX_LOGGED_VALUES`
 * values (a socket or a whole HTTP request handed to a log call) the rest is written `[truncated]`:
 * dropped, never written unscrubbed.
 */
export function redact(value: unknown, secrets: readonly string[] = []): unknown {
  const ancestors = new Set<object>();
  let budget = MAX_LOGGED_VALUES;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return scrubText(item, secrets);
    if (typeof item === 'bigint') return item.toString();
    if (item === null || typeof item !== 'object') return item;
    if (ancestors.has(item)) return '[circular]';
    if (--budget < 0) return '[truncated]';
    if (item instanceof Date) return Number.isNaN(item.getTime()) ? 'Invalid Date' : item.toISOString();
    ancestors.add(item);
    try {
      if (Array.isArray(item)) return item.map(walk);
      const entries: Array<[string, unknown]> = Object.entries(item);
      if (item instanceof Error) return Object.fromEntries(errorFields(item).map(([key, inner]) => [key, secretKeys.test(key) ? '[redacted]' : walk(inner)]));
      return Object.fromEntries(entries.map(([key, inner]) => [key, secretKeys.test(key) ? '[redacted]' : walk(inner)]));
    } finally {
      ancestors.delete(item);
    }
  };
  return walk(value);
}

export type LogSink = (line: string) => void;

export interface AppLogger extends Logger {
  /** One structured line: what happened, with context fields. */
  event(level: Level, what: string, fields: Record<string, unknown>): void;
}

/** A JSON-lines logger that Bolt and the app share; every line passes through `redact`. */
export function createLogger(level: string, sink: LogSink = (line) => process.stdout.write(`${line}\n`), options: { secrets?: readonly string[] } = {}): AppLogger {
  const secrets = options.secrets ?? [];
  let current: Level = level in order ? (level as Level) : 'info';
  let name = 'alliance';
  const write = (lvl: Level, what: string, fields: Record<string, unknown>) => {
    if (order[lvl] < order[current]) return;
    const safe = redact(fields, secrets) as Record<string, unknown>;
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, name, msg: redact(what, secrets), ...safe }));
  };
  const fromArgs = (lvl: Level, args: unknown[]) => {
    const [first, ...rest] = args;
    const what = typeof first === 'string' ? first : first instanceof Error ? first.message : JSON.stringify(redact(first, secrets));
    const extra = typeof first === 'string' ? rest : args;
    write(lvl, what, extra.length > 0 ? { details: extra } : {});
  };
  return {
    debug: (...args: unknown[]) => fromArgs('debug', args),
    info: (...args: unknown[]) => fromArgs('info', args),
    warn: (...args: unknown[]) => fromArgs('warn', args),
    error: (...args: unknown[]) => fromArgs('error', args),
    setLevel: (lvl: LogLevel) => {
      current = lvl;
    },
    getLevel: () => current as LogLevel,
    setName: (n: string) => {
      name = n;
    },
    event: write,
  };
}
