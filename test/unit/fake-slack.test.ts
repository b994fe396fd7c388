import { ErrorCode, LogLevel, WebClient, type Logger } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACK_ANSWER_HEADER, startFakeSlack, type FakeSlack } from '../../src/fake-slack/server.js';

const TOKEN = 'xoxb-test-token';
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const GENERAL = 'C0GENERAL1';

let fake: FakeSlack;
let client: WebClient;

/** The WebClient logs Slack's [ERROR] response messages; the tests assert on them instead. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function webClient(token = TOKEN, extra: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: silentLogger, ...extra });
}

/** Runs a Web API call expected to fail and returns the thrown error's data. */
async function platformError(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const err: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  const data = (err as { data?: Record<string, unknown> }).data;
  expect(data).toBeDefined();
  return data ?? {};
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });

beforeAll(async () => {
  fake = await startFakeSlack({
    botToken: TOKEN,
    users: [
      { id: ALICE, name: 'alice', realName: 'Alice Adams', tz: 'America/New_York', isAdmin: true },
      { id: BOB, name: 'bob', tz: 'Asia/Kolkata' },
    ],
    channels: [{ id: GENERAL, name: 'general', members: [ALICE] }],
  });
  client = webClient();
});

afterEach(() => fake.reset());
afterAll(() => fake.close());

describe('fake Slack: auth', () => {
  it('refuses a wrong token with invalid_auth', async () => {
    const data = await platformError(webClient('xoxb-wrong').chat.postMessage({ channel: GENERAL, text: 'hi' }));
    expect(data.error).toBe('invalid_auth');
    expect(fake.messages()).toHaveLength(0);
  });

  it('refuses a call without a token with not_authed, over HTTP 200 like Slack', async () => {
    const res = await fetch(`${fake.url}auth.test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('accepts the token as a form field and answers auth.test with the bot identity', async () => {
    const res = await fetch(`${fake.url}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, team_id: fake.teamId, user_id: fake.botUserId, bot_id: fake.botId });
    expect(fake.callsTo('auth.test')[0]?.args).not.toHaveProperty('token');
  });

  it('answers unknown methods with unknown_method', async () => {
    const data = await platformError(client.apiCall('chat.teleport', { channel: GENERAL }));
    expect(data.error).toBe('unknown_method');
  });
});

describe('fake Slack: messages', () => {
  it('posts a message with increasing ts and applies updates', async () => {
    const first = await client.chat.postMessage({ channel: GENERAL, text: 'one' });
    const second = await client.chat.postMessage({ channel: GENERAL, text: 'two', thread_ts: first.ts });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.text).toBe('one');

    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*edited*' } }];
    const updated = await client.chat.update({ channel: GENERAL, ts: first.ts ?? '', text: 'one (edited)', blocks });
    expect(updated.ts).toBe(first.ts);

    const [m1, m2] = fake.messages(GENERAL);
    expect(m1).toMatchObject({ ts: first.ts, text: 'one (edited)', blocks, ephemeral: false });
    expect(m1?.updatedTs).toBeDefined();
    expect(m2).toMatchObject({ text: 'two', threadTs: first.ts });
    expect(fake.callsTo('chat.update')[0]?.args.blocks).toEqual(blocks);
  });

  it('keeps previous blocks when an update sends only text', async () => {
    const blocks = [{ type: 'divider' }];
    const posted = await client.chat.postMessage({ channel: GENERAL, text: 'a', blocks });
    await client.chat.update({ channel: GENERAL, ts: posted.ts ?? '', text: 'b' });
    expect(fake.messages(GENERAL)[0]).toMatchObject({ text: 'b', blocks });
  });

  it('refuses to update a message that does not exist', async () => {
    const data = await platformError(client.chat.update({ channel: GENERAL, ts: '1.000100', text: 'x' }));
    expect(data.error).toBe('message_not_found');
  });

  it('posts to a user id into the DM with that user', async () => {
    const res = await client.chat.postMessage({ channel: ALICE, text: 'psst' });
    const dm = fake.dmChannelId(ALICE);
    expect(res.channel).toBe(dm);
    expect(dm).toMatch(/^D/);
    expect(fake.messages(dm)).toHaveLength(1);
    expect(fake.messages(ALICE)).toHaveLength(1);
  });

  it('refuses unknown channels and messages without text or blocks', async () => {
    expect((await platformError(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).error).toBe('channel_not_found');
    expect((await platformError(client.apiCall('chat.postMessage', { channel: GENERAL }))).error).toBe('no_text');
    expect(fake.messages()).toHaveLength(0);
  });

  it('refuses over-limit blocks with invalid_blocks and stores nothing', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const data = await platformError(client.chat.postMessage({ channel: GENERAL, text: 'x', blocks }));
    expect(data.error).toBe('invalid_blocks');
    expect(data.errors).toEqual([expect.stringContaining('at most 50')]);
    expect(fake.messages()).toHaveLength(0);
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('stores ephemeral messages for their recipient and refuses non-members', async () => {
    const res = await client.chat.postEphemeral({ channel: GENERAL, user: ALICE, text: 'only you' });
    expect(res.message_ts).toBeDefined();
    expect(fake.messages(GENERAL)[0]).toMatchObject({ ephemeral: true, user: ALICE, text: 'only you' });
    const data = await platformError(client.chat.postEphemeral({ channel: GENERAL, user: BOB, text: 'x' }));
    expect(data.error).toBe('user_not_in_channel');
  });

  it('deletes messages and builds permalinks', async () => {
    const posted = await client.chat.postMessage({ channel: GENERAL, text: 'bye' });
    const link = await client.chat.getPermalink({ channel: GENERAL, message_ts: posted.ts ?? '' });
    expect(link.permalink).toContain(`/archives/${GENERAL}/p${(posted.ts ?? '').replace('.', '')}`);
    await client.chat.delete({ channel: GENERAL, ts: posted.ts ?? '' });
    expect(fake.messages(GENERAL)[0]?.deleted).toBe(true);
    const data = await platformError(client.chat.delete({ channel: GENERAL, ts: posted.ts ?? '' }));
    expect(data.error).toBe('message_not_found');
  });

  it('schedules messages in the future and refuses the past', async () => {
    const postAt = Math.floor(Date.now() / 1000) + 3600;
    const res = await client.chat.scheduleMessage({ channel: GENERAL, text: 'later', post_at: postAt });
    expect(res.scheduled_message_id).toMatch(/^Q/);
    expect(fake.scheduled).toMatchObject([{ channel: GENERAL, postAt, text: 'later' }]);
    const data = await platformError(client.chat.scheduleMessage({ channel: GENERAL, text: 'x', post_at: 1000 }));
    expect(data.error).toBe('time_in_past');
  });
});

describe('fake Slack: views', () => {
  const modal = (title: string) => ({
    type: 'modal' as const,
    callback_id: 'issue_create',
    title: plain(title),
    submit: plain('Save'),
    blocks: [{ type: 'input' as const, block_id: 'title', label: plain('Title'), element: { type: 'plain_text_input' as const, action_id: 'v' } }],
  });

  it('opens a modal and updates it, honouring hash conflicts', async () => {
    const opened = await client.views.open({ trigger_id: '123.456.abc', view: modal('New issue') });
    const view = opened.view;
    expect(view?.id).toMatch(/^V/);
    expect(view?.hash).toBeTruthy();
    expect(fake.views.get(view?.id ?? '')).toMatchObject({ callback_id: 'issue_create' });

    const stale = await platformError(client.views.update({ view_id: view?.id ?? '', hash: 'stale', view: modal('Nope') }));
    expect(stale.error).toBe('hash_conflict');

    const updated = await client.views.update({ view_id: view?.id ?? '', hash: view?.hash ?? '', view: modal('Edited') });
    expect(updated.view?.id).toBe(view?.id);
    expect(updated.view?.hash).not.toBe(view?.hash);
    expect(fake.views.get(view?.id ?? '')).toMatchObject({ title: plain('Edited') });
  });

  it('lets a trigger_id open only one view', async () => {
    await client.views.open({ trigger_id: 'once', view: modal('A') });
    expect((await platformError(client.views.open({ trigger_id: 'once', view: modal('B') }))).error).toBe('exchanged_trigger_id');
  });

  it('refuses an invalid modal with invalid_arguments and the problems', async () => {
    const data = await platformError(client.views.open({ trigger_id: 't1', view: modal('A title that is far too long') }));
    expect(data.error).toBe('invalid_arguments');
    expect(data.response_metadata).toMatchObject({ messages: [expect.stringContaining('title.text')] });
    expect(fake.views.size).toBe(0);
  });

  it('updates by external_id and reports unknown views as not_found', async () => {
    await client.views.open({ trigger_id: 't2', view: { ...modal('A'), external_id: 'ext-1' } });
    const res = await client.views.update({ external_id: 'ext-1', view: modal('B') });
    expect(res.view?.title).toEqual(plain('B'));
    expect((await platformError(client.views.update({ view_id: 'V0NOPE', view: modal('C') }))).error).toBe('not_found');
  });

  it('pushes onto the open modal and publishes a home tab with a stable id', async () => {
    const opened = await client.views.open({ trigger_id: 't3', view: modal('Root') });
    const pushed = await client.views.push({ trigger_id: 't4', view: modal('Child') });
    expect(pushed.view?.previous_view_id).toBe(opened.view?.id);
    expect(pushed.view?.root_view_id).toBe(opened.view?.id);

    const home = { type: 'home' as const, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Hi' } }] };
    const first = await client.views.publish({ user_id: ALICE, view: home });
    const second = await client.views.publish({ user_id: ALICE, view: home });
    expect(second.view?.id).toBe(first.view?.id);
    expect((await platformError(client.views.publish({ user_id: 'U0NOBODY', view: home }))).error).toBe('user_not_found');
  });
});

describe('fake Slack: users and conversations', () => {
  it('returns user details like users.info', async () => {
    const { user } = await client.users.info({ user: ALICE });
    expect(user).toMatchObject({
      id: ALICE,
      name: 'alice',
      real_name: 'Alice Adams',
      tz: 'America/New_York',
      is_admin: true,
      is_owner: false,
      team_id: fake.teamId,
      profile: { display_name: 'alice', real_name: 'Alice Adams' },
    });
    expect([-18000, -14400]).toContain(user?.tz_offset);
    expect((await client.users.info({ user: BOB })).user?.tz_offset).toBe(19800);
    expect((await platformError(client.users.info({ user: 'U0NOBODY' }))).error).toBe('user_not_found');
  });

  it('lists users including the bot', async () => {
    const { members } = await client.users.list({});
    expect(members?.map((m) => m.id)).toEqual([fake.botUserId, ALICE, BOB]);
  });

  it('opens a stable DM per user and describes conversations', async () => {
    const a = await client.conversations.open({ users: ALICE });
    const b = await client.conversations.open({ users: ALICE });
    expect(a.channel?.id).toBe(b.channel?.id);
    expect(a.channel?.id).toBe(fake.dmChannelId(ALICE));
    expect((await client.conversations.info({ channel: a.channel?.id ?? '' })).channel).toMatchObject({ is_im: true, user: ALICE });
    expect((await client.conversations.info({ channel: GENERAL })).channel).toMatchObject({ name: 'general', is_channel: true });
    expect((await platformError(client.conversations.info({ channel: 'C0NOPE' }))).error).toBe('channel_not_found');
    expect((await client.conversations.members({ channel: GENERAL })).members).toEqual([ALICE]);
    expect((await client.conversations.list({})).channels?.map((c) => c.id)).toEqual([GENERAL]);
  });
});

describe('fake Slack: files', () => {
  it('round-trips filesUploadV2 and serves the content back', async () => {
    const res = await client.filesUploadV2({
      channel_id: GENERAL,
      content: 'BEGIN:VCALENDAR\nEND:VCALENDAR\n',
      filename: 'meeting.ics',
      title: 'Meeting',
      initial_comment: 'Calendar file',
    });
    expect(res.ok).toBe(true);
    const [file] = fake.files;
    expect(file).toMatchObject({ title: 'Meeting', filename: 'meeting.ics', channels: [GENERAL] });
    expect(file?.content.toString('utf8')).toBe('BEGIN:VCALENDAR\nEND:VCALENDAR\n');

    const download = await fetch(`${fake.origin}/files/${file?.id ?? ''}`);
    expect(await download.text()).toBe('BEGIN:VCALENDAR\nEND:VCALENDAR\n');
    expect(fake.messages(GENERAL)[0]).toMatchObject({ text: 'Calendar file', files: [file?.id] });
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const url = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const data = await platformError(client.files.completeUploadExternal({ files: [{ id: url.file_id ?? '' }] }));
    expect(data.error).toBe('file_not_found');
    expect(fake.files).toHaveLength(0);
  });

  const post = (url: string, body: Buffer) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });

  it('takes the bytes at an upload URL once, and only exactly the length declared', async () => {
    const target = await client.files.getUploadURLExternal({ filename: 'a.csv', length: 3 });
    const url = target.upload_url ?? '';
    const short = await post(url, Buffer.from('ab'));
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('size_mismatch');
    expect((await post(url, Buffer.from('abc'))).status).toBe(200);
    const again = await post(url, Buffer.from('xyz'));
    expect(again.status).toBe(410);
    expect(await again.text()).toBe('upload_url_already_used');
    await client.files.completeUploadExternal({ files: [{ id: target.file_id ?? '', title: 'A' }] });
    expect(fake.files[0]?.content.toString('utf8')).toBe('abc');
    // After completion the URL is gone altogether.
    expect((await post(url, Buffer.from('abc'))).status).toBe(404);
  });

  it('refuses an empty length, an over-long alt text and a file over the size limit, as Slack does', async () => {
    expect((await platformError(client.files.getUploadURLExternal({ filename: 'a.png', length: 0 }))).error).toBe('missing_argument');
    expect((await platformError(client.files.getUploadURLExternal({ filename: 'a.png', length: 10, alt_text: 'x'.repeat(1001) }))).error).toBe('alt_txt_too_large');
    expect((await platformError(client.files.getUploadURLExternal({ filename: 'a.png', length: 1024 * 1024 * 1024 + 1 }))).error).toBe('file_upload_size_restricted');
    const ok = await client.apiCall('files.getUploadURLExternal', { filename: 'a.png', length: 4, alt_txt: 'A bar chart' });
    expect(ok.ok).toBe(true);
  });

  it('keeps an image block only when it references an uploaded image file', async () => {
    const image = (id: string) => [{ type: 'image', slack_file: { id }, alt_text: 'chart' }];
    const missing = await platformError(client.chat.postMessage({ channel: GENERAL, text: 'x', blocks: image('F0NOPE') }));
    expect(missing.error).toBe('invalid_blocks');
    expect(String(missing.errors)).toContain('no file F0NOPE');

    const text = (await client.apiCall('files.getUploadURLExternal', { filename: 'notes.txt', length: 2 })) as { upload_url?: string; file_id?: string };
    await post(String(text.upload_url), Buffer.from('hi'));
    await client.files.completeUploadExternal({ files: [{ id: String(text.file_id) }] });
    expect((await platformError(client.chat.postMessage({ channel: GENERAL, text: 'x', blocks: image(String(text.file_id)) }))).errors).toEqual([
      `blocks[0].slack_file: file ${String(text.file_id)} is not an image`,
    ]);

    const png = (await client.apiCall('files.getUploadURLExternal', { filename: 'chart.png', length: 4, alt_txt: 'A bar chart' })) as { upload_url?: string; file_id?: string };
    await post(String(png.upload_url), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    // Not completed yet: Slack has no such file.
    expect((await platformError(client.chat.postMessage({ channel: GENERAL, text: 'x', blocks: image(String(png.file_id)) }))).error).toBe('invalid_blocks');
    await client.files.completeUploadExternal({ files: [{ id: String(png.file_id), title: 'Chart' }] });
    const posted = await client.chat.postMessage({ channel: GENERAL, text: 'x', blocks: image(String(png.file_id)) });
    expect(posted.ok).toBe(true);
    expect(fake.files.find((f) => f.id === png.file_id)).toMatchObject({ altText: 'A bar chart', channels: [] });
  });
});

describe('fake Slack: fault injection', () => {
  it('answers 429 with Retry-After and stores nothing', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
    const strict = webClient(TOKEN, { rejectRateLimitedCalls: true });
    const err: unknown = await strict.chat.postMessage({ channel: GENERAL, text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    expect(fake.messages()).toHaveLength(0);
    expect(fake.callsTo('chat.postMessage')).toMatchObject([{ ok: false, error: 'ratelimited' }]);
    await strict.chat.postMessage({ channel: GENERAL, text: 'after' });
    expect(fake.messages()).toHaveLength(1);
  });

  it('answers HTTP 500 the given number of times', async () => {
    fake.failNext('chat.postMessage', { status: 500 }, 2);
    for (let i = 0; i < 2; i += 1) {
      const err: unknown = await client.chat.postMessage({ channel: GENERAL, text: 'x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    }
    expect(fake.messages()).toHaveLength(0);
    await client.chat.postMessage({ channel: GENERAL, text: 'third time' });
    expect(fake.messages()).toHaveLength(1);
  });

  it('answers ok:false with the injected error', async () => {
    fake.failNext('views.open', { error: 'internal_error' });
    const data = await platformError(client.views.open({ trigger_id: 't', view: { type: 'modal', title: plain('x'), blocks: [] } }));
    expect(data.error).toBe('internal_error');
    expect(fake.views.size).toBe(0);
  });

  it('hangs on a delay fault so client timeouts can be tested, without storing the message', async () => {
    fake.failNext('chat.postMessage', { delayMs: 600 });
    const impatient = webClient(TOKEN, { timeout: 100 });
    const err: unknown = await impatient.chat.postMessage({ channel: GENERAL, text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RequestError });
    await fake.waitFor(() => fake.callsTo('chat.postMessage').length > 0, 5000);
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ ok: false, error: 'client_gone' });
    expect(fake.messages()).toHaveLength(0);
  });

  it('counts faults not yet taken, so a test knows when a delayed call has arrived and hangs', async () => {
    fake.failNext('chat.postMessage', { delayMs: 300 });
    expect(fake.pendingFaults('chat.postMessage')).toBe(1);
    const posting = client.chat.postMessage({ channel: GENERAL, text: 'slow' });
    await fake.waitFor(() => fake.pendingFaults('chat.postMessage') === 0, 5000);
    expect(fake.messages()).toHaveLength(0);
    await posting;
    expect(fake.messages()).toHaveLength(1);
    expect(fake.pendingFaults('views.open')).toBe(0);
  });

  it('lets a delayed call succeed when the client waits', async () => {
    fake.failNext('auth.test', { delayMs: 50 });
    expect((await client.auth.test()).ok).toBe(true);
  });
});

describe('fake Slack: response_url', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('records responses and answers ok', async () => {
    const url = fake.responseUrl();
    expect(url.startsWith(`${fake.origin}/respond/`)).toBe(true);
    const res = await post(url, { text: 'Done', response_type: 'ephemeral' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(fake.responses).toMatchObject([{ body: { text: 'Done', response_type: 'ephemeral' } }]);
  });

  it('replaces the originating message when asked to', async () => {
    const posted = await client.chat.postMessage({ channel: GENERAL, text: 'vote?' });
    const url = fake.responseUrl(undefined, { channel: GENERAL, messageTs: posted.ts, userId: ALICE });
    await post(url, { replace_original: true, text: 'voted' });
    await post(url, { text: 'only for alice' });
    expect(fake.messages(GENERAL)).toMatchObject([
      { ts: posted.ts, text: 'voted' },
      { text: 'only for alice', ephemeral: true, user: ALICE },
    ]);
  });

  it('refuses invalid blocks and over-used URLs with non-2xx answers', async () => {
    const url = fake.responseUrl('fixed-id');
    expect((await post(url, { blocks: [{ type: 'bogus' }] })).status).toBe(400);
    for (let i = 0; i < 5; i += 1) expect((await post(url, { text: `r${i}` })).status).toBe(200);
    expect((await post(url, { text: 'sixth' })).status).toBe(404);
    expect(fake.responses).toHaveLength(5);
  });

  it('holds what the work posts to a response_url until the ack body (marked as such) is shown, as the sandbox asks', async () => {
    const url = fake.responseUrl(undefined, { channel: GENERAL, userId: ALICE });
    const release = fake.holdResponses(url);
    const later = post(url, { text: 'the preview' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.messages(GENERAL)).toEqual([]);
    const ack = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [ACK_ANSWER_HEADER]: '1' }, body: JSON.stringify({ text: 'Building…' }) });
    expect(ack.status).toBe(200);
    release();
    expect((await later).status).toBe(200);
    expect(fake.messages(GENERAL).map((m) => m.text)).toEqual(['Building…', 'the preview']);
  });

  it('injects faults into response_url posts', async () => {
    fake.failNext('response_url', { status: 503 });
    expect((await post(fake.responseUrl(), { text: 'x' })).status).toBe(503);
    expect(fake.responses).toHaveLength(0);
  });
});

describe('fake Slack: observation helpers', () => {
  it('notifies activity listeners and resolves waitFor with the probe value', async () => {
    const seen: string[] = [];
    const off = fake.onActivity((e) => seen.push(`${e.kind}:${e.method ?? ''}`));
    const waiting = fake.waitFor(() => fake.messages(GENERAL).find((m) => m.text === 'ping'));
    await client.chat.postMessage({ channel: GENERAL, text: 'ping' });
    expect((await waiting).text).toBe('ping');
    off();
    await client.auth.test();
    expect(seen).toEqual(['call:chat.postMessage']);
  });

  it('rejects waitFor on timeout with the recent calls in the message', async () => {
    await client.auth.test();
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow(/timed out after 50 ms.*auth\.test ok/);
  });

  it('reset forgets activity but keeps users and channels', async () => {
    await client.chat.postMessage({ channel: GENERAL, text: 'x' });
    fake.reset();
    expect(fake.calls).toHaveLength(0);
    expect(fake.messages()).toHaveLength(0);
    expect((await client.users.info({ user: ALICE })).user?.id).toBe(ALICE);
    fake.addChannel({ id: 'C0NEW00001', name: 'new' });
    expect((await client.chat.postMessage({ channel: '#new', text: 'x' })).channel).toBe('C0NEW00001');
  });
});

describe('fake Slack: what the browser sandbox needs', () => {
  it('remembers who opened a view through a trigger it handed out', async () => {
    const opened = await client.views.open({
      trigger_id: fake.newTrigger(ALICE),
      view: { type: 'modal', title: plain('Hi'), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] },
    });
    expect(fake.viewOwner(String(opened.view?.id))).toBe(ALICE);
    const other = await client.views.open({ trigger_id: '123.456.abc', view: { type: 'modal', title: plain('Hi'), blocks: [] } });
    expect(fake.viewOwner(String(other.view?.id))).toBeUndefined();
  });

  it('stores a person’s message with its author, apart from the bot’s own messages', async () => {
    const stored = fake.postUserMessage({ channel: '#general', user: ALICE, text: 'hello' });
    expect(fake.messages(GENERAL)).toMatchObject([{ ts: stored.ts, author: ALICE, text: 'hello', ephemeral: false }]);
    const reply = await client.chat.postMessage({ channel: GENERAL, text: 'in thread', thread_ts: stored.ts });
    expect(reply.message?.user).toBe(fake.botUserId);
  });

  it('lets a response_url replace the ephemeral message it came from, for its recipient', async () => {
    const posted = await client.chat.postEphemeral({ channel: GENERAL, user: ALICE, text: 'pick one' });
    const url = fake.responseUrl(undefined, { channel: GENERAL, messageTs: posted.message_ts, userId: ALICE });
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ replace_original: true, text: 'picked' }) });
    expect(fake.messages(GENERAL)).toMatchObject([{ text: 'picked', ephemeral: true, user: ALICE }]);
    expect(fake.messages(GENERAL)[0]?.updatedTs).toBeDefined();
  });
});
