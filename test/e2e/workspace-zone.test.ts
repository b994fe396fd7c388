import { afterEach, describe, expect, it } from 'vitest';
import type { SlackRequester } from '../../src/fake-slack/slack-request.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { localToUtc } from '../../src/time/zone.js';
import { startHarness, type Harness } from '../rig/harness.js';
import { FAKE_OAUTH, installWorkspace, OAUTH_ENV } from '../rig/oauth.js';
import { inputValues } from '../rig/slack-request.js';

/*
 * Issue #15: each workspace has its own time zone (`/team settings timezone`). Two workspaces in one
 * deployment (ALLIANCE_TIMEZONE America/Detroit): one sets Asia/Tokyo, the other keeps the default.
 * At 20:00 UTC it is already tomorrow in Tokyo and still today in Detroit, so every "today" (an
 * issue's due date and overdue, on the Home too; a goal's start and reading dates), every time shown,
 * the default digest schedule, and the times of a vote or meeting set by someone whose Slack profile
 * has no zone follow the workspace's zone.
 */

const ONE = 'T0ZONEONE';
const TWO = 'T0ZONETWO';
const TOKYO = 'Asia/Tokyo';
const DETROIT = 'America/Detroit';
const coordinator = PEOPLE.coordinator.id;
/** A person whose Slack profile has no valid time zone: their forms fall back to the workspace's. */
const zoneless = 'U0NOZONE1';
const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });

const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;
// 20:00 UTC on the machine's current day: 15:00 (or 16:00) in Detroit, 05:00 the next day in Tokyo.
const realToday = dayText(Date.now());
const AT = Date.parse(`${realToday}T20:00:00Z`);
const detroitToday = realToday;
const tokyoToday = dayText(AT + DAY_MS);

async function command(slack: SlackRequester, name: string, text: string, who: { userId: string; channelId: string }): Promise<string> {
  const response = await slack.command(name, text, who);
  expect(response.status).toBe(200);
  const body = response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  return `${typeof body['text'] === 'string' ? body['text'] : ''}\n${JSON.stringify(body['blocks'] ?? [])}`;
}

describe("each workspace's own time zone (distribution mode)", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('dates and times follow the workspace that set Asia/Tokyo, while the other keeps ALLIANCE_TIMEZONE', async () => {
    // Installation runs on the real clock; the rest at the fixed instant.
    let clock = new Date();
    h = await startHarness({ fakeOAuth: FAKE_OAUTH, env: { ...OAUTH_ENV, ALLIANCE_COORDINATORS: '' }, now: () => clock, refreshSpacingMs: 0 });
    const harness = h;
    const one = await installWorkspace(harness, ONE, coordinator);
    const two = await installWorkspace(harness, TWO, coordinator);
    harness.fake.addUser({ id: zoneless, name: 'nozone', realName: 'No Zone', tz: '' });
    clock = new Date(AT);
    for (const slack of [one, two]) {
      expect(await command(slack, '/team', 'link CNA', inCna(coordinator))).toContain('linked');
      expect(await command(slack, '/team', 'join CNA', inCna(zoneless))).not.toContain(':warning:');
    }
    expect(await command(one, '/team', `settings timezone ${TOKYO}`, inCna(coordinator))).toContain(`time zone is now *${TOKYO}*`);

    // Issues: "today" is the workspace's, for due dates and overdue.
    for (const slack of [one, two]) expect(await command(slack, '/issue', 'new Placements stalled', inCna(coordinator))).toContain('CNA-1');
    expect(await command(one, '/issue', `due CNA-1 ${detroitToday}`, inCna(coordinator))).toContain(`is in the past; today is ${tokyoToday}`);
    expect(await command(two, '/issue', `due CNA-1 ${detroitToday}`, inCna(coordinator))).toContain(`is due ${detroitToday}`);
    expect(await harness.execute('update issues set due_date = ? where team_id = ?', detroitToday, ONE)).toBe(1);
    const shownInOne = await command(one, '/issue', 'show CNA-1', inCna(coordinator));
    const shownInTwo = await command(two, '/issue', 'show CNA-1', inCna(coordinator));
    expect(shownInOne).toContain('overdue');
    expect(shownInTwo).not.toContain('overdue');
    // The history's times: 05:00 tomorrow in Tokyo, the afternoon in Detroit.
    expect(shownInOne).toContain(', 05:00');
    expect(shownInTwo).toMatch(/, 1[56]:00/);
    expect(await command(one, '/issue', 'list overdue', inCna(coordinator))).toContain('Placements stalled');
    expect(await command(two, '/issue', 'list overdue', inCna(coordinator))).not.toContain('Placements stalled');
    // The coordinators' Home counts it overdue in its own workspace only.
    for (const [slack, ws, overdue] of [
      [one, ONE, ':warning: 1 overdue'],
      [two, TWO, '0 overdue'],
    ] as const) {
      const before = harness.fake.callsTo('views.publish').length;
      await slack.event({ type: 'app_home_opened', user: coordinator, channel: `D${coordinator}`, tab: 'home' });
      await harness.fake.waitFor(() => harness.fake.callsTo('views.publish').length > before);
      const publish = harness.fake.callsTo('views.publish').at(-1);
      expect(publish?.teamId).toBe(ws);
      expect(JSON.stringify(publish?.args.view)).toContain(overdue);
    }

    // Goals: the start date and a reading's date (what pace is measured from and to) are the workspace's today.
    for (const slack of [one, two]) {
      expect(await command(slack, '/goal', 'new CNA Alpha slots from 22 to 40 slots by 2027-06-30', inCna(coordinator))).toMatch(/G-1/);
      expect(await command(slack, '/goal', 'update G-1 28', inCna(coordinator))).toContain('28');
    }
    const goalDates = async (ws: string) =>
      (await harness.query<{ startDate: string; asOf: string }>('select g.start_date as "startDate", r.as_of as "asOf" from goals g join goal_readings r on r.goal_id = g.id where g.team_id = ?', ws))[0];
    expect(await goalDates(ONE)).toEqual({ startDate: tokyoToday, asOf: tokyoToday });
    expect(await goalDates(TWO)).toEqual({ startDate: detroitToday, asOf: detroitToday });

    // Digests: the default schedule is in the workspace's zone.
    expect(await command(one, '/digest', 'schedule', inCna(coordinator))).toContain(`(${TOKYO})`);
    expect(await command(two, '/digest', 'schedule', inCna(coordinator))).toContain(`(${DETROIT})`);

    // A vote's closing time: read in the workspace's zone for someone whose Slack profile has none.
    for (const [slack, zone] of [
      [one, TOKYO],
      [two, DETROIT],
    ] as const) {
      const before = harness.fake.views.size;
      await command(slack, '/vote', 'new', inCna(zoneless));
      await harness.fake.waitFor(() => harness.fake.views.size > before);
      const form = [...harness.fake.views.values()].at(-1) as { blocks: unknown[] };
      expect(JSON.stringify(form.blocks)).toContain(`In your time zone (${zone})`);
    }

    // Meetings: a scheduler without a Slack zone gets the workspace's, and the meeting is at 10:00 there.
    const meetingDay = dayText(AT + 10 * DAY_MS);
    for (const [slack, ws, zone] of [
      [one, ONE, TOKYO],
      [two, TWO, DETROIT],
    ] as const) {
      const before = harness.fake.views.size;
      await command(slack, '/meeting', 'new', inCna(zoneless));
      await harness.fake.waitFor(() => harness.fake.views.size > before);
      const form = [...harness.fake.views.values()].at(-1) as { id: string; callback_id: string; private_metadata: string; blocks: unknown[] };
      expect(JSON.stringify(form.blocks)).toContain(`In your time zone: ${zone}`);
      const cna = (await harness.query<{ id: number }>("select id from program_teams where team_id = ? and key = 'CNA'", ws))[0]?.id;
      const submitted = await slack.viewSubmission({
        view: form,
        userId: zoneless,
        values: inputValues({
          meeting_team: { meeting_team: { type: 'static_select', selected_option: { value: String(cna) } } },
          meeting_title: { meeting_title: { type: 'plain_text_input', value: 'Zone check' } },
          meeting_date: { meeting_date: { type: 'datepicker', selected_date: meetingDay } },
          meeting_time: { meeting_time: { type: 'timepicker', selected_time: '10:00' } },
          meeting_duration: { meeting_duration: { type: 'static_select', selected_option: { value: '60' } } },
          meeting_place: { meeting_place: { type: 'plain_text_input', value: 'Room 2' } },
          meeting_link: { meeting_link: { type: 'url_text_input', value: null } },
          meeting_agenda: { meeting_agenda: { type: 'plain_text_input', value: null } },
        }),
      });
      expect(submitted.status).toBe(200);
      const expected = localToUtc(meetingDay, '10:00', zone);
      if (!expected.ok) throw new Error(`10:00 on ${meetingDay} does not exist in ${zone}`);
      const [meeting] = await harness.query<{ startsAt: number; timeZone: string }>('select starts_at as "startsAt", time_zone as "timeZone" from meetings where team_id = ?', ws);
      expect(meeting).toEqual({ startsAt: expected.at.getTime(), timeZone: zone });
    }
  });
});
