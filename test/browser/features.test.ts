/**
 * The commands end to end in a real browser, as the issue asks: an issue through the form, votes
 * by button from people of different organisations (per person and per organisation), a meeting
 * with RSVPs and its calendar file, a private digest preview. Each test checks what the page shows
 * and leaves a screenshot in test-artifacts/. The outbox is drained from the test
 * (`alliance.drainOutbox()`) instead of waiting for its 10-second tick.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputIds } from '../../src/slack/ids.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import * as sandbox from './sandbox-page.js';

const skipReason = sandbox.browserUnavailableReason();

/** A date this many days ahead, as a datepicker takes it (YYYY-MM-DD). */
const daysAhead = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The newest top-level message whose header starts with `prefix` (a ballot, a meeting announcement). */
const messageWithHeader = (page: Page, prefix: string): Locator =>
  page.locator('#messages > .message', { has: page.locator('.header h3', { hasText: prefix }) }).last();

/** The option row of a ballot message, holding its Vote button. */
const ballotOption = (ballot: Locator, label: string): Locator => ballot.locator('.block.section[data-block-id^="vote_option_"]', { hasText: label });

/** `/issue new` through the form, as the person the page acts as; returns the new key. */
async function logIssue(page: Page, fields: Record<string, string>): Promise<string> {
  await sandbox.openModal(page, '/issue new');
  await sandbox.submitModal(page, fields);
  await expect.poll(() => page.locator('#modal-title').textContent()).toMatch(/^Logged [A-Z]+-\d+$/);
  const key = /[A-Z]+-\d+/.exec((await page.locator('#modal-title').textContent()) ?? '')?.[0] ?? '';
  await sandbox.closeModal(page);
  return key;
}

/** `/meeting new` through the form; returns the meeting key. */
async function scheduleMeeting(page: Page, fields: Record<string, string>): Promise<string> {
  await sandbox.openModal(page, '/meeting new');
  await sandbox.submitModal(page, fields);
  await expect.poll(() => page.locator('#modal-title').textContent()).toMatch(/^M-\d+ scheduled$/);
  const key = /M-\d+/.exec((await page.locator('#modal-title').textContent()) ?? '')?.[0] ?? '';
  await sandbox.closeModal(page);
  return key;
}

describe.skipIf(skipReason !== undefined)('the commands in a browser', () => {
  let browser: sandbox.TestBrowser;
  let running: sandbox.TestSandbox;
  let page: Page;
  const pageErrors: string[] = [];
  const deliver = (): Promise<void> => running.sandbox.alliance.drainOutbox();

  beforeAll(async () => {
    running = await sandbox.startTestSandbox();
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
    await sandbox.screenshot(page, `commands-${context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('logs an issue through the /issue new form and announces it in the team channel', async () => {
    await sandbox.openWorkspace(page, running.url, 'henryFord1', 'cna');
    const modal = await sandbox.openModal(page, '/issue new');
    expect(await page.locator('#modal-title').textContent()).toBe('Log an issue');
    // This channel's team is not preselected by /issue new without a title; nothing is logged while fields are missing.
    await sandbox.submitModal(page, { Category: 'Curriculum' });
    await expect.poll(() => sandbox.fieldError(page, InputIds.issueTitle).isVisible()).toBe(true);
    expect(await modal.isVisible()).toBe(true);
    await sandbox.screenshot(page, 'commands-issue-form-errors');

    const due = daysAhead(21);
    await sandbox.submitModal(page, {
      Title: 'Spring CNA cohort lacks clinical placements',
      Details: 'Two partner sites paused student rotations.\nNeed 12 more placements by April.',
      Category: 'Curriculum',
      Team: 'CNA · Certified Nursing Assistant',
      Owner: PEOPLE.corewell.realName,
      'Due date': due,
    });
    await expect.poll(() => page.locator('#modal-title').textContent()).toMatch(/^Logged CNA-\d+$/);
    const key = /CNA-\d+/.exec((await page.locator('#modal-title').textContent()) ?? '')?.[0] ?? '';
    expect(await page.locator('#modal-body').innerText()).toContain(`Logged ${key} · Spring CNA cohort lacks clinical placements.\nAnnounced in #cna-team.`);
    await sandbox.screenshot(page, 'commands-issue-logged');
    await sandbox.closeModal(page);

    await deliver();
    const card = page.locator('#messages > .message', { hasText: `${key} · Spring CNA cohort lacks clinical placements` });
    await card.waitFor();
    expect(await card.locator('.mrkdwn').first().innerText()).toBe('📝 @hannah logged a new CNA issue');
    expect(await card.locator('.field').allInnerTexts()).toEqual([
      'Status\n🟢 Open',
      'Owner\n@priya',
      `Due\n${due}`,
      'Category\nCurriculum',
      'Team\nCNA · Certified Nursing Assistant',
      'Reported by\n@hannah',
    ]);
    expect(await card.innerText()).toContain('Two partner sites paused student rotations.\nNeed 12 more placements by April.');

    // Its buttons work: Start changes the status for everyone, and /issue list shows it.
    await sandbox.clickButton(page, 'Start', card);
    await expect.poll(() => card.locator('.field').first().innerText()).toBe('Status\n🔄 In progress');
    await sandbox.runCommand(page, '/issue list');
    const list = sandbox.lastMessage(page);
    expect(await list.innerText()).toContain(`${key} Spring CNA cohort lacks clinical placements\n🔄 In progress · @priya · due ${due}`);
    expect(await list.locator('.ephemeral-note').isVisible()).toBe(true);
  });

  it('takes votes by button from people of two organisations and updates the turnout', async () => {
    await sandbox.openWorkspace(page, running.url, 'henryFord1', 'cna');
    await sandbox.runCommand(page, '/vote new Which first? | Placements | Curriculum');
    const started = sandbox.lastMessage(page);
    expect(await started.innerText()).toMatch(/Started V-\d+ for CNA: one option each, everyone in this channel may vote/);
    const key = /V-\d+/.exec(await started.innerText())?.[0] ?? '';
    await deliver();
    const ballot = messageWithHeader(page, `${key} · Which first?`);
    await ballot.waitFor();
    expect(await ballot.locator('.context').first().innerText()).toContain('One option each · Everyone in the channel, one ballot per person');
    await expect.poll(() => ballot.locator('.context').last().innerText()).toMatch(/^Turnout: 0 of \d+ eligible people have voted \(0%\)/);

    // Hannah (Henry Ford Health) votes Placements and alone sees her confirmation.
    await sandbox.clickButton(page, 'Vote', ballotOption(ballot, 'Placements'));
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`Your ballot on ${key} is recorded: Placements.`);
    expect(await sandbox.lastMessage(page).locator('.ephemeral-note').isVisible()).toBe(true);
    await deliver();
    await expect.poll(() => ballotOption(ballot, 'Placements').innerText()).toBe('1. Placements\n1 vote (100%) · @hannah\nVote');

    // Priya (Corewell Health) votes Curriculum; she does not see Hannah's confirmation.
    await sandbox.actAs(page, 'corewell');
    expect(await page.locator('#messages', { hasText: 'Your ballot on' }).count()).toBe(0);
    await sandbox.clickButton(page, 'Vote', ballotOption(ballot, 'Curriculum'));
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`Your ballot on ${key} is recorded: Curriculum.`);
    await deliver();
    await expect.poll(() => ballotOption(ballot, 'Curriculum').innerText()).toBe('2. Curriculum\n1 vote (50%) · @priya\nVote');
    expect(await ballotOption(ballot, 'Placements').innerText()).toBe('1. Placements\n1 vote (50%) · @hannah\nVote');
    expect(await ballot.locator('.context').last().innerText()).toMatch(/^Turnout: 2 of \d+ eligible people have voted/);

    // Voting again changes the ballot rather than adding one.
    await sandbox.clickButton(page, 'Vote', ballotOption(ballot, 'Placements'));
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`Your ballot on ${key} is changed to Placements.`);
    await deliver();
    await expect.poll(() => ballotOption(ballot, 'Placements').innerText()).toMatch(/^1\. Placements\n2 votes \(100%\) · (@hannah, @priya|@priya, @hannah)\nVote$/);
  });

  it('takes one ballot per organisation: a colleague’s ballot replaces the first and says so', async () => {
    await sandbox.openWorkspace(page, running.url, 'henryFord2', 'cna');
    // Marcus (Henry Ford Health, like Hannah) joins CNA so both are eligible.
    await sandbox.runCommand(page, '/team join CNA');
    await sandbox.actAs(page, 'henryFord1');
    await sandbox.openModal(page, '/vote new');
    expect(await page.locator('#modal-title').textContent()).toBe('New vote');
    await sandbox.submitModal(page, {
      Team: 'CNA · Certified Nursing Assistant',
      Question: 'Which employer pilot first?',
      Options: 'Evening cohort\nWeekend cohort',
      'Who may vote': 'One ballot per organisation',
    });
    await expect.poll(() => page.locator('#modal-title').textContent()).toBe('Vote started');
    const key = /V-\d+/.exec(await page.locator('#modal-body').innerText())?.[0] ?? '';
    expect(await page.locator('#modal-body').innerText()).toContain(`${key} is open; its ballot is posted in #cna-team.`);
    await sandbox.closeModal(page);
    await deliver();

    const ballot = messageWithHeader(page, `${key} · Which employer pilot first?`);
    await ballot.waitFor();
    expect(await ballot.locator('.context').first().innerText()).toContain('One ballot per organisation');
    await sandbox.clickButton(page, 'Vote', ballotOption(ballot, 'Evening cohort'));
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`Your ballot for Henry Ford Health on ${key} is recorded: Evening cohort.`);
    await deliver();
    await expect.poll(() => ballotOption(ballot, 'Evening cohort').innerText()).toBe('1. Evening cohort\n1 vote (100%) · Henry Ford Health\nVote');

    await sandbox.actAs(page, 'henryFord2');
    await sandbox.clickButton(page, 'Vote', ballotOption(ballot, 'Weekend cohort'));
    await expect
      .poll(() => sandbox.lastMessage(page).innerText())
      .toContain(`Your ballot for Henry Ford Health on ${key} is now Weekend cohort. It replaced the ballot a colleague had cast for your organisation (one ballot per organisation).`);
    await deliver();
    await expect.poll(() => ballotOption(ballot, 'Weekend cohort').innerText()).toBe('2. Weekend cohort\n1 vote (100%) · Henry Ford Health\nVote');
    expect(await ballotOption(ballot, 'Evening cohort').innerText()).toBe('1. Evening cohort\n0 votes (0%)\nVote');
    expect(await ballot.locator('.context').last().innerText()).toMatch(/^Turnout: 1 of \d+ organisations on the team have voted/);
  });

  it('schedules a meeting through the form, takes RSVPs and hands out the calendar file', async () => {
    await sandbox.openWorkspace(page, running.url, 'henryFord1', 'cna');
    await sandbox.openModal(page, '/meeting new');
    expect(await page.locator('#modal-title').textContent()).toBe('Schedule a meeting');
    expect(await sandbox.modalField(page, 'Start time').locator('.hint').textContent()).toBe('In your time zone: America/Detroit');
    // Choosing another team refreshes the form (views.update); what was typed stays, as in Slack.
    await sandbox.fillModal(page, { Title: 'Placement partners working session' });
    await sandbox.selectAndWait(page, 'Team', 'MA · Medical Assistant');
    await sandbox.selectAndWait(page, 'Team', 'CNA · Certified Nursing Assistant');
    expect(await sandbox.modalField(page, 'Title').locator('input').inputValue()).toBe('Placement partners working session');

    const date = daysAhead(14);
    await sandbox.submitModal(page, {
      Date: date,
      'Start time': '10:00',
      Duration: '1 h 30 min',
      Place: 'Henry Ford Hospital, Education Center room 2',
      'Video link': 'https://meet.example.org/cna-placements',
    });
    await expect.poll(() => page.locator('#modal-title').textContent()).toMatch(/^M-\d+ scheduled$/);
    const key = /M-\d+/.exec((await page.locator('#modal-title').textContent()) ?? '')?.[0] ?? '';
    expect(await page.locator('#modal-body').innerText()).toContain(`${key} · Placement partners working session is scheduled for`);
    await sandbox.closeModal(page);
    await deliver();

    const announcement = messageWithHeader(page, `${key} · Placement partners working session`);
    await announcement.waitFor();
    const when = announcement.locator('.section').first();
    expect(await when.innerText()).toMatch(/^When: .+ at 10:00 AM to 11:30 AM \(1 h 30 min\)\nWhere: Henry Ford Hospital, Education Center room 2 · Join the call\nTeam: CNA · scheduled by @hannah$/);
    expect(await when.locator('a', { hasText: 'Join the call' }).getAttribute('href')).toBe('https://meet.example.org/cna-placements');

    await sandbox.clickButton(page, 'Going', announcement);
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`Got it: Going for ${key}.`);
    await sandbox.actAs(page, 'corewell');
    await sandbox.clickButton(page, 'Maybe', announcement);
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`Got it: Maybe for ${key}.`);
    await deliver();
    await expect.poll(() => announcement.innerText()).toContain("✅ Going (1): @hannah\n❔ Maybe (1): @priya\n❌ Can't go (0)");
    expect(await announcement.locator('.edited').count()).toBe(1);

    // "Add to calendar": a private note here, the .ics in the direct messages, downloadable.
    await sandbox.clickButton(page, 'Add to calendar', announcement);
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain(`The calendar file for ${key} is in your direct messages with Alliance.`);
    await sandbox.openChannel(page, running.sandbox.fake.dmChannelId(PEOPLE.corewell.id));
    const file = sandbox.lastMessage(page).locator('a.file');
    await file.waitFor();
    expect(await file.locator('.file-name').textContent()).toBe(`${key} Placement partners working session`);
    const download = await Promise.all([page.waitForEvent('download'), file.click()]).then(([d]) => d);
    expect(download.suggestedFilename()).toMatch(/\.ics$/);
    const ics = await readFile(await download.path(), 'utf8');
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toContain(`SUMMARY:${key} Placement partners working session`);
    expect(ics).toContain('LOCATION:Henry Ford Hospital\\, Education Center room 2');
  });

  it('records a goal reading through the "Record a reading" form and sees the digest preview change', async () => {
    // Priya (Corewell, on CNA) records it; the digest-preview test below checks Hannah never sees a preview.
    await sandbox.openWorkspace(page, running.url, 'corewell', 'cna');
    // The seeded goal G-1 (22 → 40 slots) stands at 28 in the digest.
    await sandbox.runCommand(page, '/digest preview CNA');
    const before = sandbox.lastMessage(page);
    await expect.poll(() => before.locator('.header h3').first().textContent()).toMatch(/^CNA digest · /);
    const goalsBefore = await before.innerText();
    expect(goalsBefore).toContain('Goals (2 open)');
    expect(goalsBefore).toContain('G-1 Clinical placement slots · 28 of 40 slots (from 22)');
    // The goal's card has the button; the form checks the value beside the field first.
    await sandbox.runCommand(page, '/goal show G-1');
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain('Record a reading');
    await sandbox.clickButton(page, 'Record a reading', sandbox.lastMessage(page));
    await page.locator('#modal-backdrop:not([hidden]) #modal').waitFor();
    expect(await page.locator('#modal-title').textContent()).toBe('Reading for G-1');
    await sandbox.submitModal(page, { 'Value (slots)': 'lots' });
    await expect.poll(() => sandbox.fieldError(page, InputIds.goalValue).textContent()).toContain('"lots" is not a number');
    await sandbox.submitModal(page, { 'Value (slots)': '33', Note: 'Beaumont Taylor added five slots' });
    await expect.poll(() => page.locator('#modal-title').textContent()).toBe('Recorded for G-1');
    await sandbox.closeModal(page);
    await sandbox.runCommand(page, '/digest preview CNA');
    const after = sandbox.lastMessage(page);
    await expect.poll(() => after.innerText()).toContain('G-1 Clinical placement slots · 33 of 40 slots (from 22)');
    expect(await after.innerText()).toContain('+11 this week');
  });

  it('previews a digest only to the person asking', async () => {
    await sandbox.openWorkspace(page, running.url, 'coordinator', 'cna');
    await sandbox.runCommand(page, '/digest preview CNA');
    const preview = sandbox.lastMessage(page);
    await expect.poll(() => preview.locator('.header h3').first().textContent()).toMatch(/^CNA digest · /);
    expect(await preview.locator('.ephemeral-note').textContent()).toContain('Only visible to you');
    // The issue logged above is in it.
    expect(await preview.innerText()).toContain('Spring CNA cohort lacks clinical placements');
    // Nobody else sees it, and nothing was posted to the channel.
    expect(running.sandbox.fake.messages(CHANNELS.cna.id).filter((m) => !m.ephemeral && (m.text ?? '').includes('CNA digest'))).toEqual([]);
    await sandbox.actAs(page, 'henryFord1');
    await expect.poll(() => page.locator('#messages .header h3', { hasText: 'CNA digest' }).count()).toBe(0);
  });

  it('draws every command’s answers and forms without placeholders or raw emoji codes', async () => {
    const problems: string[] = [];
    const check = async (what: string, scope: Locator): Promise<void> => {
      await scope.first().waitFor();
      const text = await scope.innerText();
      if ((await scope.locator('.unsupported').count()) > 0) problems.push(`${what}: a placeholder: ${text.slice(0, 200)}`);
      // Shortcodes the page does not know stay as :name: text; times like 10:00 do not match.
      const raw = text.match(/:[a-z][a-z0-9_+-]*:/g);
      if (raw !== null) problems.push(`${what}: raw emoji ${raw.join(' ')}`);
      if (/<[@#!][A-Z]/.test(text)) problems.push(`${what}: raw Slack syntax: ${text.slice(0, 200)}`);
    };
    await sandbox.openWorkspace(page, running.url, 'coordinator', 'cna');
    // Its own issue, meeting and vote, so it runs alone too.
    const issue = await logIssue(page, { Title: 'Exam pass rates dropped', Category: 'Training program', Team: 'CNA · Certified Nursing Assistant', Owner: PEOPLE.trainer.realName, 'Due date': daysAhead(5) });
    const meeting = await scheduleMeeting(page, { Title: 'Exam prep review', Date: daysAhead(3), 'Start time': '15:30', Place: 'Wayne County CC, Downtown campus' });
    await sandbox.runCommand(page, '/vote new Exam prep first? | Tutoring | Practice tests');
    const vote = /V-\d+/.exec(await sandbox.lastMessage(page).innerText())?.[0] ?? '';
    await deliver();
    const answers = [
      '/team help', '/team list', '/team members CNA', '/team orgs', '/team coordinators', '/team audit',
      '/issue help', '/issue list', '/issue list all', `/issue show ${issue}`, `/issue status ${issue} blocked waiting on partner sites`, `/issue comment ${issue} Asked two more hospitals`,
      '/meeting help', '/meeting list', `/meeting show ${meeting}`, `/meeting ics ${meeting}`,
      '/vote help', '/vote list', `/vote results ${vote}`,
      '/digest help', '/digest schedule', '/digest preview CNA', '/digest preview rollup',
      '/goal help', '/goal list', '/goal list all', '/goal show G-1', '/goal update G-1 30 as of 2026-01-01', `/goal link G-1 ${issue}`, '/goal show G-5',
    ];
    for (const command of answers) {
      await sandbox.runCommand(page, command);
      await check(command, sandbox.lastMessage(page));
    }
    for (const command of ['/issue new', `/issue edit ${issue}`, '/meeting new', `/meeting edit ${meeting}`, '/vote new', '/goal new', '/goal edit G-1']) {
      await sandbox.openModal(page, command);
      await check(`${command} (form)`, page.locator('#modal'));
      await sandbox.closeModal(page);
    }
    // The ranked ballot's own form, and a several-options confirmation with Remove buttons.
    await sandbox.openModal(page, '/vote new');
    await sandbox.submitModal(page, { Question: 'Rank the pilots', Options: 'Evening\nWeekend\nOnline', 'How people vote': 'Ranked choice (instant runoff)', 'Who may vote': 'Everyone in the channel, one ballot per person' });
    await expect.poll(() => page.locator('#modal-title').textContent()).toBe('Vote started');
    await sandbox.closeModal(page);
    await sandbox.openModal(page, '/vote new');
    await sandbox.submitModal(page, { Question: 'Pick any', Options: 'Evening\nWeekend', 'How people vote': 'Several options each (approval)', 'Who may vote': 'Everyone in the channel, one ballot per person' });
    await expect.poll(() => page.locator('#modal-title').textContent()).toBe('Vote started');
    await sandbox.closeModal(page);
    await deliver();
    const ranked = messageWithHeader(page, 'Rank the pilots');
    await check('ranked ballot', ranked);
    await sandbox.clickButton(page, 'Rank the options', ranked);
    await page.locator('#modal-backdrop:not([hidden]) #modal').waitFor();
    await check('rank form', page.locator('#modal'));
    await sandbox.submitModal(page, { '1st choice': 'Weekend', '2nd choice': 'Evening' });
    await expect.poll(() => page.locator('#modal-backdrop').isHidden()).toBe(true);
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain('1. Weekend  2. Evening');
    const several = messageWithHeader(page, 'Pick any');
    await sandbox.clickButton(page, 'Choose', ballotOption(several, 'Evening'));
    await expect.poll(() => sandbox.lastMessage(page).locator('button.bk-button', { hasText: 'Remove Evening' }).count()).toBe(1);
    await check('several-options confirmation', sandbox.lastMessage(page));
    await deliver();
    await check('several-options ballot', several);
    for (const channel of ['cna', 'coordinators'] as const) {
      await sandbox.openChannel(page, channel);
      for (const message of await page.locator('#messages > .message').all()) await check(`a message in #${channel}`, message);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

/**
 * The README screenshot on a fresh sandbox: #cna-team with an issue announcement, a ballot with
 * votes and turnout, and a meeting announcement with RSVPs. docs/sandbox.png is a copy of
 * test-artifacts/readme-sandbox.png.
 */
describe.skipIf(skipReason !== undefined)('the README screenshot', () => {
  let browser: sandbox.TestBrowser;
  let running: sandbox.TestSandbox;

  beforeAll(async () => {
    running = await sandbox.startTestSandbox();
    browser = await sandbox.launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('shows #cna-team with an issue, a ballot with turnout and a meeting with RSVPs', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 1130 });
    await sandbox.openWorkspace(page, running.url, 'corewell', 'cna');
    const key = await logIssue(page, {
      Title: 'Spring CNA cohort lacks clinical placements',
      Details: 'Two partner sites paused student rotations; we need 12 more placements by April.',
      Category: 'Work-based learning (internships, co-ops, apprenticeships)',
      Team: 'CNA · Certified Nursing Assistant',
      Owner: PEOPLE.henryFord1.realName,
      'Due date': daysAhead(21),
    });
    await sandbox.actAs(page, 'henryFord1');
    await sandbox.runCommand(page, '/vote new Which do we tackle first? | Clinical placements | Evening cohort | Exam pass rates');
    const meeting = await scheduleMeeting(page, {
      Title: 'Placement partners working session',
      Date: daysAhead(9),
      'Start time': '10:00',
      Place: 'Henry Ford Hospital, Education Center room 2',
    });
    await running.sandbox.alliance.drainOutbox();
    const ballot = messageWithHeader(page, 'Which do we tackle first?');
    await ballot.waitFor();
    await sandbox.clickButton(page, 'Vote', ballotOption(ballot, 'Clinical placements'));
    const announcement = messageWithHeader(page, `${meeting} · Placement partners working session`);
    await sandbox.clickButton(page, 'Going', announcement);
    for (const [who, option, rsvp] of [
      ['corewell', 'Clinical placements', 'Going'],
      ['trinity', 'Evening cohort', 'Maybe'],
    ] as const) {
      await sandbox.actAs(page, who);
      await sandbox.clickButton(page, 'Vote', ballotOption(ballot, option));
      await sandbox.clickButton(page, rsvp, announcement);
    }
    await running.sandbox.alliance.drainOutbox();
    await expect.poll(() => ballot.locator('.context').last().innerText()).toMatch(/^Turnout: 3 of/);
    await expect.poll(() => announcement.innerText()).toContain('Going (2)');
    // Start with the issue: hide this person's private confirmations so the channel reads as everyone sees it.
    await sandbox.actAs(page, 'trainer');
    await page.locator('#messages > .message', { hasText: `${key} · Spring CNA cohort` }).waitFor();
    await page.locator('#messages').evaluate((box) => box.scrollTo(0, 0));
    // No hover menu on whichever message the pointer was last over.
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${sandbox.ARTIFACTS_DIR}/readme-sandbox.png` });
    await page.close();
  });
});
