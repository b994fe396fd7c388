import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';

const coordinator = { userId: PEOPLE.coordinator.id, channelId: CHANNELS.general.id };
const employer = { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id };

describe('/team over signed HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('seeds the three HCASM program teams once', async () => {
    const rows = await h.query<{ key: string; name: string }>('select key, name from program_teams order by key');
    expect(rows).toEqual([
      { key: 'CNA', name: 'Certified Nursing Assistant' },
      { key: 'MA', name: 'Medical Assistant' },
      { key: 'SPT', name: 'Sterile Processing Technician' },
    ]);
  });

  it('answers help (and an empty command) with the usage of every subcommand, ephemerally', async () => {
    for (const text of ['', 'help']) {
      const ack = await h.command('/team', text, employer);
      expect(ack.status).toBe(200);
      expect(ack.response_type).toBe('ephemeral');
      for (const sub of ['list', 'members', 'join', 'leave', 'add', 'org', 'orgs', 'create', 'link', 'unlink', 'coordinator add', 'audit']) {
        expect(ack.text).toContain(`/team ${sub}`);
      }
    }
  });

  it('lists teams with key, name, linked channels and member count', async () => {
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', employer);
    const ack = await h.command('/team', 'list', employer);
    const text = visibleText(ack);
    expect(text).toContain('*CNA* · Certified Nursing Assistant');
    expect(text).toContain(`<#${CHANNELS.cna.id}>`);
    expect(text).toContain('1 member');
    expect(text).toContain('*SPT* · Sterile Processing Technician');
  });

  it('lets a coordinator create a team and refuses a duplicate or bad key', async () => {
    const created = await h.command('/team', 'create PHLEB Phlebotomy Technician', coordinator);
    expect(created.text).toContain('Created team *PHLEB* · Phlebotomy Technician');
    const again = await h.command('/team', 'create phleb Something else', coordinator);
    expect(again.text).toContain('already exists');
    const bad = await h.command('/team', 'create 9X Bad key', coordinator);
    expect(bad.text).toContain('2 to 10 letters or digits');
    const noName = await h.command('/team', 'create RAD', coordinator);
    expect(noName.text).toContain('Give the team a name');
    expect(await h.count('program_teams')).toBe(4);
  });

  it('refuses coordinator actions to others politely, changes nothing and writes the audit log', async () => {
    const before = await h.count('program_teams');
    const ack = await h.command('/team', 'create RESP Respiratory Therapist', employer);
    expect(ack.text).toContain('Only coordinators can do that');
    expect(await h.count('program_teams')).toBe(before);
    const link = await h.command('/team', 'link MA', { userId: PEOPLE.henryFord1.id, channelId: CHANNELS.general.id });
    expect(link.text).toContain('Only coordinators');
    expect(await h.query('select * from team_channels where channel_id = ?', CHANNELS.general.id)).toEqual([]);
    const audit = await h.query<{ actor_id: string; action: string; outcome: string }>(
      "select actor_id, action, outcome from audit_log where outcome = 'refused' order by id",
    );
    expect(audit).toContainEqual({ actor_id: PEOPLE.henryFord1.id, action: 'team.create', outcome: 'refused' });
    expect(audit).toContainEqual({ actor_id: PEOPLE.henryFord1.id, action: 'team.link', outcome: 'refused' });
  });

  it('treats a workspace admin (users.info) as a coordinator, but never a Slack Connect guest', async () => {
    const admin = await h.command('/team', 'create OPT Optician', { userId: PEOPLE.admin.id, channelId: CHANNELS.general.id });
    expect(admin.text).toContain('Created team *OPT*');
    const partner = await h.command('/team', 'create PT Pharmacy Technician', { userId: PEOPLE.partner.id, channelId: CHANNELS.general.id });
    expect(partner.text).toContain('Only coordinators');
  });

  it('links a channel so later commands there default to its team, and unlinks it', async () => {
    const link = await h.command('/team', 'link PHLEB', { ...coordinator, channelId: CHANNELS.coordinators.id });
    expect(link.text).toContain('linked to *PHLEB*');
    const join = await h.command('/team', 'join', { userId: PEOPLE.corewell.id, channelId: CHANNELS.coordinators.id });
    expect(join.text).toContain('Welcome to *PHLEB*');
    const members = await h.command('/team', 'members', { userId: PEOPLE.corewell.id, channelId: CHANNELS.coordinators.id });
    expect(visibleText(members)).toContain(`<@${PEOPLE.corewell.id}>`);
    const unlink = await h.command('/team', 'unlink', { ...coordinator, channelId: CHANNELS.coordinators.id });
    expect(unlink.text).toContain('no longer linked to *PHLEB*');
    const unlinkAgain = await h.command('/team', 'unlink', { ...coordinator, channelId: CHANNELS.coordinators.id });
    expect(unlinkAgain.text).toContain('not linked to any team');
    const joinNowhere = await h.command('/team', 'join', { userId: PEOPLE.corewell.id, channelId: CHANNELS.coordinators.id });
    expect(joinNowhere.text).toContain('not linked to a team');
  });

  it('lets a partner-workspace guest join a team only through a coordinator: /team join and joining the channel are refused politely, /team add works and is audited', async () => {
    const guest = { userId: PEOPLE.partner.id, channelId: CHANNELS.general.id };
    const onCna = () => h.query('select user_id from team_members tm join program_teams t on t.id = tm.program_team_id where t.key = ? and tm.user_id = ?', 'CNA', PEOPLE.partner.id);
    const join = await h.command('/team', 'join CNA', guest);
    expect(join.text).toContain('People from a partner workspace join CNA through a coordinator');
    expect(join.text).toContain('/team add @you CNA');
    expect(await onCna()).toEqual([]);
    expect(await h.query("select actor_id, outcome, detail from audit_log where action = 'team.join'")).toEqual([{ actor_id: PEOPLE.partner.id, outcome: 'refused', detail: 'Slack Connect guest' }]);

    // Joining the linked channel does not make a guest a member either; they are told how to join.
    await h.slack.event({ type: 'member_joined_channel', user: PEOPLE.partner.id, channel: CHANNELS.cna.id, channel_type: 'C', team: h.alliance.workspaceId }, { eventId: 'Ev0GUESTJOIN1' });
    const toldGuest = () => h.fake.messages(CHANNELS.cna.id).find((m) => m.ephemeral && m.user === PEOPLE.partner.id);
    // The event is answered before it is handled (users.info first), so deliver until the answer is out.
    for (let i = 0; i < 100 && toldGuest() === undefined; i++) {
      await h.flush();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(String(toldGuest()?.text)).toContain('join CNA through a coordinator');
    expect(await onCna()).toEqual([]);
    // A redelivery after the first handler died before recording the event (another instance takes
    // it): the guest is not told twice.
    expect(await h.execute("delete from processed_requests where key like '%Ev0GUESTJOIN1%'")).toBeGreaterThan(0);
    const redelivered = await h.slack.event({ type: 'member_joined_channel', user: PEOPLE.partner.id, channel: CHANNELS.cna.id, channel_type: 'C', team: h.alliance.workspaceId }, { eventId: 'Ev0GUESTJOIN1' });
    expect(redelivered.status).toBe(200);
    await h.fake.waitFor(async () => (await h.query("select 1 from processed_requests where key like '%Ev0GUESTJOIN1%'")).length > 0);
    await h.flush();
    expect(h.fake.messages(CHANNELS.cna.id).filter((m) => m.ephemeral && m.user === PEOPLE.partner.id)).toHaveLength(1);

    expect((await h.command('/team', `add <@${PEOPLE.partner.id}> CNA`, employer)).text).toContain('Only coordinators');
    const added = await h.command('/team', `add <@${PEOPLE.partner.id}> CNA`, coordinator);
    expect(added.text).toContain(`<@${PEOPLE.partner.id}> is now on *CNA*`);
    expect(await onCna()).toHaveLength(1);
    expect(await h.query("select actor_id, outcome, target from audit_log where action = 'team.add' and outcome = 'done'")).toEqual([{ actor_id: PEOPLE.coordinator.id, outcome: 'done', target: `CNA ${PEOPLE.partner.id}` }]);
    // Leaving needs nobody's permission.
    expect((await h.command('/team', 'leave CNA', guest)).text).toContain('You have left *CNA*');
  });

  it('joins and leaves a team, idempotently', async () => {
    const me = { userId: PEOPLE.trainer.id, channelId: CHANNELS.ma.id };
    expect((await h.command('/team', 'join', me)).text).toContain('Welcome to *MA*');
    expect((await h.command('/team', 'join MA', me)).text).toContain('already on *MA*');
    expect((await h.command('/team', 'leave', me)).text).toContain('You have left *MA*');
    expect((await h.command('/team', 'leave', me)).text).toContain('were not on *MA*');
    expect((await h.command('/team', 'join NOPE', me)).text).toContain('There is no team NOPE');
  });

  it('records organisations (coordinators only), shows one and lists all with their people', async () => {
    const set = await h.command('/team', `org <@${PEOPLE.henryFord1.id}|hannah> Henry Ford Health`, coordinator);
    expect(set.text).toContain(`<@${PEOPLE.henryFord1.id}> now represents *Henry Ford Health*`);
    await h.command('/team', `org <@${PEOPLE.henryFord2.id}> henry ford  health`, coordinator);
    expect(await h.count('organisations')).toBe(1);
    const show = await h.command('/team', `org <@${PEOPLE.henryFord2.id}>`, employer);
    expect(show.text).toContain('represents *Henry Ford Health*');
    const none = await h.command('/team', `org <@${PEOPLE.trinity.id}>`, employer);
    expect(none.text).toContain('has no organisation recorded');
    const refused = await h.command('/team', `org <@${PEOPLE.trinity.id}> Trinity Health`, employer);
    expect(refused.text).toContain('Only coordinators');
    const orgs = await h.command('/team', 'orgs', employer);
    expect(visibleText(orgs)).toContain(`*Henry Ford Health*: <@${PEOPLE.henryFord1.id}>, <@${PEOPLE.henryFord2.id}>`);
    const bad = await h.command('/team', 'org hannah Henry Ford', coordinator);
    expect(bad.text).toContain('Usage');
  });

  it('adds and removes coordinators, and will not remove one named in the configuration', async () => {
    const add = await h.command('/team', `coordinator add <@${PEOPLE.analyst.id}|sam>`, coordinator);
    expect(add.text).toContain('is now a coordinator');
    const byNew = await h.command('/team', 'create DENT Dental Assistant', { userId: PEOPLE.analyst.id, channelId: CHANNELS.general.id });
    expect(byNew.text).toContain('Created team *DENT*');
    const list = await h.command('/team', 'coordinators', employer);
    expect(list.text).toContain(`<@${PEOPLE.analyst.id}>`);
    const remove = await h.command('/team', `coordinator remove <@${PEOPLE.analyst.id}>`, coordinator);
    expect(remove.text).toContain('no longer a coordinator');
    const afterRemoval = await h.command('/team', 'create VET Veterinary Assistant', { userId: PEOPLE.analyst.id, channelId: CHANNELS.general.id });
    expect(afterRemoval.text).toContain('Only coordinators');
    const configured = await h.command('/team', `coordinator remove <@${PEOPLE.coordinator.id}>`, coordinator);
    expect(configured.text).toContain('ALLIANCE_COORDINATORS');
  });

  it('shows coordinators the audit log and refuses it to others', async () => {
    const audit = await h.command('/team', 'audit 5', coordinator);
    expect(visibleText(audit)).toContain('team.');
    expect((await h.command('/team', 'audit', employer)).text).toContain('Only coordinators');
    expect((await h.command('/team', 'audit lots', coordinator)).text).toContain('Usage');
  });

  it('answers an unknown subcommand with help, escaping what was typed', async () => {
    const ack = await h.command('/team', '<!channel> please', employer);
    expect(ack.text).toContain('has no subcommand "&lt;!channel&gt;"');
    expect(ack.text).not.toContain('<!channel>');
  });

  it('/team settings: team members look, only coordinators change the time zone (validated, audited), and a reset goes back to the deployment’s', async () => {
    const outsider = { userId: PEOPLE.trinity.id, channelId: CHANNELS.general.id };
    const shown = visibleText(await h.command('/team', 'settings', employer));
    expect(shown).toContain(`${h.config.ALLIANCE_TIMEZONE} (deployment default)`);
    expect(shown).toContain('*CNA digest*');
    expect(shown).toContain('*Roll-up digest*');
    expect(shown).toContain('*Anonymous ballots*');
    expect((await h.command('/team', 'settings', outsider)).text).toContain('Join a team first');

    expect((await h.command('/team', 'settings timezone Europe/London', employer)).text).toContain('Only coordinators');
    expect((await h.command('/team', 'settings timezone Mars/Olympus', coordinator)).text).toContain('"Mars/Olympus" is not a time zone I know');
    expect(await h.query('select * from workspace_settings')).toEqual([]);

    expect((await h.command('/team', 'settings timezone america/chicago', coordinator)).text).toContain('time zone is now *America/Chicago*');
    expect(visibleText(await h.command('/team', 'settings', employer))).toContain(`America/Chicago (this workspace’s, set by <@${PEOPLE.coordinator.id}>`);
    expect(await h.query('select team_id, time_zone, updated_by from workspace_settings')).toEqual([{ team_id: h.alliance.workspaceId, time_zone: 'America/Chicago', updated_by: PEOPLE.coordinator.id }]);

    expect((await h.command('/team', 'settings reset timezone', coordinator)).text).toContain(`deployment's time zone again: *${h.config.ALLIANCE_TIMEZONE}*`);
    expect(visibleText(await h.command('/team', 'settings', employer))).toContain(`${h.config.ALLIANCE_TIMEZONE} (deployment default)`);
    expect((await h.command('/team', 'settings digest 0 9 * * 1', coordinator)).text).toContain('/digest schedule');
    expect((await h.command('/team', 'settings colour blue', coordinator)).text).toContain('Usage');

    const audit = await h.query<{ actor_id: string; outcome: string; target: string | null }>(
      "select actor_id, outcome, target from audit_log where action like 'team.settings%' order by id",
    );
    expect(audit).toEqual([
      { actor_id: PEOPLE.trinity.id, outcome: 'refused', target: null },
      { actor_id: PEOPLE.henryFord1.id, outcome: 'refused', target: 'Europe/London' },
      { actor_id: PEOPLE.coordinator.id, outcome: 'done', target: 'timezone America/Chicago' },
      { actor_id: PEOPLE.coordinator.id, outcome: 'done', target: 'timezone reset' },
    ]);
  });

  it('escapes organisation names so nobody can ping the channel through the bot', async () => {
    const ack = await h.command('/team', `org <@${PEOPLE.trinity.id}> <!channel> & Friends`, coordinator);
    expect(ack.text).toContain('*&lt;!channel&gt; &amp; Friends*');
    expect(visibleText(await h.command('/team', 'orgs', employer))).not.toContain('<!channel>');
  });
});
