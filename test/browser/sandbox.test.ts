import { WebClient } from '@slack/web-api';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_BOT_TOKEN } from '../../src/sandbox/server.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import * as sandbox from './sandbox-page.js';
import { everyBlockMessage, MARK_DONE, syntheticListeners, type Recorded } from './synthetic.js';

const skipReason = sandbox.browserUnavailableReason();
if (skipReason !== undefined) process.stderr.write(`\n${skipReason}\n\n`);

describe.skipIf(skipReason !== undefined)('the sandbox in a browser', () => {
  let browser: sandbox.TestBrowser;
  let running: sandbox.TestSandbox;
  let page: Page;
  let bot: WebClient;
  const recorded: Recorded = { actions: [], submissions: [] };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    running = await sandbox.startTestSandbox({ extraListeners: syntheticListeners(recorded) });
    bot = new WebClient(SANDBOX_BOT_TOKEN, { slackApiUrl: running.sandbox.fake.url });
    browser = await sandbox.launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async (context) => {
    await sandbox.screenshot(page, context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('loads with the sandbox banner, the seeded channels and the direct messages', async () => {
    await sandbox.openWorkspace(page, running.url);
    await expect.poll(() => page.locator('#banner').textContent()).toContain('Sandbox — not connected to Slack');
    const channels = await page.locator('#channel-list button').allTextContents();
    expect(channels).toEqual(['# general', '# coordinators', '# cna-team', '# ma-team', '# spt-team']);
    expect(await page.locator('#dm-list button').allTextContents()).toEqual(['● Alliance']);
    // Only a coordinator sees the digest control.
    expect(await page.locator('#coordinator-tools').isVisible()).toBe(true);
  });

  it('switches people: name, time zone and coordinator tools follow the person', async () => {
    await sandbox.openWorkspace(page, running.url, 'coordinator');
    await sandbox.actAs(page, 'trinity');
    expect(await page.locator('#me-meta').textContent()).toBe('@diego · America/Chicago');
    expect(await page.locator('#coordinator-tools').isVisible()).toBe(false);
    await sandbox.actAs(page, 'partner');
    expect(await page.locator('#me-meta').textContent()).toContain('partner workspace');
  });

  it('renders /team list as an ephemeral answer only its sender sees', async () => {
    await sandbox.openWorkspace(page, running.url, 'henryFord1', 'cna');
    await sandbox.runCommand(page, '/team list');
    const answer = sandbox.lastMessage(page);
    await expect.poll(() => answer.locator('.header h3').textContent()).toBe('Program teams (3)');
    expect(await answer.locator('.ephemeral-note').textContent()).toContain('Only visible to you');
    const text = await answer.locator('.blocks').innerText();
    expect(text).toContain('CNA · Certified Nursing Assistant');
    expect(text).toMatch(/#cna-team · 4 members/);
    await sandbox.actAs(page, 'corewell');
    await expect.poll(() => page.locator('#messages .header').count()).toBe(0);
  });

  it('joins a team with /team join and turns @name into a mention the bot understands', async () => {
    await sandbox.openWorkspace(page, running.url, 'analyst', 'spt');
    await sandbox.runCommand(page, '/team join SPT');
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain('Welcome to SPT · Sterile Processing Technician');
    await sandbox.actAs(page, 'coordinator');
    await sandbox.runCommand(page, '/team org @sam');
    await expect.poll(() => sandbox.lastMessage(page).locator('.mrkdwn').innerText()).toBe('@sam represents LEO-WD.');
  });

  it('posts plain messages, replies in threads and sends the Log as issue shortcut', async () => {
    await sandbox.openWorkspace(page, running.url, 'corewell', 'cna');
    await sandbox.send(page, 'Clinical placements are short in #cna-team, @hannah <b>really</b>');
    // Pinned by its ts: later messages (the issue announcement) become the last one.
    const mine = page.locator(`#messages > .message[data-ts="${(await sandbox.lastMessage(page).getAttribute('data-ts')) ?? ''}"]`);
    expect(await mine.locator('.author').textContent()).toBe('Priya Shah (Corewell Health)');
    expect(await mine.locator('.mrkdwn').innerText()).toBe('Clinical placements are short in #cna-team, @hannah <b>really</b>');
    const stored = running.sandbox.fake.messages(CHANNELS.cna.id).at(-1);
    expect(stored?.text).toBe(`Clinical placements are short in <#${CHANNELS.cna.id}|cna-team>, <@${PEOPLE.henryFord1.id}|hannah> &lt;b&gt;really&lt;/b&gt;`);

    await mine.hover();
    await mine.locator('.reply-in-thread').click();
    await sandbox.send(page, 'Agreed');
    await expect.poll(() => mine.locator('.thread .message .mrkdwn').innerText()).toBe('Agreed');

    await sandbox.messageShortcut(page, mine, 'Log as issue');
    // The real /issue form opens, filled from the message: its text as title and details, this channel's team.
    await page.locator('#modal-backdrop:not([hidden]) #modal').waitFor();
    expect(await page.locator('#modal-title').textContent()).toBe('Log an issue');
    // Mentions and channels read as a person sees them, not as Slack's <#C…|name> markup.
    expect(await sandbox.modalField(page, 'Title').locator('input').inputValue()).toBe('Clinical placements are short in #cna-team, @hannah <b>really</b>');
    expect(await sandbox.modalField(page, 'Details').locator('textarea').inputValue()).toContain('<b>really</b>');
    expect(await sandbox.modalField(page, 'Team').locator('select option:checked').textContent()).toBe('CNA · Certified Nursing Assistant');
    await sandbox.submitModal(page, { Title: 'Clinical placements are short', Category: 'Work-based learning (internships, co-ops, apprenticeships)' });
    await expect.poll(() => page.locator('#modal-title').textContent()).toMatch(/^Logged CNA-\d+$/);
    const key = /CNA-\d+/.exec((await page.locator('#modal-title').textContent()) ?? '')?.[0] ?? '';
    expect(await page.locator('#modal-body').innerText()).toContain(`Logged ${key} · Clinical placements are short.`);
    await sandbox.closeModal(page);
    // The outbox replies in the message's thread naming the key, and announces the issue in #cna-team.
    await running.sandbox.alliance.drainOutbox();
    await expect.poll(() => mine.locator('.thread').innerText()).toContain(`Logged as ${key}: Clinical placements are short.`);
    const announced = page.locator('#messages > .message', { hasText: `${key} · Clinical placements are short` });
    expect(await announced.innerText()).toContain('logged a new CNA issue');
  });

  it('draws every block and element, sends block actions and asks before a confirmed button', async () => {
    const synthetic = everyBlockMessage(CHANNELS.general.id);
    await bot.chat.postMessage({ channel: CHANNELS.general.id, text: synthetic.text, blocks: synthetic.blocks as never });
    await sandbox.openWorkspace(page, running.url, 'coordinator', 'general');
    const message = sandbox.lastMessage(page);
    await message.locator('.header').waitFor();

    const mrkdwn = message.locator('[data-block-id="mrkdwn"] .mrkdwn');
    expect(await mrkdwn.locator('strong').first().textContent()).toBe('bold');
    expect(await mrkdwn.locator('em').first().textContent()).toBe('italic');
    expect(await mrkdwn.locator('s').first().textContent()).toBe('struck');
    expect(await mrkdwn.locator('code').first().textContent()).toBe('code');
    expect(await mrkdwn.locator('a').first().getAttribute('href')).toBe('https://example.org');
    expect(await mrkdwn.locator('.mention').allTextContents()).toEqual(['@hannah', '#general']);
    expect(await mrkdwn.locator('blockquote').textContent()).toBe('quoted line');
    expect(await mrkdwn.locator('pre').textContent()).toBe('const x = 1 < 2;');
    expect(await mrkdwn.innerText()).toContain('• first item\n• second item');
    // Escaped and raw markup both stay text: no element is created from message text.
    expect(await mrkdwn.innerText()).toContain('Not markup: <b>bold?</b>');
    expect(await page.locator('#messages script, #messages b').count()).toBe(0);
    expect(await mrkdwn.locator('time').textContent()).toBe('Nov 14, 2023 at 5:13 PM');

    expect(await message.locator('[data-block-id="fields"] .field').allInnerTexts()).toEqual(['Team\nCNA', 'Owner\n@priya']);
    expect(await message.locator('.context').innerText()).toContain('Context with mrkdwn');
    expect(await message.locator('.block.image .image-title').textContent()).toBe('An image');
    expect(await message.locator('.rich-text strong').textContent()).toBe('rich ');
    expect(await message.locator('.unsupported').allTextContents()).toEqual(['[unsupported block: video]']);

    await message.locator('[data-action-id="sandbox_test_static"]').selectOption('MA');
    await expect.poll(() => recorded.actions.find((a) => a.action_id === 'sandbox_test_static')).toMatchObject({ selected_option: { value: 'MA' } });
    await message.locator('[data-action-id="sandbox_test_user"]').selectOption(PEOPLE.trainer.id);
    await expect.poll(() => recorded.actions.find((a) => a.action_id === 'sandbox_test_user')).toMatchObject({ selected_user: PEOPLE.trainer.id });
    await message.locator('[data-action-id="sandbox_test_date"]').fill('2025-04-02');
    await expect.poll(() => recorded.actions.find((a) => a.action_id === 'sandbox_test_date')).toMatchObject({ selected_date: '2025-04-02' });
    await message.locator('.bk-choice', { hasText: 'Radio two' }).locator('input').check();
    await expect.poll(() => recorded.actions.find((a) => a.action_id === 'sandbox_test_radio')).toMatchObject({ selected_option: { value: 'r2' } });
    await message.locator('[data-action-id="sandbox_test_overflow"]').click();
    await message.locator('.overflow-item', { hasText: 'Close issue' }).click();
    await expect.poll(() => recorded.actions.find((a) => a.action_id === 'sandbox_test_overflow')).toMatchObject({ selected_option: { value: 'close' } });

    await message.locator('button.bk-button', { hasText: 'Delete' }).click();
    expect(await page.locator('#confirm-title').textContent()).toBe('Sure?');
    await page.locator('#confirm-deny').click();
    expect(recorded.actions.some((a) => a.action_id === 'sandbox_test_danger')).toBe(false);
    await message.locator('button.bk-button', { hasText: 'Delete' }).click();
    await page.locator('#confirm-ok').click();
    await expect.poll(() => recorded.actions.find((a) => a.action_id === 'sandbox_test_danger')).toMatchObject({ value: 'delete-42', user: PEOPLE.coordinator.id });
  });

  it('shows date tokens in each viewer’s own time zone', async () => {
    await sandbox.openWorkspace(page, running.url, 'trinity', 'general');
    const time = sandbox.lastMessage(page).locator('[data-block-id="mrkdwn"] time');
    expect(await time.textContent()).toBe('Nov 14, 2023 at 4:13 PM');
    expect(await time.getAttribute('data-tz')).toBe('America/Chicago');
  });

  it('opens a modal with every input type, shows field errors beside the field, then submits every value', async () => {
    await sandbox.openWorkspace(page, running.url, 'trainer', 'general');
    await sandbox.clickButton(page, 'Open the form', sandbox.lastMessage(page));
    const modal = page.locator('#modal-backdrop:not([hidden]) #modal');
    await modal.waitFor();
    expect(await page.locator('#modal-title').textContent()).toBe('Every input');
    expect(await page.locator('#modal-submit').textContent()).toBe('Save');

    await sandbox.submitModal(page, { Title: 'no' });
    await expect.poll(() => sandbox.fieldError(page, 'title').textContent()).toBe('Give the title at least 3 characters.');
    expect(await modal.isVisible()).toBe(true);
    await sandbox.screenshot(page, 'modal-field-error');

    await sandbox.submitModal(page, {
      Title: 'Placements',
      Details: 'Line one\nLine two',
      'Due date': '2025-05-06',
      Time: '14:45',
      Team: 'MA · Medical',
      Tags: ['Funding', 'Data'],
      Owner: PEOPLE.corewell.realName,
      Watchers: [PEOPLE.henryFord1.realName, PEOPLE.analyst.realName],
      Flags: ['Urgent', 'Public'],
      Method: 'Ranked',
      Link: 'https://example.org/plan',
      Count: '7',
    });
    await expect.poll(() => page.locator('#modal-title').textContent()).toBe('Saved');
    expect(await page.locator('#modal-body').innerText()).toBe('Saved Placements.');
    const last = recorded.submissions.at(-1);
    expect(last).toMatchObject({ privateMetadata: 'meta-1', user: PEOPLE.trainer.id });
    expect(last?.values).toEqual({
      title: { title: { type: 'plain_text_input', value: 'Placements' } },
      details: { details: { type: 'plain_text_input', value: 'Line one\nLine two' } },
      due: { due: { type: 'datepicker', selected_date: '2025-05-06' } },
      at: { at: { type: 'timepicker', selected_time: '14:45' } },
      team: { team: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'MA · Medical' }, value: 'MA' } } },
      tags: {
        tags: {
          type: 'multi_static_select',
          selected_options: [
            { text: { type: 'plain_text', text: 'Funding' }, value: 'funding' },
            { text: { type: 'plain_text', text: 'Data' }, value: 'data' },
          ],
        },
      },
      owner: { owner: { type: 'users_select', selected_user: PEOPLE.corewell.id } },
      watchers: { watchers: { type: 'multi_users_select', selected_users: [PEOPLE.henryFord1.id, PEOPLE.analyst.id] } },
      flags: {
        flags: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'Urgent' }, value: 'urgent' },
            { text: { type: 'plain_text', text: 'Public' }, value: 'public' },
          ],
        },
      },
      method: { method: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Ranked' }, value: 'ranked' } } },
      link: { link: { type: 'url_text_input', value: 'https://example.org/plan' } },
      count: { count: { type: 'number_input', value: '7' } },
    });
    await sandbox.closeModal(page);
    expect(await page.locator('#modal-backdrop').isHidden()).toBe(true);
  });

  it('shows a message the app replaced through its response_url as edited', async () => {
    await bot.chat.postMessage({
      channel: CHANNELS.spt.id,
      text: 'Checklist',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'Sterilizer log reviewed?' } },
        { type: 'actions', elements: [{ type: 'button', action_id: MARK_DONE, text: { type: 'plain_text', text: 'Mark done' }, value: 'x' }] },
      ],
    });
    await sandbox.openWorkspace(page, running.url, 'trinity', 'spt');
    await sandbox.clickButton(page, 'Mark done', sandbox.lastMessage(page));
    const replaced = page.locator('#messages > .message', { hasText: 'Done by @diego' });
    await replaced.waitFor();
    expect(await replaced.locator('.edited').textContent()).toBe('(edited)');
    expect(await page.locator('#messages', { hasText: 'Sterilizer log reviewed?' }).count()).toBe(0);
  });

  it('serves files shared with a message as downloads', async () => {
    await bot.filesUploadV2({ channel_id: CHANNELS.ma.id, filename: 'meeting.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', initial_comment: 'Calendar file' });
    await sandbox.openWorkspace(page, running.url, 'henryFord2', 'ma');
    const link = sandbox.lastMessage(page).locator('a.file');
    expect(await link.locator('.file-name').textContent()).toBe('meeting.ics');
    const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(([d]) => d);
    expect(download.suggestedFilename()).toBe('meeting.ics');
  });

  it('lets a coordinator send digests now and tells them what ran', async () => {
    await sandbox.openWorkspace(page, running.url, 'coordinator', 'coordinators');
    await sandbox.clickControl(page, '#send-digests');
    // The control runs the production `/digest send all` as the coordinator and shows its answer.
    const said = sandbox.lastMessage(page);
    await expect.poll(() => said.innerText()).toContain('Sending now:');
    expect(await said.locator('.ephemeral-note').textContent()).toContain('Only visible to you');
    expect(await said.locator('.author').textContent()).toBe('Slackbot');
    expect(await said.locator('.app-badge').count()).toBe(0);
    expect(await said.locator('.mrkdwn').innerText()).toMatch(/• CNA → #cna-team\n• MA → #ma-team\n• SPT → #spt-team\n• the roll-up → @wendy/);
    // Each team channel gets its digest…
    await sandbox.openChannel(page, 'cna');
    await expect.poll(() => sandbox.lastMessage(page).locator('.header h3').textContent()).toMatch(/^CNA digest · /);
    // …and the coordinator's direct messages get the roll-up.
    await sandbox.openChannel(page, running.sandbox.fake.dmChannelId(PEOPLE.coordinator.id));
    await expect.poll(() => sandbox.lastMessage(page).locator('.header h3').textContent()).toMatch(/^Coordinators’ roll-up · /);
    expect(await sandbox.lastMessage(page).locator('.author').textContent()).toBe('Alliance');
  });
});
