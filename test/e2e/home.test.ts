import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../src/fake-slack/types.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { ActionIds } from '../../src/slack/ids.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

/**
 * The Home tab over signed HTTP against the fake Slack: published on open for each kind of
 * person, acting from it, and republished (coalesced, rate-aware, retried) when what it shows changes.
 */

const SECOND = 1000;
let clock = new Date('2026-10-20T12:00:00Z');
const later = (ms: number) => new Date(clock.getTime() + ms);

type Block = { type: string; block_id?: string; text?: { text?: string }; elements?: Array<Record<string, unknown>>; accessory?: Record<string, unknown> };
interface HomeCall {
  userId: string;
  blocks: Block[];
  text: string;
}

const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });

describe('Home tab over signed HTTP', () => {
  let h: Harness;
  let writer: Database.Database;

  const publishes = (userId?: string): HomeCall[] =>
    h.fake
      .callsTo('views.publish')
      .filter((c: RecordedCall) => c.ok && (userId === undefined || c.args.user_id === userId))
      .map((c) => {
        const view = c.args.view as { blocks: Block[] };
        return { userId: String(c.args.user_id), blocks: view.blocks, text: JSON.stringify(view.blocks) };
      });
  const latestHome = (userId: string): HomeCall => {
    const last = publishes(userId).at(-1);
    if (last === undefined) throw new Error(`no Home published for ${userId}`);
    return last;
  };
  const openHome = async (userId: string): Promise<HomeCall> => {
    const before = publishes(userId).length;
    const response = await h.slack.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home' });
    expect(response.status).toBe(200);
    await h.fake.waitFor(() => publishes(userId).length > before);
    return latestHome(userId);
  };
  /** Runs the publisher as its job would at `at`, after the kicks a change made have finished. */
  const republish = async (at: Date) => {
    await h.flush();
    return h.alliance.runJob('home', at) as Promise<{ published: number; waiting: number }>;
  };
  const homeViewId = (userId: string): string => {
    const call = h.fake.callsTo('views.publish').filter((c) => c.ok && c.args.user_id === userId).at(-1);
    const view = [...h.fake.views.values()].find((v) => (v as { type?: string; blocks?: unknown }).type === 'home' && JSON.stringify((v as { blocks?: unknown }).blocks) === JSON.stringify((call?.args.view as { blocks: unknown }).blocks));
    return String((view as { id: string }).id);
  };
  const clickOnHome = async (userId: string, actionId: string, value: string, blockId = 'home') => {
    const before = publishes(userId).length;
    const response = await h.slack.blockAction({ actionId, blockId, value, userId, view: { id: homeViewId(userId), type: 'home', blocks: latestHome(userId).blocks } });
    expect(response.status).toBe(200);
    await h.fake.waitFor(() => publishes(userId).length > before);
    return latestHome(userId);
  };
  const buttonsOf = (home: HomeCall, blockPrefix: string) =>
    home.blocks.filter((b) => b.block_id?.startsWith(blockPrefix)).flatMap((b) => b.elements ?? []) as Array<{ action_id: string; value: string; text: { text: string }; accessibility_label?: string }>;

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    writer = new Database(h.dbPath);
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', inCna(PEOPLE.henryFord1.id));
    await h.command('/team', 'join CNA', inCna(PEOPLE.trainer.id));
    await h.command('/team', 'join MA', { userId: PEOPLE.trainer.id, channelId: CHANNELS.ma.id });
    for (const [person, org] of [
      [PEOPLE.henryFord1.id, 'Henry Ford Health'],
      [PEOPLE.trainer.id, 'Wayne County Community College'],
    ] as const) {
      await h.command('/team', `org <@${person}> ${org}`, { userId: PEOPLE.coordinator.id, channelId: CHANNELS.coordinators.id });
    }
    await h.flush();
  });

  afterAll(async () => {
    const { validateModal } = await import('../../src/fake-slack/block-kit-limits.js');
    for (const c of h.fake.callsTo('views.publish').filter((c) => !c.ok)) console.log('DEBUG', validateModal(c.args.view as Record<string, unknown>));
    writer.close();
    await h.stop();
  });

  it('publishes a member’s Home when they open it: ballots, issues, meetings, teams and the start buttons', async () => {
    await h.command('/vote', 'new Which first? | Placements | Curriculum', inCna(PEOPLE.trainer.id));
    await h.command('/issue', 'new Recruit more CNA instructors', inCna(PEOPLE.trainer.id));
    await h.command('/issue', 'assign CNA-1 <@U0HFH0001>', inCna(PEOPLE.trainer.id));
    await h.flush();
    const home = await openHome(PEOPLE.henryFord1.id);
    expect(home.text).toContain('Which first?');
    expect(home.text).toContain('CNA-1');
    expect(home.text).toContain('Recruit more CNA instructors');
    expect(home.text).toContain('Certified Nursing Assistant');
    expect(home.text).not.toContain('Control room');
    const ballot = buttonsOf(home, 'home_vote_');
    expect(ballot.map((b) => b.text.text)).toEqual(['Placements', 'Curriculum']);
    expect(ballot[0]?.action_id).toMatch(new RegExp(`^${ActionIds.voteChoose}_\\d+$`));
    expect(ballot[0]?.accessibility_label).toBe('Vote for Placements on V-1');
    expect(buttonsOf(home, 'home_start').map((b) => b.action_id)).toEqual([ActionIds.homeNewIssue, ActionIds.homeNewMeeting, ActionIds.homeNewVote]);
    expect(home.blocks.length).toBeLessThanOrEqual(100);
  });

  it('shows a coordinator the control room: every team’s health and the digest buttons', async () => {
    const home = await openHome(PEOPLE.coordinator.id);
    expect(home.text).toContain('Control room');
    for (const key of ['CNA', 'MA', 'SPT']) expect(home.text).toContain(`*${key}*`);
    expect(home.text).toContain('1 open issue');
    expect(home.text).toContain('Digest: last sent _never_');
    expect(buttonsOf(home, 'home_control').map((b) => b.action_id)).toEqual([ActionIds.homeDigestPreview, ActionIds.homeDigestSend]);
  });

  it('welcomes a person on no team and says how to join one', async () => {
    const home = await openHome(PEOPLE.analyst.id);
    expect(home.text).toContain('Welcome to Alliance');
    expect(home.text).toContain('/team join');
    expect(home.text).not.toContain('Control room');
    expect(buttonsOf(home, 'home_start').map((b) => b.action_id)).not.toContain(ActionIds.homeNewVote);
  });

  it('shows a partner-workspace guest only what they can act on', async () => {
    writer.prepare('insert into team_members (team_id, program_team_id, user_id, created_at) select team_id, id, ?, ? from program_teams where key = ?').run(PEOPLE.partner.id, clock.getTime(), 'CNA');
    const home = await openHome(PEOPLE.partner.id);
    expect(home.text).toContain('guest from a partner workspace');
    expect(home.text).toContain('Which first?');
    expect(home.text).not.toContain('Control room');
    expect(home.text).not.toContain('Your teams');
  });

  it('votes from the Home with the ballot’s own button, and answers on the Home', async () => {
    const before = latestHome(PEOPLE.henryFord1.id);
    const placements = buttonsOf(before, 'home_vote_')[0];
    if (placements === undefined) throw new Error('no ballot button');
    const after = await clickOnHome(PEOPLE.henryFord1.id, placements.action_id, placements.value, 'home_vote_1');
    expect(h.query('select count(*) as n from ballots')).toEqual([{ n: 1 }]);
    expect(after.text).toContain('Your ballot on V-1 is recorded');
    expect(buttonsOf(after, 'home_vote_')).toEqual([]);
    expect(after.text).toContain('No vote is waiting for your ballot');
  });
});
