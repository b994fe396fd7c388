import { afterEach, describe, expect, it } from 'vitest';
import type { SlackRequester } from '../../src/fake-slack/slack-request.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { startHarness, type Harness } from '../rig/harness.js';
import { inputValues } from '../rig/slack-request.js';
import { FAKE_OAUTH, installWorkspace, OAUTH_ENV } from '../rig/oauth.js';

/*
 * Distribution mode with two workspaces that use the same channel and user ids (Slack ids are only
 * unique within a workspace, and a test that reuses them proves every query is scoped by workspace).
 */

const ONE = 'T0WSONE01';
const TWO = 'T0WSTWO02';
const coordinator = PEOPLE.coordinator.id;
const member = PEOPLE.henryFord1.id;
const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });

interface Ack {
  status: number;
  text: string;
  raw: string;
}

async function command(slack: SlackRequester, name: string, text: string, who: { userId: string; channelId: string }): Promise<Ack> {
  const response = await slack.command(name, text, who);
  const body = response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  const said = typeof body['text'] === 'string' ? body['text'] : '';
  return { status: response.status, text: `${said}\n${JSON.stringify(body['blocks'] ?? [])}`, raw: response.body };
}

/** `/digest preview` acks at once and answers through its response_url (README Performance, "Before the ack"). */
async function previewAnswer(h: Harness, slack: SlackRequester, target: string, who: { userId: string; channelId: string }): Promise<Ack> {
  const before = h.fake.responses.length;
  const ack = await command(slack, '/digest', `preview ${target}`, who);
  expect(ack.text).toContain('Building a preview');
  const answer = await h.fake.waitFor(() => h.fake.responses[before], 30_000);
  const said = typeof answer.body['text'] === 'string' ? answer.body['text'] : '';
  return { status: 200, text: `${said}\n${JSON.stringify(answer.body['blocks'] ?? [])}`, raw: JSON.stringify(answer.body) };
}

describe('many workspaces, one Alliance (distribution mode)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = async () => {
    h = await startHarness({ fakeOAuth: FAKE_OAUTH, env: { ...OAUTH_ENV, ALLIANCE_COORDINATORS: '' } });
    const one = await installWorkspace(h, ONE, coordinator);
    const two = await installWorkspace(h, TWO, coordinator);
    for (const slack of [one, two]) expect((await command(slack, '/team', 'link CNA', inCna(coordinator))).text).toContain('linked');
    return { h, one, two };
  };

  it('keeps two workspaces with the same channel and user ids apart: teams, issues, votes, meetings, goals, digests and Home tabs', async () => {
    const { h, one, two } = await start();
    expect((await command(one, '/team', 'join CNA', inCna(member))).status).toBe(200);
    expect((await command(one, '/issue', 'new Alpha placements stalled', inCna(member))).text).toContain('CNA-1');
    expect((await command(one, '/vote', 'new Alpha first? | Alpha A | Alpha B', inCna(coordinator))).text).toMatch(/V-1/);
    expect((await command(one, '/goal', 'new CNA Alpha slots from 22 to 40 slots by 2027-06-30', inCna(coordinator))).text).toMatch(/G-1/);

    // The second workspace starts empty, with its own numbering.
    expect((await command(two, '/team', 'members CNA', inCna(member))).text).not.toContain(member);
    expect((await command(two, '/issue', 'list all', inCna(member))).text).not.toContain('Alpha');
    expect((await command(two, '/vote', 'list', inCna(member))).text).not.toContain('Alpha');
    expect((await command(two, '/goal', 'list', inCna(member))).text).not.toContain('Alpha');
    expect((await command(two, '/issue', 'new Beta curriculum gap', inCna(member))).text).toContain('CNA-1');
    expect((await command(two, '/team', 'join CNA', inCna(member))).status).toBe(200);
    expect((await command(two, '/vote', 'new Beta first? | Beta A | Beta B', inCna(coordinator))).text).toMatch(/V-1/);
    const digestTwo = await previewAnswer(h, two, 'CNA', inCna(coordinator));
    expect(digestTwo.text).toContain('Beta');
    expect(digestTwo.text).not.toContain('Alpha');
    const digestOne = await previewAnswer(h, one, 'CNA', inCna(coordinator));
    expect(digestOne.text).toContain('Alpha');
    expect(digestOne.text).not.toContain('Beta');
    expect((await command(one, '/issue', 'show CNA-1', inCna(member))).text).toContain('Alpha placements stalled');
    expect((await command(two, '/issue', 'show CNA-1', inCna(member))).text).toContain('Beta curriculum gap');

    // Meetings: one scheduled through the form in workspace one is not in workspace two's list.
    const before = h.fake.views.size;
    expect((await command(one, '/meeting', 'new', inCna(member))).status).toBe(200);
    await h.fake.waitFor(() => h.fake.views.size > before);
    const form = [...h.fake.views.values()].at(-1) as { id: string; callback_id: string; private_metadata: string; blocks: unknown[] };
    const cnaOfOne = (await h.query<{ id: number }>("select id from program_teams where team_id = ? and key = 'CNA'", ONE))[0]?.id;
    const day = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const submitted = await one.viewSubmission({
      view: form,
      userId: member,
      values: inputValues({
        meeting_team: { meeting_team: { type: 'static_select', selected_option: { value: String(cnaOfOne) } } },
        meeting_title: { meeting_title: { type: 'plain_text_input', value: 'Alpha meeting' } },
        meeting_date: { meeting_date: { type: 'datepicker', selected_date: day } },
        meeting_time: { meeting_time: { type: 'timepicker', selected_time: '10:00' } },
        meeting_duration: { meeting_duration: { type: 'static_select', selected_option: { value: '60' } } },
        meeting_place: { meeting_place: { type: 'plain_text_input', value: 'Henry Ford Hospital, room 2' } },
        meeting_link: { meeting_link: { type: 'url_text_input', value: null } },
        meeting_agenda: { meeting_agenda: { type: 'plain_text_input', value: null } },
      }),
    });
    expect(submitted.status).toBe(200);
    expect((await command(one, '/meeting', 'list', inCna(member))).text).toContain('Alpha meeting');
    expect((await command(two, '/meeting', 'list', inCna(member))).text).not.toContain('Alpha meeting');
    expect((await command(two, '/meeting', 'show M-1', inCna(member))).text).not.toContain('Alpha meeting');

    // Home tabs: each workspace's Home is published with its own token and shows only its own work.
    for (const [slack, team] of [
      [one, ONE],
      [two, TWO],
    ] as const) {
      const before = h.fake.callsTo('views.publish').length;
      await slack.event({ type: 'app_home_opened', user: member, channel: `D${member}`, tab: 'home' });
      await h.fake.waitFor(() => h.fake.callsTo('views.publish').length > before);
      const publish = h.fake.callsTo('views.publish').at(-1);
      expect(publish?.teamId).toBe(team);
      const shown = JSON.stringify(publish?.args.view);
      expect(shown).toContain(team === ONE ? 'Alpha' : 'Beta');
      expect(shown).not.toContain(team === ONE ? 'Beta' : 'Alpha');
    }

    // Every message the outbox sent went with the token of the workspace it belongs to.
    await h.flush();
    const posts = h.fake.callsTo('chat.postMessage').filter((c) => c.ok);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      const text = JSON.stringify(post.args);
      if (text.includes('Alpha')) expect(post.teamId).toBe(ONE);
      if (text.includes('Beta')) expect(post.teamId).toBe(TWO);
    }
    // Jobs run for each installed workspace.
    const digests = (await h.alliance.runJob('digest', new Date())) as Record<string, unknown>;
    expect(Object.keys(digests).sort()).toEqual([ONE, TWO]);
  });

  it('on app_uninstalled deletes that workspace’s tokens and stops its work only; its data comes back on reinstall, and goes after the retention period', async () => {
    const { h, one, two } = await start();
    expect((await command(one, '/issue', 'new Alpha kept for later', inCna(member))).text).toContain('CNA-1');
    // A reminder-like message waiting in the outbox for workspace one.
    expect((await command(two, '/issue', 'new Beta stays', inCna(member))).text).toContain('CNA-1');

    const gone = await one.event({ type: 'app_uninstalled' });
    expect(gone.status).toBe(200);
    // The event is answered first; its work (tokens, then the outbox and Homes) ends with this log line.
    await h.fake.waitFor(() => h.logs.some((line) => line.includes('workspace uninstalled: tokens deleted') && line.includes(ONE)));
    expect((await h.query<{ n: number }>('select count(*) as n from slack_installations where team_id = ? and uninstalled_at is not null', ONE))[0]?.n).toBe(1);
    expect(await h.query('select installation_enc from slack_installations where team_id = ?', ONE)).toEqual([{ installation_enc: null }]);
    expect((await h.query<{ n: number }>("select count(*) as n from outbox where team_id = ? and status in ('pending', 'verify', 'sending')", ONE))[0]?.n).toBe(0);

    // Workspace one is refused now; two carries on, and jobs run for two only.
    expect((await command(one, '/issue', 'list all', inCna(member))).raw).not.toContain('Alpha');
    expect((await command(two, '/issue', 'list all', inCna(member))).text).toContain('Beta');
    expect(Object.keys((await h.alliance.runJob('digest', new Date())) as Record<string, unknown>)).toEqual([TWO]);

    // Reinstalled within the retention period: everything is back.
    const again = await installWorkspace(h, ONE, member);
    expect((await command(again, '/issue', 'list all', inCna(member))).text).toContain('Alpha');

    // Uninstalled again and 31 days later: purged (30 days by default), workspace two untouched.
    await again.event({ type: 'tokens_revoked', tokens: { bot: ['U0FAKEBOT1'] } });
    await h.fake.waitFor(async () => (await h.query<{ n: number }>('select count(*) as n from slack_installations where team_id = ? and uninstalled_at is not null', ONE))[0]?.n === 1);
    const soon = (await h.alliance.runJob('purge-uninstalled', new Date(Date.now() + 29 * 86_400_000))) as { purged: string[] };
    expect(soon.purged).toEqual([]);
    const later = (await h.alliance.runJob('purge-uninstalled', new Date(Date.now() + 31 * 86_400_000))) as { purged: string[] };
    expect(later.purged).toEqual([ONE]);
    for (const table of ['issues', 'program_teams', 'coordinators', 'slack_installations', 'outbox']) {
      expect((await h.query<{ n: number }>(`select count(*) as n from ${table} where team_id = ?`, ONE))[0]?.n).toBe(0);
    }
    expect((await h.query<{ n: number }>('select count(*) as n from issues where team_id = ?', TWO))[0]?.n).toBe(1);
  });

  it('one workspace’s hung Slack never delays another’s messages', async () => {
    const { h, one, two } = await start();
    await h.flush();
    // Workspace one's next post hangs at Slack for 4 s.
    h.fake.failNext('chat.postMessage', { delayMs: 4_000, teamId: ONE });
    expect((await command(one, '/issue', 'new Alpha slow', inCna(member))).status).toBe(200);
    await h.fake.waitFor(() => h.fake.pendingFaults('chat.postMessage') === 0, 3_000);
    const started = Date.now();
    expect((await command(two, '/issue', 'new Beta quick', inCna(member))).status).toBe(200);
    await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').some((c) => c.ok && c.teamId === TWO && JSON.stringify(c.args).includes('Beta quick')), 3_000);
    // Workspace two's announcement went out while one's call was still hanging at Slack.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.teamId === ONE && JSON.stringify(c.args).includes('Alpha slow'))).toBe(false);
    await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').some((c) => c.ok && c.teamId === ONE && JSON.stringify(c.args).includes('Alpha slow')), 10_000);
  });
});
