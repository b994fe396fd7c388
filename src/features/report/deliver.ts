import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebClient } from '@slack/web-api';
import type { AppLogger } from '../../logger.js';
import { politely, uploadFile, UploadError } from '../../slack/upload.js';
import { buildReport, type BuiltReport } from './build.js';
import type { ReportQueries } from './queries.js';
import type { ReportRequest } from './service.js';
import { summaryView, type MissingFile } from './views.js';

export interface ReportRunDeps {
  client: WebClient;
  queries: ReportQueries;
  timeZone: string;
  logger: AppLogger;
}

export interface DeliveredReport {
  channel: string;
  delivered: string[];
  missing: MissingFile[];
  report: BuiltReport;
}

/** Display names for the CSVs, read once per report with users.list (a few pages, not a call per person). */
export async function nameDirectory(client: WebClient): Promise<(userId: string) => string> {
  const names = new Map<string, string>();
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const next = cursor;
    const res = await politely(() => client.users.list({ limit: 200, ...(next === undefined ? {} : { cursor: next }) }));
    for (const m of res.members ?? []) {
      if (m.id === undefined) continue;
      const name = m.profile?.real_name ?? m.real_name ?? m.name;
      if (name !== undefined && name !== '') names.set(m.id, name);
    }
    cursor = res.response_metadata?.next_cursor;
    if (cursor === undefined || cursor === '') break;
  }
  return (userId) => names.get(userId) ?? userId;
}

const reasonOf = (error: unknown): string => (error instanceof UploadError ? `${error.step}: ${error.reason}` : error instanceof Error ? error.message : String(error));

/**
 * Builds the report and sends it to the person's direct messages with the bot: every file (each
 * upload on its own, so one refused file does not stop the others), then the summary, which says
 * which files arrived and which are missing. The summary goes out whatever happened to the files.
 */
export async function runReport(deps: ReportRunDeps, userId: string, request: ReportRequest, now: Date): Promise<DeliveredReport> {
  const dir = await mkdtemp(join(tmpdir(), 'alliance-report-'));
  try {
    let nameOf: (userId: string) => string;
    try {
      nameOf = await nameDirectory(deps.client);
    } catch (error) {
      // Names are a nicety: without users.list the CSVs show Slack ids rather than no report at all.
      deps.logger.event('warn', 'report: users.list failed, CSVs show user ids', { error });
      nameOf = (id) => id;
    }
    const report = await buildReport({ queries: deps.queries, workspaceId: request.workspaceId, timeZone: deps.timeZone, now, nameOf, dir }, request.teams, request.period, request.scope);
    const dm = await politely(() => deps.client.conversations.open({ users: userId }));
    const channel = dm.channel?.id;
    if (channel === undefined) throw new Error('conversations.open returned no channel');
    const delivered: string[] = [];
    const missing: MissingFile[] = [];
    for (const file of report.files) {
      try {
        const content = file.png ?? (file.path === undefined ? Buffer.alloc(0) : { path: file.path });
        await uploadFile(deps.client, { filename: file.filename, title: file.title, content, ...(file.altText === undefined ? {} : { altText: file.altText }) }, { channelId: channel });
        delivered.push(file.filename);
      } catch (error) {
        missing.push({ filename: file.filename, reason: reasonOf(error) });
        deps.logger.event('warn', 'report file upload failed', { file: file.filename, error });
      }
    }
    const summary = summaryView(report, delivered, missing);
    // A person's DM takes about one message a second; after a burst of reports, wait rather than lose the summary.
    await politely(() => deps.client.chat.postMessage({ channel, text: summary.text, blocks: summary.blocks, unfurl_links: false, unfurl_media: false }));
    deps.logger.event('info', 'report delivered', { userId, scope: request.scope, period: request.period.spec, files: delivered.length, missing: missing.length });
    return { channel, delivered, missing, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
