/**
 * The weekly digest's small trend chart: a team's issues opened vs resolved in each of the last 8
 * weeks before the digest's run, uploaded to Slack without sharing it in any channel, so the digest
 * can show it through an image block that references the file.
 */
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { sql } from 'drizzle-orm';
import type { Storage } from '../../db/storage.js';
import { uploadFile } from '../../slack/upload.js';
import { utcToLocalParts } from '../../time/zone.js';
import { openedResolvedChart, type WeekCount } from './charts.js';

export const TREND_WEEKS = 8;
const WEEK_MS = 7 * 86_400_000;

/** Opened and resolved per 7-day window, the last one ending at `end` (the digest's run). */
export async function weeklyTrend(db: Storage, team: { id: number; key: string }, end: number, timeZone: string, weeks = TREND_WEEKS): Promise<WeekCount[]> {
  const first = end - weeks * WEEK_MS;
  // Counted per window in SQL, one query per figure rather than one per week. The cast makes the
  // division whole on SQLite too, where better-sqlite3 binds a JavaScript number as a real.
  const opened = await db.rows<{ week: number; n: number }>(
    sql`select week, count(*) as n
          from (select cast((created_at - ${first}) / ${WEEK_MS} as integer) as week from issues where program_team_id = ${team.id} and created_at >= ${first} and created_at < ${end}) opened
         group by week`,
  );
  const resolved = await db.rows<{ week: number; n: number }>(
    sql`select week, count(*) as n
          from (select cast((created_at - ${first}) / ${WEEK_MS} as integer) as week from issue_events
                 where program_team_id = ${team.id} and created_at >= ${first} and created_at < ${end} and kind = 'status' and to_value = 'resolved') resolved
         group by week`,
  );
  const countIn = (rows: Array<{ week: number; n: number }>, week: number): number => rows.find((r) => Number(r.week) === week)?.n ?? 0;
  const rows: WeekCount[] = [];
  for (let i = 0; i < weeks; i++) {
    rows.push({ team: team.key, week: utcToLocalParts(new Date(first + i * WEEK_MS), timeZone).date, opened: countIn(opened, i), resolved: countIn(resolved, i) });
  }
  return rows;
}

/** Renders and uploads the chart; the image block that shows it. Throws when the upload fails (the caller goes on without it). */
export async function digestTrendBlock(client: WebClient, db: Storage, team: { id: number; key: string }, end: number, timeZone: string): Promise<KnownBlock> {
  const weeks = await weeklyTrend(db, team, end, timeZone);
  const chart = await openedResolvedChart(weeks, `the ${TREND_WEEKS} weeks before this digest`, {
    compact: true,
    filename: `trend-${team.key.toLowerCase()}-${utcToLocalParts(new Date(end), timeZone).date}.png`,
  });
  const title = `${team.key}: issues opened vs resolved, last ${TREND_WEEKS} weeks`;
  const uploaded = await uploadFile(client, { filename: chart.filename, title, altText: chart.altText, content: chart.png });
  return { type: 'image', slack_file: { id: uploaded.id }, alt_text: chart.altText, title: { type: 'plain_text', text: title } };
}
