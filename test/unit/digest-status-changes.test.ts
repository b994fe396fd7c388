import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueEvents, issues } from '../../src/db/schema.js';
import { statusChangesSince } from '../../src/features/digest/queries.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';

/*
 * The digest counts an issue's changes of status from its `status` events only: a title renamed
 * from "open" to "blocked" carries two status names but changes no status.
 */

const WS = 'T0DIGEST';
const at = new Date('2026-03-02T15:00:00Z').getTime();

describe(`digest status changes (${TEST_ENGINE})`, () => {
  let database: TestStorage;

  beforeEach(async () => {
    database = await freshTestStorage();
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('counts status events, not other events whose values happen to be status names', async () => {
    const db = database.storage;
    const team = (await new TeamRepository(db).create({ workspaceId: WS, key: 'CNA', name: 'Care navigation', description: '', createdAt: at })).id;
    const [issue] = await db
      .insert(issues)
      .values({ workspaceId: WS, programTeamId: team, number: 1, title: 'blocked', category: 'other', status: 'blocked', reporterId: 'U0ANA', createdAt: at, updatedAt: at })
      .returning({ id: issues.id });
    if (issue === undefined) throw new Error('no issue');
    const event = (kind: string, fromValue: string, toValue: string, offset: number) => ({
      workspaceId: WS,
      issueId: issue.id,
      programTeamId: team,
      actorId: 'U0ANA',
      kind,
      fromValue,
      toValue,
      createdAt: at + offset,
    });
    await db.insert(issueEvents).values([event('status', 'open', 'blocked', 1), event('title', 'open', 'blocked', 2)]).run();
    for (const scope of [{ team }, { workspace: WS }]) {
      const changes = (await statusChangesSince(db, scope, at)).get(team);
      expect(changes?.statusChanges.map((c) => [c.fromValue, c.toValue, c.createdAt])).toEqual([['open', 'blocked', at + 1]]);
      expect(changes?.changedIssues.map((i) => i.id)).toEqual([issue.id]);
    }
  });
});
