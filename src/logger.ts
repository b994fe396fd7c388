import type { LogLevel, Logger } from '@slack/bolt';

export type Level = 'debug' | 'info' | 'warn' | 'error';

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Slack tokens and signatures must never reach a log line, whatever object carries them.
const secretPatterns: RegExp[] = [/xox[abposr]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /v0=[a-f0-9]{64}/g];
const secretKeys = /token|secret|signature|authorization|password/i;

/** Exact secret values to scrub wherever they appear (the signing secret has no recognisable shape). */
export function redact(value: unknown, depth = 0, secrets: readonly string[] = []): unknown {
  if (typeof value === 'string') {
    const scrubbed = secrets.reduce((text, secret) => (secret.length >= 8 ? text.split(secret).join('[redacted]') : text), value);
    return secretPatterns.reduce((text, pattern) => text.replace(pattern, '[redacted]'), scrubbed);
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, depth + 1, secrets), stack: redact(value.stack, depth + 1, secrets) };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, secrets));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, secretKeys.test(key) ? '[redacted]' : redact(item, depth + 1, secrets)]),
  );
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
    const safe = redact(fields, 0, secrets) as Record<string, unknown>;
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, name, msg: redact(what, 0, secrets), ...safe }));
  };
  const fromArgs = (lvl: Level, args: unknown[]) => {
    const [first, ...rest] = args;
    const what = typeof first === 'string' ? first : first instanceof Error ? first.message : JSON.stringify(redact(first, 0, secrets));
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
