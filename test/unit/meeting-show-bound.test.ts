import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { meetingRsvps, meetings } from '../../src/db/schema.js';
import type { Actor } from '../../src/domain/actor.js';
import { meetingCommand } from '../../src/features/meeting/command.js';
import { MeetingRepository } from '../../src/features/meeting/repository.js';
import { MeetingService } from '../../src/features/meeting/service.js';
import { MAX_NAMES } from '../../src/features/meeting/views.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { TeamService } from '../../src/features/team/service.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * `/meeting show` answers in its ack, so it must not read every RSVP of the meeting (issue #18,
 * README Performance): counts per answer come from SQL and at most MAX_NAMES names per answer
 * are read, the rest said as "and N more".
 */

const WS = 'T0SHOW';
const at = new Date('2026-03-02T15:00:00Z');
const user = (i: number) => `U0R${String(i).padStart(5, '0')}`;
const coordinator: Actor = { workspaceId: WS, userId: 'U0COORD', isCoordinator: true, isExternal: false };

describe(`/meeting show reads a bounded number of RSVPs (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let repo: MeetingRepository;
  let service: MeetingService;
  let meetingId: number;
  // Going, maybe and declined: more than MAX_NAMES going and maybe, fewer declined.
  const answers = [...Array<string>(MAX_NAMES + 110).fill('going'), ...Array<string>(MAX_NAMES + 1).fill('maybe'), ...Array<string>(7).fill('declined')];

  beforeEach(async () => {
    database = await freshTestStorage();
    const db = database.storage;
    const teamRepository = new TeamRepository(db);
    const team = await teamRepository.create({ workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at.getTime() });
    repo = new MeetingRepository(db);
    service = new MeetingService({ repo, teams: new TeamService(teamRepository), teamRepository });
    const [meeting] = await db
      .insert(meetings)
      .values({ workspaceId: WS, number: 1, programTeamId: team.id, title: 'Cohort planning', startsAt: at.getTime() + 86_400_000, durationMinutes: 60, timeZone: 'America/Detroit', creatorId: 'U0COORD', createdAt: at.getTime(), updatedAt: at.getTime() })
      .returning({ id: meetings.id });
    if (meeting === undefined) throw new Error('no meeting');
    meetingId = meeting.id;
    // Answered in reverse order of user id, so "first to answer" is not "first by id".
    await db
      .insert(meetingRsvps)
      .values(answers.map((answer, i) => ({ workspaceId: WS, meetingId, userId: user(answers.length - i), answer, updatedAt: at.getTime() + i })))
      .run();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await database.dispose();
  });

  it('counts every answer and lists the first MAX_NAMES of each, in the order they answered', async () => {
    const summary = await repo.rsvpSummary(meetingId, MAX_NAMES);
    expect(summary.counts).toEqual({ going: MAX_NAMES + 110, maybe: MAX_NAMES + 1, declined: 7 });
    expect(summary.first.going).toHaveLength(MAX_NAMES);
    expect(summary.first.going[0]).toBe(user(answers.length));
    expect(summary.first.maybe[0]).toBe(user(answers.length - (MAX_NAMES + 110)));
    expect(summary.first.declined).toHaveLength(7);
    // The same names the announcement (which reads every answer) lists.
    const all = await repo.rsvps(meetingId);
    expect(summary.first.going).toEqual(all.filter((r) => r.answer === 'going').slice(0, MAX_NAMES).map((r) => r.userId));
  });

  it('/meeting show says the counts and "and N more", without reading every RSVP', async () => {
    const everyRsvp = vi.spyOn(repo, 'rsvps');
    const command = meetingCommand({
      db: database.storage,
      meetings: service,
      now: () => at,
      outbox: { kick: () => undefined } as never,
      client: {} as WebClient,
      defaultTimeZone: () => Promise.resolve('America/Detroit'),
      timeZoneOf: () => Promise.resolve(undefined),
    });
    const reply = await command({ command: '/meeting', workspaceId: WS, userId: coordinator.userId, channelId: 'C0NONE', text: 'show M-1', triggerId: '', responseUrl: '' }, coordinator);
    if (reply.kind !== 'message') throw new Error('expected a message');
    const shown = JSON.stringify(reply.blocks);
    expect(shown).toContain(`Going (${MAX_NAMES + 110})`);
    expect(shown).toContain('and 110 more');
    expect(shown).toContain(`Maybe (${MAX_NAMES + 1})`);
    expect(shown).toContain('and 1 more');
    expect(shown.match(/<@U0R\d+>/g)).toHaveLength(MAX_NAMES * 2 + 7);
    expect(everyRsvp).not.toHaveBeenCalled();
  });
});
