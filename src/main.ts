import { startAlliance } from './alliance.js';
import { ConfigError, loadConfig } from './config.js';

/** Entry point: configuration from the environment, start, and a clean stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const alliance = await startAlliance(config);
  const shutdown = (signal: string) => {
    alliance.logger.event('info', 'shutting down', { signal });
    alliance.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        alliance.logger.event('error', 'shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
