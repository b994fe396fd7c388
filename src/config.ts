import { z } from 'zod';
import { engineOf } from './db/open-storage.js';
import { parseKey } from './oauth/crypto.js';
import { isValidTimeZone } from './time/zone.js';

const slackUserId = /^[UW][A-Z0-9]{2,}$/;

const KEY_FORMAT = 'must be 32 random bytes as 64 hex digits or base64 (generate one with: openssl rand -hex 32)';
const isKey = (raw: string): boolean => {
  try {
    parseKey(raw);
    return true;
  } catch {
    return false;
  }
};


const configSchema = z.object({
  // Single-workspace mode: the one workspace's bot token. Distribution mode (install from Slack)
  // takes SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET instead; see checkMode.
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_CLIENT_ID: z.string().optional(),
  SLACK_CLIENT_SECRET: z.string().optional(),
  SLACK_STATE_SECRET: z.string().min(16, 'must be at least 16 random characters (it signs the OAuth state)').optional(),
  // Where Slack sends people back after "Allow"; Slack uses the app's configured one when unset.
  SLACK_REDIRECT_URI: z.url({ error: 'must be the full https://…/slack/oauth_redirect address' }).optional(),
  // AES-256-GCM key for the tokens stored in the database (distribution mode).
  ALLIANCE_ENCRYPTION_KEY: z.string().refine(isKey, KEY_FORMAT).optional(),
  // Keys used before the current one, comma-separated: tokens written with them still decrypt until re-encrypted.
  ALLIANCE_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .default('')
    .transform((raw) =>
      raw
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    )
    .refine((keys) => keys.every(isKey), `each key ${KEY_FORMAT}`),
  // Days an uninstalled workspace's data is kept (a reinstall within them brings it back), then purged.
  ALLIANCE_DATA_RETENTION_DAYS: z.coerce.number({ error: 'must be a number of days' }).int('must be a whole number of days').min(0).max(3650).default(30),
  SLACK_SIGNING_SECRET: z
    .string({ error: 'is required (Basic Information → Signing Secret)' })
    .min(1, 'is required (Basic Information → Signing Secret)'),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp- (or leave it unset for HTTP mode)')
    .optional(),
  SLACK_API_URL: z
    .url({ error: 'must be a URL such as https://slack.com/api/' })
    .transform((url) => (url.endsWith('/') ? url : `${url}/`))
    .optional(),
  // A SQLite file path (default), or postgres://user:password@host:5432/database for PostgreSQL
  // (several instances on one database; see src/db/open-storage.ts).
  DATABASE_URL: z.string().min(1).default('./data/alliance.db'),
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be 0–65535')
    .max(65535, 'must be 0–65535')
    .default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ALLIANCE_TIMEZONE: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Detroit').default('America/Detroit'),
  ALLIANCE_COORDINATORS: z
    .string()
    .default('')
    .transform((raw) =>
      raw
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0),
    )
    .refine((ids) => ids.every((id) => slackUserId.test(id)), 'must be comma-separated Slack user ids such as U012ABCDEF'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // How long an instance holds an outbox message it is sending; after a crash, others wait this long before taking it.
  ALLIANCE_OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(5, 'must be at least 5 (seconds)').max(3600).default(60),
  // Keys the hash that hides who cast an anonymous ballot (each workspace's key is derived from it);
  // without it a key is generated once into ALLIANCE_BALLOT_KEY_FILE. Required with PostgreSQL: see ballotKeyProblems.
  ALLIANCE_BALLOT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // Where the generated ballot key is kept (default: ballot.key beside the database); never in the database.
  ALLIANCE_BALLOT_KEY_FILE: z.string().min(1).optional(),
});

const DISTRIBUTION_SETTINGS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

/**
 * Which way Alliance talks to Slack, with every problem listed: exactly one of single-workspace
 * mode (SLACK_BOT_TOKEN) and distribution mode (all three of SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
 * SLACK_STATE_SECRET, plus ALLIANCE_ENCRYPTION_KEY for the stored tokens).
 */
function modeProblems(config: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const given = DISTRIBUTION_SETTINGS.filter((name) => config[name] !== undefined);
  const problem = (path: string, message: string) => problems.push(`${path} ${message}`);
  if (given.length === 0) {
    if (config.SLACK_BOT_TOKEN === undefined) {
      problem('SLACK_BOT_TOKEN', 'is required (the Bot User OAuth Token, xoxb-…), unless you install from Slack with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET');
    }
    return problems;
  }
  if (config.SLACK_BOT_TOKEN !== undefined) {
    problem('SLACK_BOT_TOKEN', `must not be set together with ${given.join(', ')}: set SLACK_BOT_TOKEN for one workspace, or the OAuth settings to install from Slack, not both`);
  }
  for (const name of DISTRIBUTION_SETTINGS) {
    if (config[name] === undefined) problem(name, `is required to install from Slack (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set); find it under Basic Information → App Credentials${name === 'SLACK_STATE_SECRET' ? ' (any random string of 16+ characters)' : ''}`);
  }
  if (config.ALLIANCE_ENCRYPTION_KEY === undefined) problem('ALLIANCE_ENCRYPTION_KEY', `is required to install from Slack: it encrypts the workspaces' tokens in the database (generate one with: openssl rand -hex 32)`);
  if (config.SLACK_APP_TOKEN !== undefined) problem('SLACK_APP_TOKEN', 'cannot be used when installing from Slack (Socket Mode apps cannot be distributed); unset it');
  return problems;
}

/**
 * With PostgreSQL, several instances (often on machines whose disks are thrown away at each deploy)
 * share one database, so they must share one ballot key: a key file would be generated on each
 * machine, giving each its own key and each anonymous voter one ballot per machine.
 */
function ballotKeyProblems(config: Record<string, string | undefined>): string[] {
  if (config.DATABASE_URL === undefined || engineOf(config.DATABASE_URL) !== 'postgres' || config.ALLIANCE_BALLOT_SECRET !== undefined) return [];
  return [
    'ALLIANCE_BALLOT_SECRET is required with a PostgreSQL DATABASE_URL, the same on every instance (at least 16 random characters: openssl rand -hex 32; moving from a ballot.key file, use its contents): ' +
      'without it each machine would generate its own ballot key file, so an anonymous voter could vote once per machine',
  ];
}

export type Config = z.infer<typeof configSchema>;

/** Distribution mode: workspaces install the app from Slack (OAuth); tokens come from the installation store. */
export function isDistributionMode(config: Config): boolean {
  return config.SLACK_CLIENT_ID !== undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Alliance cannot start; fix these settings (see .env.sample):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads every setting at once so that one start-up reports every problem, not the first. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(input);
  // The mode is checked on what was given, so its problems are listed beside every other one.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'} ${issue.message}`)),
    ...modeProblems(input),
    ...ballotKeyProblems(input),
  ];
  if (parsed.success && problems.length === 0) return parsed.data;
  throw new ConfigError(problems);
}
