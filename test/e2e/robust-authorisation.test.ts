/**
 * Every action × role, as data. When a feature lands, add its rows to ACTIONS (for example
 * `{ action: 'issue.delete', command: '/issue', text: () => 'delete CNA-1', allowed: COORDINATORS, audited: 'issue.delete' }`)
 * and, if it needs one, a `setup` that creates what the action touches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { tableCounts } from '../rig/robust.js';

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

interface ActionRow {
  action: string;
  command: string;
  /** The command text; `n` makes it unique per attempt so allowed attempts do not collide. */
  text: (n: number) => string;
  channel?: string;
  allowed: Role[];
  /** The audit_log action written when it is refused. */
  audited?: string;
}

const ACTIONS: ActionRow[] = [
  { action: 'team.list', command: '/team', text: () => 'list', allowed: EVERYONE },
  { action: 'team.members', command: '/team', text: () => 'members CNA', allowed: EVERYONE },
  { action: 'team.orgs', command: '/team', text: () => 'orgs', allowed: EVERYONE },
  { action: 'team.org.show', command: '/team', text: () => `org <@${PEOPLE.henryFord1.id}>`, allowed: EVERYONE },
  { action: 'team.coordinators', command: '/team', text: () => 'coordinators', allowed: EVERYONE },
  { action: 'team.join', command: '/team', text: () => 'join SPT', allowed: EVERYONE },
  { action: 'team.leave', command: '/team', text: () => 'leave SPT', allowed: EVERYONE },
  { action: 'team.create', command: '/team', text: (n) => `create AZ${n} Authorisation test team`, allowed: COORDINATORS, audited: 'team.create' },
  { action: 'team.link', command: '/team', text: () => 'link MA', channel: CHANNELS.coordinators.id, allowed: COORDINATORS, audited: 'team.link' },
  { action: 'team.unlink', command: '/team', text: () => 'unlink', channel: CHANNELS.spt.id, allowed: COORDINATORS, audited: 'team.unlink' },
  { action: 'team.org.set', command: '/team', text: (n) => `org <@${PEOPLE.trinity.id}> Trinity Health ${n}`, allowed: COORDINATORS, audited: 'team.org' },
  { action: 'team.coordinator.add', command: '/team', text: () => `coordinator add <@${PEOPLE.analyst.id}>`, allowed: COORDINATORS, audited: 'team.coordinator.add' },
  { action: 'team.coordinator.remove', command: '/team', text: () => `coordinator remove <@${PEOPLE.analyst.id}>`, allowed: COORDINATORS, audited: 'team.coordinator.remove' },
  { action: 'team.audit', command: '/team', text: () => 'audit 5', allowed: COORDINATORS, audited: 'team.audit' },
];

const REFUSED = /Only coordinators can do that/;

describe('authorisation: every action × role', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await startHarness();
    await linkSeedChannels(h);
    // The team member is on CNA; the others are on no team.
    await h.command('/team', 'join CNA', { userId: ROLE.teamMember, channelId: CHANNELS.general.id });
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Everything an action could change, except the audit log (which a refusal must add to). */
  const state = () => {
    const { audit_log: _audit, ...counts } = tableCounts(h);
    const rows = ['program_teams', 'team_channels', 'team_members', 'coordinators', 'organisations', 'people'].map((t) => h.query(`select * from ${t} order by rowid`));
    return JSON.stringify({ counts, rows });
  };

  const cases = ACTIONS.flatMap((row) => ROLES.map((role) => ({ row, role, allowed: row.allowed.includes(role) })));

  it.each(cases.map((c) => [c.row.action, c.role, c.allowed ? 'allowed' : 'refused', c] as const))('%s by %s is %s', async (_a, _r, _o, { row, role, allowed }) => {
    n += 1;
    const before = state();
    const lastAudit = h.query<{ id: number }>('select coalesce(max(id), 0) as id from audit_log')[0]?.id ?? 0;
    const ack = await h.command(row.command, row.text(n), { userId: ROLE[role], channelId: row.channel ?? CHANNELS.general.id });
    expect(ack.status).toBe(200);
    const newAudit = h.query<{ actor_id: string; action: string; outcome: string; created_at: number }>('select actor_id, action, outcome, created_at from audit_log where id > ?', lastAudit);
    if (allowed) {
      expect(visibleText(ack)).not.toMatch(REFUSED);
      expect(newAudit.filter((a) => a.outcome === 'refused')).toEqual([]);
      return;
    }
    expect(ack.text).toMatch(REFUSED);
    expect(state()).toEqual(before);
    expect(newAudit).toEqual([{ actor_id: ROLE[role], action: row.audited, outcome: 'refused', created_at: expect.any(Number) }]);
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
    const [last] = h.query<{ target: string }>('select target from audit_log order by id desc limit 1');
    expect(last?.target.length).toBe(200);
  });
});
