import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.js';
import type { Actor } from '../../src/domain/actor.js';
import { IssueRepository, type Issue } from '../../src/features/issue/repository.js';
import { IssueService } from '../../src/features/issue/service.js';
import { announcement, loggedReply, statusReply } from '../../src/features/issue/views.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { TeamService } from '../../src/features/team/service.js';
import { twoInstancesOnOneFile, type TwoInstances } from '../rig/two-instances.js';

/*
 * Two instances of the app share one database file. Each looks an issue up, then changes it; the
 * change must be decided from the issue as it is under the write lock, not as it was looked up.
 * Two connections on the same file stand in for the two instances.
 */

const WS = 'T0RACE';
const now = new Date('2025-03-10T14:00:00Z');
const later = new Date('2025-03-10T14:00:05Z');
const person = (userId: string): Actor => ({ workspaceId: WS, userId, isCoordinator: false, isExternal: false });

const REPORTER = 'U0REPORTER';
const MEMBER = 'U0MEMBER';
const OWNER = 'U0OWNER';

function serviceOn(opened: OpenedDatabase): IssueService {
  const teamRepository = new TeamRepository(opened.db);
  return new IssueService({
    db: opened.db,
    issues: new IssueRepository(opened.db),
    teamRepository,
    teams: new TeamService(teamRepository),
    timeZone: 'America/Detroit',
    messages: { announcement, loggedReply, statusReply },
  });
}

describe('issue changes from two instances at once', () => {
  let instances: TwoInstances;
  let one: OpenedDatabase;
  let two: OpenedDatabase;
  let a: IssueService;
  let b: IssueService;
  let issueId: number;

  const history = () =>
    one.sqlite.prepare("select kind, actor_id as actor, from_value as fromValue, to_value as toValue from issue_events where kind != 'created' order by id").all() as Array<Record<string, unknown>>;
  /** What instance A looked up before instance B's change landed. */
  const lookedUp = (service: IssueService): Issue => {
    const found = service.byId(WS, issueId);
    if (!found.ok) throw new Error('issue missing');
    return found.value;
  };

  beforeEach(() => {
    instances = twoInstancesOnOneFile('alliance-race-');
    ({ one, two } = instances);
    const teams = new TeamRepository(one.db);
    const team = teams.create({ workspaceId: WS, key: 'CNA', name: 'Certified Nursing Assistant', description: '', createdAt: now.getTime() });
    teams.addMember(WS, team.id, MEMBER, now.getTime());
    a = serviceOn(one);
    b = serviceOn(two);
    const created = a.create(person(REPORTER), team.id, { title: 'Placements', details: '', category: 'other', ownerId: OWNER, dueDate: null }, now);
    if (!created.ok) throw new Error(created.problem.message);
    issueId = created.value.issue.id;
  });
  afterEach(() => instances.close());

  it('records the status the issue really had, not the one an instance looked up earlier', () => {
    const stale = lookedUp(a);
    expect(stale.status).toBe('open');
    expect(b.setStatus(person(MEMBER), lookedUp(b), 'blocked', '', later).ok).toBe(true);

    const done = a.setStatus(person(REPORTER), stale, 'resolved', '', later);
    expect(done.ok && done.value.issue.status).toBe('resolved');
    expect(history()).toEqual([
      { kind: 'status', actor: MEMBER, fromValue: 'open', toValue: 'blocked' },
      { kind: 'status', actor: REPORTER, fromValue: 'blocked', toValue: 'resolved' },
    ]);
  });

  it('sees that the other instance already made the same change, and records it once', () => {
    const stale = lookedUp(a);
    expect(b.setStatus(person(MEMBER), lookedUp(b), 'resolved', '', later).ok).toBe(true);
    const done = a.setStatus(person(REPORTER), stale, 'resolved', '', later);
    expect(done.ok && done.value.changed).toBe(false);
    expect(history()).toHaveLength(1);
  });

  it('decides permission on the issue as it is: an owner replaced meanwhile can no longer change it', () => {
    const staleForOwner = lookedUp(a);
    expect(staleForOwner.ownerId).toBe(OWNER);
    expect(b.assign(person(MEMBER), lookedUp(b), MEMBER, later).ok).toBe(true);

    const refused = a.setDue(person(OWNER), staleForOwner, '2025-04-01', later);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problem.code).toBe('forbidden');
    expect(one.sqlite.prepare('select due_date as due, owner_id as owner from issues where id = ?').get(issueId)).toEqual({ due: null, owner: MEMBER });
    expect(one.sqlite.prepare("select action, outcome from audit_log where actor_id = ?").all(OWNER)).toEqual([{ action: 'issue.due', outcome: 'refused' }]);
  });

  it('edits from the issue as it is: a title renamed meanwhile is recorded as the from-value', () => {
    const stale = lookedUp(a);
    const renamed = b.edit(person(MEMBER), lookedUp(b), { title: 'Placements for spring', details: '', category: 'other', ownerId: OWNER, dueDate: null }, later);
    expect(renamed.ok).toBe(true);
    const edited = a.edit(person(REPORTER), stale, { title: 'Clinical placements', details: '', category: 'other', ownerId: OWNER, dueDate: null }, later);
    expect(edited.ok && edited.value.changed).toEqual(['title']);
    expect(history()).toEqual([
      { kind: 'title', actor: MEMBER, fromValue: 'Placements', toValue: 'Placements for spring' },
      { kind: 'title', actor: REPORTER, fromValue: 'Placements for spring', toValue: 'Clinical placements' },
    ]);
  });
});
