import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { BOT_TOKEN, linkSeedChannels, startHarness, visibleText, type Harness } from '../rig/harness.js';
import { inputValues, type ViewInput } from '../rig/slack-request.js';

/*
 * What /issue keeps in step after the fact: the team-channel announcement and its thread, the
 * answer to a repeated form, the list's quick actions and the link to a logged message.
 */

let clock = new Date('2025-03-10T14:00:00Z');

const inCna = (userId: string) => ({ userId, channelId: CHANNELS.cna.id });
const member = PEOPLE.henryFord1.id;
const outsider = PEOPLE.trinity.id;

interface IssueRow {
  id: number;
  number: number;
  status: string;
  owner_id: string | null;
  title: string;
  announcement_channel_id: string | null;
  announcement_ts: string | null;
  source_permalink: string | null;
}

describe('/issue keeps its messages current', () => {
  let h: Harness;
  let cnaId: number;

  const row = async (key: string): Promise<IssueRow | undefined> => {
    const [teamKey, number] = key.split('-');
    return (await h.query<IssueRow>('select i.* from issues i join program_teams t on t.id = i.program_team_id where t.key = ? and i.number = ?', teamKey, Number(number)))[0];
  };
  const logByText = async (title: string, userId = member): Promise<string> => {
    const ack = await h.command('/issue', `new ${title}`, inCna(userId));
    const key = /Logged \*(CNA-\d+)\*/.exec(ack.text ?? '')?.[1];
    if (key === undefined) throw new Error(`not logged: ${ack.raw}`);
    return key;
  };
  const announcementOf = async (key: string) => {
    const ts = (await row(key))?.announcement_ts;
    return h.fake.messages(CHANNELS.cna.id).find((m) => m.ts === ts && !m.ephemeral);
  };
  const updatesOf = (ts: string | null | undefined) => h.fake.callsTo('chat.update').filter((c) => c.ok && c.args.ts === ts);
  const threadOf = (ts: string | null | undefined) => h.fake.messages(CHANNELS.cna.id).filter((m) => ts !== undefined && m.threadTs === ts);
  const opens = async (action: () => Promise<unknown>): Promise<ViewInput> => {
    const before = h.fake.callsTo('views.open').length;
    await action();
    await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    return [...h.fake.views.values()].at(-1) as ViewInput;
  };
  const form = (title: string, extra: { owner?: string; due?: string; category?: string; details?: string } = {}, withTeam = true) =>
    inputValues({
      issue_title: { issue_title: title },
      issue_details: { issue_details: extra.details ?? '' },
      issue_category: { issue_category: { type: 'static_select', selected_option: extra.category ?? 'other' } },
      ...(withTeam ? { issue_team: { issue_team: { type: 'static_select', selected_option: String(cnaId) } } } : {}),
      issue_owner: { issue_owner: { type: 'users_select', selected_user: extra.owner ?? null } },
      issue_due: { issue_due: { type: 'datepicker', selected_date: extra.due ?? null } },
    });
  const submitted = (response: { body: string }) => JSON.stringify(JSON.parse(response.body === '' ? '{}' : response.body));
  const tick = () => {
    clock = new Date(clock.getTime() + 1000);
  };

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    await h.command('/team', 'join CNA', inCna(member));
    cnaId = (await h.query<{ id: number }>("select id from program_teams where key = 'CNA'"))[0]?.id ?? 0;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('stores where the announcement went and updates it once for each change by command, with status changes in its thread', async () => {
    const key = await logByText('Clinical sites cap CNA students at four');
    await h.flush();
    const stored = await row(key);
    expect(stored).toMatchObject({ announcement_channel_id: CHANNELS.cna.id, announcement_ts: expect.any(String) });
    const ts = stored?.announcement_ts;
    expect(JSON.stringify((await announcementOf(key))?.blocks)).toContain('0 comments');

    const steps: Array<{ command: string; shows: string }> = [
      { command: `status ${key} in-progress asked Beaumont for more seats`, shows: 'In progress' },
      { command: `assign ${key} <@${PEOPLE.trainer.id}>`, shows: `<@${PEOPLE.trainer.id}>` },
      { command: `due ${key} 2025-04-15`, shows: '2025-04-15' },
      { command: `comment ${key} Beaumont says maybe in May`, shows: '1 comment' },
      { command: `status ${key} resolved <!channel> six seats from May`, shows: 'Resolved' },
    ];
    for (const [i, step] of steps.entries()) {
      // Every step inside the same second too: updated_at still moves, so no update is lost to the dedupe key.
      const ack = await h.command('/issue', step.command, inCna(member));
      expect(ack.text, step.command).not.toContain('Usage');
      await h.flush();
      expect(updatesOf(ts), step.command).toHaveLength(i + 1);
      expect(JSON.stringify((await announcementOf(key))?.blocks), step.command).toContain(step.shows);
    }
    // Repeating a change that changes nothing updates nothing.
    await h.command('/issue', `status ${key} resolved`, inCna(member));
    await h.flush();
    expect(updatesOf(ts)).toHaveLength(steps.length);

    const replies = threadOf(ts).map((m) => m.text ?? '');
    expect(replies).toEqual([
      expect.stringContaining(`<@${member}> moved *${key}* to *In progress*: asked Beaumont for more seats`),
      expect.stringContaining(`<@${member}> moved *${key}* to *Resolved*: &lt;!channel&gt; six seats from May`),
    ]);
    expect(replies.join('\n')).not.toContain('<!channel>');
    // The announcement keeps its own header and lost its buttons once resolved.
    const final = JSON.stringify((await announcementOf(key))?.blocks);
    expect(final).toContain('logged a new *CNA* issue');
    expect(final).not.toContain('issue_resolve');
  });

  it('updates the announcement when the edit form or a button changes the issue', async () => {
    const key = await logByText('Edit me later');
    await h.flush();
    const ts = (await row(key))?.announcement_ts;
    const view = await opens(() => h.command('/issue', `edit ${key}`, inCna(member)));
    const saved = await h.slack.viewSubmission({ view, userId: member, values: form('Edited title for the announcement', { category: 'curriculum' }, false) });
    expect(submitted(saved)).toContain(`Saved *${key}*`);
    await h.flush();
    expect(updatesOf(ts)).toHaveLength(1);
    expect(JSON.stringify((await announcementOf(key))?.blocks)).toContain('Edited title for the announcement');

    const responses = h.fake.responses.length;
    await h.slack.blockAction({ actionId: 'issue_start', blockId: 'issue_actions', value: String((await row(key))?.id), userId: member, channelId: CHANNELS.cna.id, messageTs: ts ?? '' });
    await h.fake.waitFor(() => h.fake.responses[responses]);
    await h.flush();
    expect((await row(key))?.status).toBe('in_progress');
    expect(updatesOf(ts)).toHaveLength(2);
    // Whichever redraw lands last, the announcement shows the issue as it now is.
    expect(JSON.stringify((await announcementOf(key))?.blocks)).toContain('In progress');
    expect(threadOf(ts).map((m) => m.text)).toEqual([expect.stringContaining(`moved *${key}* to *In progress*`)]);
  });

  const changeWhileUnposted = async (key: string) => {
    await h.command('/issue', `status ${key} blocked waiting for the dean`, inCna(member));
    await h.command('/issue', `assign ${key} <@${member}>`, inCna(member));
    // Delivered, then whatever the delivery's follow-up queued.
    await h.flush(new Date(clock.getTime() + 60_000));
    await h.flush(new Date(clock.getTime() + 60_000));
    const ts = (await row(key))?.announcement_ts;
    expect(ts).toEqual(expect.any(String));
    const shown = JSON.stringify((await announcementOf(key))?.blocks);
    expect(shown).toContain('Blocked');
    expect(shown).toContain(`*Owner*\\n<@${member}>`);
    expect(threadOf(ts).map((m) => m.text)).toEqual([expect.stringContaining(`moved *${key}* to *Blocked*: waiting for the dean`)]);
  };

  it('changes made while the announcement waits in the outbox rewrite it, and their status replies follow it into its thread', async () => {
    // The first delivery fails, so the post waits for a retry while the issue changes.
    h.fake.failNext('chat.postMessage', { error: 'internal_error' });
    const key = await logByText('Changed before it was announced');
    // That failed delivery happens now, before the changes, whether the command's own kick made it or
    // (the channel's posts paced by an earlier 429, as on a busy machine) this flush does; its retry
    // then falls due within the minute the changes below let pass.
    await h.flush();
    expect(h.fake.pendingFaults('chat.postMessage')).toBe(0);
    expect((await row(key))?.announcement_ts).toBeNull();
    await changeWhileUnposted(key);
  });

  it('changes made while the announcement is being sent are caught up by its follow-up', async () => {
    // Slack takes its time with the post, so it is in flight (claimed, not rewritable) while the issue changes.
    h.fake.failNext('chat.postMessage', { delayMs: 300 });
    const key = await logByText('Changed while it was being announced');
    await changeWhileUnposted(key);
  });

  it('never lets a retried older update overwrite a newer one', async () => {
    const key = await logByText('Order of updates');
    await h.flush();
    const ts = (await row(key))?.announcement_ts;
    h.fake.failNext('chat.update', { error: 'internal_error' });
    await h.command('/issue', `status ${key} in-progress`, inCna(member));
    await h.flush();
    expect(updatesOf(ts)).toHaveLength(0);
    await h.command('/issue', `status ${key} blocked`, inCna(member));
    // Long after the first one's retry time: only the newest state is sent.
    await h.flush(new Date(clock.getTime() + 60 * 60 * 1000));
    expect(updatesOf(ts)).toHaveLength(1);
    expect(JSON.stringify((await announcementOf(key))?.blocks)).toContain('Blocked');
    // One refresh row per card: the failed update was retried once, rendering the newest state.
    expect(await h.query<{ status: string; attempts: number }>("select status, attempts from outbox where dedupe_key = ? and method = 'chat.update'", `refresh:issue-card:${(await row(key))?.id}`)).toEqual([
      { status: 'sent', attempts: 2 },
    ]);
  });

  it('answers a repeated form with exactly the issue the first arrival logged, even after another issue with the same title', async () => {
    const first = await opens(() => h.command('/issue', 'new', inCna(member)));
    const second = await opens(() => h.command('/issue', 'new', inCna(member)));
    const a = await h.slack.viewSubmission({ view: first, userId: member, values: form('Same title twice'), hash: 'first-hash' });
    const keyA = /Logged \*(CNA-\d+)\*/.exec(submitted(a))?.[1];
    const b = await h.slack.viewSubmission({ view: second, userId: member, values: form('Same title twice'), hash: 'second-hash' });
    const keyB = /Logged \*(CNA-\d+)\*/.exec(submitted(b))?.[1];
    expect(keyA).toBeDefined();
    expect(keyB).toBeDefined();
    expect(keyB).not.toBe(keyA);
    const before = await h.count('issues');
    const again = await h.slack.viewSubmission({ view: first, userId: member, values: form('Same title twice'), hash: 'first-hash' });
    expect(submitted(again)).toContain('already submitted');
    expect(submitted(again)).toContain(`it is *${keyA}*`);
    expect(await h.count('issues')).toBe(before);
    expect(await h.query<{ result: string }>("select result from processed_requests where key like 'view:%:first-hash'")).toEqual([{ result: String((await row(keyA ?? ''))?.id) }]);
  });

  it('gives every line of /issue list a menu whose Start, Resolve, Assign to me, Reopen and Show work from the list', async () => {
    const key = await logByText('Quick actions from the list');
    tick();
    const list = await h.command('/issue', 'list', inCna(member));
    const blocks = (list.blocks ?? []) as Array<{ type: string; text?: { text: string }; accessory?: { type: string; action_id: string; options: Array<{ value: string; text: { text: string } }> } }>;
    expect(blocks.length).toBeLessThanOrEqual(50);
    const line = blocks.find((b) => b.text?.text.includes(`*${key}*`));
    expect(line?.accessory?.type).toBe('overflow');
    expect(line?.accessory?.options.map((o) => o.text.text)).toEqual(['Start', 'Resolve', 'Assign to me', 'Show']);
    const id = (await row(key))?.id;
    const pick = async (value: string, userId = member) => {
      const responses = h.fake.responses.length;
      const res = await h.slack.blockAction({ actionId: 'issue_list_menu', blockId: 'list-line', type: 'overflow', action: { selected_option: { text: { type: 'plain_text', text: value }, value } }, userId, channelId: CHANNELS.cna.id, isEphemeral: true });
      expect(res.status).toBe(200);
      return (await h.fake.waitFor(() => h.fake.responses[responses])).body;
    };

    const started = await pick(`start:${id}`);
    expect(started).toMatchObject({ replace_original: false, response_type: 'ephemeral' });
    expect(visibleText(started as { text?: string; blocks?: unknown[] })).toContain(`<@${member}> started *${key}*`);
    expect((await row(key))?.status).toBe('in_progress');

    const refused = await pick(`resolve:${id}`, outsider);
    expect(refused).toMatchObject({ replace_original: false, text: expect.stringContaining('Only CNA team members') });
    expect((await row(key))?.status).toBe('in_progress');

    expect(visibleText((await pick(`assign_me:${id}`)) as { text?: string })).toContain(`took *${key}*`);
    expect((await row(key))?.owner_id).toBe(member);
    await pick(`resolve:${id}`);
    expect((await row(key))?.status).toBe('resolved');

    const closedList = await h.command('/issue', 'list closed', inCna(member));
    const closedLine = (closedList.blocks as typeof blocks).find((b) => b.text?.text.includes(`*${key}*`));
    expect(closedLine?.accessory?.options.map((o) => o.text.text)).toEqual(['Reopen', 'Show']);
    await pick(`reopen:${id}`);
    expect((await row(key))?.status).toBe('open');

    const shown = JSON.stringify(await pick(`show:${id}`));
    expect(shown).toContain('History');
    expect(shown).toContain('from Resolved to *Open*');

    const stale = await pick('explode:1');
    expect(stale).toMatchObject({ text: expect.stringContaining('out of date') });
    // First the announcement, then (queued by its follow-up) the catch-up update and thread replies.
    await h.flush();
    await h.flush();
    // The menu's changes reach the announcement and its thread like any other change.
    expect(threadOf((await row(key))?.announcement_ts).map((m) => m.text)).toHaveLength(3);
  });

  it('answers the Log as issue form without waiting for a slow permalink, and links the message once Slack answers', async () => {
    const poster = new WebClient(BOT_TOKEN, { slackApiUrl: h.fake.url });
    const posted = await poster.chat.postMessage({ channel: CHANNELS.cna.id, text: 'Our autoclave broke again' });
    const ts = String(posted.ts);
    const view = await opens(() => h.slack.messageShortcut({ callbackId: 'log_as_issue', userId: member, channelId: CHANNELS.cna.id, message: { ts, text: 'Our autoclave broke again', user: member } }));
    // Slower than the 1.5 s the old code allowed before the ack.
    h.fake.failNext('chat.getPermalink', { delayMs: 2000 });
    const done = await h.slack.viewSubmission({ view, userId: member, values: form('Our autoclave broke again') });
    const key = /Logged \*(CNA-\d+)\*/.exec(submitted(done))?.[1] ?? 'none';
    expect(await row(key)).toMatchObject({ title: 'Our autoclave broke again' });
    await h.flush();
    expect(h.fake.messages(CHANNELS.cna.id).find((m) => m.threadTs === ts)?.text).toContain(`Logged as *${key}*`);
    const permalink = await h.fake.waitFor(async () => (await row(key))?.source_permalink, 8000);
    expect(permalink).toContain(`/archives/${CHANNELS.cna.id}/p`);
    await h.flush();
    expect(JSON.stringify((await announcementOf(key))?.blocks)).toContain(`<${permalink}|a message>`);
  }, 15_000);
});
