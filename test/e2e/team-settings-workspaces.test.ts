import { afterEach, describe, expect, it } from 'vitest';
import type { SlackRequester } from '../../src/fake-slack/slack-request.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { startHarness, type Harness } from '../rig/harness.js';
import { FAKE_OAUTH, installWorkspace, OAUTH_ENV } from '../rig/oauth.js';

/*
 * `/team settings` in distribution mode: two workspaces with the same channel and user ids, so a
 * setting that leaked across workspaces would show.
 */

const ONE = 'T0SETONE01';
const TWO = 'T0SETTWO02';
const coordinator = PEOPLE.coordinator.id;
const member = PEOPLE.henryFord1.id;
const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });

async function said(slack: SlackRequester, text: string, userId: string): Promise<string> {
  const response = await slack.command('/team', text, inCna(userId));
  expect(response.status).toBe(200);
  const body = response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  return `${typeof body['text'] === 'string' ? body['text'] : ''}\n${JSON.stringify(body['blocks'] ?? [])}`;
}

describe('/team settings, one per workspace (distribution mode)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('keeps each workspace’s time zone its own', async () => {
    h = await startHarness({ fakeOAuth: FAKE_OAUTH, env: { ...OAUTH_ENV, ALLIANCE_COORDINATORS: '' } });
    const one = await installWorkspace(h, ONE, coordinator);
    const two = await installWorkspace(h, TWO, coordinator);
    for (const slack of [one, two]) expect(await said(slack, 'join CNA', member)).toContain('CNA');

    expect(await said(one, 'settings timezone Asia/Tokyo', coordinator)).toContain('time zone is now *Asia/Tokyo*');
    expect(await said(one, 'settings', member)).toContain('Asia/Tokyo (this workspace’s');
    const other = await said(two, 'settings', member);
    expect(other).toContain(`${h.config.ALLIANCE_TIMEZONE} (deployment default)`);
    expect(other).not.toContain('Asia/Tokyo');

    expect(await said(two, 'settings timezone Europe/London', coordinator)).toContain('*Europe/London*');
    expect(await said(one, 'settings', member)).toContain('Asia/Tokyo (this workspace’s');
    expect(await h.query('select team_id, time_zone from workspace_settings order by team_id')).toEqual([
      { team_id: ONE, time_zone: 'Asia/Tokyo' },
      { team_id: TWO, time_zone: 'Europe/London' },
    ]);

    expect(await said(one, 'settings reset timezone', coordinator)).toContain('deployment');
    expect(await said(two, 'settings', member)).toContain('Europe/London (this workspace’s');
  });
});
