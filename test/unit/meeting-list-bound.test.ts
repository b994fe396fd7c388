import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { meetings } from '../../src/db/schema.js';
import type { Actor } from '../../src/domain/actor.js';
import { meetingCommand } from '../../src/features/meeting/command.js';
import { MeetingRepository } from '../../src/features/meeting/repository.js';
import { MeetingService } from '../../src/features/meeting/service.js';
import { MEETING_LIST_COUNTED, MEETING_LIST_SHOWN } from '../../src/features/meeting/views.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { TeamService } from '../../src/features/team/service.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * `/meeting list` answers in its ack, so it must not read every meeting ahead (issue #18, README
 * Performance "Before the ack"): it reads the soonest MEETING_LIST_SHOWN, counts the rest up to
 * MEETING_LIST_COUNTED, and says how many more there are.
 */

const WS = 'T0LIST';
const at = new Date('2026-03-02T15:00:00Z');
const HOUR = 3_600_000;
const coordinator: Actor = { workspaceId: WS, userId: 'U0COORD', isCoordinator: true, isExternal: false };

describe(`/meeting list reads a bounded number of meetings (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let repo: MeetingRepository;
  let teamId: number;

  const command = () =>
    meetingCommand({
      db: database.storage,
      meetings: new MeetingService({ repo, teams: new TeamService(new TeamRepository(database.storage)), teamRepository: new TeamRepository(database.storage) }),
      now: () => at,
      outbox: { kick: () => undefined } as never,
      client: {} as WebClient,
      defaultTimeZone: () => Promise.resolve('America/Detroit'),
      timeZoneOf: () => Promise.resolve(undefined),
    });

  const list = async (text: string) => {
    const reply = await command()({ command: '/meeting', workspaceId: WS, userId: coordinator.userId, channelId: 'C0NONE', text, triggerId: '', responseUrl: '' }, coordinator);
    if (reply.kind !== 'message') throw new Error('expected a message');
    return { text: reply.text, shown: JSON.stringify(reply.blocks ?? []) };
  };

  /** `count` meetings, one an hour from tomorrow, numbered in start order; plus one that has ended and one cancelled. */
  const schedule = async (count: number) => {
    const rows = Array.from({ length: count }, (_, i) => ({
      workspaceId: WS,
      number: i + 1,
      programTeamId: teamId,
      title: `Cohort check-in ${i + 1}`,
      startsAt: at.getTime() + 24 * HOUR + i * HOUR,
      durationMinutes: 30,
      timeZone: 'America/Detroit',
      creatorId: 'U0COORD',
      createdAt: at.getTime(),
      updatedAt: at.getTime(),
    }));
    for (let i = 0; i < rows.length; i += 200) await database.storage.insert(meetings).values(rows.slice(i, i + 200)).run();
    await database.storage
      .insert(meetings)
      .values([
        { ...rows[0]!, number: count + 1, title: 'Ended yesterday', startsAt: at.getTime() - 24 * HOUR },
        { ...rows[0]!, number: count + 2, title: 'Called off', status: 'cancelled' },
      ])
      .run();
  };

  beforeEach(async () => {
    database = await freshTestStorage();
    const team = await new TeamRepository(database.storage).create({ workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at.getTime() });
    teamId = team.id;
    repo = new MeetingRepository(database.storage);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await database.dispose();
  });

  it('reads at most the soonest MEETING_LIST_SHOWN meetings and says how many more there are', async () => {
    await schedule(MEETING_LIST_SHOWN + 5);
    const upcoming = vi.spyOn(repo, 'upcoming');
    const { text, shown } = await list('list CNA');
    expect(upcoming).toHaveBeenCalledWith(WS, at.getTime(), teamId, MEETING_LIST_SHOWN);
    expect(text).toBe(`${MEETING_LIST_SHOWN + 5} upcoming meetings: CNA`);
    expect(shown).toContain(`Upcoming meetings: CNA (${MEETING_LIST_SHOWN + 5})`);
    expect(shown.match(/Cohort check-in \d+/g)).toHaveLength(MEETING_LIST_SHOWN);
    expect(shown).toContain('Cohort check-in 1 ');
    expect(shown).toContain(`Cohort check-in ${MEETING_LIST_SHOWN} `);
    expect(shown).not.toContain(`Cohort check-in ${MEETING_LIST_SHOWN + 1} `);
    expect(shown).toContain(`…and 5 more later; these are the soonest ${MEETING_LIST_SHOWN}.`);
    // Already one team's list: no hint to narrow it to one team.
    expect(shown).not.toContain('lists one team');
    expect(shown).not.toContain('Ended yesterday');
    expect(shown).not.toContain('Called off');
  });

  it('counts no further than MEETING_LIST_COUNTED, and says "more than" beyond it', async () => {
    await schedule(MEETING_LIST_COUNTED + 20);
    expect(await repo.countUpcoming(WS, at.getTime(), teamId, MEETING_LIST_COUNTED)).toBe(MEETING_LIST_COUNTED);
    expect(await repo.countUpcoming(WS, at.getTime(), undefined, 5_000)).toBe(MEETING_LIST_COUNTED + 20);
    const { text, shown } = await list('list');
    expect(text).toBe(`more than ${(MEETING_LIST_COUNTED - 1).toLocaleString('en-US')} upcoming meetings: all teams`);
    expect(shown).toContain(`…and more later; these are the soonest ${MEETING_LIST_SHOWN}. \`/meeting list KEY\` lists one team’s.`);
  });

  it('a short list is read whole and not counted again', async () => {
    await schedule(3);
    const counted = vi.spyOn(repo, 'countUpcoming');
    const { text, shown } = await list('list CNA');
    expect(text).toBe('3 upcoming meetings: CNA');
    expect(shown).toContain('Upcoming meetings: CNA (3)');
    expect(shown).not.toContain('more later');
    expect(counted).not.toHaveBeenCalled();
  });
});
