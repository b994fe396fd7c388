import { DatabaseStartError, SocketModeStartError, startAlliance } from './alliance.js';
import { ConfigError, loadConfig } from './config.js';
import { BallotKeyStartError } from './features/vote/ballot-key.js';
import { redact } from './logger.js';

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

/** Why start-up failed, in words an operator can act on; a stack only for our own bugs. */
function startupFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof SocketModeStartError || error instanceof DatabaseStartError || error instanceof BallotKeyStartError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('slack_webapi_')) {
    const message = error instanceof Error ? error.message : String(error);
    return `Alliance cannot start: Slack did not accept the first call (auth.test): ${message}\nCheck SLACK_BOT_TOKEN, and SLACK_API_URL if you set it.`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main().catch((error: unknown) => {
  process.stderr.write(`${redact(startupFailure(error)) as string}\n`);
  process.exit(1);
});
