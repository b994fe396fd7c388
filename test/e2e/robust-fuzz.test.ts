/**
 * Throws ~2,500 random and hostile command texts at every command in CommandNames over signed
 * HTTP. Commands that have not landed yet are fuzzed too (they must still get a polite answer);
 * when /issue, /meeting, /vote and /digest merge, add their subcommands to SUBCOMMANDS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/fake-slack/block-kit-limits.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { CommandNames } from '../../src/slack/ids.js';
import { linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { healthy, listenerFailures, tableCounts } from '../rig/robust.js';
import { prng } from '../rig/prng.js';

const SUBCOMMANDS: { [K in keyof typeof CommandNames]: string[] } = {
  team: ['', 'help', 'list', 'members', 'join', 'leave', 'add', 'org', 'orgs', 'coordinators', 'coordinator add', 'coordinator remove', 'create', 'link', 'unlink', 'audit'],
  issue: ['', 'help', 'new', 'list', 'show', 'status', 'assign', 'due', 'comment', 'edit', 'mine'],
  meeting: ['', 'help', 'new', 'list', 'show', 'ics', 'cancel', 'edit'],
  vote: ['', 'help', 'new', 'list', 'results', 'close', 'remind'],
  digest: ['', 'help', 'preview', 'send', 'schedule', 'subscribe', 'unsubscribe'],
  report: ['', 'help', 'all', 'schedule', 'last-week', 'this-quarter'],
  goal: ['', 'help', 'new', 'update', 'done', 'list', 'show', 'edit', 'close', 'link', 'unlink'],
};

const UNKNOWN_USER = 'U0NOBODY99';
const HOSTILE = [
  '', ' ', '   \t  ', 'a'.repeat(4100), 'Ünïcødé 日本語 مرحبا עברית', '\u202Eevil\u202C RTL override', '👩🏽‍⚕️🏥🗳️ 🧪',
  '\u0000\u0001\u0007\u001b[31mred\u001b[0m', 'line\r\nbreak\ttab', '\u200B\u200D\uFEFF', '*bold* _it_ ~strike~ `code` ```block``` >quote',
  '<!channel>', '<!here>', '<!everyone>', '<!subteam^S0123|@nurses>', `<@${UNKNOWN_USER}>`, `<@${UNKNOWN_USER}|mallory>`, '<#C0NOWHERE1|nowhere>',
  '<https://evil.example|click me>', '<mailto:x@y.z|mail>', "'; DROP TABLE program_teams; --", '" OR 1=1 --', "Robert'); DELETE FROM audit_log;--",
  '%00', '%s%s%n', '${process.exit(1)}', '{{7*7}}', '&amp;&lt;&gt;', '&', '<', '>', '\\', '../../etc/passwd', 'null', 'undefined', 'NaN',
  '-1', '0', '201', '99999999999999999999', '1e309', 'CNA', 'cna', 'MA', 'ZZZZZZZZZZZ', 'KEY', `<@${PEOPLE.henryFord2.id}|marcus>`, 'add', 'remove',
];


function randomText(rand: () => number, subs: string[]): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const randomChars = () => Array.from({ length: 1 + Math.floor(rand() * 40) }, () => String.fromCodePoint(Math.floor(rand() * 0x2fff))).join('');
  const parts: string[] = [];
  const shape = rand();
  if (shape < 0.7) parts.push(pick(subs));
  const extra = Math.floor(rand() * 4);
  for (let i = 0; i < extra; i++) parts.push(rand() < 0.8 ? pick(HOSTILE) : randomChars());
  if (shape >= 0.9) parts.push(pick(subs));
  return parts.join(' ').slice(0, 12_000);
}

interface Case {
  command: string;
  text: string;
  as: { userId: string; channelId: string };
}

function buildCases(seed: number, perCommand: number): Case[] {
  const rand = prng(seed);
  const people = [PEOPLE.coordinator.id, PEOPLE.henryFord1.id, PEOPLE.partner.id, PEOPLE.trainer.id];
  const channels = [CHANNELS.general.id, CHANNELS.cna.id, CHANNELS.coordinators.id];
  return (Object.keys(CommandNames) as Array<keyof typeof CommandNames>).flatMap((key) =>
    Array.from({ length: perCommand }, () => ({
      command: CommandNames[key],
      text: randomText(rand, SUBCOMMANDS[key]),
      as: { userId: people[Math.floor(rand() * people.length)] as string, channelId: channels[Math.floor(rand() * channels.length)] as string },
    })),
  );
}

const KNOWN_IDS = new Set<string>([...Object.values(PEOPLE).map((p) => p.id), ...Object.values(CHANNELS).map((c) => c.id)]);
/** Proper mentions (`<@U…>`, `<#C…>`) in what people typed: the app may repeat those as mentions. */
const typedMentions = (input: string): string[] => [...input.matchAll(/<[@#]([A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? '');

/**
 * Mentions, links and commands a message may contain: known people and channels, a proper mention
 * someone typed, and the date tokens the app writes itself (`<!date^…^…|fallback>`). Anything else
 * in angle brackets (`<!channel>`, `<https://evil|Verify>`) is typed text that was not escaped.
 */
function unsafeTokens(message: string, typed: ReadonlySet<string>): string[] {
  return [...message.matchAll(/<([^<>]*)>/g)]
    .map((m) => m[1] ?? '')
    .filter((token) => {
      if (/^!date\^\d+\^[^|^]+\|[^|]*$/.test(token)) return false;
      const mention = /^[@#]([A-Z0-9]+)(?:\|[^|]*)?$/.exec(token);
      return mention === null || !(KNOWN_IDS.has(mention[1] ?? '') || typed.has(mention[1] ?? ''));
    });
}

/** Every piece of mrkdwn in a message: its `text` (notifications, screen readers) and each mrkdwn text in its blocks or attachments. */
function readableTexts(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) readableTexts(item, into);
  else if (value !== null && typeof value === 'object') {
    // Slack shows plain_text literally (no mentions, links or entities), so it needs no escaping.
    if ((value as { type?: unknown }).type === 'plain_text') return into;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      // Ids, values and URLs are not shown as text; an input's initial value and a button's accessibility label are plain strings, read literally; everything else is mrkdwn.
      if (['initial_value', 'accessibility_label', 'action_id', 'block_id', 'value', 'callback_id', 'private_metadata', 'url', 'image_url', 'channel', 'user', 'ts', 'thread_ts', 'trigger_id', 'view_id', 'metadata', 'response_type', 'type', 'style', 'external_id', 'hash'].includes(key)) continue;
      readableTexts(inner, into);
    }
  }
  return into;
}

/**
 * Everything the app sent to the fake Slack: every Web API call that carries text (posts, updates,
 * ephemerals, scheduled messages, modals, DMs from the outbox) and every response_url answer.
 */
function everythingPosted(h: Harness): Array<{ where: string; texts: string[] }> {
  const calls = h.fake.calls
    .filter((call) => /^(chat\.|views\.)/.test(call.method))
    .map((call) => ({ where: call.method, texts: readableTexts(call.args) }));
  const responses = h.fake.responses.map((r) => ({ where: 'response_url', texts: readableTexts(r.body) }));
  return [...calls, ...responses];
}

function unescapedInEverythingPosted(h: Harness, inputs: readonly string[]): string[] {
  const typed = new Set(inputs.flatMap(typedMentions));
  return everythingPosted(h).flatMap(({ where, texts }) =>
    texts.flatMap((text) => {
      const unsafe = unsafeTokens(text, typed);
      return unsafe.length === 0 ? [] : [`${where} shows unescaped ${JSON.stringify(unsafe.slice(0, 3))} in ${JSON.stringify(text.slice(0, 120))}`];
    }),
  );
}

const REFUSAL = /^(:warning:|:no_entry:|:mag:|:lock:|:information_source: Usage|:thinking_face:)/;
const SLOW_MS = 3000;

describe('fuzzed command text, for every command', () => {
  let h: Harness;
  beforeAll(async () => {
    // The fake's rate limits are off: 2,500 commands in a few seconds open far more modals
    // (views.open, 100 a minute) than any workspace's people could; this test is about input, not pace.
    h = await startHarness({ rateLimits: false });
    await linkSeedChannels(h);
  });
  afterAll(async () => {
    await h.stop();
  });

  const problems: string[] = [];
  const inputs: string[] = [];
  const slow: Array<{ command: string; ms: number }> = [];

  async function send(c: Case): Promise<{ status: number; text: string; visible: string }> {
    const started = Date.now();
    const ack = await h.command(c.command, c.text, c.as);
    const ms = Date.now() - started;
    if (ms > SLOW_MS / 3) slow.push({ command: `${c.command} ${c.text.slice(0, 30)}`, ms });
    if (ms >= SLOW_MS) problems.push(`${c.command} took ${ms} ms: ${JSON.stringify(c.text.slice(0, 80))}`);
    if (ack.status !== 200) problems.push(`${c.command} answered ${ack.status}: ${JSON.stringify(c.text.slice(0, 80))}`);
    const visible = visibleText(ack);
    // `new` and `edit` answer by opening a modal after an empty ack; failed views.open calls are checked below.
    const opensModal = /^(new|edit)\b/i.test(c.text.trim());
    if (ack.status === 200 && (ack.text ?? '') === '' && !opensModal) problems.push(`${c.command} gave an empty answer: ${JSON.stringify(c.text.slice(0, 80))}`);
    inputs.push(c.text);
    const unsafe = unsafeTokens(visible, new Set(typedMentions(c.text)));
    if (unsafe.length > 0) problems.push(`${c.command} echoed unescaped ${JSON.stringify(unsafe.slice(0, 3))} for ${JSON.stringify(c.text.slice(0, 80))}`);
    const limits = validateMessage({ text: ack.text, blocks: ack.blocks });
    if (limits.length > 0) problems.push(`${c.command} reply breaks Slack limits ${JSON.stringify(limits.slice(0, 2))} for ${JSON.stringify(c.text.slice(0, 80))}`);
    return { status: ack.status, text: ack.text ?? '', visible };
  }

  it('answers ~2,000 concurrent hostile commands, each within 3 s, escaped, without a listener failure', async () => {
    const cases = buildCases(20260302, 400);
    for (let i = 0; i < cases.length; i += 25) await Promise.all(cases.slice(i, i + 25).map(send));
    if (slow.length > 0) h.alliance.logger.event('info', 'fuzz: slow answers', { count: slow.length, slowest: slow.sort((a, b) => b.ms - a.ms).slice(0, 5) });
    expect(problems.slice(0, 20)).toEqual([]);
    expect(listenerFailures(h)).toEqual([]);
    expect(h.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    // Every modal the fuzzed `new`/`edit` texts opened was one Slack accepts.
    expect(h.fake.callsTo('views.open').length).toBeGreaterThan(0);
    expect(h.fake.callsTo('views.open').filter((call) => !call.ok).map((call) => call.error)).toEqual([]);
    expect(await healthy(h)).toBe(true);
  });

  it('stores nothing for ~500 refused inputs (a refusal of a coordinator action only writes its audit entry)', async () => {
    const cases = buildCases(7, 100);
    let refused = 0;
    for (const c of cases) {
      const before = await tableCounts(h);
      const auditBefore = before.audit_log ?? 0;
      const answer = await send(c);
      if (!REFUSAL.test(answer.text)) continue;
      refused++;
      const after = await tableCounts(h);
      const newAudit = await h.query<{ outcome: string }>('select outcome from audit_log where id > (select coalesce(max(id), 0) - ? from audit_log)', (after.audit_log ?? 0) - auditBefore);
      if ((after.audit_log ?? 0) > auditBefore && !newAudit.every((row) => row.outcome === 'refused')) problems.push(`refusal wrote a non-refusal audit entry: ${c.command} ${c.text.slice(0, 60)}`);
      if ((after.audit_log ?? 0) - auditBefore > 1) problems.push(`refusal wrote ${(after.audit_log ?? 0) - auditBefore} audit entries`);
      const { audit_log: _a, ...rest } = after;
      const { audit_log: _b, ...restBefore } = before;
      if (JSON.stringify(rest) !== JSON.stringify(restBefore)) problems.push(`refused ${c.command} ${JSON.stringify(c.text.slice(0, 60))} but stored ${JSON.stringify(rest)} vs ${JSON.stringify(restBefore)}`);
    }
    expect(refused).toBeGreaterThan(100);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(listenerFailures(h)).toEqual([]);
  });

  it('escapes typed text in everything posted to Slack, not only command replies: ballots, results, announcements, updates, DMs, modals', async () => {
    const hostile = ['<!channel>', '<https://evil.example|Verify your account>', '<!here> & <!subteam^S0123|@nurses>', `<@${UNKNOWN_USER}|mallory>`, '<#C0NOWHERE1|nowhere>', 'a & b > c < d'];
    const cna = { userId: PEOPLE.coordinator.id, channelId: CHANNELS.cna.id };
    const typedHere: string[] = [];
    const run = async (command: string, text: string) => {
      typedHere.push(text);
      const responses = h.fake.responses.length;
      const ack = await h.command(command, text, cna);
      // Work that grows with the data answers after the ack (the ack says it is coming): wait for that answer, so it is checked below too.
      if (/^:hourglass_flowing_sand:/.test(ack.text ?? '')) await h.fake.waitFor(() => h.fake.responses[responses], 30_000);
      return ack;
    };
    for (const [i, text] of hostile.entries()) {
      // A quick vote puts the question and options on the ballot message (outbox post and updates)…
      const vote = await run('/vote', `new ${text} ${i}? | ${text} A | ${text} B`);
      const key = /\*(V-\d+)\*/.exec(vote.text ?? '')?.[1];
      // …an issue puts its title on the announcement (outbox post), comments and status changes update it.
      const issue = await run('/issue', `new ${text} title ${i}`);
      const issueKey = /\b(CNA-\d+)\b/.exec(issue.text ?? '')?.[1];
      if (issueKey !== undefined) {
        await run('/issue', `comment ${issueKey} ${text}`);
        await run('/issue', `status ${issueKey} blocked ${text}`);
      }
      await h.flush();
      if (key !== undefined) {
        await run('/vote', `remind ${key}`);
        await run('/vote', `results ${key}`);
        await run('/vote', `close ${key}`);
      }
      await run('/issue', 'list');
      await run('/vote', 'list');
      await run('/digest', 'preview CNA');
    }
    await h.flush();
    expect(h.fake.callsTo('chat.postMessage').length).toBeGreaterThan(hostile.length);
    expect(h.fake.callsTo('chat.update').length).toBeGreaterThan(0);
    // Everything the three fuzz runs sent, too: their posts and updates went out through the outbox.
    expect(unescapedInEverythingPosted(h, [...inputs, ...typedHere]).slice(0, 20)).toEqual([]);
    expect(listenerFailures(h)).toEqual([]);
  });
});
