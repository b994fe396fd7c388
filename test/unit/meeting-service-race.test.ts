import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/storage.js';
import type { Actor } from '../../src/domain/actor.js';
import { MeetingRepository, type MeetingWithTeam } from '../../src/features/meeting/repository.js';
import { MeetingService } from '../../src/features/meeting/service.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { TeamService } from '../../src/features/team/service.js';
import { retryWhileBusy } from '../../src/slack/busy-retry.js';
import { twoInstancesOnOneDatabase, type TwoStorages } from '../rig/two-instances.js';

/*
 * Two instances share one database (two connections on one SQLite file, or two connection pools
 * on one PostgreSQL database). Instance A looks a meeting up for an RSVP or an edit; instance B
 * cancels it before A writes. A must decide from the meeting as it is inside its write
 * transaction: refuse, and never redraw the announcement as not cancelled or queue reminders again.
 * A repository that lets B act right after A's first look-up (outside a transaction) stands in for
 * the unlucky timing.
 */

const WS = 'T0RACE';
const now = new Date('2026-03-02T15:00:00Z');
const later = new Date('2026-03-02T15:00:05Z');
const SCHEDULER = 'U0SCHEDULER';
const ATTENDEE = 'U0ATTENDEE';
const person = (userId: string): Actor => ({ workspaceId: WS, userId, isCoordinator: false, isExternal: false });

/**
 * Runs `between` once, right after the first look-up made outside a transaction. The service
 * starts its transactions on `database`, which counts how many are open.
 */
class InterleavingRepository extends MeetingRepository {
  between: (() => Promise<void>) | undefined;
  private openTransactions = 0;
  private readonly counted: Storage;
  constructor(storage: Storage) {
    super(storage);
    const transaction = async <T>(work: (tx: Storage) => Promise<T>): Promise<T> => {
      this.openTransactions++;
      try {
        return await storage.transaction(work);
      } finally {
        this.openTransactions--;
      }
    };
    this.counted = new Proxy(storage, {
      get: (target, property) => {
        if (property === 'transaction') return transaction;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  override get database(): Storage {
    return this.counted;
  }
  private async interleave<T>(found: T): Promise<T> {
    const run = this.between;
    if (run !== undefined && this.openTransactions === 0) {
      this.between = undefined;
      await run();
    }
    return found;
  }
  override async byId(id: number): Promise<MeetingWithTeam | undefined> {
    return this.interleave(await super.byId(id));
  }
  override async byNumber(workspaceId: string, number: number): Promise<MeetingWithTeam | undefined> {
    return this.interleave(await super.byNumber(workspaceId, number));
  }
}


function serviceOn(storage: Storage, repo: MeetingRepository): MeetingService {
  const teamRepository = new TeamRepository(storage);
  return new MeetingService({ repo, teams: new TeamService(teamRepository), teamRepository });
}

describe('meeting RSVPs and edits racing a cancellation from another instance', () => {
  let instances: TwoStorages;
  let one: Storage;
  let two: Storage;
  let repoA: InterleavingRepository;
  let a: MeetingService;
  let b: MeetingService;
  let meetingId: number;

  const outbox = async () =>
    one.rows<{ key: string; method: string; args: string; status: string }>(
      sql`select dedupe_key as "key", method, payload_json as args, status from outbox where dedupe_key like 'meeting:%' order by id`,
    );

  beforeEach(async () => {
    instances = await twoInstancesOnOneDatabase();
    ({ one, two } = instances);
    const teams = new TeamRepository(one);
    const team = await teams.create({ workspaceId: WS, key: 'CNA', name: 'Certified Nursing Assistant', description: '', createdAt: now.getTime() });
    await teams.linkChannel({ workspaceId: WS, channelId: 'C0CNA', programTeamId: team.id, linkedBy: SCHEDULER, createdAt: now.getTime() });
    repoA = new InterleavingRepository(one);
    a = serviceOn(one, repoA);
    b = serviceOn(two, new MeetingRepository(two));
    const created = await a.create(
      person(SCHEDULER),
      String(team.id),
      { title: 'Placements', startsAt: new Date('2026-03-09T15:00:00Z'), durationMinutes: 60, place: 'Room 4', link: null, agenda: '' },
      { timeZone: 'America/Detroit', originChannelId: 'C0CNA' },
      'form-1',
      now,
    );
    if (!created.ok) throw new Error('meeting not created');
    meetingId = created.value.meeting.id;
    // The announcement went out: later changes are chat.update calls of it.
    await one.execute(sql`update meetings set message_ts = '1.000100' where id = ${meetingId}`);
    await one.execute(sql`update outbox set status = 'sent' where dedupe_key like 'meeting:%'`);
  });
  afterEach(async () => {
    await instances.close();
  });

  it('an RSVP racing a cancellation never redraws the announcement as not cancelled', async () => {
    const cancel = async () => expect((await b.cancel(person(SCHEDULER), 'M-1', later)).ok).toBe(true);
    repoA.between = cancel;
    const answered = await a.rsvp(WS, ATTENDEE, meetingId, 'going', undefined, later);
    // A service that reads the meeting inside its write transaction leaves B no gap: B cancels just after.
    const cancelledFirst = repoA.between === undefined;
    if (!cancelledFirst) {
      repoA.between = undefined;
      await cancel();
    }
    if (cancelledFirst) {
      expect(!answered.ok && answered.problem.code).toBe('closed');
      expect(await one.rows(sql`select count(*) as n from meeting_rsvps`)).toEqual([{ n: 0 }]);
    } else expect(answered.ok).toBe(true);
    // The redraw is the meeting's one coalesced refresh, drawn from the database when the outbox
    // sends it: whatever the order of the two writes, what goes out is the cancelled announcement.
    expect(await one.rows(sql`select method, status from outbox where dedupe_key = ${`refresh:meeting:${meetingId}`}`)).toEqual([{ method: 'chat.update', status: 'pending' }]);
    expect(JSON.stringify(await a.renderAnnouncement(meetingId))).toContain('Cancelled: M-1');
    expect(await one.rows(sql`select status from meetings where id = ${meetingId}`)).toEqual([{ status: 'cancelled' }]);
  });

  it('refuses an edit when the meeting was cancelled after it was looked up: no reminders queued again, no notices', async () => {
    await one.execute(sql`insert into meeting_rsvps (team_id, meeting_id, user_id, answer, updated_at) values (${WS}, ${meetingId}, ${ATTENDEE}, 'going', ${now.getTime()})`);
    repoA.between = async () => expect((await b.cancel(person(SCHEDULER), 'M-1', later)).ok).toBe(true);
    const edited = await a.edit(
      person(SCHEDULER),
      1,
      { title: 'Placements (moved)', startsAt: new Date('2026-03-10T15:00:00Z'), durationMinutes: 60, place: 'Room 5', link: null, agenda: '' },
      'America/Detroit',
      later,
    );
    expect(edited.ok).toBe(false);
    expect(!edited.ok && edited.problem.code).toBe('closed');
    expect(await one.rows(sql`select title, status from meetings where id = ${meetingId}`)).toEqual([{ title: 'Placements', status: 'cancelled' }]);
    expect((await outbox()).filter((row) => row.status === 'pending' && row.key.includes(':reminder:'))).toEqual([]);
    expect((await outbox()).filter((row) => row.key.includes(':changed:'))).toEqual([]);
  });

  it('two instances scheduling at once give their meetings the next two numbers, each with its own announcement and reminders', async () => {
    const details = { title: 'Curriculum', startsAt: new Date('2026-03-12T15:00:00Z'), durationMinutes: 60, place: 'Room 2', link: null, agenda: '' };
    const where = { timeZone: 'America/Detroit', originChannelId: 'C0CNA' };
    const teamId = String((await one.rows<{ id: number }>(sql`select id from program_teams where key = 'CNA'`))[0]?.id);
    const created = await Promise.all([
      retryWhileBusy(async () => a.create(person(SCHEDULER), teamId, details, where, 'form-a', now)),
      retryWhileBusy(async () => b.create(person(SCHEDULER), teamId, details, where, 'form-b', now)),
    ]);
    expect(created.map((c) => (c.ok ? c.value.meeting.number : 0)).sort()).toEqual([2, 3]);
    for (const c of created) {
      if (!c.ok) continue;
      const keys = (await outbox()).filter((row) => row.key.startsWith(`meeting:${c.value.meeting.id}:`)).map((row) => row.key);
      expect(keys.sort()).toEqual([`meeting:${c.value.meeting.id}:announce`, `meeting:${c.value.meeting.id}:s0:reminder:1h`, `meeting:${c.value.meeting.id}:s0:reminder:24h`]);
    }
  });

  it('one person answering on both instances at once has one answer', async () => {
    repoA.between = undefined;
    const answers = await Promise.all([
      retryWhileBusy(async () => a.rsvp(WS, ATTENDEE, meetingId, 'going', undefined, later)),
      retryWhileBusy(async () => b.rsvp(WS, ATTENDEE, meetingId, 'maybe', undefined, later)),
    ]);
    expect(answers.every((answer) => answer.ok)).toBe(true);
    const stored = await one.rows<{ answer: string }>(sql`select answer from meeting_rsvps where meeting_id = ${meetingId}`);
    expect(stored).toHaveLength(1);
    // The one stored is the later of the two: the other saw the first answer as its previous one.
    const previous = answers.flatMap((answer) => (answer.ok && answer.value.previous !== undefined ? [answer.value.previous] : []));
    expect(previous).toHaveLength(1);
    expect(previous[0]).not.toBe(stored[0]?.answer);
  });
});
