import { z } from 'zod';
import { isValidTimeZone } from './time/zone.js';

const slackUserId = /^[UW][A-Z0-9]{2,}$/;


const configSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'is required (the Bot User OAuth Token, xoxb-…)' })
    .min(1, 'is required (the Bot User OAuth Token, xoxb-…)'),
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
  // Keys the hash that hides who cast an anonymous ballot; defaults to one derived from the signing secret.
  ALLIANCE_BALLOT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type Config = z.infer<typeof configSchema>;

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
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'} ${issue.message}`);
  throw new ConfigError(problems);
}
