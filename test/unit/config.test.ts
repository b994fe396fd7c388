import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const minimal = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      DATABASE_URL: './data/alliance.db',
      PORT: 3000,
      ALLIANCE_TIMEZONE: 'America/Detroit',
      ALLIANCE_COORDINATORS: [],
      LOG_LEVEL: 'info',
    });
    expect(config.SLACK_APP_TOKEN).toBeUndefined();
    expect(config.SLACK_API_URL).toBeUndefined();
  });

  it('lists every missing or malformed variable in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', ALLIANCE_TIMEZONE: 'Mars/Olympus', ALLIANCE_COORDINATORS: 'U123ABC,bob', LOG_LEVEL: 'loud', SLACK_APP_TOKEN: 'xoxb-wrong' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'ALLIANCE_TIMEZONE', 'ALLIANCE_COORDINATORS', 'LOG_LEVEL', 'SLACK_APP_TOKEN']) {
      expect(problems).toContain(name);
    }
    expect((caught as ConfigError).message).toContain('.env.sample');
  });

  it('accepts a PostgreSQL DATABASE_URL, postgres:// or postgresql:// (with the ballot secret every instance shares)', () => {
    for (const url of ['postgres://alliance:pw@db.internal:5432/alliance', 'postgresql://alliance@127.0.0.1/alliance']) {
      expect(loadConfig({ ...minimal, DATABASE_URL: url, ALLIANCE_BALLOT_SECRET: 'a-ballot-secret-of-16+' }).DATABASE_URL).toBe(url);
    }
  });

  it('parses coordinators and adds the trailing slash the Web API client needs', () => {
    const config = loadConfig({ ...minimal, ALLIANCE_COORDINATORS: ' U012ABCDEF , W0456XYZ ', SLACK_API_URL: 'http://127.0.0.1:9/api', PORT: '8080' });
    expect(config.ALLIANCE_COORDINATORS).toEqual(['U012ABCDEF', 'W0456XYZ']);
    expect(config.SLACK_API_URL).toBe('http://127.0.0.1:9/api/');
    expect(config.PORT).toBe(8080);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...minimal, SLACK_APP_TOKEN: '', PORT: '' }).PORT).toBe(3000);
  });
});
