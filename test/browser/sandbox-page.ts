/**
 * Helpers for browser tests of the sandbox: start it in-process on a random port with a temporary
 * database, drive Debian's Chromium through playwright-core, and act on the page the way a person
 * would. Feature tests read like: `await sandbox.actAs(page, 'hannah'); await sandbox.runCommand(page,
 * '/issue new Clinical placements'); await sandbox.submitModal(page, { 'Title': '…' })`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createLogger } from '../../src/logger.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');

/**
 * Why browser tests cannot run here, or undefined when they can. CI sets ALLIANCE_REQUIRE_BROWSER
 * (.ci/run), where a missing Chromium must fail the run rather than skip it.
 */
export function browserUnavailableReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  if (process.env.ALLIANCE_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM_PATH}, and ALLIANCE_REQUIRE_BROWSER=1 (CI) requires the browser tests to run.`);
  return `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped. Install it with "apt-get install -y chromium" (CI does, in .ci/run).`;
}

/**
 * Headless Chromium with a fresh profile directory (no first-run, sync or update traffic). A
 * persistent context is how playwright takes a user-data-dir; close it to end the browser.
 */
export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  /** Closes Chromium, then removes its profile directory. */
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'alliance-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context: browser,
    newPage: () => browser.newPage(),
    close: async () => {
      await browser.close();
      // Chromium's helpers may still be flushing the profile for a moment after close.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

export interface TestSandbox {
  sandbox: RunningSandbox;
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

/** The sandbox on a free port and a fresh database; schedules off so tests decide when jobs run. */
export async function startTestSandbox(options: { extraListeners?: (app: App) => void; sendDigests?: SandboxOptions['sendDigests'] } = {}): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-sandbox-'));
  const logs: string[] = [];
  const sandbox = await startSandbox({
    port: 0,
    databaseUrl: join(dir, 'sandbox.db'),
    schedules: false,
    logger: createLogger('debug', (line) => logs.push(line)),
    ...(options.extraListeners === undefined ? {} : { extraListeners: options.extraListeners }),
    ...(options.sendDigests === undefined ? {} : { sendDigests: options.sendDigests }),
  });
  return {
    sandbox,
    url: sandbox.url,
    logs,
    stop: async () => {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type PersonKey = keyof typeof PEOPLE;
type ChannelKey = keyof typeof CHANNELS;

const personId = (who: string): string => (who in PEOPLE ? PEOPLE[who as PersonKey].id : (Object.values(PEOPLE).find((p) => p.name === who)?.id ?? who));

/** Opens the workspace page as a person in a channel and waits until it has drawn its state. */
export async function openWorkspace(page: Page, url: string, as = 'coordinator', channel: ChannelKey = 'general'): Promise<void> {
  await page.goto(`${url}/?as=${personId(as)}&channel=${CHANNELS[channel].id}`);
  await page.locator('body[data-ready="true"]').waitFor();
}

export async function actAs(page: Page, who: string): Promise<void> {
  await page.locator('#person-switcher').selectOption(personId(who));
  await page.locator('#me-meta').filter({ hasText: `@${Object.values(PEOPLE).find((p) => p.id === personId(who))?.name ?? ''}` }).waitFor();
}

export async function openChannel(page: Page, channel: string): Promise<void> {
  const id = channel in CHANNELS ? CHANNELS[channel as ChannelKey].id : channel;
  await page.locator(`[data-channel-id="${id}"]`).click();
  await page.locator(`[data-channel-id="${id}"].active`).waitFor();
}

/** Messages in the open channel (top level and thread replies). */
export const messages = (page: Page): Locator => page.locator('#messages .message');
export const lastMessage = (page: Page): Locator => page.locator('#messages > .message').last();

/** Types into the message box and sends (a /command or a plain message); waits for the page to update. */
export async function send(page: Page, text: string): Promise<void> {
  await noModalOpen(page, `send "${text}"`);
  const before = await actionsDone(page);
  await page.locator('#composer-input').fill(text);
  await page.locator('#composer-send').click();
  await afterAction(page, before);
}

export const runCommand = send;

/**
 * Modals live on the sandbox's side (as in Slack, they belong to the person, not the tab), so one
 * a test left open covers the message box of every later page for that person; say so at once
 * instead of letting the click wait out the test's timeout.
 */
async function noModalOpen(page: Page, doing: string): Promise<void> {
  if ((await page.locator('#modal-backdrop:not([hidden])').count()) === 0) return;
  throw new Error(`Cannot ${doing}: the modal "${(await page.locator('#modal-title').textContent()) ?? ''}" is open. Submit or close it first (sandbox.closeModal).`);
}

/** Runs a command that opens a modal and waits for it. */
export async function openModal(page: Page, commandText: string): Promise<Locator> {
  await noModalOpen(page, `run "${commandText}"`);
  await page.locator('#composer-input').fill(commandText);
  await page.locator('#composer-send').click();
  const modal = page.locator('#modal-backdrop:not([hidden]) #modal');
  await modal.waitFor();
  return modal;
}

/** The open modal's input block by its whole label ("Options" is not "Open issues as options"). */
export const modalField = (page: Page, label: string): Locator =>
  page
    .locator('#modal-body .block.input')
    .filter({ has: page.locator('.input-label', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(optional\\))?$`) }) });

/**
 * Fills modal inputs by label: a string fills a text/number/url/date/time input or picks a select
 * option by its label; an array picks several options or ticks several checkboxes; a boolean ticks one.
 */
export async function fillModal(page: Page, fields: Record<string, string | string[]>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) {
    const block = modalField(page, label);
    const select = block.locator('select');
    if ((await select.count()) > 0) {
      await select.selectOption(Array.isArray(value) ? value.map((v) => ({ label: v })) : { label: value });
      continue;
    }
    const choices = block.locator('.bk-choice');
    if ((await choices.count()) > 0) {
      for (const v of Array.isArray(value) ? value : [value]) await choices.filter({ hasText: v }).locator('input').check();
      continue;
    }
    await block.locator('input, textarea').first().fill(Array.isArray(value) ? value.join('\n') : value);
  }
}

/** Picks an option in a modal select that dispatches an action (dispatch_action) and waits for the app's answer. */
export async function selectAndWait(page: Page, label: string, option: string): Promise<void> {
  const before = await actionsDone(page);
  await modalField(page, label).locator('select').selectOption({ label: option });
  await afterAction(page, before);
}

/** Fills (optionally) and submits the open modal; resolves once the page has the outcome. */
export async function submitModal(page: Page, fields: Record<string, string | string[]> = {}): Promise<void> {
  await fillModal(page, fields);
  const before = await actionsDone(page);
  await page.locator('#modal-submit').click();
  await afterAction(page, before);
}

export async function closeModal(page: Page): Promise<void> {
  await page.locator('#modal-close').click();
  await page.locator('#modal-backdrop').waitFor({ state: 'hidden' });
}

/** The error shown beside a modal field (by block id). */
export const fieldError = (page: Page, blockId: string): Locator => page.locator(`#modal-body [data-error-for="${blockId}"]`);

/** Clicks a Block Kit button by its label, in the open modal if there is one, else in the newest message that has it. */
export async function clickButton(page: Page, label: string, within?: Locator): Promise<void> {
  const scope = within ?? ((await page.locator('#modal-backdrop:not([hidden])').count()) > 0 ? page.locator('#modal-body') : page.locator('#messages'));
  const before = await actionsDone(page);
  await scope.locator('button.bk-button', { hasText: label }).last().click();
  await afterAction(page, before);
}

/** Clicks a control of the page itself (not a Block Kit element, e.g. "#send-digests") and waits for the outcome. */
export async function clickControl(page: Page, selector: string): Promise<void> {
  const before = await actionsDone(page);
  await page.locator(selector).click();
  await afterAction(page, before);
}

/** Runs a message shortcut (e.g. "Log as issue") on a message. */
export async function messageShortcut(_page: Page, message: Locator, name: string): Promise<void> {
  await message.hover();
  // Its own menu, not one of its thread replies' menus.
  await message.locator(':scope > .message-menu button', { hasText: name }).click();
}

async function actionsDone(page: Page): Promise<number> {
  return Number((await page.locator('body').getAttribute('data-done')) ?? '0');
}

/** Waits until the page has finished one more action (request answered, state redrawn). */
async function afterAction(page: Page, before: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.body.dataset.done ?? '0') > n, before);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
