import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type CommandAck, type Harness } from '../rig/harness.js';

let clock = new Date('2025-03-10T14:00:00Z');
const tick = () => {
  clock = new Date(clock.getTime() + 60_000);
};
const member = { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.cna.id };

interface Shown {
  text: string;
  blocks: Array<{ type: string; block_id?: string; elements?: Array<{ action_id?: string; value?: string }> }>;
}

const keysIn = (shown: Shown): string[] => [...JSON.stringify(shown.blocks).matchAll(/\*(CNA-\d+)\* /g)].map((m) => m[1] ?? '');
const button = (shown: Shown, actionId: string) => shown.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);

describe('/issue list paging over signed HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', member);
    for (let n = 1; n <= 57; n++) {
      tick();
      const ack = await h.command('/issue', `new Backlog item ${n}`, member);
      if (!String(ack.text).includes(`CNA-${n}`)) throw new Error(`creating CNA-${n} failed: ${ack.raw}`);
    }
    tick();
    await h.command('/issue', 'new An MA issue', { ...member, channelId: CHANNELS.ma.id });
    // A closed priority vote ranks issues; here we set its result directly.
    const ranked = "update issues set priority = ? where number = ? and program_team_id = (select id from program_teams where key = 'CNA')";
    expect(await h.execute(ranked, 1, 40)).toBe(1);
    expect(await h.execute(ranked, 2, 5)).toBe(1);
  });
  afterAll(async () => {
    await h.stop();
  });

  const clickPage = async (shown: Shown, actionId: string): Promise<Shown> => {
    const value = button(shown, actionId)?.value;
    expect(value, `${actionId} button`).toBeDefined();
    const before = h.fake.responses.length;
    const res = await h.slack.blockAction({ actionId, blockId: 'issue_list_nav', value: value ?? '', userId: member.userId, channelId: member.channelId, isEphemeral: true });
    expect(res.status).toBe(200);
    const response = await h.fake.waitFor(() => h.fake.responses[before]);
    expect(response.body.replace_original).toBe(true);
    return response.body as unknown as Shown;
  };

  it('pages 57 issues 20 at a time, ranked first then newest activity, never dropping one', async () => {
    const ack = (await h.command('/issue', 'list', member)) as CommandAck & Shown;
    expect(ack.text).toContain('showing 1–20 of 57');
    expect(ack.blocks.length).toBeLessThanOrEqual(50);
    const page1 = keysIn(ack);
    expect(page1.slice(0, 4)).toEqual(['CNA-40', 'CNA-5', 'CNA-57', 'CNA-56']);
    expect(page1).toHaveLength(20);
    expect(button(ack, 'issue_list_prev_page')).toBeUndefined();

    const page2 = await clickPage(ack, 'issue_list_page');
    expect(page2.text).toContain('showing 21–40 of 57');
    expect(visibleText(page2)).toContain('Page 2 of 3');
    const page3 = await clickPage(page2, 'issue_list_page');
    expect(page3.text).toContain('showing 41–57 of 57');
    expect(button(page3, 'issue_list_page')).toBeUndefined();
    const all = [...page1, ...keysIn(page2), ...keysIn(page3)];
    expect(new Set(all).size).toBe(57);
    expect(all).not.toContain('MA-1');

    const back = await clickPage(page3, 'issue_list_prev_page');
    expect(back.text).toContain('showing 21–40 of 57');
  });

  it('moves an issue to the top of the unranked ones when something happens to it', async () => {
    tick();
    await h.command('/issue', 'comment CNA-2 still a problem', member);
    const ack = (await h.command('/issue', 'list', member)) as CommandAck & Shown;
    expect(keysIn(ack).slice(0, 3)).toEqual(['CNA-40', 'CNA-5', 'CNA-2']);
  });

  it('keeps the filter when paging: closed issues page on as closed issues', async () => {
    for (let n = 1; n <= 25; n++) {
      tick();
      await h.command('/issue', `status CNA-${n} resolved`, member);
    }
    const ack = (await h.command('/issue', 'list closed', member)) as CommandAck & Shown;
    expect(ack.text).toContain('Closed issues for CNA: showing 1–20 of 25');
    const next = await clickPage(ack, 'issue_list_page');
    expect(next.text).toContain('Closed issues for CNA: showing 21–25 of 25');
    const open = (await h.command('/issue', 'list', member)) as CommandAck & Shown;
    expect(open.text).toContain('of 32');
  });

  it('answers a tampered or stale page button politely', async () => {
    for (const value of ['{"t":[1],"s":"secret","p":2}', 'not json', '{"t":[1],"s":"open","p":-3}', '{"t":[],"s":"open","p":1}']) {
      const before = h.fake.responses.length;
      await h.slack.blockAction({ actionId: 'issue_list_page', blockId: 'issue_list_nav', value, userId: member.userId, channelId: member.channelId, isEphemeral: true });
      const response = await h.fake.waitFor(() => h.fake.responses[before]);
      expect(response.body, value).toMatchObject({ replace_original: false, text: expect.stringContaining('out of date') });
    }
    // A page past the end (issues closed meanwhile) shows the last page instead of an empty one.
    const before = h.fake.responses.length;
    const cna = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id;
    await h.slack.blockAction({ actionId: 'issue_list_page', blockId: 'issue_list_nav', value: JSON.stringify({ t: [cna], s: 'open', p: 99 }), userId: member.userId, channelId: member.channelId, isEphemeral: true });
    const response = await h.fake.waitFor(() => h.fake.responses[before]);
    expect(String(response.body.text)).toContain('showing 21–32 of 32');
  });
});
