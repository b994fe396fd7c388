/**
 * The weekly digest's small trend chart: a team's issues opened vs resolved in each of the last 8
 * weeks before the digest's run, uploaded to Slack without sharing it in any channel, so the digest
 * can show it through an image block that references the file.
 */
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/open.js';
import { uploadFile } from '../../slack/upload.js';
import { utcToLocalParts } from '../../time/zone.js';
import { openedResolvedChart, type WeekCount } from './charts.js';

export const TREND_WEEKS = 8;
const WEEK_MS = 7 * 86_400_000;

/** Opened and resolved per 7-day window, the last one ending at `end` (the digest's run). */
export function weeklyTrend(db: Db, team: { id: number; key: string }, end: number, timeZone: string, weeks = TREND_WEEKS): WeekCount[] {
  const opened = db.$client.prepare('select count(*) as n from issues where program_team_id = ? and created_at >= ? and created_at < ?');
  const resolved = db.$client.prepare(
    `select count(*) as n from issue_events where program_team_id = ? and created_at >= ? and created_at < ? and kind = 'status' and to_value = 'resolved'`,
  );
  const rows: WeekCount[] = [];
  for (let i = weeks; i >= 1; i--) {
    const from = end - i * WEEK_MS;
    const to = from + WEEK_MS;
    rows.push({
      team: team.key,
      week: utcToLocalParts(new Date(from), timeZone).date,
      opened: (opened.get(team.id, from, to) as { n: number }).n,
      resolved: (resolved.get(team.id, from, to) as { n: number }).n,
    });
  }
  return rows;
}

/** Renders and uploads the chart; the image block that shows it. Throws when the upload fails (the caller goes on without it). */
export async function digestTrendBlock(client: WebClient, db: Db, team: { id: number; key: string }, end: number, timeZone: string): Promise<KnownBlock> {
  const weeks = weeklyTrend(db, team, end, timeZone);
  const chart = await openedResolvedChart(weeks, `the ${TREND_WEEKS} weeks before this digest`, {
    compact: true,
    filename: `trend-${team.key.toLowerCase()}-${utcToLocalParts(new Date(end), timeZone).date}.png`,
  });
  const title = `${team.key}: issues opened vs resolved, last ${TREND_WEEKS} weeks`;
  const uploaded = await uploadFile(client, { filename: chart.filename, title, altText: chart.altText, content: chart.png });
  return { type: 'image', slack_file: { id: uploaded.id }, alt_text: chart.altText, title: { type: 'plain_text', text: title } };
}
