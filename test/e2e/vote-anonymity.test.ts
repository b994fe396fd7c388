/**
 * Anonymous votes against someone who holds the logs and the database (an operator, a backup, an
 * app collaborator who can read the signing secret): neither may tell what a person chose, and
 * rotating the signing secret must not hand anyone a second ballot; nor may the switch to
 * per-workspace ballot keys, nor a start with another ballot key.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyBallotKey } from '../../src/features/vote/ballot-key.js';
import type { StoredMessage } from '../../src/fake-slack/types.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { ActionIds, InputIds, ViewIds } from '../../src/slack/ids.js';
import { TEST_ENGINE } from '../rig/engines.js';
import { BOT_TOKEN, linkSeedChannels, startHarness, TEST_BALLOT_SECRET, type Harness } from '../rig/harness.js';
import { inputValues, type InputValue } from '../rig/slack-request.js';

const cna = CHANNELS.cna.id;
const FIRST_SECRET = 'first-signing-secret-0123456789';
const SECOND_SECRET = 'rotated-signing-secret-9876543210';

async function startAnonymousVote(h: Harness, question: string, method: 'single' | 'multiple'): Promise<number> {
  const opens = h.fake.callsTo('views.open').length;
  await h.command('/vote', 'new', { userId: PEOPLE.coordinator.id, channelId: cna });
  const call = await h.fake.waitFor(() => h.fake.callsTo('views.open')[opens]);
  const fields: Record<string, InputValue> = {
    [InputIds.voteTeam]: { type: 'static_select', selected_option: { value: String((await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id) } },
    [InputIds.voteQuestion]: question,
    [InputIds.voteOptions]: 'Transport\nChildcare\nWages',
    [InputIds.voteMethod]: { type: 'radio_buttons', selected_option: { value: method } },
    [InputIds.voteMaxChoices]: '',
    [InputIds.voteEligibility]: { type: 'radio_buttons', selected_option: { value: 'everyone' } },
    [InputIds.voteAnonymous]: { type: 'checkboxes', selected_options: [{ value: 'anonymous' }] },
    [InputIds.voteVisibility]: { type: 'radio_buttons', selected_option: { value: 'closed' } },
    [InputIds.voteCloseDate]: { type: 'datepicker', selected_date: null },
    [InputIds.voteCloseTime]: { type: 'timepicker', selected_time: null },
  };
  const values = inputValues(Object.fromEntries(Object.entries(fields).map(([id, v]) => [id, { [id]: v }])));
  const response = await h.slack.viewSubmission({ callbackId: ViewIds.voteNew, userId: PEOPLE.coordinator.id, values, privateMetadata: (call.args.view as { private_metadata: string }).private_metadata });
  expect(response.body).toContain('is open');
  await h.flush();
  return (await h.query<{ n: number }>('select max(number) as n from votes'))[0]?.n ?? 0;
}

function ballotMessage(h: Harness, number: number): StoredMessage {
  const message = h.fake.messages(cna).find((m) => !m.ephemeral && m.text?.startsWith(`V-${number}:`) === true);
  if (message === undefined) throw new Error(`no ballot message for V-${number}`);
  return message;
}

async function click(h: Harness, userId: string, number: number, label: string): Promise<Record<string, unknown>> {
  const message = ballotMessage(h, number);
  const block = (message.blocks as Array<{ block_id?: string; text?: { text?: string }; accessory?: { value?: string } }>).find((b) => b.text?.text?.includes(`. ${label}*`) === true);
  const before = h.fake.responses.length;
  await h.slack.blockAction({ actionId: ActionIds.voteChoose, blockId: block?.block_id ?? '', value: block?.accessory?.value ?? '', userId, channelId: cna, messageTs: message.ts });
  const response = await h.fake.waitFor(() => h.fake.responses[before]);
  await h.flush();
  return response.body;
}

describe('anonymous votes against the logs and the database', () => {
  let dir: string;
  let dbPath: string;
  let h: Harness;
  /**
   * The deployment's ballot key. On SQLite it is generated beside the database file (the default,
   * checked here); PostgreSQL requires ALLIANCE_BALLOT_SECRET (the harness sets TEST_BALLOT_SECRET).
   */
  const deploymentKey = (): string => (TEST_ENGINE === 'postgres' ? TEST_BALLOT_SECRET : readFileSync(join(dir, 'ballot.key'), 'utf8').trim());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-anonymity-'));
    dbPath = join(dir, 'alliance.db');
    h = await startHarness({ dbPath, env: { SLACK_SIGNING_SECRET: FIRST_SECRET } });
    await linkSeedChannels(h);
    // Ten options first, so the anonymous vote's option ids cannot be mistaken for small counters.
    await h.command('/vote', `new Warm-up? | ${Array.from({ length: 10 }, (_, i) => `W${i}`).join(' | ')}`, { userId: PEOPLE.coordinator.id, channelId: cna });
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no per-person log line naming an anonymous choice, no click time and no click order on its ballots', async () => {
    const n = await startAnonymousVote(h, 'Secret several', 'multiple');
    const vote = (await h.query<{ id: number; created_at: number }>('select id, created_at from votes where number = ?', n))[0];
    const optionIds = (await h.query<{ id: number }>('select id from vote_options where vote_id = ?', vote?.id)).map((o) => o.id);
    expect(Math.min(...optionIds)).toBeGreaterThan(10);
    const voter = PEOPLE.henryFord1.id;
    await click(h, voter, n, 'Transport');
    const confirmation = (await click(h, voter, n, 'Wages')) as { blocks: Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }> };
    const remove = confirmation.blocks.find((b) => b.type === 'actions')?.elements?.[1];
    expect(remove?.value).toMatch(/:remove$/);
    const before = h.fake.responses.length;
    await h.slack.blockAction({ actionId: remove?.action_id ?? '', blockId: 'mine', value: remove?.value ?? '', userId: voter, channelId: cna, isEphemeral: true });
    expect(JSON.stringify((await h.fake.waitFor(() => h.fake.responses[before])).body)).toContain('Transport');
    await click(h, PEOPLE.corewell.id, n, 'Childcare');

    // Logs: every line about the voter's requests, none carrying an option id (vote_remove_<option> did).
    const mine = h.logs.filter((line) => line.includes(voter));
    expect(mine.some((line) => line.includes(ActionIds.voteRemove))).toBe(true);
    // An option id as an action id's suffix or in a button value (`vote:option`), not a clock's seconds.
    const naming = mine.filter((line) => optionIds.some((id) => new RegExp(`[_:]${id}("|:remove)`).test(line)));
    expect(naming).toEqual([]);

    // Database: no user, no time but the vote's own start, no id that counts up in click order.
    const rows = await h.query<{ id: number; cast_by: string | null; created_at: number; updated_at: number }>('select id, cast_by, created_at, updated_at from ballots where vote_id = ?', vote?.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.cast_by).toBeNull();
      expect(row.created_at).toBe(vote?.created_at);
      expect(row.updated_at).toBe(vote?.created_at);
      expect(row.id).toBeGreaterThanOrEqual(2 ** 32);
    }
  });

  it(`keys anonymous ballots with ${TEST_ENGINE === 'sqlite' ? 'a key generated once, kept apart from the database' : 'ALLIANCE_BALLOT_SECRET'}, so a signing-secret rotation gives nobody a second ballot`, async () => {
    const n = await startAnonymousVote(h, 'Secret single', 'single');
    expect(JSON.stringify(await click(h, PEOPLE.trinity.id, n, 'Transport'))).toContain('is recorded');

    const keyFile = join(dir, 'ballot.key');
    const key = deploymentKey();
    if (TEST_ENGINE === 'sqlite') {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(keyFile).mode & 0o077).toBe(0);
    } else {
      // PostgreSQL: no key file on this machine (several machines need one key: the secret).
      expect(() => statSync(keyFile)).toThrow();
    }
    expect(key).not.toBe(legacyBallotKey(FIRST_SECRET));
    expect(JSON.stringify(await h.query('select * from ballots'))).not.toContain(key);

    // The signing secret is rotated (Slack's "Regenerate") and the app restarts on the same database.
    await h.stop();
    h = await startHarness({ dbPath, env: { SLACK_SIGNING_SECRET: SECOND_SECRET } });
    // The fake Slack restarted empty; the voter clicks the button of the ballot message they have.
    const voteId = (await h.query<{ id: number }>('select id from votes where number = ?', n))[0]?.id;
    const option = (await h.query<{ id: number }>("select id from vote_options where vote_id = ? and label = 'Wages'", voteId))[0]?.id;
    const ts = (await h.query<{ message_ts: string }>('select message_ts from votes where id = ?', voteId))[0]?.message_ts ?? '1.1';
    const before = h.fake.responses.length;
    await h.slack.blockAction({ actionId: ActionIds.voteChoose, blockId: `vote_option_${option}`, value: `${voteId}:${option}`, userId: PEOPLE.trinity.id, channelId: cna, messageTs: ts });
    const again = JSON.stringify((await h.fake.waitFor(() => h.fake.responses[before])).body);
    expect(again).toContain('is changed to *Wages*');
    expect((await h.query<{ n: number }>('select count(*) as n from ballots where vote_id = ?', voteId))[0]?.n).toBe(1);
    expect(deploymentKey()).toBe(key);
  });

  /** The person's Home as published when they open it. */
  async function openHome(userId: string): Promise<string> {
    const published = () => h.fake.callsTo('views.publish').filter((c) => c.ok && c.args.user_id === userId);
    const before = published().length;
    expect((await h.slack.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home' })).status).toBe(200);
    const call = await h.fake.waitFor(() => published()[before]);
    return JSON.stringify((call.args.view as { blocks: unknown[] }).blocks);
  }

  it('keys a new vote with the workspace’s own key, and the Home knows the person voted', async () => {
    const voter = PEOPLE.henryFord1.id;
    await h.command('/team', 'join CNA', { userId: voter, channelId: cna });
    const n = await startAnonymousVote(h, 'Keyed per workspace?', 'single');
    expect((await h.query<{ scheme: number }>('select ballot_key_scheme as scheme from votes where number = ?', n))[0]?.scheme).toBe(2);
    expect(await openHome(voter)).toContain('Keyed per workspace?');
    expect(JSON.stringify(await click(h, voter, n, 'Transport'))).toContain('is recorded');
    expect(await openHome(voter)).not.toContain('Keyed per workspace?');
  });

  it('leaves a vote opened before per-workspace keys on the deployment key: its voter cannot vote a second time, and the Home says they voted', async () => {
    const voter = PEOPLE.henryFord1.id;
    await h.command('/team', 'join CNA', { userId: voter, channelId: cna });
    const n = await startAnonymousVote(h, 'Opened before the switch?', 'single');
    const vote = (await h.query<{ id: number; team_id: string; created_at: number }>('select id, team_id, created_at from votes where number = ?', n))[0];
    if (vote === undefined) throw new Error('no vote');
    const transport = (await h.query<{ id: number }>("select id from vote_options where vote_id = ? and label = 'Transport'", vote.id))[0]?.id;
    // As the migration leaves a vote opened before the switch (scheme 1), with the ballot the
    // earlier version stored for the voter: keyed with the deployment's key itself.
    await h.execute('update votes set ballot_key_scheme = 1 where id = ?', vote.id);
    expect(await openHome(voter)).toContain('Opened before the switch?');
    const hmac = (text: string) => createHmac('sha256', deploymentKey()).update(text).digest('hex');
    await h.execute(
      'insert into ballots (id, team_id, vote_id, voter_key, cast_by, cast_by_hash, choices_json, created_at, updated_at) values (?, ?, ?, ?, null, ?, ?, ?, ?)',
      2 ** 40,
      vote.team_id,
      vote.id,
      `anon:${hmac(`voter:${vote.id}:${voter}`)}`,
      hmac(`person:${vote.id}:${voter}`),
      JSON.stringify([transport]),
      vote.created_at,
      vote.created_at,
    );

    expect(await openHome(voter)).not.toContain('Opened before the switch?');
    expect(JSON.stringify(await click(h, voter, n, 'Wages'))).toContain('is changed to *Wages*');
    expect((await h.query<{ n: number }>('select count(*) as n from ballots where vote_id = ?', vote.id))[0]?.n).toBe(1);
  });

  it('refuses to start with another ballot key than the one this database has been used with, saying why', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'main.ts')], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECOND_SECRET,
        SLACK_API_URL: h.fake.url,
        DATABASE_URL: h.databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        ALLIANCE_BALLOT_SECRET: 'not-the-key-this-database-knows',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Alliance cannot start: ALLIANCE_BALLOT_SECRET is not the ballot key this database has been used with since');
    expect(stderr).toContain('Use the same key as before and on every instance');
    expect(stderr).not.toMatch(/^\s+at /m); // the operator's message, not a stack trace
    // The running instance is unaffected.
    expect(await openHome(PEOPLE.henryFord1.id)).toContain('"type"');
  });
});
