/**
 * `/report` in the sandbox, in a real browser: the report arrives in the person's direct messages,
 * its charts are drawn in the page (decoded images, not broken ones), and a CSV downloads and reads
 * back. Leaves screenshots in test-artifacts/ (docs/report-sandbox.png is a copy of one).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE } from '../../src/sandbox/workspace.js';
import * as sandbox from './sandbox-page.js';

const skipReason = sandbox.browserUnavailableReason();

describe.skipIf(skipReason !== undefined)('/report in the sandbox', () => {
  let browser: sandbox.TestBrowser;
  let running: sandbox.TestSandbox;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    running = await sandbox.startTestSandbox();
    browser = await sandbox.launchBrowser();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await running?.stop();
  });

  it('sends the report to the DM, draws its charts and lets a CSV be downloaded', async () => {
    await sandbox.openWorkspace(page, running.url, 'henryFord1', 'cna');
    await sandbox.runCommand(page, '/issue new Evening clinical placements for the spring cohort');
    await sandbox.runCommand(page, '/report CNA this-month');
    await expect.poll(() => sandbox.lastMessage(page).innerText()).toContain('Preparing the report for CNA');

    await sandbox.openChannel(page, running.sandbox.fake.dmChannelId(PEOPLE.henryFord1.id));
    const summary = page.locator('#messages > .message', { has: page.locator('.header h3', { hasText: 'Report · CNA · ' }) }).last();
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.innerText()).toContain('Issues: 1 opened, 0 resolved, 0 still blocked at the end (1 not closed)');

    // Issues per week, meeting attendance, vote turnout, and goal progress when the team has a measure goal (the sandbox seeds some).
    const expected = (await summary.innerText()).includes('Goals:') ? 4 : 3;
    const charts = page.locator('#messages .file-image img');
    await expect.poll(() => charts.count(), { timeout: 15_000 }).toBe(expected);
    for (let i = 0; i < expected; i++) {
      const chart = charts.nth(i);
      await chart.scrollIntoViewIfNeeded();
      await expect.poll(() => chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(600);
      expect((await chart.getAttribute('alt'))?.length ?? 0).toBeGreaterThan(40);
    }
    await sandbox.screenshot(page, 'report-dm-charts');

    const csvLink = page.locator('#messages a.file', { hasText: 'issues-cna-' });
    const download = await Promise.all([page.waitForEvent('download'), csvLink.click()]).then(([d]) => d);
    expect(download.suggestedFilename()).toMatch(/^issues-cna-\d{4}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse<Record<string, string>>(await readFile(await download.path()), { bom: true, columns: true });
    expect(rows.map((r) => [r.Issue, r.Title, r['Status now'], r.Reporter])).toEqual([['CNA-1', 'Evening clinical placements for the spring cohort', 'open', PEOPLE.henryFord1.realName]]);
    await summary.scrollIntoViewIfNeeded();
    await sandbox.screenshot(page, 'report-dm-summary');
    expect(pageErrors).toEqual([]);
  });
});
