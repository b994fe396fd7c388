import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION } from '../../src/jobs/retention.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** Issue #16, item 8: bookkeeping tables are pruned on a schedule, and a failed event is not lost. */
describe('retention and event bookkeeping', () => {
  let h: Harness;
  let writer: Database.Database;
  const now = new Date('2026-06-01T07:17:00Z');
  beforeAll(async () => {
    h = await startHarness({ now: () => now });
    await linkSeedChannels(h);
    writer = new Database(h.dbPath);
  });
  afterAll(async () => {
    writer.close();
    await h.stop();
  });

  it('a member_joined_channel whose handler failed is handled again when Slack redelivers it', async () => {
    // The database refuses the membership once (a failing disk, say): the real listener throws.
    writer.exec(`create table fail_next_membership (n integer);
      insert into fail_next_membership values (1);
      create trigger refuse_membership before insert on team_members when (select count(*) from fail_next_membership) > 0
      begin select raise(abort, 'disk trouble'); end;`);
    const event = { type: 'member_joined_channel', user: PEOPLE.trinity.id, channel: CHANNELS.ma.id, channel_type: 'C', team: WORKSPACE_ID };
    const member = () => h.query<{ n: number }>('select count(*) as n from team_members tm join program_teams t on t.id = tm.program_team_id where t.key = ? and tm.user_id = ?', 'MA', PEOPLE.trinity.id)[0]?.n;
    expect((await h.slack.event(event, { eventId: 'Ev0FAILSONCE' })).status).toBe(200);
    await expect.poll(() => h.logs.some((l) => l.includes('disk trouble'))).toBe(true);
    expect(member()).toBe(0);
    expect(h.query('select key from processed_requests where key = ?', 'event:Ev0FAILSONCE')).toEqual([]);
    writer.exec('delete from fail_next_membership');
    // Slack redelivers (our answer was lost): this time it works, and it is recorded as handled.
    expect((await h.slack.event(event, { eventId: 'Ev0FAILSONCE', retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    await expect.poll(() => member()).toBe(1);
    await expect.poll(() => h.query('select key from processed_requests where key = ?', 'event:Ev0FAILSONCE').length).toBe(1);
    await h.flush(now);
    expect(h.fake.messages(CHANNELS.ma.id).filter((m) => m.ephemeral && m.user === PEOPLE.trinity.id && String(m.text).includes('Welcome'))).toHaveLength(1);
    writer.exec('drop trigger refuse_membership; drop table fail_next_membership;');
  });

  it('the nightly retention job prunes request keys, finished outbox rows and old audit entries, and keeps the rest', async () => {
    const at = (ageMs: number) => now.getTime() - ageMs;
    const insertKey = writer.prepare('insert into processed_requests (team_id, key, created_at) values (?, ?, ?)');
    insertKey.run(WORKSPACE_ID, 'old-key', at(RETENTION.processedRequestsMs + 1));
    insertKey.run(WORKSPACE_ID, 'fresh-key', at(RETENTION.processedRequestsMs - DAY));
    const insertOutbox = writer.prepare("insert into outbox (team_id, dedupe_key, method, payload_json, not_before, status, created_at) values (?, ?, 'chat.postMessage', '{\"args\":{}}', ?, ?, ?)");
    const rows: Array<[string, string, number]> = [
      ['old-sent', 'sent', RETENTION.outboxDoneMs + 1],
      ['old-cancelled', 'cancelled', RETENTION.outboxDoneMs + 1],
      ['recent-sent', 'sent', RETENTION.outboxDoneMs - DAY],
      ['failed-kept', 'failed', RETENTION.outboxDoneMs + 1],
      ['old-failed', 'failed', RETENTION.outboxFailedMs + 1],
      // Never pruned, however old: still to be sent or checked.
      ['ancient-pending', 'pending', 400 * DAY],
      ['ancient-verify', 'verify', 400 * DAY],
      ['ancient-sending', 'sending', 400 * DAY],
    ];
    for (const [key, status, age] of rows) insertOutbox.run(WORKSPACE_ID, `retention:${key}`, now.getTime() + 365 * DAY, status, at(age));
    const insertAudit = writer.prepare("insert into audit_log (team_id, actor_id, action, target, outcome, detail, created_at) values (?, 'U1', 'retention.test', ?, 'refused', '', ?)");
    insertAudit.run(WORKSPACE_ID, 'old-audit', at(RETENTION.auditLogMs + 1));
    insertAudit.run(WORKSPACE_ID, 'recent-audit', at(RETENTION.auditLogMs - DAY));
    // More than one batch of old keys, so the job goes round more than once.
    const many = writer.transaction(() => {
      for (let i = 0; i < 4_500; i++) insertKey.run(WORKSPACE_ID, `bulk-${i}`, at(RETENTION.processedRequestsMs + 1 + i));
    });
    many();

    const result = await h.alliance.runJob('retention', now);
    expect(result).toMatchObject({ processedRequests: 4_501, outbox: 3, auditLog: 1 });
    expect(h.query<{ key: string }>("select key from processed_requests where key in ('old-key', 'fresh-key') or key like 'bulk-%'").map((r) => r.key)).toEqual(['fresh-key']);
    expect(h.query<{ dedupe_key: string }>("select dedupe_key from outbox where dedupe_key like 'retention:%' order by dedupe_key").map((r) => r.dedupe_key)).toEqual(
      ['ancient-pending', 'ancient-sending', 'ancient-verify', 'failed-kept', 'recent-sent'].map((k) => `retention:${k}`),
    );
    expect(h.query<{ target: string }>("select target from audit_log where action = 'retention.test'").map((r) => r.target)).toEqual(['recent-audit']);
    // Run again at the same instant: nothing more to do.
    expect(await h.alliance.runJob('retention', now)).toEqual({ processedRequests: 0, outbox: 0, auditLog: 0 });
  });
});
