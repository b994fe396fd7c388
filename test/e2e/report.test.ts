/**
 * `/report` end to end: signed slash commands to the real app, the report built from a seeded
 * database, and delivered to the fake Slack through files.getUploadURLExternal, the upload URL and
 * files.completeUploadExternal. Every CSV is parsed back and every figure compared with the seed;
 * every PNG is decoded.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql, type SQL } from 'drizzle-orm';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredFile, StoredMessage } from '../../src/fake-slack/types.js';
import { seedWorkspace } from '../../src/sandbox/seed.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { startHarness, visibleText, type Harness } from '../rig/harness.js';

/** Monday 30 November 2026, 10:00 in Detroit: "last month" is October 2026. */
const NOW = new Date('2026-11-30T15:00:00Z');
const inGeneral = (userId: string) => ({ userId, channelId: CHANNELS.general.id });
const hannah = PEOPLE.henryFord1; // on CNA, Henry Ford Health
const at = (iso: string) => new Date(iso).getTime();
const FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")';
const MINUS_TITLE = '-2 instructors short; Café staffing';

/** Writes the seed through the app's storage (either engine), each insert returning the new row's id. */
async function seed(h: Harness): Promise<void> {
  const db = h.alliance.deps.db;
  const ws = h.alliance.workspaceId;
  const idOf = async (query: SQL): Promise<number> => {
    const [row] = await db.rows<{ id: number }>(query);
    if (row === undefined) throw new Error('the insert returned no row');
    return row.id;
  };
  const teamId = (key: string) => idOf(sql`select id from program_teams where key = ${key}`);
  const orgId = (name: string) => idOf(sql`select id from organisations where name = ${name}`);
  const cna = await teamId('CNA');
  const ma = await teamId('MA');
  // The sandbox's seeding brings demo goals; this test's goals are its own, below.
  await db.execute(sql`delete from goals`);
  const add = async (team: number, n: number, title: string, status: string, created: string, closed: string | null, owner: string | null, changes: Array<[string, string, string]>) => {
    const id = await idOf(
      sql`insert into issues (team_id, program_team_id, number, title, category, status, owner_id, reporter_id, created_at, updated_at, closed_at)
          values (${ws}, ${team}, ${n}, ${title}, 'recruitment', ${status}, ${owner}, ${hannah.id}, ${at(created)}, ${at(created)}, ${closed === null ? null : at(closed)}) returning id`,
    );
    for (const [from, to, when] of changes) {
      await db.execute(
        sql`insert into issue_events (team_id, issue_id, program_team_id, actor_id, kind, from_value, to_value, created_at) values (${ws}, ${id}, ${team}, ${hannah.id}, 'status', ${from}, ${to}, ${at(when)})`,
      );
    }
  };
  // CNA-1: opened in September, blocked on 5 October, still blocked.
  await add(cna, 1, 'Clinical placement shortage', 'blocked', '2026-09-20T14:00:00Z', null, hannah.id, [['open', 'blocked', '2026-10-05T15:00:00Z']]);
  // CNA-2: opened 6 October, resolved 14 October; its title looks like a formula.
  await add(cna, 2, FORMULA_TITLE, 'resolved', '2026-10-06T15:00:00Z', '2026-10-14T15:00:00Z', PEOPLE.corewell.id, [['open', 'resolved', '2026-10-14T15:00:00Z']]);
  await add(cna, 3, MINUS_TITLE, 'open', '2026-10-13T15:00:00Z', null, null, []);
  // CNA-4: opened and closed before October: not in the report.
  await add(cna, 4, '+Old issue', 'resolved', '2026-08-01T15:00:00Z', '2026-09-10T15:00:00Z', null, [['open', 'resolved', '2026-09-10T15:00:00Z']]);
  // CNA-5: opened 20 October, resolved 3 November: open at the end of October.
  await add(cna, 5, 'Background check delays', 'resolved', '2026-10-20T15:00:00Z', '2026-11-03T15:00:00Z', null, [['open', 'resolved', '2026-11-03T15:00:00Z']]);
  // CNA-6: opened in November: not in October's report.
  await add(cna, 6, 'November issue', 'open', '2026-11-05T15:00:00Z', null, null, []);
  await add(ma, 1, 'Externship sites', 'open', '2026-10-08T15:00:00Z', null, null, []);

  const meeting = (n: number, title: string, startsAt: string, status: string) =>
    idOf(
      sql`insert into meetings (team_id, number, program_team_id, title, starts_at, duration_minutes, time_zone, status, creator_id, created_at, updated_at)
          values (${ws}, ${n}, ${cna}, ${title}, ${at(startsAt)}, 60, 'America/Detroit', ${status}, ${hannah.id}, ${at('2026-10-01T00:00:00Z')}, ${at('2026-10-01T00:00:00Z')}) returning id`,
    );
  const rsvp = (meetingId: number, user: string, answer: string) =>
    db.execute(sql`insert into meeting_rsvps (team_id, meeting_id, user_id, answer, updated_at) values (${ws}, ${meetingId}, ${user}, ${answer}, ${at('2026-10-02T00:00:00Z')})`);
  const m1 = await meeting(1, 'October planning', '2026-10-07T14:00:00Z', 'scheduled');
  for (const [user, answer] of [
    [hannah.id, 'going'],
    [PEOPLE.henryFord2.id, 'going'],
    [PEOPLE.corewell.id, 'going'],
    [PEOPLE.trinity.id, 'maybe'],
    [PEOPLE.trainer.id, 'declined'],
  ] as const) {
    await rsvp(m1, user, answer);
  }
  const m2 = await meeting(2, 'Cancelled sync', '2026-10-21T14:00:00Z', 'cancelled');
  await rsvp(m2, hannah.id, 'going');
  await meeting(3, 'November meeting', '2026-11-10T15:00:00Z', 'scheduled');

  const newVote = async (n: number, question: string, eligibility: string, anonymous: boolean, closed: string, labels: string[]) => {
    const id = await idOf(
      sql`insert into votes (team_id, number, program_team_id, question, method, eligibility, anonymous, results_visibility, status, creator_id, created_at, closed_at)
          values (${ws}, ${n}, ${cna}, ${question}, 'single', ${eligibility}, ${anonymous ? 1 : 0}, 'live', 'closed', ${hannah.id}, ${at('2026-10-01T15:00:00Z')}, ${at(closed)}) returning id`,
    );
    const options: number[] = [];
    for (const [i, label] of labels.entries()) options.push(await idOf(sql`insert into vote_options (team_id, vote_id, position, label) values (${ws}, ${id}, ${i}, ${label}) returning id`));
    return { id, options };
  };
  const cast = async (v: { id: number }, key: string, org: string | null, castBy: string | null, choice: number) => {
    const organisation = org === null ? null : await orgId(org);
    await db.execute(
      sql`insert into ballots (team_id, vote_id, voter_key, organisation_id, cast_by, cast_by_hash, choices_json, created_at, updated_at)
          values (${ws}, ${v.id}, ${key}, ${organisation}, ${castBy}, ${`hash-${key}`}, ${JSON.stringify([choice])}, ${at('2026-10-10T00:00:00Z')}, ${at('2026-10-10T00:00:00Z')})`,
    );
  };
  // V-1: members, not anonymous: Placements 2, Curriculum 1 (3 of CNA's 4 members).
  const v1 = await newVote(1, 'Which first?', 'members', false, '2026-10-15T21:00:00Z', ['Placements', 'Curriculum']);
  await cast(v1, `user:${hannah.id}`, 'Henry Ford Health', hannah.id, v1.options[0] ?? 0);
  await cast(v1, `user:${PEOPLE.corewell.id}`, 'Corewell Health', PEOPLE.corewell.id, v1.options[0] ?? 0);
  await cast(v1, `user:${PEOPLE.trinity.id}`, 'Trinity Health', PEOPLE.trinity.id, v1.options[1] ?? 0);
  // V-2: anonymous, each person votes: 1 Yes, 1 No; nobody may learn who.
  const v2 = await newVote(2, 'Secret ballot on the MOU', 'members', true, '2026-10-20T21:00:00Z', ['Yes', 'No']);
  await cast(v2, 'anon-1', 'Henry Ford Health', null, v2.options[0] ?? 0);
  await cast(v2, 'anon-2', 'Wayne County Community College', null, v2.options[1] ?? 0);
  // V-3: one per organisation (anonymous, keyed by organisation): Simulation lab 2, Stipends 1.
  const v3 = await newVote(3, 'Employer priority', 'organisation', true, '2026-10-25T21:00:00Z', ['Simulation lab', 'Stipends']);
  await cast(v3, 'org:hfh', 'Henry Ford Health', null, v3.options[0] ?? 0);
  await cast(v3, 'org:trinity', 'Trinity Health', null, v3.options[1] ?? 0);
  await cast(v3, 'org:corewell', 'Corewell Health', null, v3.options[0] ?? 0);

  const goal = (n: number, kind: string, name: string, unit: string, baseline: number | null, target: number | null, direction: string | null, start: string, targetDate: string, created: string) =>
    idOf(
      sql`insert into goals (team_id, number, program_team_id, kind, name, unit, baseline, target, direction, start_date, target_date, status, owner_id, creator_id, created_at, updated_at)
          values (${ws}, ${n}, ${cna}, ${kind}, ${name}, ${unit}, ${baseline}, ${target}, ${direction}, ${start}, ${targetDate}, 'open', ${hannah.id}, ${hannah.id}, ${at(created)}, ${at(created)}) returning id`,
    );
  const reading = (goalId: number, asOf: string, value: number, note: string, created: string, superseded: string | null) =>
    db.execute(
      sql`insert into goal_readings (team_id, goal_id, as_of, value, note, recorded_by, created_at, superseded_at)
          values (${ws}, ${goalId}, ${asOf}, ${value}, ${note}, ${hannah.id}, ${at(created)}, ${superseded === null ? null : at(superseded)})`,
    );
  const g1 = await goal(1, 'measure', 'Clinical placement slots', 'slots', 22, 40, 'up', '2026-07-01', '2027-06-30', '2026-07-01T15:00:00Z');
  await reading(g1, '2026-08-15', 25, '', '2026-08-15T15:00:00Z', null);
  await reading(g1, '2026-10-10', 27, 'typo', '2026-10-10T15:00:00Z', '2026-10-11T15:00:00Z');
  await reading(g1, '2026-10-10', 28, '+3 at Henry Ford', '2026-10-11T15:00:00Z', null);
  await reading(g1, '2026-11-20', 33, '', '2026-11-20T15:00:00Z', null);
  await goal(2, 'milestone', 'Curriculum approved by the state', '', null, null, null, '2026-09-01', '2027-03-01', '2026-09-01T15:00:00Z');
}

/** The app at NOW on a fresh database: the sandbox's workspace (teams linked, organisations, members) and the seed above. */
async function startSeededHarness(): Promise<Harness> {
  const h = await startHarness({ now: () => NOW });
  await seedWorkspace(h.alliance, h.slack, h.alliance.logger);
  await seed(h);
  return h;
}

type Row = Record<string, string>;
const csvOf = (file: StoredFile): Row[] => parse<Row>(file.content, { bom: true, columns: true, skip_empty_lines: true });

/** Leaves each chart in test-artifacts/report/ for people to look at (docs/report-chart.png is one of them). */
function keep(file: StoredFile): void {
  const dir = join(process.cwd(), 'test-artifacts', 'report');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file.filename ?? file.id), file.content);
}

function decodePng(file: StoredFile): { width: number; height: number; inked: number; right: number } {
  const png = PNG.sync.read(file.content);
  let inked = 0;
  /** The rightmost column with ink. */
  let right = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    // Anything clearly darker than the white background: bars, text, axes.
    if ((png.data[i] ?? 255) < 200 || (png.data[i + 1] ?? 255) < 200 || (png.data[i + 2] ?? 255) < 200) {
      inked += 1;
      right = Math.max(right, (i / 4) % png.width);
    }
  }
  return { width: png.width, height: png.height, inked, right };
}

describe('/report over signed HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startSeededHarness();
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => {
    h.fake.clearFaults();
  });

  /** Sends the command, then waits for the summary in the person's DM and returns it with the files shared there. */
  async function report(text: string, userId: string): Promise<{ ack: string; summary: StoredMessage; files: StoredFile[] }> {
    const dm = h.fake.dmChannelId(userId);
    const filesBefore = h.fake.files.length;
    const messagesBefore = h.fake.messages(dm).filter((m) => m.files === undefined).length;
    const ack = await h.command('/report', text, inGeneral(userId));
    expect(ack.response_type).toBe('ephemeral');
    const summary = await h.fake.waitFor(() => h.fake.messages(dm).filter((m) => m.files === undefined)[messagesBefore], 30_000);
    return { ack: ack.text ?? '', summary, files: h.fake.files.slice(filesBefore) };
  }

  const byName = (files: StoredFile[], prefix: string): StoredFile => {
    const file = files.find((f) => f.filename?.startsWith(prefix) === true);
    if (file === undefined) throw new Error(`no file ${prefix}… among ${files.map((f) => f.filename).join(', ')}`);
    return file;
  };

  it('sends one team’s report for last month to a member: summary, five CSVs and four charts in their DM', async () => {
    const { ack, summary, files } = await report('CNA', hannah.id);
    expect(ack).toContain('Preparing the report for *CNA* · October 2026 (2026-10-01 to 2026-10-31)');
    const dm = h.fake.dmChannelId(hannah.id);
    expect(files.map((f) => f.filename)).toEqual([
      'issues-cna-2026-10.csv',
      'meetings-cna-2026-10.csv',
      'votes-cna-2026-10.csv',
      'vote-turnout-cna-2026-10.csv',
      'goal-readings-cna-2026-10.csv',
      'issues-per-week-cna-2026-10.png',
      'meeting-attendance-by-organisation-cna-2026-10.png',
      'vote-turnout-by-organisation-cna-2026-10.png',
      'goal-progress-cna-2026-10.png',
    ]);
    for (const f of files) expect(f.channels).toEqual([dm]);
    const text = visibleText(summary);
    expect(summary.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Report · CNA · October 2026' } });
    expect(text).toContain('Issues: 3 opened, 1 resolved, 1 still blocked at the end (3 not closed)');
    expect(text).toContain('Meetings: 1 meeting held, 1 cancelled; attendance by organisation: Corewell Health 1/1, Henry Ford Health 1/1');
    expect(text).toContain('V-1 Which first? → *Placements* (3 of 4 people)');
    expect(text).toContain('V-2 Secret ballot on the MOU → _no single winner_ (2 of 4 people, anonymous)');
    expect(text).toContain('V-3 Employer priority → *Simulation lab* (3 of 4 organisations, anonymous)');
    expect(text).toContain('turnout by organisation: Corewell Health 2/2, Henry Ford Health 2/2, Trinity Health 2/2, Wayne County Community College 0/2');
    expect(text).toContain('Goals: G-1 Clinical placement slots: 28 of 40 slots (pace line 28.03) · *At risk*; G-2 Curriculum approved by the state: not done · *On track*');
    expect(text).not.toContain('missing');
  });

  it('writes goal readings of the period with the pace line on each date, leaving out replaced readings', async () => {
    const { files } = await report('CNA', hannah.id);
    const rows = csvOf(byName(files, 'goal-readings-'));
    expect(rows.map((r) => [r.Goal, r['Reading as of'], r.Value, r['Pace line on that date'], r.Note])).toEqual([
      ['G-1', '2026-10-10', '28', '26.99', "'+3 at Henry Ford"],
      ['G-2', '', '', '', 'no reading in this period'],
    ]);
    expect(rows[0]).toMatchObject({ Name: 'Clinical placement slots', Unit: 'slots', Baseline: '22', Target: '40', Start: '2026-07-01', 'Target date': '2027-06-30', 'Recorded by': hannah.realName });
    expect(byName(files, 'goal-progress-').altText).toContain('CNA G-1 Clinical placement slots (slots): pace line from 22 on 2026-07-01 to 40 on 2027-06-30; readings 2026-08-15: 25, 2026-10-10: 28');
  });

  it('writes the issues CSV with every figure of the seed: status at the end and now, owner and organisation, dates and changes', async () => {
    const { files } = await report('CNA 2026-10-01..2026-10-31', hannah.id);
    const file = byName(files, 'issues-');
    expect(file.content.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(file.content.toString('utf8')).toContain('\r\n');
    const rows = csvOf(file);
    expect(rows.map((r) => r.Issue)).toEqual(['CNA-1', 'CNA-2', 'CNA-3', 'CNA-5']);
    expect(rows[0]).toEqual({
      Team: 'CNA',
      Issue: 'CNA-1',
      Title: 'Clinical placement shortage',
      Category: 'recruitment',
      'Status at end of period': 'blocked',
      'Status now': 'blocked',
      Owner: hannah.realName,
      'Owner organisation': 'Henry Ford Health',
      Reporter: hannah.realName,
      Opened: '2026-09-20',
      Due: '',
      Closed: '',
      'Status changes in period': '2026-10-05 11:00 open → blocked',
    });
    expect(rows[1]).toMatchObject({ 'Status at end of period': 'resolved', Owner: PEOPLE.corewell.realName, 'Owner organisation': 'Corewell Health', Closed: '2026-10-14', 'Status changes in period': '2026-10-14 11:00 open → resolved' });
    expect(rows[3]).toMatchObject({ Issue: 'CNA-5', 'Status at end of period': 'open', 'Status now': 'resolved', 'Status changes in period': '' });
  });

  it('neutralises titles that look like spreadsheet formulas, and keeps accents', async () => {
    const { files } = await report('CNA', hannah.id);
    const rows = csvOf(byName(files, 'issues-'));
    expect(rows[1]?.Title).toBe(`'${FORMULA_TITLE}`);
    expect(rows[2]?.Title).toBe(`'${MINUS_TITLE}`);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('writes meetings with RSVPs per organisation, and votes with options, results and turnout', async () => {
    const { files } = await report('CNA', hannah.id);
    const meetings = csvOf(byName(files, 'meetings-'));
    const m1 = meetings.filter((r) => r.Meeting === 'M-1').map((r) => [r.Organisation, r.Going, r.Maybe, r["Can't go"], r.Status]);
    expect(m1).toEqual([
      ['Corewell Health', '1', '0', '0', 'held'],
      ['Henry Ford Health', '2', '0', '0', 'held'],
      ['Trinity Health', '0', '1', '0', 'held'],
      ['Wayne County Community College', '0', '0', '1', 'held'],
    ]);
    expect(meetings.find((r) => r.Meeting === 'M-1')?.Starts).toBe('2026-10-07 10:00');
    expect(meetings.filter((r) => r.Meeting === 'M-2').map((r) => [r.Organisation, r.Going, r.Status])).toEqual([['Henry Ford Health', '1', 'cancelled']]);
    expect(meetings.some((r) => r.Meeting === 'M-3')).toBe(false);

    const votes = csvOf(byName(files, 'votes-'));
    expect(votes.map((r) => [r.Vote, r.Label, r.Votes, r['Final rank'], r.Winner, r['Ballots cast'], r['Could vote'], r['Turnout %']])).toEqual([
      ['V-1', 'Placements', '2', '1', 'yes', '3', '4', '75'],
      ['V-1', 'Curriculum', '1', '2', '', '3', '4', '75'],
      ['V-2', 'Yes', '1', '1', 'yes', '2', '4', '50'],
      ['V-2', 'No', '1', '2', 'yes', '2', '4', '50'],
      ['V-3', 'Simulation lab', '2', '1', 'yes', '3', '4', '75'],
      ['V-3', 'Stipends', '1', '2', '', '3', '4', '75'],
    ]);
    const turnout = csvOf(byName(files, 'vote-turnout-'));
    expect(turnout.filter((r) => r.Vote === 'V-1').map((r) => [r.Organisation, r.Voted])).toEqual([
      ['Corewell Health', 'yes'],
      ['Henry Ford Health', 'yes'],
      ['Trinity Health', 'yes'],
      ['Wayne County Community College', 'no'],
    ]);
    expect(turnout.filter((r) => r.Vote === 'V-3').map((r) => r.Voted)).toEqual(['yes', 'yes', 'yes', 'no']);
  });

  it('never shows who voted in an anonymous vote, anywhere in the report', async () => {
    const { summary, files } = await report('CNA', hannah.id);
    const turnout = csvOf(byName(files, 'vote-turnout-'));
    expect(turnout.filter((r) => r.Vote === 'V-2').map((r) => r.Voted)).toEqual(Array(4).fill('not shown (anonymous vote)'));
    const voteFiles = [byName(files, 'votes-'), byName(files, 'vote-turnout-')].map((f) => f.content.toString('utf8'));
    const alt = files.map((f) => f.altText ?? '').join('\n');
    for (const person of Object.values(PEOPLE)) {
      for (const text of [...voteFiles, alt, visibleText(summary)]) {
        expect(text).not.toContain(person.id);
        expect(text).not.toContain(person.realName);
      }
    }
  });

  it('draws every chart as a PNG with text and bars, and gives each upload alt text', async () => {
    const { files } = await report('CNA', hannah.id);
    const charts = files.filter((f) => f.filename?.endsWith('.png') === true);
    expect(charts).toHaveLength(4);
    for (const chart of charts) {
      keep(chart);
      const png = decodePng(chart);
      expect(png.width).toBeGreaterThan(600);
      expect(png.height).toBeGreaterThan(200);
      expect(png.inked / (png.width * png.height)).toBeGreaterThan(0.01);
      expect(chart.altText?.length ?? 0).toBeGreaterThan(40);
    }
    expect(byName(files, 'issues-per-week-').altText).toContain('CNA: 3 opened and 1 resolved in total (2026-09-28: 0 opened, 0 resolved; 2026-10-05: 1 opened, 0 resolved; 2026-10-12: 1 opened, 1 resolved; 2026-10-19: 1 opened, 0 resolved; 2026-10-26: 0 opened, 0 resolved)');
    expect(byName(files, 'vote-turnout-by').altText).toContain('Wayne County Community College: 0 of 2');
    expect(byName(files, 'meeting-attendance').altText).toContain('Henry Ford Health: 1 of 1');
    // The organisation charts fill their width: their axis runs to the right edge, less the padding.
    for (const name of ['meeting-attendance', 'vote-turnout-by']) {
      const png = decodePng(byName(files, name));
      expect(png.right / png.width, name).toBeGreaterThan(0.9);
    }
  });

  it('sends coordinators the report for all teams, with every team in each file', async () => {
    const { summary, files } = await report('all last-month', PEOPLE.coordinator.id);
    expect(summary.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Report · All teams · October 2026' } });
    expect(visibleText(summary)).toContain('Across 3 teams: 4 issues opened, 1 resolved, 1 still blocked');
    const issues = csvOf(byName(files, 'issues-all-teams-2026-10'));
    expect(issues.map((r) => r.Issue)).toEqual(['CNA-1', 'CNA-2', 'CNA-3', 'CNA-5', 'MA-1']);
    const chart = byName(files, 'issues-per-week-all-teams');
    expect(chart.altText).toContain('MA: 1 opened and 0 resolved');
    expect(chart.altText).toContain('SPT: 0 opened and 0 resolved');
    for (const f of files) if (f.filename?.endsWith('.png') === true) keep(f);
    const png = decodePng(chart);
    expect(png.height).toBeGreaterThan(600);
    for (const name of ['meeting-attendance-by-organisation-all-teams', 'vote-turnout-by-organisation-all-teams']) {
      const drawn = decodePng(byName(files, name));
      expect(drawn.right / drawn.width, name).toBeGreaterThan(0.9);
    }
  });

  it('answers a period it does not know with an example, and sends nothing', async () => {
    const filesBefore = h.fake.files.length;
    const ack = await h.command('/report', 'CNA someday', inGeneral(hannah.id));
    expect(ack.text).toContain('"someday" is not a period I know');
    expect(ack.text).toContain('For example: /report CNA last-month');
    expect((await h.command('/report', 'CNA 2026-02-30..2026-03-10', inGeneral(hannah.id))).text).toContain('is not a range of real dates');
    expect((await h.command('/report', 'CNA 2026-11-30..2026-10-01', inGeneral(hannah.id))).text).toContain('The range ends before it starts');
    expect((await h.command('/report', 'CNA 2027-Q1', inGeneral(hannah.id))).text).toContain('Q1 2027 has not started yet');
    expect(h.fake.files.length).toBe(filesBefore);
  });

  it('refuses a team the person is not on, `all` for non-coordinators, and partner-workspace guests, and audits each', async () => {
    const auditBefore = await h.count('audit_log');
    expect((await h.command('/report', 'MA', inGeneral(hannah.id))).text).toContain('Reports on MA are for its members and coordinators');
    expect((await h.command('/report', 'all', inGeneral(hannah.id))).text).toContain('Only coordinators can have the report for all teams');
    expect((await h.command('/report', 'SPT', inGeneral(PEOPLE.partner.id))).text).toContain('cannot go to a partner-workspace guest');
    expect((await h.command('/report', 'schedule quarterly', inGeneral(hannah.id))).text).toContain('Only coordinators');
    expect(await h.count('audit_log')).toBe(auditBefore + 4);
    expect(await h.count('report_schedules')).toBe(0);
  });

  it('still sends the summary when an upload fails, and says which file is missing', async () => {
    // The second upload (the meetings CSV) is refused at its completion step.
    h.fake.failNext('files.getUploadURLExternal', { delayMs: 0 }, 1);
    h.fake.failNext('files.completeUploadExternal', { delayMs: 0 }, 1);
    h.fake.failNext('files.completeUploadExternal', { error: 'internal_error' }, 1);
    const { summary, files } = await report('CNA', hannah.id);
    expect(files.map((f) => f.filename)).not.toContain('meetings-cna-2026-10.csv');
    expect(files).toHaveLength(8);
    const text = visibleText(summary);
    expect(text).toContain('One file is missing because Slack did not take the upload: `meetings-cna-2026-10.csv` (files.completeUploadExternal: internal_error)');
    expect(summary.text).toContain('missing: meetings-cna-2026-10.csv');
    expect(text).toContain('Issues: 3 opened, 1 resolved');
  });

  it('waits out Slack’s rate limit on an upload and on the summary instead of losing either', async () => {
    h.fake.failNext('files.getUploadURLExternal', { status: 429, retryAfterSeconds: 1 }, 2);
    h.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const { summary, files } = await report('CNA', hannah.id);
    expect(files).toHaveLength(9);
    expect(visibleText(summary)).not.toContain('missing');
    // At least the injected ones (the fake's own per-channel pace may add more after a burst of reports).
    expect(h.fake.callsTo('files.getUploadURLExternal').filter((c) => c.error === 'ratelimited').length).toBeGreaterThanOrEqual(2);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.error === 'ratelimited').length).toBeGreaterThanOrEqual(1);
  });

  it('shows help', async () => {
    const ack = await h.command('/report', 'help', inGeneral(hannah.id));
    expect(ack.text).toContain('/report all [period]');
    expect(ack.text).toContain('/report schedule quarterly');
  });
});

describe('a report read page by page', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startSeededHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('writes the same files and figures whatever the page size, rows at the same time as a page’s last included once', async () => {
    const db = h.alliance.deps.db;
    const ws = h.alliance.workspaceId;
    const [cna] = await db.rows<{ id: number }>(sql`select id from program_teams where key = 'CNA'`);
    const team = cna?.id ?? 0;
    // Two meetings starting at the same minute and two votes closing at the same minute, so that a
    // page of one row ends between them: the next page must start after the first of each pair, not after its time.
    for (const n of [4, 5]) {
      await db.execute(
        sql`insert into meetings (team_id, number, program_team_id, title, starts_at, duration_minutes, time_zone, status, creator_id, created_at, updated_at)
            values (${ws}, ${n}, ${team}, ${`Same-time meeting ${n}`}, ${at('2026-10-28T14:00:00Z')}, 30, 'America/Detroit', 'scheduled', ${hannah.id}, ${at('2026-10-01T00:00:00Z')}, ${at('2026-10-01T00:00:00Z')})`,
      );
      const [vote] = await db.rows<{ id: number }>(
        sql`insert into votes (team_id, number, program_team_id, question, method, eligibility, anonymous, results_visibility, status, creator_id, created_at, closed_at)
            values (${ws}, ${n}, ${team}, ${`Same-time vote ${n}`}, 'single', 'members', 0, 'live', 'closed', ${hannah.id}, ${at('2026-10-01T15:00:00Z')}, ${at('2026-10-29T21:00:00Z')}) returning id`,
      );
      await db.execute(sql`insert into vote_options (team_id, vote_id, position, label) values (${ws}, ${vote?.id ?? 0}, 0, 'Yes')`);
    }
    // Three status changes at the same minute (two of one issue, one of another), so that a page of
    // one change ends between them too.
    const [cna3, cna5] = await db.rows<{ id: number }>(sql`select id from issues where program_team_id = ${team} and number in (3, 5) order by number`);
    for (const [issue, from, to] of [
      [cna3?.id ?? 0, 'open', 'in_progress'],
      [cna5?.id ?? 0, 'open', 'in_progress'],
      [cna3?.id ?? 0, 'in_progress', 'open'],
    ] as const) {
      await db.execute(
        sql`insert into issue_events (team_id, issue_id, program_team_id, actor_id, kind, from_value, to_value, created_at) values (${ws}, ${issue}, ${team}, ${hannah.id}, 'status', ${from}, ${to}, ${at('2026-10-21T15:00:00Z')})`,
      );
    }
    const { buildReport } = await import('../../src/features/report/build.js');
    const { ReportQueries } = await import('../../src/features/report/queries.js');
    const { parsePeriod } = await import('../../src/features/report/period.js');
    const period = parsePeriod('2026-10-01..2026-10-31', NOW, 'America/Detroit');
    if (!period.ok) throw new Error(period.message);
    const build = async (pages?: { issues: number; meetings: number; votes: number; changes: number }) => {
      const dir = mkdtempSync(join(tmpdir(), 'report-pages-'));
      try {
        const queries = new ReportQueries(db, pages);
        const report = await buildReport({ queries, workspaceId: ws, timeZone: 'America/Detroit', now: NOW, nameOf: (id) => id, dir, charts: false }, await queries.teams(ws, 'all'), period.period, 'all');
        const files = Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
        return { files, teams: report.teams };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const whole = await build();
    const paged = await build({ issues: 1, meetings: 1, votes: 1, changes: 1 });
    expect(Object.keys(paged.files)).toHaveLength(5);
    expect(paged.files).toEqual(whole.files);
    expect(paged.teams).toEqual(whole.teams);
    const rowsOf = (prefix: string): Row[] => {
      const name = Object.keys(paged.files).find((n) => n.startsWith(prefix));
      return parse<Row>(paged.files[name ?? ''] ?? '', { bom: true, columns: true, skip_empty_lines: true });
    };
    const meetings = rowsOf('meetings-');
    expect(meetings.map((r) => r.Meeting)).toEqual(['M-1', 'M-1', 'M-1', 'M-1', 'M-2', 'M-4', 'M-5']);
    const votes = rowsOf('votes-');
    expect(votes.map((r) => r.Vote)).toEqual(['V-1', 'V-1', 'V-2', 'V-2', 'V-3', 'V-3', 'V-4', 'V-5']);
    const issues = rowsOf('issues-');
    expect(issues.map((r) => [r.Issue, r['Status at end of period']])).toEqual([
      ['CNA-1', 'blocked'],
      ['CNA-2', 'resolved'],
      ['CNA-3', 'open'],
      ['CNA-5', 'open'],
      ['MA-1', 'open'],
    ]);
    expect(issues.find((r) => r.Issue === 'CNA-3')?.['Status changes in period']).toBe('2026-10-21 11:00 open → in progress; 2026-10-21 11:00 in progress → open');
    expect(issues.find((r) => r.Issue === 'CNA-5')?.['Status changes in period']).toBe('2026-10-21 11:00 open → in progress');
  });
});

describe('/report schedule quarterly', () => {
  let h: Harness;
  const coordinator = PEOPLE.coordinator.id;
  const dm = () => h.fake.dmChannelId(coordinator);
  const summaries = () => h.fake.messages(dm()).filter((m) => m.files === undefined && (m.text ?? '').startsWith('Report · All teams'));

  beforeAll(async () => {
    h = await startSeededHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('lets a coordinator schedule it, and says when the first comes', async () => {
    const ack = await h.command('/report', 'schedule quarterly', inGeneral(coordinator));
    expect(ack.text).toContain('Scheduled: every team’s report for each quarter comes to your direct messages on the quarter’s first day. The first, for *Q4 2026*, on 1 Jan 2027, 08:00.');
    expect((await h.command('/report', 'schedule', inGeneral(coordinator))).text).toContain('Next: *Q4 2026*, on 1 Jan 2027, 08:00');
    expect((await h.command('/report', 'schedule weekly', inGeneral(coordinator))).text).toContain('Reports can be scheduled quarterly');
    expect(await h.count('report_schedules')).toBe(1);
  });

  it('sends the quarter’s report once, at 08:00 on the next quarter’s first day, however often the job runs', async () => {
    // 07:45 in Detroit (EST): not yet.
    expect(await h.alliance.runJob('report', new Date('2027-01-01T12:45:00Z'))).toEqual({ sent: [], failed: [] });
    expect(summaries()).toHaveLength(0);
    const first = await h.alliance.runJob('report', new Date('2027-01-01T13:00:00Z'));
    expect(first).toEqual({ sent: [{ userId: coordinator, period: '2026-Q4', missing: 0 }], failed: [] });
    expect(summaries().map((m) => m.text?.split(':')[0])).toEqual(['Report · All teams · Q4 2026']);
    expect(visibleText(summaries()[0] ?? {})).toContain('Across 3 teams: 5 issues opened');
    for (const later of ['2027-01-01T13:15:00Z', '2027-01-02T09:00:00Z', '2027-03-31T23:00:00Z']) {
      expect(await h.alliance.runJob('report', new Date(later))).toEqual({ sent: [], failed: [] });
    }
    expect(summaries()).toHaveLength(1);
    expect(await h.query<{ status: string; period: string }>('select status, period from report_runs')).toEqual([{ status: 'sent', period: '2026-Q4' }]);
  });

  it('sends it once when two instances run the job at the same moment on one database', async () => {
    const { openStorage } = await import('../../src/db/open-storage.js');
    const { runScheduledReports } = await import('../../src/features/report/job.js');
    const { WebClient } = await import('@slack/web-api');
    const { BOT_TOKEN } = await import('../rig/harness.js');
    // A second instance's own connection to the same database (file or server).
    const second = await openStorage(h.databaseUrl);
    try {
      const at = new Date('2027-04-01T12:30:00Z'); // 08:30 EDT on 1 April: Q1 2027 is due
      const client = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url, retryConfig: { retries: 0 } });
      const results = await Promise.all([
        h.alliance.runJob('report', at),
        runScheduledReports({ db: second, client, now: at, logger: h.alliance.logger, workspaceId: h.alliance.workspaceId, timeZone: 'America/Detroit', instanceId: 'second' }),
      ]);
      const sent = results.flatMap((r) => (r as { sent: unknown[] }).sent);
      expect(sent).toHaveLength(1);
      expect(summaries().filter((m) => (m.text ?? '').includes('Q1 2027'))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('takes over a claim whose instance died, once its lease has run out, and retries a failed delivery later', async () => {
    const { ReportRepository } = await import('../../src/features/report/repository.js');
    const repo = new ReportRepository(h.alliance.deps.db);
    const due = new Date('2027-07-01T12:30:00Z');
    // Another instance claimed Q2 2027 and died before delivering.
    expect(await repo.claim({ workspaceId: h.alliance.workspaceId, userId: coordinator, period: '2027-Q2', instanceId: 'dead', now: due.getTime(), leaseMs: 15 * 60_000 })).toBe(true);
    expect(await h.alliance.runJob('report', new Date(due.getTime() + 10 * 60_000))).toEqual({ sent: [], failed: [] });
    // Slack refuses the DM once the lease has run out: the run is marked failed and retried later.
    h.fake.failNext('conversations.open', { error: 'internal_error' });
    const failed = (await h.alliance.runJob('report', new Date(due.getTime() + 16 * 60_000))) as { failed: unknown[] };
    expect(failed.failed).toHaveLength(1);
    expect(await h.alliance.runJob('report', new Date(due.getTime() + 20 * 60_000))).toEqual({ sent: [], failed: [] });
    const retried = (await h.alliance.runJob('report', new Date(due.getTime() + 50 * 60_000))) as { sent: unknown[] };
    expect(retried.sent).toHaveLength(1);
    expect(summaries().filter((m) => (m.text ?? '').includes('Q2 2027'))).toHaveLength(1);
  });

  it('stops when asked', async () => {
    expect((await h.command('/report', 'schedule off', inGeneral(coordinator))).text).toContain('Your quarterly report is stopped');
    expect(await h.alliance.runJob('report', new Date('2027-10-01T13:00:00Z'))).toEqual({ sent: [], failed: [] });
  });
});
