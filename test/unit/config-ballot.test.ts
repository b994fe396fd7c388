import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/*
 * Several instances on one PostgreSQL database must share one ballot key: a key file would be
 * generated on each machine (and lost with its disk at each deploy), giving each its own key, so an
 * anonymous voter could vote once per machine. ALLIANCE_BALLOT_SECRET is therefore required there.
 */

const minimal = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };
const POSTGRES = 'postgres://alliance:pw@db.example.org:5432/alliance';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('the ballot key setting with PostgreSQL', () => {
  it('refuses a PostgreSQL DATABASE_URL without ALLIANCE_BALLOT_SECRET, saying why, and accepts it with one', () => {
    for (const url of [POSTGRES, 'postgresql://alliance@db.example.org/alliance']) {
      const problems = problemsOf({ ...minimal, DATABASE_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^ALLIANCE_BALLOT_SECRET is required with a PostgreSQL DATABASE_URL/);
      expect(problems[0]).toContain('same on every instance');
      expect(problems[0]).toContain('an anonymous voter could vote once per machine');
    }
    // With the secret it starts; SQLite alone needs none (the key file beside the database is one machine's).
    expect(loadConfig({ ...minimal, DATABASE_URL: POSTGRES, ALLIANCE_BALLOT_SECRET: 'a-long-shared-ballot-secret' }).ALLIANCE_BALLOT_SECRET).toBe('a-long-shared-ballot-secret');
    expect(loadConfig({ ...minimal, DATABASE_URL: './data/alliance.db' }).ALLIANCE_BALLOT_SECRET).toBeUndefined();
  });

  it('does not take a key file instead on PostgreSQL: the file would be per machine', () => {
    const problems = problemsOf({ ...minimal, DATABASE_URL: POSTGRES, ALLIANCE_BALLOT_KEY_FILE: '/data/ballot.key' });
    expect(problems.join('\n')).toContain('ALLIANCE_BALLOT_SECRET is required with a PostgreSQL DATABASE_URL');
  });

  it('lists it beside every other problem in one error', () => {
    const problems = problemsOf({ DATABASE_URL: POSTGRES, PORT: 'eighty', ALLIANCE_TIMEZONE: 'Mars/Olympus' }).join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'ALLIANCE_TIMEZONE', 'ALLIANCE_BALLOT_SECRET']) expect(problems).toContain(name);
  });
});
