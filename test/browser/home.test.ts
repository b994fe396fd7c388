/**
 * The app's Home in the sandbox, in a real browser: the sidebar's Alliance entry with its Home and
 * Messages tabs, a vote cast from the Home with the ballot's own button, the coordinator's control
 * room, and the two things trying the sandbox showed: a confirmation view without a submit button
 * (the form's button used to stay visible) and /favicon.ico (it answered 404).
 * docs/home.png is a copy of test-artifacts/readme-home.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PEOPLE } from '../../src/sandbox/workspace.js';
import * as sandbox from './sandbox-page.js';

const skipReason = sandbox.browserUnavailableReason();

const daysAhead = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Opens the Alliance entry's Home tab and waits until the Home the app published is drawn. */
async function openHome(page: Page, containing: string): Promise<void> {
  await page.locator('#app-alliance').click();
  await page.locator('#tab-home[aria-selected="true"]').waitFor();
  await expect.poll(() => page.locator('#home').innerText(), { timeout: 15_000 }).toContain(containing);
}

describe.skipIf(skipReason !== undefined)('the Home tab in the sandbox', () => {
  let browser: sandbox.TestBrowser;
  let running: sandbox.TestSandbox;
  let page: Page;
  const pageErrors: string[] = [];
  const notFound: string[] = [];

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
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
  });

  afterEach(async (context) => {
    await sandbox.screenshot(page, `home-${context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('votes from the Home tab with the ballot’s own button', async () => {
    await sandbox.openWorkspace(page, running.url, 'trainer', 'cna');
    await sandbox.runCommand(page, '/vote new Which do we tackle first? | Clinical placements | Evening cohort');
    await running.sandbox.alliance.drainOutbox();
    await sandbox.actAs(page, 'henryFord1');
    await openHome(page, 'Which do we tackle first?');
    expect(await page.locator('#composer').isHidden()).toBe(true);
    const button = page.locator('#home button.bk-button', { hasText: 'Clinical placements' });
    expect(await button.getAttribute('aria-label')).toBe('Vote for Clinical placements on V-1');
    await button.click();
    await expect.poll(() => page.locator('#home').innerText(), { timeout: 15_000 }).toContain('Your ballot on V-1 is recorded');
    expect(await page.locator('#home').innerText()).toContain('No vote is waiting for your ballot');
    // The ballot counts in the channel too.
    await running.sandbox.alliance.drainOutbox();
    await page.locator('#tab-messages').click();
    await page.locator('#tab-messages[aria-selected="true"]').waitFor();
    expect(await page.locator('#composer').isVisible()).toBe(true);
    await sandbox.openChannel(page, 'cna');
    await expect.poll(() => page.locator('#messages').innerText()).toContain('Turnout: 1 of');
  });

  it('shows the coordinator the control room, and the form’s submit button goes once the form has answered', async () => {
    await sandbox.openWorkspace(page, running.url, 'coordinator', 'general');
    await openHome(page, 'Control room');
    expect(await page.locator('#home').innerText()).toContain('Send digests now');
    await page.locator('#home button.bk-button', { hasText: 'Log an issue' }).click();
    await page.locator('#modal-backdrop:not([hidden]) #modal').waitFor();
    await sandbox.submitModal(page, { Title: 'Recruit two more CNA instructors', Category: 'Training program', Team: 'CNA · Certified Nursing Assistant', 'Due date': daysAhead(14) });
    await expect.poll(() => page.locator('#modal-title').textContent()).toMatch(/^Logged CNA-\d+$/);
    // The confirmation has no submit button: the form's "Log issue" must not stay behind.
    expect(await page.locator('#modal-submit').isVisible()).toBe(false);
    await sandbox.closeModal(page);
    await expect.poll(() => page.locator('#home').innerText(), { timeout: 15_000 }).toMatch(/CNA · Certified Nursing Assistant\n1 open issue/);
  });

  it('has a favicon, so nothing on the page answers 404', async () => {
    await sandbox.openWorkspace(page, running.url, 'corewell', 'general');
    const icon = await page.request.get(`${running.url}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
    expect(notFound).toEqual([]);
  });
});

/** The README's Home screenshot: Hannah's Home with a ballot, her issues, a meeting and her team's goal. */
describe.skipIf(skipReason !== undefined)('the README Home screenshot', () => {
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

  it('shows a member’s Home: a ballot, their issues, a meeting and their team', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 1200 });
    await sandbox.openWorkspace(page, running.url, 'trainer', 'cna');
    await sandbox.runCommand(page, '/vote new Which do we tackle first? | Clinical placements | Evening cohort | Exam pass rates');
    await sandbox.runCommand(page, `/issue new Spring CNA cohort lacks clinical placements`);
    await sandbox.runCommand(page, `/issue assign CNA-1 @${PEOPLE.henryFord1.name}`);
    await sandbox.runCommand(page, `/issue due CNA-1 ${daysAhead(10)}`);
    await sandbox.runCommand(page, `/issue new Publish the evening cohort schedule`);
    await sandbox.runCommand(page, `/issue assign CNA-2 @${PEOPLE.henryFord1.name}`);
    // The sandbox seeds CNA's goals (placement slots, high-school students reached).
    await sandbox.openModal(page, '/meeting new');
    await sandbox.submitModal(page, { Title: 'Placement partners working session', Date: daysAhead(9), 'Start time': '10:00', Place: 'Henry Ford Hospital, Education Center room 2' });
    await sandbox.closeModal(page);
    await running.sandbox.alliance.drainOutbox();
    await sandbox.actAs(page, 'henryFord1');
    await openHome(page, 'Placement partners working session');
    await expect.poll(() => page.locator('#home').innerText()).toContain('Clinical placement slots');
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${sandbox.ARTIFACTS_DIR}/readme-home.png` });
    await page.close();
  });
});
