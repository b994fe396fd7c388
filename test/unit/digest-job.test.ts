import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStorage } from '../../src/db/open-storage.js';
import type { Storage } from '../../src/db/storage.js';
import {
  ballots,
  coordinators,
  digestSchedules,
  digestSubscriptions,
  issueEvents,
  issues,
  meetingRsvps,
  meetings,
  organisations,
  people,
  programTeams,
  teamChannels,
  teamMembers,
  voteOptions,
  votes,
} from '../../src/db/schema.js';
import { validateMessage } from '../../src/fake-slack/block-kit-limits.js';
import { runDigests, type DigestJobDeps } from '../../src/features/digest/job.js';
import { DigestRepository } from '../../src/features/digest/repository.js';
import { DIGEST_CATCH_UP_GRACE_MS } from '../../src/features/digest/schedule.js';
import { seedProgramTeams } from '../../src/features/team/service.js';
import { TeamRepository } from '../../src/features/team/repository.js';
import { createLogger } from '../../src/logger.js';
import { freshTestStorage, type TestStorage } from '../rig/engines.js';

const WS = 'T0ALLIANCE';
const TZ = 'America/Detroit';
const COORD = 'U0COORD01';
const STORED_COORD = 'U0COORD02';
const SUBSCRIBER = 'U0LEO0001';
const HOUR = 60 * 60 * 1000;
const ms = (iso: string): number => Date.parse(iso);

// Monday 9 March 2026 08:00 EDT, the day after the spring-forward: the period since Monday
// 2 March 08:00 EST is 167 hours long.
const RUN = '2026-03-09T12:00:00.000Z';
const PERIOD_START = '2026-03-02T13:00:00.000Z';

interface Seeded {
  teamId: Record<string, number>;
}

async function teamIds(db: Storage): Promise<Record<string, number>> {
  return Object.fromEntries((await db.select().from(programTeams).all()).map((t) => [t.key, t.id]));
}

async function seedBase(db: Storage): Promise<Seeded> {
  await seedProgramTeams(new TeamRepository(db), WS, new Date('2026-01-01T00:00:00Z'));
  const teamId = await teamIds(db);
  for (const [key, channel] of [
    ['CNA', 'C0CNATEAM'],
    ['MA', 'C0MATEAM'],
    ['SPT', 'C0SPTTEAM'],
  ] as const) {
    await db.insert(teamChannels).values({ workspaceId: WS, channelId: channel, programTeamId: teamId[key] ?? 0, linkedBy: COORD, createdAt: ms('2026-01-01T00:00:00Z') }).run();
  }
  await db.insert(coordinators).values({ workspaceId: WS, userId: STORED_COORD, addedBy: COORD, createdAt: ms('2026-01-02T00:00:00Z') }).run();
  await db.insert(digestSubscriptions).values({ workspaceId: WS, userId: SUBSCRIBER, createdAt: ms('2026-01-03T00:00:00Z') }).run();
  return { teamId };
}

interface IssueSeed {
  n: number;
  title: string;
  status: string;
  created: string;
  owner?: string;
  due?: string;
  priority?: number;
  closed?: string;
  /** Status changes: [at, from, to]. */
  changes?: Array<[string, string, string]>;
}

async function addIssue(db: Storage, programTeamId: number, s: IssueSeed): Promise<number> {
  const row = await db
    .insert(issues)
    .values({
      workspaceId: WS,
      programTeamId,
      number: s.n,
      title: s.title,
      category: 'general',
      status: s.status,
      ownerId: s.owner ?? null,
      dueDate: s.due ?? null,
      reporterId: COORD,
      priority: s.priority ?? null,
      createdAt: ms(s.created),
      updatedAt: ms(s.created),
      closedAt: s.closed === undefined ? null : ms(s.closed),
    })
    .returning()
    .get();
  await db.insert(issueEvents).values({ workspaceId: WS, issueId: row.id, programTeamId, actorId: COORD, kind: 'created', fromValue: null, toValue: 'open', createdAt: ms(s.created) }).run();
  for (const [at, from, to] of s.changes ?? []) {
    await db.insert(issueEvents).values({ workspaceId: WS, issueId: row.id, programTeamId, actorId: COORD, kind: 'status', fromValue: from, toValue: to, createdAt: ms(at) }).run();
  }
  return row.id;
}

/** CNA has a busy week; MA a quiet one; SPT nothing at all. */
async function seedCna(db: Storage, { teamId }: Seeded): Promise<void> {
  const cna = teamId.CNA ?? 0;
  const orgs: number[] = [];
  for (const name of ['Henry Ford Health', 'Corewell Health', 'Trinity Health']) {
    orgs.push((await db.insert(organisations).values({ workspaceId: WS, name, nameKey: name.toLowerCase(), createdAt: 0 }).returning().get()).id);
  }
  for (const [i, user] of ['U0HFH0001', 'U0COR0001', 'U0TRI0001'].entries()) {
    await db.insert(teamMembers).values({ workspaceId: WS, programTeamId: cna, userId: user, createdAt: 0 }).run();
    await db.insert(people).values({ workspaceId: WS, userId: user, organisationId: orgs[i] ?? null, updatedBy: COORD, updatedAt: 0 }).run();
  }

  await addIssue(db, cna, { n: 1, title: 'Clinical placement shortage', status: 'in_progress', created: '2026-02-10T15:00:00Z', owner: 'U0HFH0001', priority: 1, changes: [['2026-03-03T15:00:00Z', 'open', 'in_progress']] });
  await addIssue(db, cna, { n: 2, title: 'Instructor pipeline <!channel>', status: 'open', created: '2026-02-12T15:00:00Z', due: '2026-03-01', priority: 2 });
  await addIssue(db, cna, { n: 3, title: 'Background check delays', status: 'blocked', created: '2026-02-24T15:00:00Z', owner: 'U0COR0001', changes: [['2026-03-04T15:00:00Z', 'open', 'blocked']] });
  await addIssue(db, cna, { n: 4, title: 'Spanish-language flyers', status: 'open', created: '2026-03-03T16:00:00Z' });
  await addIssue(db, cna, { n: 5, title: 'Update job board link', status: 'resolved', created: '2026-03-04T16:00:00Z', owner: 'U0TRI0001', closed: '2026-03-06T16:00:00Z', changes: [['2026-03-06T16:00:00Z', 'open', 'resolved']] });
  await addIssue(db, cna, { n: 6, title: 'Old survey', status: 'dropped', created: '2026-02-01T16:00:00Z', closed: '2026-02-25T16:00:00Z', changes: [['2026-02-25T16:00:00Z', 'open', 'dropped']] });
  await addIssue(db, cna, { n: 7, title: 'Wage benchmark', status: 'resolved', created: '2026-02-01T16:00:00Z', owner: 'U0HFH0001', closed: '2026-03-05T16:00:00Z', changes: [['2026-03-05T16:00:00Z', 'open', 'resolved']] });

  const meeting = async (n: number, title: string, startsAt: string, status = 'scheduled'): Promise<number> =>
    (
      await db
        .insert(meetings)
        .values({ workspaceId: WS, number: n, programTeamId: cna, title, startsAt: ms(startsAt), durationMinutes: 60, timeZone: TZ, status, creatorId: COORD, createdAt: 0, updatedAt: 0 })
        .returning()
        .get()
    ).id;
  const m1 = await meeting(1, 'March employer roundtable', '2026-03-12T18:00:00Z');
  for (const [user, answer] of [
    ['U0HFH0001', 'going'],
    ['U0COR0001', 'going'],
    ['U0TRI0001', 'maybe'],
    ['U0WCC0001', 'declined'],
  ] as const) {
    await db.insert(meetingRsvps).values({ workspaceId: WS, meetingId: m1, userId: user, answer, updatedAt: 0 }).run();
  }
  await meeting(2, 'April planning', '2026-03-30T18:00:00Z');
  await meeting(3, 'Cancelled check-in', '2026-03-11T18:00:00Z', 'cancelled');
  await meeting(4, 'Last week’s meeting', '2026-03-05T18:00:00Z');

  const vote = async (n: number, question: string, status: string, extra: { closesAt?: string; closedAt?: string; method?: string; eligibility?: string; labels: string[] }) => {
    const { id } = await db
      .insert(votes)
      .values({
        workspaceId: WS,
        number: n,
        programTeamId: cna,
        question,
        method: extra.method ?? 'single',
        eligibility: extra.eligibility ?? 'members',
        resultsVisibility: 'after_close',
        closesAt: extra.closesAt === undefined ? null : ms(extra.closesAt),
        closedAt: extra.closedAt === undefined ? null : ms(extra.closedAt),
        status,
        creatorId: COORD,
        createdAt: 0,
      })
      .returning()
      .get();
    const optionIds: number[] = [];
    for (const [position, label] of extra.labels.entries()) {
      optionIds.push((await db.insert(voteOptions).values({ workspaceId: WS, voteId: id, position, label }).returning().get()).id);
    }
    return { id, optionIds };
  };
  const ballot = async (voteId: number, voter: string, choices: number[]): Promise<void> => {
    await db.insert(ballots).values({ workspaceId: WS, voteId, voterKey: voter, castByHash: voter, choicesJson: JSON.stringify(choices), createdAt: 0, updatedAt: 0 }).run();
  };

  const v1 = await vote(1, 'Which recruitment event first?', 'open', { closesAt: '2026-03-13T21:00:00Z', eligibility: 'organisation', labels: ['Job fair', 'Open house'] });
  await ballot(v1.id, 'org:1', [v1.optionIds[0] ?? 0]);
  const v2 = await vote(2, 'Top priority for spring', 'closed', { closedAt: '2026-03-06T20:00:00Z', method: 'ranked', labels: ['Clinical placements', 'Instructor pay'] });
  await db.update(votes).set({ resultJson: JSON.stringify({ ranking: [v2.optionIds[0], v2.optionIds[1]], winner: v2.optionIds[0] }) }).where(eq(votes.id, v2.id)).run();
  const v3 = await vote(3, 'Meeting day', 'closed', { closedAt: '2026-03-07T20:00:00Z', labels: ['Tuesday', 'Thursday'] });
  await ballot(v3.id, 'user:U0HFH0001', [v3.optionIds[1] ?? 0]);
  await ballot(v3.id, 'user:U0COR0001', [v3.optionIds[1] ?? 0]);
  await ballot(v3.id, 'user:U0TRI0001', [v3.optionIds[0] ?? 0]);
  await vote(4, 'Last period’s vote', 'closed', { closedAt: '2026-02-26T20:00:00Z', labels: ['A', 'B'] });
}

async function seedMaQuiet(db: Storage, { teamId }: Seeded): Promise<void> {
  const ma = teamId.MA ?? 0;
  await addIssue(db, ma, { n: 1, title: 'Externship sites', status: 'open', created: '2026-01-15T15:00:00Z', owner: 'U0WCC0001' });
}

type OutboxRow = {
  dedupe_key: string;
  payload_json: string;
  status: string;
};

async function outboxRows(db: Storage): Promise<OutboxRow[]> {
  return await db.rows<OutboxRow>(sql`select dedupe_key, payload_json, status from outbox order by id`);
}

async function payload(db: Storage, channel: string): Promise<{ text: string; blocks: Array<Record<string, unknown>> }> {
  const rows = (await outboxRows(db)).filter((r) => (JSON.parse(r.payload_json) as { args: { channel: string } }).args.channel === channel);
  expect(rows).toHaveLength(1);
  return (JSON.parse(rows[0]?.payload_json ?? '{}') as { args: { text: string; blocks: Array<Record<string, unknown>> } }).args;
}

const allText = (p: { text: string; blocks: unknown[] }): string => `${p.text}\n${JSON.stringify(p.blocks)}`;
const sectionTexts = (p: { blocks: Array<Record<string, unknown>> }): string[] =>
  p.blocks.flatMap((b) => (b.type === 'section' ? [((b.text as { text: string }).text)] : []));
const sectionStarting = (p: { blocks: Array<Record<string, unknown>> }, start: string): string | undefined => sectionTexts(p).find((t) => t.includes(start));

describe('runDigests over a seeded database', () => {
  let fresh: TestStorage;
  let opened: Storage;
  let seeded: Seeded;
  const logs: string[] = [];
  const logger = createLogger('debug', (line) => logs.push(line));
  const job = (now: string, extra: Partial<DigestJobDeps> = {}, database: Storage = opened) =>
    runDigests({ db: database, now: new Date(now), logger, workspaceId: WS, timeZone: TZ, configCoordinators: [COORD], instanceId: 'test-1', ...extra });

  beforeEach(async () => {
    fresh = await freshTestStorage();
    opened = fresh.storage;
    seeded = await seedBase(opened);
    await seedCna(opened, seeded);
    await seedMaQuiet(opened, seeded);
  });
  afterEach(async () => {
    await fresh.dispose();
  });

  it('queues every team digest to its channel and the roll-up to each coordinator and subscriber, once', async () => {
    const summary = await job('2026-03-09T12:00:30Z');
    expect(summary.failed).toEqual([]);
    expect(summary.sent.map((s) => s.scope).sort()).toEqual(['*', 'CNA', 'MA', 'SPT']);
    expect((await outboxRows(opened)).map((r) => r.dedupe_key).sort()).toEqual([
      `digest:*:${RUN}:${COORD}`,
      `digest:*:${RUN}:${SUBSCRIBER}`,
      `digest:*:${RUN}:${STORED_COORD}`,
      `digest:CNA:${RUN}:C0CNATEAM`,
      `digest:MA:${RUN}:C0MATEAM`,
      `digest:SPT:${RUN}:C0SPTTEAM`,
    ].sort());
    const runs = await opened.rows(sql`select scope, scheduled_for, period_start, period_end from digest_runs order by scope`);
    expect(runs).toContainEqual({ scope: 'CNA', scheduled_for: ms(RUN), period_start: ms(PERIOD_START), period_end: ms(RUN) });
  });

  it('shows the status counts compared with the start of the week, and opened/closed compared with last week', async () => {
    await job('2026-03-09T12:00:30Z');
    const cna = await payload(opened, 'C0CNATEAM');
    const summary = sectionStarting(cna, '*CNA · Certified Nursing Assistant*') ?? '';
    expect(summary).toContain('*2* open (2 fewer than last week)');
    expect(summary).toContain('*1* in progress (1 more than last week)');
    expect(summary).toContain('*1* blocked (1 more than last week)');
    expect(summary).toContain('*2* opened (1 more than last week)');
    expect(summary).toContain('*2* closed (1 more than last week)');
    expect(cna.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'CNA digest · 2 Mar 2026 – 9 Mar 2026' } });
  });

  it('lists new and closed issues, overdue and blocked ones with owners, and those with no owner', async () => {
    await job('2026-03-09T12:00:30Z');
    const cna = await payload(opened, 'C0CNATEAM');
    expect(sectionStarting(cna, 'New issues')).toBe(':new: *New issues (2)*\n• *CNA-4* Spanish-language flyers · open · _no owner_\n• *CNA-5* Update job board link · resolved · <@U0TRI0001>');
    expect(sectionStarting(cna, '*Closed')).toBe(':white_check_mark: *Closed (2)*\n• *CNA-7* Wage benchmark · resolved\n• *CNA-5* Update job board link · resolved');
    expect(sectionStarting(cna, 'Overdue')).toBe(':alarm_clock: *Overdue (1)*\n• *CNA-2* Instructor pipeline &lt;!channel&gt; · due 2026-03-01 · _no owner_');
    expect(sectionStarting(cna, 'Blocked')).toBe(':no_entry: *Blocked (1)*\n• *CNA-3* Background check delays · <@U0COR0001>');
    expect(sectionStarting(cna, 'No owner')).toBe(':bust_in_silhouette: *No owner (2)*\n• *CNA-2* Instructor pipeline &lt;!channel&gt; · open\n• *CNA-4* Spanish-language flyers · open');
    expect(sectionStarting(cna, 'Top priorities')).toBe(':dart: *Top priorities*\n1. *CNA-1* Clinical placement shortage · <@U0HFH0001>\n2. *CNA-2* Instructor pipeline &lt;!channel&gt; · _no owner_');
    expect(allText(cna)).not.toContain('<!channel>');
  });

  it('lists meetings of the next 14 days with RSVP counts, open votes with deadline and turnout, and votes closed with winners', async () => {
    await job('2026-03-09T12:00:30Z');
    const cna = await payload(opened, 'C0CNATEAM');
    const meetingsText = sectionStarting(cna, 'Meetings') ?? '';
    expect(meetingsText).toContain('*M-1* March employer roundtable · <!date^1773338400^{date_short_pretty} at {time}|Thu 12 Mar, 14:00> · 2 going, 1 maybe, 1 declined');
    expect(meetingsText).not.toContain('M-2'); // 21 days away
    expect(meetingsText).not.toContain('M-3'); // cancelled
    expect(meetingsText).not.toContain('M-4'); // past
    expect(sectionStarting(cna, 'Open votes')).toBe(
      ':ballot_box_with_ballot: *Open votes (1)*\n• *V-1* Which recruitment event first? · closes <!date^1773435600^{date_short_pretty} at {time}|Fri 13 Mar, 17:00> · turnout 1 of 3 organisations (33%)',
    );
    // V-2 has a stored result; V-3 has none, so its winner is counted from the ballots; V-4 closed last week.
    expect(sectionStarting(cna, 'Votes closed')).toBe(
      ':trophy: *Votes closed (2)*\n• *V-2* Top priority for spring · winner: *Clinical placements*\n• *V-3* Meeting day · winner: *Thursday*',
    );
  });

  it('says a quiet week in one line and leaves empty sections out', async () => {
    await job('2026-03-09T12:00:30Z');
    const ma = await payload(opened, 'C0MATEAM');
    expect(ma.blocks).toHaveLength(3);
    expect(sectionTexts(ma)).toEqual(['A quiet week for *MA*: no issues opened or closed, no meetings or votes. Still 1 issue open, 0 in progress, 0 blocked.']);
  });

  it('sends the roll-up: a line of key figures per team and what needs attention', async () => {
    await job('2026-03-09T12:00:30Z');
    const rollup = await payload(opened, COORD);
    expect((await payload(opened, SUBSCRIBER)).blocks).toEqual(rollup.blocks);
    expect((await payload(opened, STORED_COORD)).blocks).toEqual(rollup.blocks);
    expect((rollup.blocks[0] as { text: { text: string } }).text.text).toBe('Coordinators’ roll-up · 2 Mar 2026 – 9 Mar 2026');
    expect(sectionTexts(rollup)[0]).toBe('Across 3 teams: *3* open (2 fewer than last week) · *1* in progress · *1* blocked (1 more than last week) · *1* overdue · *2* opened, *2* closed');
    const cnaLine = sectionStarting(rollup, '*CNA*') ?? '';
    expect(cnaLine).toContain('2 open (2 fewer), 1 in progress (1 more), 1 blocked (1 more) · 2 opened, 2 closed · next meeting <!date^1773338400');
    expect(cnaLine).toContain(':warning: needs attention: 1 blocked · 1 overdue · 2 with no owner · low turnout: V-1 (1 of 3 organisations)');
    expect(sectionStarting(rollup, '*MA*')).toContain(':white_check_mark: nothing needs attention');
  });

  it('sends a scheduled digest once however often the job runs in its minute and after', async () => {
    await job('2026-03-09T12:00:01Z');
    const first = (await outboxRows(opened)).length;
    expect((await job('2026-03-09T12:00:01Z')).sent).toEqual([]);
    expect((await job('2026-03-09T12:01:00Z')).sent).toEqual([]);
    expect((await job('2026-03-10T09:00:00Z')).sent).toEqual([]);
    expect(await outboxRows(opened)).toHaveLength(first);
    expect(await opened.rows(sql`select count(*) as n from digest_runs`)).toEqual([{ n: 4 }]);
  });

  it('sends one set of messages when two schedulers share one database', async () => {
    const second = await openStorage(fresh.url);
    try {
      const a = await job('2026-03-09T12:00:00Z', { instanceId: 'instance-a' });
      const b = await job('2026-03-09T12:00:00Z', { instanceId: 'instance-b' }, second);
      expect(a.sent.length + b.sent.length).toBe(4);
      expect(b.sent).toEqual([]);
      expect(await outboxRows(opened)).toHaveLength(6);
      expect(new Set((await outboxRows(opened)).map((r) => r.dedupe_key)).size).toBe(6);
    } finally {
      await second.close();
    }
  });

  it('sends one set of messages when two schedulers run the same minute at the same moment', async () => {
    const second = await openStorage(fresh.url);
    try {
      const [a, b] = await Promise.all([job('2026-03-09T12:00:00Z', { instanceId: 'instance-a' }), job('2026-03-09T12:00:00Z', { instanceId: 'instance-b' }, second)]);
      expect([...a.failed, ...b.failed]).toEqual([]);
      // Each digest is claimed by exactly one of them.
      expect([...a.sent, ...b.sent].map((s) => s.scope).sort()).toEqual(['*', 'CNA', 'MA', 'SPT']);
      expect(await outboxRows(opened)).toHaveLength(6);
      expect(new Set((await outboxRows(opened)).map((r) => r.dedupe_key)).size).toBe(6);
      expect(await opened.rows(sql`select count(*) as n from digest_runs`)).toEqual([{ n: 4 }]);
    } finally {
      await second.close();
    }
  });

  it('queues nothing when another scheduler claims the run between its check and its transaction', async () => {
    const second = await openStorage(fresh.url);
    try {
      await job('2026-03-09T12:00:05Z', { instanceId: 'instance-b' }, second);
      const before = (await outboxRows(opened)).length;
      // Instance A read "not claimed" just before B committed: only the unique claim stands in its way.
      const raced = vi.spyOn(DigestRepository.prototype, 'isClaimed').mockResolvedValue(false);
      try {
        expect((await job('2026-03-09T12:00:05Z', { instanceId: 'instance-a' })).sent).toEqual([]);
        expect(raced).toHaveBeenCalled();
      } finally {
        raced.mockRestore();
      }
      expect(await outboxRows(opened)).toHaveLength(before);
      expect(await opened.rows(sql`select distinct claimed_by from digest_runs`)).toEqual([{ claimed_by: 'instance-b' }]);
    } finally {
      await second.close();
    }
  });

  it('catches up a digest missed during 35 hours of downtime, for the period it should have covered', async () => {
    const summary = await job('2026-03-10T23:00:00Z');
    expect(summary.sent.find((s) => s.scope === 'CNA')).toEqual({ scope: 'CNA', scheduledFor: RUN, recipients: 1 });
    expect((await payload(opened, 'C0CNATEAM')).blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'CNA digest · 2 Mar 2026 – 9 Mar 2026' } });
  });

  it('does not send a digest missed by more than the 36-hour grace; the next one covers its period', async () => {
    expect(DIGEST_CATCH_UP_GRACE_MS).toBe(36 * HOUR);
    expect((await job(new Date(ms(RUN) + 37 * HOUR).toISOString())).sent).toEqual([]);
    expect(await outboxRows(opened)).toEqual([]);
    const next = await job('2026-03-16T12:00:00Z');
    expect(next.sent.map((s) => s.scheduledFor)).toContain('2026-03-16T12:00:00.000Z');
  });

  it('reads schedules from the database on every run, and a changed schedule starts from its next run', async () => {
    // At 09:30 a coordinator moves CNA to Mondays 09:00: today's 09:00 has passed and is not fired.
    const setAt = ms('2026-03-09T13:30:00Z');
    await opened.insert(digestSchedules).values({ workspaceId: WS, scope: 'CNA', cron: '0 9 * * 1', timeZone: TZ, updatedBy: COORD, updatedAt: setAt }).run();
    await job('2026-03-09T13:31:00Z');
    expect((await outboxRows(opened)).filter((r) => r.dedupe_key.startsWith('digest:CNA:'))).toEqual([]);
    // Every minute from now on: the next minute goes out, covering one minute.
    await opened.update(digestSchedules).set({ cron: '* * * * *', updatedAt: ms('2026-03-09T13:31:10Z') }).run();
    expect((await job('2026-03-09T13:31:50Z')).sent.filter((s) => s.scope === 'CNA')).toEqual([]);
    expect((await job('2026-03-09T13:32:00Z')).sent.filter((s) => s.scope === 'CNA')).toEqual([{ scope: 'CNA', scheduledFor: '2026-03-09T13:32:00.000Z', recipients: 1 }]);
    const cna = await payload(opened, 'C0CNATEAM');
    expect(cna.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'CNA digest · 9 Mar 2026, 09:31 – 9 Mar 2026, 09:32' } });
  });

  it('does not send a digest for a run before the team existed (a fresh install sends nothing until the next run)', async () => {
    await opened.insert(programTeams).values({ workspaceId: WS, key: 'PHLEB', name: 'Phlebotomy', createdAt: ms('2026-03-09T12:30:00Z') }).run();
    const summary = await job('2026-03-09T13:00:00Z');
    expect(summary.sent.map((s) => s.scope)).not.toContain('PHLEB');
  });

  it('covers 167 hours after the March clock change and 169 after the November one, at 08:00 local each time', async () => {
    await job('2026-03-09T12:00:00Z');
    await job('2026-11-02T13:00:00Z');
    const runs = await opened.rows<{ scheduled_for: number; period_start: number; period_end: number }>(
      sql`select scheduled_for, period_start, period_end from digest_runs where scope = 'CNA' order by scheduled_for`,
    );
    expect(runs.map((r) => [new Date(r.scheduled_for).toISOString(), (r.period_end - r.period_start) / HOUR])).toEqual([
      ['2026-03-09T12:00:00.000Z', 167],
      ['2026-11-02T13:00:00.000Z', 169],
    ]);
    // 07:00 EST on the Monday after the fall-back is 12:00Z, an hour before 08:00: nothing due yet.
    expect((await job('2026-11-09T12:59:00Z')).sent).toEqual([]);
    expect((await job('2026-11-09T13:00:00Z')).sent.map((s) => s.scope)).toContain('CNA');
  });

  it('keeps a 300-issue digest within Block Kit limits, summarising and pointing to /issue list', async () => {
    const spt = seeded.teamId.SPT ?? 0;
    for (let n = 1; n <= 300; n++) {
      await addIssue(opened, spt, {
        n,
        title: `${'Sterile processing capacity problem & more '.repeat(3)}#${n}`,
        status: n % 3 === 0 ? 'blocked' : 'open',
        created: '2026-03-05T15:00:00Z',
        due: '2026-03-01',
        priority: n,
      });
    }
    await job('2026-03-09T12:00:00Z');
    const message = await payload(opened, 'C0SPTTEAM');
    expect(validateMessage({ text: message.text, blocks: message.blocks })).toEqual([]);
    expect(message.blocks.length).toBeLessThan(50);
    for (const text of sectionTexts(message)) expect(text.length).toBeLessThanOrEqual(3000);
    expect(sectionStarting(message, 'New issues')).toContain('*New issues (300)*');
    expect(sectionStarting(message, 'New issues')).toContain('…and 292 more: `/issue list SPT`');
    expect(sectionStarting(message, 'Blocked')).toContain('…and 92 more: `/issue list SPT`');
    const rollup = await payload(opened, COORD);
    expect(validateMessage({ text: rollup.text, blocks: rollup.blocks })).toEqual([]);
    expect(sectionStarting(rollup, '*SPT*')).toContain('100 blocked · 300 overdue · 300 with no owner');
  });

  it('lets other work run between teams instead of holding the event loop for the whole run', async () => {
    const turns: number[] = [];
    // Stops with the job (and is awaited): it must not read the database after afterEach closed it.
    let finished = false;
    const watching = (async () => {
      while (!finished) {
        await new Promise((resolve) => setImmediate(resolve));
        turns.push((await outboxRows(opened)).length);
      }
    })();
    const summary = await job('2026-03-09T12:00:30Z');
    finished = true;
    await watching;
    expect(summary.sent).toHaveLength(4);
    // Callbacks queued behind the job ran while it went on: some saw part of its digests queued.
    expect(turns.some((n) => n > 0 && n < 6)).toBe(true);
  });

  it('queues nothing for a team without a linked channel, and logs that it had nowhere to go', async () => {
    await opened.delete(teamChannels).run();
    await job('2026-03-09T12:00:00Z');
    expect((await outboxRows(opened)).map((r) => r.dedupe_key).filter((k) => !k.startsWith('digest:*:'))).toEqual([]);
    expect(logs.some((l) => l.includes('digest had nowhere to go') && l.includes('"scope":"CNA"'))).toBe(true);
  });
});

describe('runDigests with nothing stored', () => {
  it('sends nothing when there are no teams', async () => {
    const fresh = await freshTestStorage();
    try {
      const summary = await runDigests({ db: fresh.storage, now: new Date(RUN), logger: createLogger('error', () => undefined), workspaceId: WS, timeZone: TZ, configCoordinators: [COORD], instanceId: 'x' });
      expect(summary).toEqual({ sent: [], failed: [] });
    } finally {
      await fresh.dispose();
    }
  });
});
