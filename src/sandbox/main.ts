import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';
import { startSandbox } from './server.js';

/**
 * `npm run sandbox`: Alliance with a stand-in for Slack in the browser, on loopback only.
 * Never started by `npm start` (that runs `src/main.ts`).
 */
const DEFAULT_DB = './data/sandbox.db';

function portFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.SANDBOX_PORT ?? env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError([`SANDBOX_PORT must be a port number (got "${raw}")`]);
  return port;
}

/** Schedules run as in production; "Send digests now" runs `/digest send all` (src/sandbox/digests.ts). */
async function main(): Promise<void> {
  const databaseUrl = process.env.SANDBOX_DATABASE_URL ?? DEFAULT_DB;
  mkdirSync(dirname(databaseUrl), { recursive: true });
  const logLevel = process.env.LOG_LEVEL;
  const sandbox = await startSandbox({
    port: portFromEnv(process.env),
    databaseUrl,
    ...(logLevel === 'debug' || logLevel === 'info' || logLevel === 'warn' || logLevel === 'error' ? { logLevel } : {}),
  });
  process.stdout.write(
    [
      '',
      '  Alliance sandbox — not connected to Slack',
      `  Open ${sandbox.url} in your browser.`,
      `  Database: ${databaseUrl} (delete it to start over). Stop with Ctrl+C.`,
      '',
    ].join('\n') + '\n',
  );
  const shutdown = (): void => {
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandbox: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
