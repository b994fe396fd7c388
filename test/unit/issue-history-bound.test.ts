import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueEvents } from '../../src/db/schema.js';
import { ISSUE_HISTORY_SHOWN } from '../../src/features/issue/model.js';
import { IssueRepository } from '../../src/features/issue/repository.js';
import { issueDetailView } from '../../src/features/issue/views.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { freshTestStorage, TEST_ENGINE, type TestStorage } from '../rig/engines.js';
import { newIssue } from '../rig/issue-fixture.js';

/*
 * `/issue show` answers in the ack: it reads the latest ISSUE_HISTORY_SHOWN events of the issue
 * (and one more, to know there are earlier ones), however long the issue has lived (issue #18).
 */

const WS = 'T0HIST';
const at = new Date('2026-03-02T15:00:00Z').getTime();

describe(`an issue's history is read bounded (${TEST_ENGINE})`, () => {
  let database: TestStorage;
  let issues: IssueRepository;
  let issueId: number;
  let teamId: number;

  const comment = (k: number) => ({ workspaceId: WS, issueId, programTeamId: teamId, actorId: 'U0COMMENTER', kind: 'comment', fromValue: null, toValue: null, note: `comment ${k}`, createdAt: at + k });

  beforeEach(async () => {
    database = await freshTestStorage();
    teamId = (await new TeamRepository(database.storage).create({ workspaceId: WS, key: 'CNA', name: 'CNA', description: '', createdAt: at })).id;
    issues = new IssueRepository(database.storage);
    issueId = (await issues.insert(newIssue({ workspaceId: WS, programTeamId: teamId, title: 'Long-lived', createdAt: at }))).id;
    await database.storage.delete(issueEvents).run();
  });

  afterEach(async () => {
    await database.dispose();
  });

  it('reads the latest events, oldest first, one beyond what is shown, and the view says earlier ones are left out', async () => {
    const total = ISSUE_HISTORY_SHOWN + 50;
    for (let start = 0; start < total; start += 200) {
      await database.storage.insert(issueEvents).values(Array.from({ length: Math.min(200, total - start) }, (_, k) => comment(start + k))).run();
    }
    const events = await issues.events(issueId);
    expect(events).toHaveLength(ISSUE_HISTORY_SHOWN + 1);
    expect(events[0]?.note).toBe(`comment ${total - ISSUE_HISTORY_SHOWN - 1}`);
    expect(events.at(-1)?.note).toBe(`comment ${total - 1}`);
    const issue = await issues.byId(WS, issueId);
    if (issue === undefined) throw new Error('issue gone');
    const text = JSON.stringify(issueDetailView(issue, events, '2026-03-02', String).blocks);
    expect(text).toContain(`the latest ${ISSUE_HISTORY_SHOWN}, newest first; earlier ones are not shown`);
    expect(text).toContain(`comment ${total - 1}`);
    expect(text).not.toContain(`comment ${total - ISSUE_HISTORY_SHOWN - 1}"`);
  });

  it('shows a short history whole', async () => {
    await database.storage.insert(issueEvents).values([comment(0), comment(1)]).run();
    const events = await issues.events(issueId);
    expect(events.map((e) => e.note)).toEqual(['comment 0', 'comment 1']);
    const issue = await issues.byId(WS, issueId);
    if (issue === undefined) throw new Error('issue gone');
    expect(JSON.stringify(issueDetailView(issue, events, '2026-03-02', String).blocks)).toContain('*History* (2, newest first)');
  });
});
