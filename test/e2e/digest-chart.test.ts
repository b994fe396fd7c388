/**
 * The weekly team digest's trend chart: the scheduled job uploads each team's 8-week opened vs
 * resolved chart to the fake Slack (not shared anywhere) and the digest shows it with an image
 * block that references the file. Without the chart (upload refused, or Slack refusing the image
 * block) the digest still goes out, once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueEvents, issues } from '../../src/db/schema.js';
import type { StoredMessage } from '../../src/fake-slack/types.js';
import { CHANNELS, PEOPLE } from '../../src/sandbox/workspace.js';
import { linkSeedChannels, startHarness, type Harness } from '../rig/harness.js';

const at = (iso: string) => new Date(iso).getTime();
/** Mondays at 08:00 in Detroit (EST): the default digest schedule. */
const RUNS = ['2026-11-30T13:00:00Z', '2026-12-07T13:00:00Z', '2026-12-14T13:00:00Z'];

type Block = { type: string; slack_file?: { id: string }; alt_text?: string; title?: { text: string } };
const imageOf = (m: StoredMessage): Block | undefined => (m.blocks as Block[] | undefined)?.find((b) => b.type === 'image');

describe('weekly digest trend chart', () => {
  let h: Harness;
  let clock = new Date('2026-09-01T14:00:00Z');
  const digests = () => h.fake.messages(CHANNELS.cna.id).filter((m) => (m.text ?? '').includes('CNA digest'));

  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    await linkSeedChannels(h);
    const db = h.alliance.deps.db;
    const [cna] = await h.query<{ id: number }>(`select id from program_teams where key = 'CNA'`);
    const programTeamId = cna?.id ?? 0;
    // Two issues opened in each of the 8 weeks before 30 November; one of each week's resolved the week after.
    for (let w = 0; w < 8; w++) {
      for (let i = 0; i < 2; i++) {
        const created = at('2026-10-05T15:00:00Z') + w * 7 * 86_400_000 + i * 3_600_000;
        const resolvedAt = i === 0 ? created + 7 * 86_400_000 : null;
        const row = await db
          .insert(issues)
          .values({
            workspaceId: h.alliance.workspaceId,
            programTeamId,
            number: w * 2 + i + 1,
            title: `Issue ${w}-${i}`,
            category: 'other',
            status: resolvedAt === null ? 'open' : 'resolved',
            reporterId: PEOPLE.henryFord1.id,
            createdAt: created,
            updatedAt: created,
            closedAt: resolvedAt,
          })
          .returning({ id: issues.id })
          .get();
        if (resolvedAt !== null && resolvedAt < at(RUNS[0] ?? '')) {
          await db
            .insert(issueEvents)
            .values({ workspaceId: h.alliance.workspaceId, issueId: row.id, programTeamId, actorId: PEOPLE.henryFord1.id, kind: 'status', fromValue: 'open', toValue: 'resolved', createdAt: resolvedAt })
            .run();
        }
      }
    }
    clock = new Date('2026-11-30T12:00:00Z');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('shows the team’s 8-week opened vs resolved chart through an image block referencing the uploaded file', async () => {
    await h.alliance.runJob('digest', new Date(RUNS[0] ?? ''));
    await h.flush(new Date(RUNS[0] ?? ''));
    const [digest] = digests();
    expect(digest).toBeDefined();
    const image = imageOf(digest as StoredMessage);
    expect(image?.title?.text).toBe('CNA: issues opened vs resolved, last 8 weeks');
    const file = h.fake.files.find((f) => f.id === image?.slack_file?.id);
    expect(file?.filename).toBe('trend-cna-2026-11-30.png');
    // Uploaded for the block only: not shared in any channel.
    expect(file?.channels).toEqual([]);
    expect(file?.altText).toBe(image?.alt_text);
    expect(image?.alt_text).toContain('CNA: 16 opened and 7 resolved in total (2026-10-05: 2 opened, 0 resolved; 2026-10-12: 2 opened, 1 resolved;');
    mkdirSync(join(process.cwd(), 'test-artifacts', 'report'), { recursive: true });
    writeFileSync(join(process.cwd(), 'test-artifacts', 'report', 'digest-trend.png'), file?.content ?? Buffer.alloc(0));
    const png = PNG.sync.read(file?.content ?? Buffer.alloc(0));
    expect(png.width).toBeGreaterThan(600);
    expect(png.height).toBeGreaterThan(200);
    // One chart per linked team, each referenced by that team's digest.
    expect(h.fake.files.filter((f) => f.filename?.startsWith('trend-'))).toHaveLength(3);
  });

  it('sends the digest without the chart, once, when the upload fails', async () => {
    h.fake.failNext('files.completeUploadExternal', { error: 'internal_error' }, 3);
    await h.alliance.runJob('digest', new Date(RUNS[1] ?? ''));
    await h.alliance.runJob('digest', new Date(at(RUNS[1] ?? '') + 60_000));
    await h.flush(new Date(at(RUNS[1] ?? '') + 60_000));
    const week = digests().slice(1);
    expect(week).toHaveLength(1);
    expect(imageOf(week[0] as StoredMessage)).toBeUndefined();
    expect(h.logs.some((l) => l.includes('digest trend chart left out'))).toBe(true);
  });

  it('sends the digest without the chart, once, when Slack refuses the image block', async () => {
    h.fake.clearFaults();
    await h.alliance.runJob('digest', new Date(RUNS[2] ?? ''));
    // Slack loses the file between the upload and the post.
    const lost = h.fake.files.findIndex((f) => f.filename === 'trend-cna-2026-12-14.png');
    expect(lost).toBeGreaterThan(-1);
    h.fake.files.splice(lost, 1);
    await h.flush(new Date(RUNS[2] ?? ''));
    await h.flush(new Date(RUNS[2] ?? ''));
    const refused = h.fake.callsTo('chat.postMessage').filter((c) => !c.ok && c.error === 'invalid_blocks');
    expect(refused).toHaveLength(1);
    const week = digests().slice(2);
    expect(week).toHaveLength(1);
    expect(imageOf(week[0] as StoredMessage)).toBeUndefined();
    await h.flush(new Date(at(RUNS[2] ?? '') + 120_000));
    expect(digests()).toHaveLength(3);
  });
});
