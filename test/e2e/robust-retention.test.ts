import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION } from '../../src/jobs/retention.js';
import { CHANNELS, PEOPLE, WORKSPACE_ID } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** Issue #16, item 8: bookkeeping tables are pruned on a schedule, and a failed event is not lost. */
describe('retention and event bookkeeping', () => {
  let h: Harness;
  const now = new Date('2026-06-01T07:17:00Z');
  beforeAll(async () => {
    h = await startHarness({ now: () => now });
    await linkSeedChannels(h);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('a member_joined_channel whose handler failed is handled again when Slack redelivers it', async () => {
    // The database refuses the membership once (a failing disk, say): the real listener throws.
    await h.execute('create table fail_next_membership (n integer)');
    await h.execute('insert into fail_next_membership values (1)');
    if (h.engine === 'postgres') {
      await h.execute(`create function refuse_membership() returns trigger language plpgsql as $$
        begin if (select count(*) from fail_next_membership) > 0 then raise exception 'disk trouble'; end if; return new; end $$`);
      await h.execute('create trigger refuse_membership before insert on team_members for each row execute function refuse_membership()');
    } else {
      await h.execute(`create trigger refuse_membership before insert on team_members when (select count(*) from fail_next_membership) > 0
        begin select raise(abort, 'disk trouble'); end`);
    }
    const event = { type: 'member_joined_channel', user: PEOPLE.trinity.id, channel: CHANNELS.ma.id, channel_type: 'C', team: WORKSPACE_ID };
    const member = async () => (await h.query<{ n: number }>('select count(*) as n from team_members tm join program_teams t on t.id = tm.program_team_id where t.key = ? and tm.user_id = ?', 'MA', PEOPLE.trinity.id))[0]?.n;
    expect((await h.slack.event(event, { eventId: 'Ev0FAILSONCE' })).status).toBe(200);
    await expect.poll(() => h.logs.some((l) => l.includes('disk trouble'))).toBe(true);
    expect(await member()).toBe(0);
    expect(await h.query('select key from processed_requests where key = ?', 'event:Ev0FAILSONCE')).toEqual([]);
    await h.execute('delete from fail_next_membership');
    // Slack redelivers (our answer was lost): this time it works, and it is recorded as handled.
    expect((await h.slack.event(event, { eventId: 'Ev0FAILSONCE', retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    await expect.poll(() => member()).toBe(1);
    await expect.poll(async () => (await h.query('select key from processed_requests where key = ?', 'event:Ev0FAILSONCE')).length).toBe(1);
    await h.flush(now);
    expect(h.fake.messages(CHANNELS.ma.id).filter((m) => m.ephemeral && m.user === PEOPLE.trinity.id && String(m.text).includes('Welcome'))).toHaveLength(1);
    await h.execute(h.engine === 'postgres' ? 'drop trigger refuse_membership on team_members' : 'drop trigger refuse_membership');
    if (h.engine === 'postgres') await h.execute('drop function refuse_membership');
    await h.execute('drop table fail_next_membership');
  });

  it('the nightly retention job prunes request keys, finished outbox rows and old audit entries, and keeps the rest', async () => {
    const at = (ageMs: number) => now.getTime() - ageMs;
    const insertKey = (key: string, createdAt: number) => h.execute('insert into processed_requests (team_id, key, created_at) values (?, ?, ?)', WORKSPACE_ID, key, createdAt);
    await insertKey('old-key', at(RETENTION.processedRequestsMs + 1));
    await insertKey('fresh-key', at(RETENTION.processedRequestsMs - DAY));
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
    for (const [key, status, age] of rows) {
      await h.execute(
        "insert into outbox (team_id, dedupe_key, method, payload_json, not_before, status, created_at) values (?, ?, 'chat.postMessage', '{\"args\":{}}', ?, ?, ?)",
        WORKSPACE_ID,
        `retention:${key}`,
        now.getTime() + 365 * DAY,
        status,
        at(age),
      );
    }
    const insertAudit = (target: string, createdAt: number) =>
      h.execute("insert into audit_log (team_id, actor_id, action, target, outcome, detail, created_at) values (?, 'U1', 'retention.test', ?, 'refused', '', ?)", WORKSPACE_ID, target, createdAt);
    await insertAudit('old-audit', at(RETENTION.auditLogMs + 1));
    await insertAudit('recent-audit', at(RETENTION.auditLogMs - DAY));
    // More than one batch of old keys, so the job goes round more than once (500 rows a statement).
    for (let first = 0; first < 4_500; first += 500) {
      const values = Array.from({ length: 500 }, (_, j) => [WORKSPACE_ID, `bulk-${first + j}`, at(RETENTION.processedRequestsMs + 1 + first + j)]);
      await h.execute(`insert into processed_requests (team_id, key, created_at) values ${values.map(() => '(?, ?, ?)').join(', ')}`, ...values.flat());
    }

    const result = await h.alliance.runJob('retention', now);
    expect(result).toMatchObject({ processedRequests: 4_501, outbox: 3, auditLog: 1 });
    expect((await h.query<{ key: string }>("select key from processed_requests where key in ('old-key', 'fresh-key') or key like 'bulk-%'")).map((r) => r.key)).toEqual(['fresh-key']);
    // Sorted here: the engines' collations order punctuation differently.
    expect((await h.query<{ dedupe_key: string }>("select dedupe_key from outbox where dedupe_key like 'retention:%'")).map((r) => r.dedupe_key).sort()).toEqual(
      ['ancient-pending', 'ancient-sending', 'ancient-verify', 'failed-kept', 'recent-sent'].map((k) => `retention:${k}`),
    );
    expect((await h.query<{ target: string }>("select target from audit_log where action = 'retention.test'")).map((r) => r.target)).toEqual(['recent-audit']);
    // Run again at the same instant: nothing more to do.
    expect(await h.alliance.runJob('retention', now)).toEqual({ processedRequests: 0, outbox: 0, auditLog: 0 });
  });
});
