import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { organisations, people, teamMembers } from '../../src/db/schema.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { LISTED_PEOPLE, TeamService } from '../../src/features/team/service.js';
import { membersView, organisationsView } from '../../src/features/team/views.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * `/team members` and `/team orgs` answer in the ack, so what they read must not grow with the
 * workspace (issue #18, README Performance): at most LISTED_PEOPLE people, and the answer says
 * there are more.
 */

const WS = 'T0BOUND';
const at = new Date('2026-03-02T15:00:00Z').getTime();
const user = (i: number) => `U0P${String(i).padStart(6, '0')}`;

describe(`team listings read a bounded number of people (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let repo: TeamRepository;
  let teams: TeamService;
  let teamId: number;
  const everyone = LISTED_PEOPLE + 7;

  beforeEach(async () => {
    database = await freshTestStorage();
    const db = database.storage;
    repo = new TeamRepository(db);
    teams = new TeamService(repo);
    teamId = (await repo.create({ workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at })).id;
    const orgIds: number[] = [];
    for (const name of ['Corewell', 'Henry Ford', 'Trinity']) orgIds.push((await repo.ensureOrganisation(WS, name, at)).id);
    // An organisation nobody represents is not listed, nor offered for a goal.
    await repo.ensureOrganisation(WS, 'Nobody Inc', at);
    for (let start = 0; start < everyone; start += 500) {
      const ids = Array.from({ length: Math.min(500, everyone - start) }, (_, k) => start + k);
      await db.insert(teamMembers).values(ids.map((i) => ({ workspaceId: WS, programTeamId: teamId, userId: user(i), createdAt: at + i }))).run();
      await db.insert(people).values(ids.map((i) => ({ workspaceId: WS, userId: user(i), organisationId: orgIds[i % 3] ?? null, updatedBy: 'U0COORD', updatedAt: at + i }))).run();
    }
    expect((await db.select().from(organisations).all()).length).toBe(4);
  });

  afterEach(async () => {
    await database.dispose();
  });

  it('/team members: the first LISTED_PEOPLE to join, and says there are more', async () => {
    const listed = await teams.members(WS, 'CNA', 'C0NONE');
    if (!listed.ok) throw new Error(listed.problem.message);
    expect(listed.value.members).toHaveLength(LISTED_PEOPLE);
    expect(listed.value.members[0]?.userId).toBe(user(0));
    expect(listed.value.members.at(-1)?.userId).toBe(user(LISTED_PEOPLE - 1));
    expect(listed.value.more).toBe(true);
    const view = membersView(listed.value.team, listed.value.members, listed.value.more);
    expect(view.text).toBe(`CNA has more than ${LISTED_PEOPLE} members; the first ${LISTED_PEOPLE} to join`);
    expect(view.blocks.length).toBeLessThanOrEqual(50);
    // Every member still counts where all are needed (a members-only vote's electorate).
    expect(await repo.members(teamId)).toHaveLength(everyone);
  });

  it('/team orgs: LISTED_PEOPLE people in all, grouped by organisation, and says there are more', async () => {
    const listed = await teams.organisations(WS);
    expect(listed.more).toBe(true);
    expect(listed.entries.map((e) => e.organisation.name)).toEqual(['Corewell', 'Henry Ford', 'Trinity']);
    expect(listed.entries.reduce((n, e) => n + e.userIds.length, 0)).toBe(LISTED_PEOPLE);
    expect(listed.entries[0]?.userIds.slice(0, 2)).toEqual([user(0), user(3)]);
    const view = organisationsView(listed.entries, listed.more);
    expect(view.text).toBe('3+ organisations');
    expect(view.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(view.blocks.at(-1))).toContain('and more people than fit here');
    // A goal may still be for any organisation someone represents.
    expect((await teams.organisationsInUse(WS)).map((o) => o.name)).toEqual(['Corewell', 'Henry Ford', 'Trinity']);
  });

  it('says nothing of more when everyone fits', async () => {
    await database.storage.delete(teamMembers).run();
    await database.storage.delete(people).run();
    await repo.addMember(WS, teamId, user(1), at);
    const listed = await teams.members(WS, 'CNA', 'C0NONE');
    if (!listed.ok) throw new Error(listed.problem.message);
    expect(listed.value.more).toBe(false);
    expect(membersView(listed.value.team, listed.value.members, listed.value.more).text).toBe('CNA has 1 member');
    expect((await teams.organisations(WS)).more).toBe(false);
  });
});
