import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db/open-storage.js';
import type { Storage } from '../../src/db/storage.js';
import type { Actor } from '../../src/domain/actor.js';
import { IssueRepository, type Issue } from '../../src/features/issue/repository.js';
import { IssueService, type IssueDraft } from '../../src/features/issue/service.js';
import { announcement, loggedReply, statusReply } from '../../src/features/issue/views.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { TeamService } from '../../src/features/team/service.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * Two instances of the app share one database. Each looks an issue up, then changes it; the change
 * must be decided from the issue as it is inside its transaction, not as it was looked up. Two
 * storages on the same database (two connections on the SQLite file, two pools on PostgreSQL)
 * stand in for the two instances.
 */

const WS = 'T0RACE';
const now = new Date('2025-03-10T14:00:00Z');
const later = new Date('2025-03-10T14:00:05Z');
const person = (userId: string): Actor => ({ workspaceId: WS, userId, isCoordinator: false, isExternal: false });

const REPORTER = 'U0REPORTER';
const MEMBER = 'U0MEMBER';
const OWNER = 'U0OWNER';

const draft = (title: string, extra: Partial<IssueDraft> = {}): IssueDraft => ({ title, details: '', category: 'other', ownerId: OWNER, dueDate: null, ...extra });

function serviceOn(storage: Storage): IssueService {
  const teamRepository = new TeamRepository(storage);
  return new IssueService({
    db: storage,
    issues: new IssueRepository(storage),
    teamRepository,
    teams: new TeamService(teamRepository),
    timeZone: 'America/Detroit',
    messages: { announcement, loggedReply, statusReply },
  });
}

/**
 * Who writes at the same time. On PostgreSQL both instances (two pools, truly concurrent
 * SERIALIZABLE transactions). On SQLite one instance: its transactions share its one connection and
 * queue; a second connection in the same process would wait for the write lock with the event loop
 * blocked, so instances in separate processes are covered by the e2e robust-busy suite instead.
 */
const concurrentWriters = (a: IssueService, b: IssueService): IssueService[] => (TEST_ENGINE === 'postgres' ? [a, b] : [a]);

describe(`issue changes from two instances at once (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let other: Storage;
  let a: IssueService;
  let b: IssueService;
  let teamId: number;
  let issueId: number;

  const history = () =>
    database.storage.rows<Record<string, unknown>>(
      sql`select kind, actor_id as actor, from_value as "fromValue", to_value as "toValue" from issue_events where kind != 'created' order by id`,
    );
  /** What an instance looked up before the other instance's change landed. */
  const lookedUp = async (service: IssueService): Promise<Issue> => {
    const found = await service.byId(WS, issueId);
    if (!found.ok) throw new Error('issue missing');
    return found.value;
  };

  beforeEach(async () => {
    database = await freshTestStorage();
    other = await openStorage(database.url);
    const teams = new TeamRepository(database.storage);
    const team = await teams.create({ workspaceId: WS, key: 'CNA', name: 'Certified Nursing Assistant', description: '', createdAt: now.getTime() });
    teamId = team.id;
    await teams.addMember(WS, team.id, MEMBER, now.getTime());
    a = serviceOn(database.storage);
    b = serviceOn(other);
    const created = await a.create(person(REPORTER), team.id, draft('Placements'), now);
    if (!created.ok) throw new Error(created.problem.message);
    issueId = created.value.issue.id;
  });
  afterEach(async () => {
    await other.close();
    await database.dispose();
  });

  it('records the status the issue really had, not the one an instance looked up earlier', async () => {
    const stale = await lookedUp(a);
    expect(stale.status).toBe('open');
    expect((await b.setStatus(person(MEMBER), await lookedUp(b), 'blocked', '', later)).ok).toBe(true);

    const done = await a.setStatus(person(REPORTER), stale, 'resolved', '', later);
    expect(done.ok && done.value.issue.status).toBe('resolved');
    expect(await history()).toEqual([
      { kind: 'status', actor: MEMBER, fromValue: 'open', toValue: 'blocked' },
      { kind: 'status', actor: REPORTER, fromValue: 'blocked', toValue: 'resolved' },
    ]);
  });

  it('sees that the other instance already made the same change, and records it once', async () => {
    const stale = await lookedUp(a);
    expect((await b.setStatus(person(MEMBER), await lookedUp(b), 'resolved', '', later)).ok).toBe(true);
    const done = await a.setStatus(person(REPORTER), stale, 'resolved', '', later);
    expect(done.ok && done.value.changed).toBe(false);
    expect(await history()).toHaveLength(1);
  });

  it('decides permission on the issue as it is: an owner replaced meanwhile can no longer change it', async () => {
    const staleForOwner = await lookedUp(a);
    expect(staleForOwner.ownerId).toBe(OWNER);
    expect((await b.assign(person(MEMBER), await lookedUp(b), MEMBER, later)).ok).toBe(true);

    const refused = await a.setDue(person(OWNER), staleForOwner, '2025-04-01', later);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problem.code).toBe('forbidden');
    expect(await database.storage.rows(sql`select due_date as due, owner_id as owner from issues where id = ${issueId}`)).toEqual([{ due: null, owner: MEMBER }]);
    expect(await database.storage.rows(sql`select action, outcome from audit_log where actor_id = ${OWNER}`)).toEqual([{ action: 'issue.due', outcome: 'refused' }]);
  });

  it('edits from the issue as it is: a title renamed meanwhile is recorded as the from-value', async () => {
    const stale = await lookedUp(a);
    const renamed = await b.edit(person(MEMBER), await lookedUp(b), draft('Placements for spring'), later);
    expect(renamed.ok).toBe(true);
    const edited = await a.edit(person(REPORTER), stale, draft('Clinical placements'), later);
    expect(edited.ok && edited.value.changed).toEqual(['title']);
    expect(await history()).toEqual([
      { kind: 'title', actor: MEMBER, fromValue: 'Placements', toValue: 'Placements for spring' },
      { kind: 'title', actor: REPORTER, fromValue: 'Placements for spring', toValue: 'Clinical placements' },
    ]);
  });

  it('gives issues logged at the same time unique, gap-free keys per team', async () => {
    const writers = concurrentWriters(a, b);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => writers[i % writers.length]!.create(person(MEMBER), teamId, draft(`Logged at once ${i}`), later)),
    );
    const numbers = results.map((r) => (r.ok ? r.value.issue.number : -1)).sort((x, y) => x - y);
    // CNA-1 was logged before.
    expect(numbers).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const stored = await database.storage.rows<{ n: number }>(sql`select number as n from issues where program_team_id = ${teamId} order by number`);
    expect(stored.map((r) => r.n)).toEqual([1, ...numbers]);
    // Every issue has its one "created" line, naming its key.
    const created = await database.storage.rows<{ key: string }>(sql`select to_value as key from issue_events where kind = 'created' order by to_value`);
    expect(created.map((r) => r.key).sort()).toEqual([1, ...numbers].map((n) => `CNA-${n}`).sort());
  });

  it('logs one issue for a form submitted twice at once, and both answers name it', async () => {
    const writers = concurrentWriters(a, b);
    const [first, second] = await Promise.all(
      [0, 1].map((i) => writers[i % writers.length]!.create(person(MEMBER), teamId, draft('Double click'), later, { requestKey: 'view:V0DOUBLE:hash-1' })),
    );
    expect(first?.ok && second?.ok).toBe(true);
    if (!first?.ok || !second?.ok) return;
    expect([first.value.duplicate, second.value.duplicate].sort()).toEqual([false, true]);
    expect(first.value.issue.id).toBe(second.value.issue.id);
    expect(first.value.issue.number).toBe(2);
    expect(await database.storage.rows(sql`select count(*) as n from issues where title = 'Double click'`)).toEqual([{ n: 1 }]);
  });

  it('applies an edit form submitted twice at once once, and answers both with what the first changed', async () => {
    const writers = concurrentWriters(a, b);
    const issue = await lookedUp(a);
    const [first, second] = await Promise.all(
      [0, 1].map((i) => writers[i % writers.length]!.edit(person(MEMBER), issue, draft('Placements, renamed once', { category: 'curriculum' }), later, 'view:V0EDIT:hash-1')),
    );
    expect(first?.ok && first.value.changed).toEqual(['title', 'category (Curriculum)']);
    expect(second?.ok && second.value.changed).toEqual(['title', 'category (Curriculum)']);
    expect(await history()).toEqual([
      { kind: 'title', actor: MEMBER, fromValue: 'Placements', toValue: 'Placements, renamed once' },
      { kind: 'category', actor: MEMBER, fromValue: 'other', toValue: 'curriculum' },
    ]);
  });
});

describe(`issue list statements (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  beforeEach(async () => {
    database = await freshTestStorage();
  });
  afterEach(async () => database.dispose());

  // The SQLite engine keeps compiled statements by SQL text, and `/issue list` runs on every such
  // command: values must travel as parameters, so one list shape is one statement, compiled once.
  it('writes one SQL text per list shape (scope, number of teams, first page or not), whatever the values', () => {
    const repository = new IssueRepository(database.storage);
    const filter = (over: Partial<Parameters<IssueRepository['list']>[0]>) => ({ workspaceId: WS, scope: 'open' as const, userId: MEMBER, today: '2025-03-10', ...over });
    const texts = (f: Parameters<IssueRepository['list']>[0], offset: number) => [repository.listQuery(f, offset, 20).toSQL().sql, repository.countQuery(f).toSQL().sql];

    // drizzle leaves `offset` out for 0, so the first page is a shape of its own.
    expect(texts(filter({ teamIds: [3, 4] }), 0)).toEqual(texts(filter({ teamIds: [8, 9], workspaceId: 'T0OTHER', userId: OWNER }), 0));
    expect(texts(filter({ teamIds: [3, 4] }), 20)).toEqual(texts(filter({ teamIds: [8, 9], workspaceId: 'T0OTHER', userId: OWNER }), 40));
    expect(texts(filter({ scope: 'overdue', teamIds: [1] }), 20)).toEqual(texts(filter({ scope: 'overdue', teamIds: [2], today: '2026-01-01' }), 60));
    expect(texts(filter({ scope: 'mine' }), 0)).toEqual(texts(filter({ scope: 'mine', userId: OWNER, workspaceId: 'T0OTHER' }), 0));
    // Values never appear in the text.
    for (const text of texts(filter({ scope: 'overdue', teamIds: [987654] }), 123456)) {
      expect(text).not.toMatch(/987654|123456|2025-03-10|T0RACE/);
    }
    // Different shapes are different statements.
    expect(texts(filter({ teamIds: [3] }), 0)[0]).not.toBe(texts(filter({ teamIds: [3, 4] }), 0)[0]);
    expect(texts(filter({ scope: 'closed' }), 0)[1]).not.toBe(texts(filter({ scope: 'mine' }), 0)[1]);
  });
});
