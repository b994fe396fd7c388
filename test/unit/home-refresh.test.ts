import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOME_SETTLE_MS, runHomeRefresh } from '../../src/features/home/refresh.js';
import type { Storage } from '../../src/db/storage.js';
import { TEST_ENGINE } from '../rig/engines.js';
import { twoInstancesOnOneDatabase, type TwoStorages } from '../rig/two-instances.js';

/**
 * Handing stale Homes to the outbox from two instances on one database (the suite's engine): each
 * change is handed over once, and the workspace's 100 views.publish a minute are counted once for
 * both, whatever the interleaving (SQLite: one writer at a time; PostgreSQL: serializable
 * transactions re-run after a conflict).
 */

const WS = 'T0HOMEREFRESH';
const NOW = new Date('2026-11-30T15:00:00Z');

describe(`the Home publisher on two instances (${TEST_ENGINE})`, () => {
  let instances: TwoStorages;
  let one: Storage;
  let two: Storage;

  beforeAll(async () => {
    instances = await twoInstancesOnOneDatabase();
    ({ one, two } = instances);
  });
  afterAll(async () => instances?.close());
  beforeEach(async () => {
    await one.execute(sql`delete from home_tabs`);
    await one.execute(sql`delete from home_publish_rate`);
    await one.execute(sql`delete from outbox`);
  });

  /** `count` people whose Home changed a while ago: stale, settled and due. */
  const staleHomes = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await one.execute(sql`insert into home_tabs (team_id, user_id, is_coordinator, version, published_version, seen_at, opened_at)
        values (${WS}, ${`U0PERSON${String(i).padStart(3, '0')}`}, 0, 2, 1, ${NOW.getTime() - 2 * HOME_SETTLE_MS}, ${NOW.getTime() - 60_000})`);
    }
  };
  const handedOver = async () => (await one.rows<{ n: number }>(sql`select count(*) as n from outbox where team_id = ${WS} and method = 'views.publish'`))[0]?.n;

  it('hands each stale Home to the outbox once when both instances run at the same moment', async () => {
    await staleHomes(30);
    const runs = await Promise.all([runHomeRefresh(one, NOW), runHomeRefresh(two, NOW), runHomeRefresh(one, NOW), runHomeRefresh(two, NOW)]);
    expect(runs.reduce((sum, run) => sum + run.queued, 0)).toBe(30);
    expect(await handedOver()).toBe(30);
    expect(await one.rows(sql`select count(*) as n from home_tabs where published_version <> version`)).toEqual([{ n: 0 }]);
    expect(await one.rows(sql`select sent from home_publish_rate where team_id = ${WS}`)).toEqual([{ sent: 30 }]);
  });

  it('counts the minute’s views.publish calls once for both instances', async () => {
    await staleHomes(30);
    const runs = await Promise.all([runHomeRefresh(one, NOW, 20), runHomeRefresh(two, NOW, 20)]);
    expect(runs.reduce((sum, run) => sum + run.queued, 0)).toBe(20);
    expect(await handedOver()).toBe(20);
    // The rest go in the next minute.
    const next = new Date(NOW.getTime() + 60_000);
    const later = await Promise.all([runHomeRefresh(one, next, 20), runHomeRefresh(two, next, 20)]);
    expect(later.reduce((sum, run) => sum + run.queued, 0)).toBe(10);
    expect(await handedOver()).toBe(30);
  });
});
