import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.js';
import type { Actor } from '../../src/domain/actor.js';
import { MeetingRepository, type MeetingWithTeam } from '../../src/features/meeting/repository.js';
import { MeetingService } from '../../src/features/meeting/service.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { TeamService } from '../../src/features/team/service.js';
import { twoInstancesOnOneFile, type TwoInstances } from '../rig/two-instances.js';

/*
 * Two instances share one database file. Instance A looks a meeting up for an RSVP or an edit;
 * instance B cancels it before A writes. A must decide from the meeting as it is under the write
 * lock: refuse, and never redraw the announcement as not cancelled or queue reminders again.
 * A repository that lets B act right after A's first look-up (outside a transaction) stands in for
 * the unlucky timing; two connections on one file stand in for the two instances.
 */

const WS = 'T0RACE';
const now = new Date('2026-03-02T15:00:00Z');
const later = new Date('2026-03-02T15:00:05Z');
const SCHEDULER = 'U0SCHEDULER';
const ATTENDEE = 'U0ATTENDEE';
const person = (userId: string): Actor => ({ workspaceId: WS, userId, isCoordinator: false, isExternal: false });

/** Runs `between` once, right after the first look-up made outside a transaction. */
class InterleavingRepository extends MeetingRepository {
  between: (() => void) | undefined;
  constructor(private readonly opened: OpenedDatabase) {
    super(opened.db);
  }
  private interleave<T>(found: T): T {
    const run = this.between;
    if (run !== undefined && !this.opened.sqlite.inTransaction) {
      this.between = undefined;
      run();
    }
    return found;
  }
  override byId(id: number): MeetingWithTeam | undefined {
    return this.interleave(super.byId(id));
  }
  override byNumber(workspaceId: string, number: number): MeetingWithTeam | undefined {
    return this.interleave(super.byNumber(workspaceId, number));
  }
}

function serviceOn(opened: OpenedDatabase, repo: MeetingRepository): MeetingService {
  const teamRepository = new TeamRepository(opened.db);
  return new MeetingService({ repo, teams: new TeamService(teamRepository), teamRepository });
}

describe('meeting RSVPs and edits racing a cancellation from another instance', () => {
  let instances: TwoInstances;
  let one: OpenedDatabase;
  let two: OpenedDatabase;
  let repoA: InterleavingRepository;
  let a: MeetingService;
  let b: MeetingService;
  let meetingId: number;

  const outbox = () =>
    one.sqlite.prepare("select dedupe_key as key, method, payload_json as args, status from outbox where dedupe_key like 'meeting:%' order by id").all() as Array<{ key: string; method: string; args: string; status: string }>;

  beforeEach(() => {
    instances = twoInstancesOnOneFile('alliance-meeting-race-');
    ({ one, two } = instances);
    const teams = new TeamRepository(one.db);
    const team = teams.create({ workspaceId: WS, key: 'CNA', name: 'Certified Nursing Assistant', description: '', createdAt: now.getTime() });
    teams.linkChannel({ workspaceId: WS, channelId: 'C0CNA', programTeamId: team.id, linkedBy: SCHEDULER, createdAt: now.getTime() });
    repoA = new InterleavingRepository(one);
    a = serviceOn(one, repoA);
    b = serviceOn(two, new MeetingRepository(two.db));
    const created = a.create(
      person(SCHEDULER),
      String(team.id),
      { title: 'Placements', startsAt: new Date('2026-03-09T15:00:00Z'), durationMinutes: 60, place: 'Room 4', link: null, agenda: '' },
      { timeZone: 'America/Detroit', originChannelId: 'C0CNA' },
      'form-1',
      now,
    );
    if (!created.ok || !('meeting' in created.value)) throw new Error('meeting not created');
    meetingId = created.value.meeting.id;
    // The announcement went out: later changes are chat.update calls of it.
    one.sqlite.prepare("update meetings set message_ts = '1.000100' where id = ?").run(meetingId);
    one.sqlite.prepare("update outbox set status = 'sent' where dedupe_key like 'meeting:%'").run();
  });
  afterEach(() => instances.close());

  it('an RSVP racing a cancellation never redraws the announcement as not cancelled', () => {
    const cancel = () => expect(b.cancel(person(SCHEDULER), 'M-1', later).ok).toBe(true);
    repoA.between = cancel;
    const answered = a.rsvp(WS, ATTENDEE, meetingId, 'going', undefined, later);
    // A service that reads the meeting under the write lock leaves B no gap: B cancels just after.
    const cancelledFirst = repoA.between === undefined;
    if (!cancelledFirst) {
      repoA.between = undefined;
      cancel();
    }
    if (cancelledFirst) {
      expect(!answered.ok && answered.problem.code).toBe('closed');
      expect(one.sqlite.prepare('select count(*) as n from meeting_rsvps').get()).toEqual({ n: 0 });
    } else expect(answered.ok).toBe(true);
    // The redraw is the meeting's one coalesced refresh, drawn from the database when the outbox
    // sends it: whatever the order of the two writes, what goes out is the cancelled announcement.
    expect(one.sqlite.prepare('select method, status from outbox where dedupe_key = ?').all(`refresh:meeting:${meetingId}`)).toEqual([{ method: 'chat.update', status: 'pending' }]);
    expect(JSON.stringify(a.renderAnnouncement(meetingId))).toContain('Cancelled: M-1');
    expect(one.sqlite.prepare('select status from meetings where id = ?').get(meetingId)).toEqual({ status: 'cancelled' });
  });

  it('refuses an edit when the meeting was cancelled after it was looked up: no reminders queued again, no notices', () => {
    one.sqlite.prepare("insert into meeting_rsvps (team_id, meeting_id, user_id, answer, updated_at) values (?, ?, ?, 'going', ?)").run(WS, meetingId, ATTENDEE, now.getTime());
    repoA.between = () => expect(b.cancel(person(SCHEDULER), 'M-1', later).ok).toBe(true);
    const edited = a.edit(
      person(SCHEDULER),
      1,
      { title: 'Placements (moved)', startsAt: new Date('2026-03-10T15:00:00Z'), durationMinutes: 60, place: 'Room 5', link: null, agenda: '' },
      'America/Detroit',
      later,
    );
    expect(edited.ok).toBe(false);
    expect(!edited.ok && edited.problem.code).toBe('closed');
    expect(one.sqlite.prepare('select title, status from meetings where id = ?').get(meetingId)).toEqual({ title: 'Placements', status: 'cancelled' });
    expect(outbox().filter((row) => row.status === 'pending' && row.key.includes(':reminder:'))).toEqual([]);
    expect(outbox().filter((row) => row.key.includes(':changed:'))).toEqual([]);
  });
});
