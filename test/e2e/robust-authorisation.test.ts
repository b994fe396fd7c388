/**
 * Every action × role, as data. When a feature lands, add its rows to ACTIONS (for example
 * `{ action: 'issue.delete', command: '/issue', text: () => 'delete CNA-1', allowed: COORDINATORS, audited: 'issue.delete' }`)
 * and, if it needs one, a `setup` that creates what the action touches (run before every attempt,
 * so an allowed attempt never spoils the next one). Ballots are buttons, not commands: they have
 * their own table below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionIds, InputIds, ViewIds } from '../../src/slack/ids.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { tableCounts } from '../rig/robust.js';
import { inputValues, type InputValue } from '../rig/slack-request.js';

type Role = 'coordinator' | 'teamMember' | 'workspaceMember' | 'otherOrganisation' | 'slackConnectGuest';

/** Who plays each role (src/sandbox/workspace.ts): the guest's profile belongs to another workspace. */
const ROLE: Record<Role, string> = {
  coordinator: PEOPLE.coordinator.id,
  teamMember: PEOPLE.henryFord1.id,
  workspaceMember: PEOPLE.trainer.id,
  otherOrganisation: PEOPLE.corewell.id,
  slackConnectGuest: PEOPLE.partner.id,
};
const ROLES = Object.keys(ROLE) as Role[];
const COORDINATORS: Role[] = ['coordinator'];
const EVERYONE: Role[] = ROLES;
/** Issues: the reporter, the owner, team members and coordinators (the reporter and owner rows are in issue.test.ts). */
const ON_THE_TEAM: Role[] = ['coordinator', 'teamMember'];
/**
 * Meetings and votes in these rows are made by someone who plays no role here (a second CNA
 * member), so "creator" is never one of the roles: only coordinators may close, remind, edit or
 * cancel them. The creator's own rights are tested in meeting.test.ts and vote.test.ts.
 */
const CREATOR = PEOPLE.henryFord2.id;
/** Everyone in the workspace; a Slack Connect guest is not (the roll-up is the coordinators'). */
const WORKSPACE: Role[] = ['coordinator', 'teamMember', 'workspaceMember', 'otherOrganisation'];

interface ActionRow {
  action: string;
  command: string;
  /** The command text; `n` makes it unique per attempt so allowed attempts do not collide. */
  text: (n: number, target: string) => string;
  channel?: string;
  allowed: Role[];
  /** The audit_log action written when it is refused. */
  audited?: string;
  /** What the refusal says; coordinators-only actions say REFUSED. */
  refused?: RegExp;
  /** Makes what the action touches (an issue, a meeting, a vote) before each attempt; its key is `target`. */
  setup?: 'issue' | 'meeting' | 'vote' | 'goal';
  /**
   * Allowed, it acks at once with this and answers after the ack through response_url (its work
   * grows with the data); a refusal is still in the ack. The attempt waits for that answer, so the
   * next attempt's "nothing changed" starts from a settled state.
   */
  later?: RegExp;
}

const REFUSED = /Only coordinators can do that/;
const ISSUE_REFUSED = /Only CNA team members, the reporter, the owner and coordinators can change CNA-\d+/;
/** Goals in these rows are owned by the creator (a CNA member who plays no role), so only coordinators change them. */
const GOAL_REFUSED = /Only the owner of G-\d+ and coordinators can change or close it|People from a partner workspace can follow goals/;
const MEETING_REFUSED = /Only the person who scheduled M-\d+ or a coordinator can change or cancel it/;

const ACTIONS: ActionRow[] = [
  { action: 'team.list', command: '/team', text: () => 'list', allowed: EVERYONE },
  { action: 'team.members', command: '/team', text: () => 'members CNA', allowed: EVERYONE },
  { action: 'team.orgs', command: '/team', text: () => 'orgs', allowed: EVERYONE },
  { action: 'team.org.show', command: '/team', text: () => `org <@${PEOPLE.henryFord1.id}>`, allowed: EVERYONE },
  { action: 'team.coordinators', command: '/team', text: () => 'coordinators', allowed: EVERYONE },
  { action: 'team.join', command: '/team', text: () => 'join SPT', allowed: WORKSPACE, audited: 'team.join', refused: /People from a partner workspace join SPT through a coordinator/ },
  { action: 'team.add', command: '/team', text: () => `add <@${PEOPLE.analyst.id}> SPT`, allowed: COORDINATORS, audited: 'team.add' },
  { action: 'team.leave', command: '/team', text: () => 'leave SPT', allowed: EVERYONE },
  { action: 'team.create', command: '/team', text: (n) => `create AZ${n} Authorisation test team`, allowed: COORDINATORS, audited: 'team.create' },
  { action: 'team.link', command: '/team', text: () => 'link MA', channel: CHANNELS.coordinators.id, allowed: COORDINATORS, audited: 'team.link' },
  { action: 'team.unlink', command: '/team', text: () => 'unlink', channel: CHANNELS.spt.id, allowed: COORDINATORS, audited: 'team.unlink' },
  { action: 'team.org.set', command: '/team', text: (n) => `org <@${PEOPLE.trinity.id}> Trinity Health ${n}`, allowed: COORDINATORS, audited: 'team.org' },
  { action: 'team.coordinator.add', command: '/team', text: () => `coordinator add <@${PEOPLE.analyst.id}>`, allowed: COORDINATORS, audited: 'team.coordinator.add' },
  { action: 'team.coordinator.remove', command: '/team', text: () => `coordinator remove <@${PEOPLE.analyst.id}>`, allowed: COORDINATORS, audited: 'team.coordinator.remove' },
  { action: 'team.audit', command: '/team', text: () => 'audit 5', allowed: COORDINATORS, audited: 'team.audit' },

  { action: 'issue.new', command: '/issue', text: (n) => `new Authorisation issue ${n}`, channel: CHANNELS.cna.id, allowed: EVERYONE },
  { action: 'issue.status', command: '/issue', text: (_n, key) => `status ${key} in-progress`, allowed: ON_THE_TEAM, audited: 'issue.status', refused: ISSUE_REFUSED, setup: 'issue' },
  { action: 'issue.assign', command: '/issue', text: (_n, key) => `assign ${key} <@${PEOPLE.trinity.id}>`, allowed: ON_THE_TEAM, audited: 'issue.assign', refused: ISSUE_REFUSED, setup: 'issue' },
  { action: 'issue.due', command: '/issue', text: (_n, key) => `due ${key} 2026-12-01`, allowed: ON_THE_TEAM, audited: 'issue.due', refused: ISSUE_REFUSED, setup: 'issue' },
  { action: 'issue.comment', command: '/issue', text: (n, key) => `comment ${key} Comment ${n}`, allowed: ON_THE_TEAM, audited: 'issue.comment', refused: ISSUE_REFUSED, setup: 'issue' },
  { action: 'issue.edit', command: '/issue', text: (_n, key) => `edit ${key}`, allowed: ON_THE_TEAM, audited: 'issue.edit', refused: ISSUE_REFUSED, setup: 'issue' },

  { action: 'meeting.new', command: '/meeting', text: () => 'new', channel: CHANNELS.cna.id, allowed: EVERYONE },
  { action: 'meeting.edit', command: '/meeting', text: (_n, key) => `edit ${key}`, allowed: COORDINATORS, audited: 'meeting.edit', refused: MEETING_REFUSED, setup: 'meeting' },
  { action: 'meeting.cancel', command: '/meeting', text: (_n, key) => `cancel ${key}`, allowed: COORDINATORS, audited: 'meeting.cancel', refused: MEETING_REFUSED, setup: 'meeting' },

  { action: 'vote.new', command: '/vote', text: (n) => `new Authorisation ${n}? | Yes | No`, channel: CHANNELS.cna.id, allowed: ON_THE_TEAM, audited: 'vote.new', refused: /Only members of CNA and coordinators can start a vote/ },
  { action: 'vote.close', command: '/vote', text: (_n, key) => `close ${key}`, allowed: COORDINATORS, audited: 'vote.close', refused: /Only the person who started V-\d+ or a coordinator can close it/, setup: 'vote', later: /^:hourglass_flowing_sand: Closing \*V-\d+\*/ },
  { action: 'vote.remind', command: '/vote', text: (_n, key) => `remind ${key}`, allowed: COORDINATORS, audited: 'vote.remind', refused: /Only the person who started V-\d+ or a coordinator can send reminders/, setup: 'vote', later: /^:hourglass_flowing_sand: Finding who has not voted on \*V-\d+\*/ },

  { action: 'goal.new', command: '/goal', text: (n) => `new CNA Authorisation goal ${n} from 1 to 9 by 2099-01-01`, allowed: ON_THE_TEAM, audited: 'goal.new', refused: /Only members of CNA \(and coordinators\) can propose/ },
  { action: 'goal.update', command: '/goal', text: (_n, key) => `update ${key} 5`, allowed: ON_THE_TEAM, audited: 'goal.update', refused: /Only members of CNA, the goal's owner and coordinators can record readings/, setup: 'goal' },
  { action: 'goal.edit', command: '/goal', text: (_n, key) => `edit ${key}`, allowed: COORDINATORS, audited: 'goal.edit', refused: GOAL_REFUSED, setup: 'goal' },
  { action: 'goal.close', command: '/goal', text: (_n, key) => `close ${key} dropped`, allowed: COORDINATORS, audited: 'goal.close', refused: GOAL_REFUSED, setup: 'goal' },
  { action: 'goal.link', command: '/goal', text: (_n, key) => `link ${key} CNA-1`, allowed: COORDINATORS, audited: 'goal.link', refused: GOAL_REFUSED, setup: 'goal' },
  { action: 'goal.unlink', command: '/goal', text: (_n, key) => `unlink ${key} CNA-1`, allowed: COORDINATORS, audited: 'goal.unlink', refused: GOAL_REFUSED, setup: 'goal' },

  { action: 'digest.send', command: '/digest', text: () => 'send CNA', allowed: COORDINATORS, audited: 'digest.send' },
  { action: 'digest.send.all', command: '/digest', text: () => 'send all', allowed: COORDINATORS, audited: 'digest.send' },
  { action: 'digest.schedule', command: '/digest', text: (n) => `schedule CNA 0 ${n % 24} * * 1`, allowed: COORDINATORS, audited: 'digest.schedule' },
  { action: 'digest.schedule.rollup', command: '/digest', text: (n) => `schedule rollup 0 ${n % 24} * * 2`, allowed: COORDINATORS, audited: 'digest.schedule' },
  { action: 'digest.subscribe', command: '/digest', text: () => 'subscribe', allowed: WORKSPACE, audited: 'digest.subscribe', refused: /cannot go to a Slack Connect guest/ },
];


describe('authorisation: every action × role', () => {
  let h: Harness;
  let n = 0;
  let cnaId = 0;
  beforeAll(async () => {
    h = await startHarness();
    await linkSeedChannels(h);
    // The team member is on CNA; the others are on no team. The creator of meetings and votes is on CNA too.
    await h.command('/team', 'join CNA', { userId: ROLE.teamMember, channelId: CHANNELS.general.id });
    await h.command('/team', 'join CNA', { userId: CREATOR, channelId: CHANNELS.general.id });
    cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Everything an action could change, every row of every table, except the audit log (which a refusal must add to). */
  const state = async () => {
    const { audit_log: _audit, ...counts } = await tableCounts(h);
    // Each table's rows in one fixed order, whatever order the engine returns them in.
    const rows = await Promise.all(Object.keys(counts).map(async (t) => (await h.query(`select * from "${t}"`)).map((row) => JSON.stringify(row)).sort()));
    return JSON.stringify({ counts, rows });
  };

  const latest = async (table: string) => (await h.query<{ number: number }>(`select max(number) as number from ${table}`))[0]?.number ?? 0;
  const opened = async (action: () => Promise<unknown>) => {
    const before = h.fake.callsTo('views.open').length;
    await action();
    const call = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    return call.args.view as { private_metadata: string; callback_id: string };
  };
  const field = (id: string, value: InputValue) => ({ [id]: { [id]: value } });

  /** Makes a fresh issue (reported by the creator), meeting, vote or goal (made by the creator) and returns its key. */
  async function setUp(kind: 'issue' | 'meeting' | 'vote' | 'goal', k: number): Promise<string> {
    const asCreator = { userId: CREATOR, channelId: CHANNELS.cna.id };
    if (kind === 'goal') {
      const ack = await h.command('/goal', `new CNA Goal to change ${k} from 1 to 9 by 2099-01-01`, asCreator);
      return /G-\d+/.exec(String(ack.text))?.[0] ?? 'G-?';
    }
    if (kind === 'issue') {
      const ack = await h.command('/issue', `new Issue to change ${k}`, asCreator);
      return /CNA-\d+/.exec(String(ack.text))?.[0] ?? 'CNA-?';
    }
    if (kind === 'vote') {
      await h.command('/vote', `new Vote to close ${k}? | Yes | No`, asCreator);
      return `V-${await latest('votes')}`;
    }
    const view = await opened(() => h.command('/meeting', 'new', asCreator));
    const values = inputValues({
      ...field(InputIds.meetingTeam, { type: 'static_select', selected_option: { value: String(cnaId) } }),
      ...field(InputIds.meetingTitle, `Meeting to change ${k}`),
      ...field(InputIds.meetingDate, { type: 'datepicker', selected_date: '2099-11-02' }),
      ...field(InputIds.meetingTime, { type: 'timepicker', selected_time: '10:00' }),
      ...field(InputIds.meetingDuration, { type: 'static_select', selected_option: { value: '60' } }),
      ...field(InputIds.meetingPlace, 'Room 2'),
    });
    const ack = await h.slack.viewSubmission({ view, userId: CREATOR, values, privateMetadata: view.private_metadata, callbackId: ViewIds.meetingNew });
    expect(ack.json).toMatchObject({ response_action: 'update' });
    return `M-${await latest('meetings')}`;
  }

  const cases = ACTIONS.flatMap((row) => ROLES.map((role) => ({ row, role, allowed: row.allowed.includes(role) })));

  it.each(cases.map((c) => [c.row.action, c.role, c.allowed ? 'allowed' : 'refused', c] as const))('%s by %s is %s', async (_a, _r, _o, { row, role, allowed }) => {
    n += 1;
    const target = row.setup === undefined ? '' : await setUp(row.setup, n);
    // Earlier attempts' messages are delivered first, so only this attempt could change the state.
    await h.flush();
    const before = await state();
    const lastAudit = (await h.query<{ id: number }>('select coalesce(max(id), 0) as id from audit_log'))[0]?.id ?? 0;
    const responses = h.fake.responses.length;
    const ack = await h.command(row.command, row.text(n, target), { userId: ROLE[role], channelId: row.channel ?? CHANNELS.general.id });
    expect(ack.status).toBe(200);
    if (allowed && row.later !== undefined) {
      expect(ack.text).toMatch(row.later);
      const answer = visibleText((await h.fake.waitFor(() => h.fake.responses[responses], 30_000)).body);
      expect(answer).not.toMatch(row.refused ?? REFUSED);
      expect(answer).not.toMatch(/ERR-[0-9A-F]{6}/);
    }
    const newAudit = await h.query<{ actor_id: string; action: string; outcome: string; created_at: number }>('select actor_id, action, outcome, created_at from audit_log where id > ?', lastAudit);
    if (allowed) {
      expect(visibleText(ack)).not.toMatch(row.refused ?? REFUSED);
      expect(newAudit.filter((a) => a.outcome === 'refused')).toEqual([]);
      return;
    }
    expect(ack.text).toMatch(row.refused ?? REFUSED);
    await h.flush();
    expect(await state()).toEqual(before);
    expect(newAudit).toEqual([{ actor_id: ROLE[role], action: row.audited, outcome: 'refused', created_at: expect.any(Number) }]);
  });

  /** A vote started by the creator through the form, with the given eligibility; its id and option ids. */
  async function formVote(eligibility: 'members' | 'organisation'): Promise<{ id: number; options: number[] }> {
    const view = await opened(() => h.command('/vote', 'new', { userId: CREATOR, channelId: CHANNELS.cna.id }));
    const values = inputValues({
      ...field(InputIds.voteTeam, { type: 'static_select', selected_option: { value: String(cnaId) } }),
      ...field(InputIds.voteQuestion, `Ballot rules (${eligibility})?`),
      ...field(InputIds.voteOptions, 'Yes\nNo'),
      ...field(InputIds.voteMethod, { type: 'radio_buttons', selected_option: { value: 'single' } }),
      ...field(InputIds.voteMaxChoices, ''),
      ...field(InputIds.voteEligibility, { type: 'radio_buttons', selected_option: { value: eligibility } }),
      ...field(InputIds.voteAnonymous, { type: 'checkboxes', selected_options: [] }),
      ...field(InputIds.voteVisibility, { type: 'radio_buttons', selected_option: { value: 'live' } }),
      ...field(InputIds.voteCloseDate, { type: 'datepicker', selected_date: null }),
      ...field(InputIds.voteCloseTime, { type: 'timepicker', selected_time: null }),
    });
    const ack = await h.slack.viewSubmission({ view, userId: CREATOR, values, privateMetadata: view.private_metadata, callbackId: ViewIds.voteNew });
    expect(ack.json).toMatchObject({ response_action: 'update' });
    await h.flush();
    const id = (await h.query<{ id: number }>('select max(id) as id from votes'))[0]?.id ?? 0;
    return { id, options: (await h.query<{ id: number }>('select id from vote_options where vote_id = ? order by position', id)).map((o) => o.id) };
  }
  /** Clicks an option on the ballot message and returns the private answer. */
  async function ballot(role: string, vote: { id: number; options: number[] }, option = 0): Promise<string> {
    const userId = role in ROLE ? ROLE[role as Role] : role;
    const ts = (await h.query<{ message_ts: string }>('select message_ts from votes where id = ?', vote.id))[0]?.message_ts;
    const before = h.fake.responses.length;
    await h.slack.blockAction({ actionId: ActionIds.voteChoose, blockId: 'b', value: `${vote.id}:${vote.options[option]}`, userId, channelId: CHANNELS.cna.id, messageTs: ts });
    const answer = await h.fake.waitFor(() => h.fake.responses[before]);
    await h.flush();
    return String(answer.body.text);
  }

  it.each(ROLES.map((role) => [role, role === 'teamMember' ? 'counted' : 'refused', role] as const))(
    'a ballot on a team-members vote by %s is %s; a refusal stores nothing and is audited',
    async (_r, _o, role) => {
      const vote = await formVote('members');
      const lastAudit = (await h.query<{ id: number }>('select coalesce(max(id), 0) as id from audit_log'))[0]?.id ?? 0;
      const before = await state();
      const text = await ballot(role, vote);
      const audits = await h.query('select actor_id, action, outcome from audit_log where id > ?', lastAudit);
      if (role === 'teamMember') {
        expect(await h.query('select * from ballots where vote_id = ?', vote.id)).toHaveLength(1);
        expect(audits).toEqual([]);
        return;
      }
      expect(text).toMatch(/Only members of CNA may vote on V-\d+/);
      expect(await state()).toEqual(before);
      expect(audits).toEqual([{ actor_id: ROLE[role], action: 'vote.ballot', outcome: 'refused' }]);
    },
  );

  it('counts one ballot per organisation: a colleague replaces it, another organisation has its own, people without an organisation or team are refused', async () => {
    await h.command('/team', 'join CNA', { userId: ROLE.otherOrganisation, channelId: CHANNELS.general.id });
    await h.command('/team', `org <@${ROLE.teamMember}> Henry Ford Health`, { userId: ROLE.coordinator, channelId: CHANNELS.general.id });
    await h.command('/team', `org <@${CREATOR}> Henry Ford Health`, { userId: ROLE.coordinator, channelId: CHANNELS.general.id });
    await h.command('/team', `org <@${ROLE.otherOrganisation}> Corewell Health`, { userId: ROLE.coordinator, channelId: CHANNELS.general.id });
    const vote = await formVote('organisation');
    const ballots = async () => await h.query<{ organisation: string; choices_json: string }>('select o.name as organisation, b.choices_json from ballots b join organisations o on o.id = b.organisation_id where b.vote_id = ? order by o.name', vote.id);
    await ballot('teamMember', vote, 0);
    await ballot('otherOrganisation', vote, 1);
    expect(await ballots()).toEqual([
      { organisation: 'Corewell Health', choices_json: JSON.stringify([vote.options[1]]) },
      { organisation: 'Henry Ford Health', choices_json: JSON.stringify([vote.options[0]]) },
    ]);
    // A colleague from Henry Ford votes: still one Henry Ford ballot, now theirs.
    await ballot(CREATOR, vote, 1);
    expect(await ballots()).toEqual([
      { organisation: 'Corewell Health', choices_json: JSON.stringify([vote.options[1]]) },
      { organisation: 'Henry Ford Health', choices_json: JSON.stringify([vote.options[1]]) },
    ]);
    for (const role of ['coordinator', 'workspaceMember', 'slackConnectGuest'] as const) {
      expect(await ballot(role, vote)).toMatch(/Only members of CNA may vote/);
    }
    expect(await ballots()).toHaveLength(2);
    expect(await h.query("select actor_id from audit_log where action = 'vote.ballot' and target = ? order by id", `V-${(await h.query<{ number: number }>('select number from votes where id = ?', vote.id))[0]?.number}`)).toEqual(
      [ROLE.coordinator, ROLE.workspaceMember, ROLE.slackConnectGuest].map((actor_id) => ({ actor_id })),
    );
  });

  it('shows coordinators the latest n audit entries, newest first, with who, what and the outcome', async () => {
    await h.command('/team', 'create NOPE Not allowed', { userId: ROLE.slackConnectGuest, channelId: CHANNELS.general.id });
    const ack = await h.command('/team', 'audit 1', { userId: ROLE.coordinator, channelId: CHANNELS.general.id });
    const text = visibleText(ack);
    expect(ack.text).toBe('Latest 1 audit entries');
    expect(text).toContain(`<@${ROLE.slackConnectGuest}> · \`team.create\` NOPE · *refused* (not a coordinator)`);
    const three = await h.command('/team', 'audit 3', { userId: ROLE.coordinator, channelId: CHANNELS.general.id });
    expect(three.text).toBe('Latest 3 audit entries');
  });

  it('keeps only the first 200 characters of what a refused person typed', async () => {
    await h.command('/team', `create ${'K'.repeat(4000)} name`, { userId: ROLE.workspaceMember, channelId: CHANNELS.general.id });
    const [last] = await h.query<{ target: string }>('select target from audit_log order by id desc limit 1');
    expect(last?.target.length).toBe(200);
  });
});
