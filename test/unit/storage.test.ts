import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { homeTabs, programTeams } from '../../src/db/schema.js';
import { affectedRows, isUniqueViolation, outsideTransactions, type Storage } from '../../src/db/storage.js';
import { createLogger } from '../../src/logger.js';
import { Kicker } from '../../src/outbox/kicker.js';
import { postgresStorage, toPostgresSql } from '../../src/db/storage-pg.js';
import { BUSY_TIMEOUT_MS } from '../../src/db/open.js';
import { BEGIN_BUSY_BUDGET_MS } from '../../src/db/storage-sqlite.js';
import { isDatabaseBusy } from '../../src/slack/busy-retry.js';
import { ENGINES, freshStorage, type TestStorage } from '../rig/engines.js';
import { holdWriteLock } from '../rig/lock-holder.js';

const WS = 'T0STORAGE';
const team = (key: string) => ({ workspaceId: WS, key, name: `${key} team`, createdAt: 1_700_000_000_000 });
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

for (const { engine, skip, label } of ENGINES) {
  describe.skipIf(skip !== undefined)(`async storage on ${label}`, () => {
    let opened: TestStorage;
    let storage: Storage;
    // One database per engine for the file (creating a PostgreSQL database and migrating it takes a
    // few seconds); each test starts from empty tables.
    beforeAll(async () => {
      opened = await freshStorage(engine);
      storage = opened.storage;
    });
    afterAll(async () => opened?.dispose());
    beforeEach(async () => {
      await storage.execute(sql`delete from ${homeTabs}`);
      await storage.execute(sql`delete from ${programTeams}`);
    });

    it('reports its engine', () => {
      expect(storage.engine).toBe(engine);
    });

    it('inserts with a generated id, reads, updates and counts changed rows', async () => {
      const cna = await storage.db.insert(programTeams).values(team('CNA')).returning().get();
      const ma = await storage.db.insert(programTeams).values(team('MA')).returning().get();
      expect(cna.id).toBeGreaterThan(0);
      expect(ma.id).toBeGreaterThan(cna.id);
      // Epoch milliseconds survive as numbers (bigint on PostgreSQL).
      expect(cna.createdAt).toBe(1_700_000_000_000);
      const all = await storage.db.select().from(programTeams).where(eq(programTeams.workspaceId, WS)).orderBy(programTeams.key).all();
      expect(all.map((t) => t.key)).toEqual(['CNA', 'MA']);
      const updated = await storage.db.update(programTeams).set({ name: 'Nursing' }).where(eq(programTeams.workspaceId, WS)).run();
      expect(affectedRows(updated)).toBe(2);
      const none = await storage.db.insert(programTeams).values(team('CNA')).onConflictDoNothing().run();
      expect(affectedRows(none)).toBe(0);
      expect(await storage.db.select().from(programTeams).where(eq(programTeams.key, 'XX')).get()).toBeUndefined();
    });

    it('keeps booleans and defaults', async () => {
      await storage.db.insert(homeTabs).values({ workspaceId: WS, userId: 'U1', isCoordinator: true, openedAt: 1 }).run();
      await storage.db.insert(homeTabs).values({ workspaceId: WS, userId: 'U2', openedAt: 1 }).run();
      const rows = await storage.db.select({ userId: homeTabs.userId, isCoordinator: homeTabs.isCoordinator, version: homeTabs.version }).from(homeTabs).orderBy(homeTabs.userId).all();
      expect(rows).toEqual([
        { userId: 'U1', isCoordinator: true, version: 1 },
        { userId: 'U2', isCoordinator: false, version: 1 },
      ]);
    });

    it('runs hand-written SQL with quoted camelCase aliases the same on both engines', async () => {
      await storage.db.insert(programTeams).values([team('CNA'), team('MA')]).run();
      const rows = await storage.rows<{ teamKey: string; n: number }>(
        sql`select ${programTeams.key} as "teamKey", count(*) as "n" from ${programTeams} where ${programTeams.workspaceId} = ${WS} group by ${programTeams.key} order by 1`,
      );
      expect(rows).toEqual([
        { teamKey: 'CNA', n: 1 },
        { teamKey: 'MA', n: 1 },
      ]);
      expect(await storage.execute(sql`delete from ${programTeams} where ${programTeams.key} = ${'MA'}`)).toBe(1);
    });

    it('commits a transaction as a whole and rolls it back as a whole', async () => {
      const id = await storage.transaction(async (tx) => {
        const row = await tx.db.insert(programTeams).values(team('CNA')).returning().get();
        await tx.db.insert(programTeams).values(team('MA')).run();
        return row.id;
      });
      expect(id).toBeGreaterThan(0);
      await expect(
        storage.transaction(async (tx) => {
          await tx.db.insert(programTeams).values(team('SPT')).run();
          await tick();
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const keys = (await storage.db.select().from(programTeams).all()).map((t) => t.key).sort();
      expect(keys).toEqual(['CNA', 'MA']);
    });

    it('runs concurrent read-then-write transactions as if one after another (no lost update)', async () => {
      await storage.db.insert(homeTabs).values({ workspaceId: WS, userId: 'U1', openedAt: 1 }).run();
      const bump = () =>
        storage.transaction(async (tx) => {
          const row = await tx.db.select().from(homeTabs).where(and(eq(homeTabs.workspaceId, WS), eq(homeTabs.userId, 'U1'))).get();
          await tick(); // other transactions get every chance to run in between
          await tx.db.update(homeTabs).set({ version: (row?.version ?? 0) + 1 }).where(eq(homeTabs.userId, 'U1')).run();
        });
      await Promise.all(Array.from({ length: 20 }, bump));
      const row = await storage.db.select().from(homeTabs).get();
      expect(row?.version).toBe(21);
    });

    it.skipIf(engine !== 'postgres')('(PostgreSQL) keeps that outcome without taking turns too: SERIALIZABLE and re-runs alone, on two pools at once', async () => {
      await storage.db.insert(homeTabs).values({ workspaceId: WS, userId: 'U1', openedAt: 1 }).run();
      const pools = [postgresStorage(opened.url, { takeTurns: false, max: 5 }), postgresStorage(opened.url, { takeTurns: false, max: 5 })];
      try {
        let runs = 0;
        const bump = (on: Storage) =>
          on.transaction(async (tx) => {
            runs++;
            const row = await tx.db.select().from(homeTabs).where(and(eq(homeTabs.workspaceId, WS), eq(homeTabs.userId, 'U1'))).get();
            await tick();
            await tx.db.update(homeTabs).set({ version: (row?.version ?? 0) + 1 }).where(eq(homeTabs.userId, 'U1')).run();
          });
        await Promise.all(Array.from({ length: 10 }, (_, i) => bump(pools[i % 2] as Storage)));
        expect((await storage.db.select().from(homeTabs).get())?.version).toBe(11);
        // They did conflict, and were re-run: the outcome is SERIALIZABLE's doing, not luck.
        expect(runs).toBeGreaterThan(10);
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
    });

    it.skipIf(engine !== 'postgres')('(PostgreSQL) transactions naming the same turn take turns, across pools; one naming another turn runs beside them', async () => {
      const pools = [postgresStorage(opened.url, { max: 3 }), postgresStorage(opened.url, { max: 3 })];
      try {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const inside = new Promise<void>((resolve) => (entered = resolve));
        const order: string[] = [];
        const first = (pools[0] as Storage).transaction(
          async (tx) => {
            await tx.db.insert(programTeams).values(team('FIRST')).run();
            entered();
            await gate;
            order.push('first');
          },
          { turn: 'test:a' },
        );
        await inside;
        // Same turn, another pool (as another instance): waits for the first to commit.
        const same = (pools[1] as Storage).transaction(
          async (tx) => {
            order.push('same');
            return (await tx.db.select().from(programTeams).all()).map((t) => t.key);
          },
          { turn: 'test:a' },
        );
        // Another turn: not held up by the open transaction (given two seconds, where it takes milliseconds).
        const other = (pools[1] as Storage).transaction(async () => order.push('other'), { turn: 'test:b' });
        await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 2000))]);
        expect(order).toEqual(['other']);
        release();
        await Promise.all([first, other]);
        // It began after the first committed, so it sees its row.
        expect(await same).toEqual(['FIRST']);
        expect(order).toEqual(['other', 'first', 'same']);
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
    });

    it('never lets a statement outside a transaction see or join another one that is open', async () => {
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const tx = storage.transaction(async (t) => {
        await t.db.insert(programTeams).values(team('CNA')).run();
        inside();
        await finished;
        throw new Error('roll back');
      });
      await entered;
      const outsideWrite = storage.db.insert(programTeams).values(team('MA')).run();
      const outsideRead = storage.db.select().from(programTeams).all();
      await tick();
      finish();
      await expect(tx).rejects.toThrow('roll back');
      await outsideWrite;
      // The read saw neither the rolled-back row nor a half state; the outside write survived the rollback.
      expect((await outsideRead).map((t) => t.key)).not.toContain('CNA');
      expect((await storage.db.select().from(programTeams).all()).map((t) => t.key)).toEqual(['MA']);
    });

    it('runs the storage itself on the transaction inside its work, and nested transactions join it', async () => {
      await expect(
        storage.transaction(async () => {
          // A repository that only holds the storage writes inside the transaction…
          await storage.db.insert(programTeams).values(team('CNA')).run();
          await storage.transaction(async (inner) => inner.db.insert(programTeams).values(team('MA')).run());
          expect((await storage.db.select().from(programTeams).all()).map((t) => t.key).sort()).toEqual(['CNA', 'MA']);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      // …so its rows went with the rollback.
      expect(await storage.db.select().from(programTeams).all()).toEqual([]);
    });

    it('lets work started inside a transaction but run after it use the storage normally', async () => {
      let later!: Promise<unknown>;
      await storage.transaction(async (tx) => {
        await tx.db.insert(programTeams).values(team('CNA')).run();
        later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => storage.db.insert(programTeams).values(team('MA')).run());
      });
      await later;
      expect((await storage.db.select().from(programTeams).all()).map((t) => t.key).sort()).toEqual(['CNA', 'MA']);
    });

    it('throws a genuine duplicate from a transaction with its code, after at most two re-runs', async () => {
      await storage.db.insert(programTeams).values(team('DUP')).run();
      let runs = 0;
      const failure = await storage
        .transaction(async (tx) => {
          runs++;
          await tx.db.insert(programTeams).values(team('DUP')).run();
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isUniqueViolation(failure)).toBe(true);
      // PostgreSQL re-runs a unique violation twice (it may be a max+1 race); SQLite never needs to.
      expect(runs).toBe(engine === 'postgres' ? 3 : 1);
    });

    it('a job kicked inside a transaction runs outside it: its own writes stand when the transaction rolls back', async () => {
      const kicker = new Kicker(
        'test-job',
        async () => {
          // Its own transaction is its own too (not joined to the caller's, not re-run with it).
          await storage.transaction(async (tx) => tx.db.insert(programTeams).values(team('JOB')).run());
          await storage.db.insert(programTeams).values(team('JOB2')).run();
        },
        createLogger('error', () => undefined),
      );
      await expect(
        storage.transaction(async (tx) => {
          await tx.db.insert(programTeams).values(team('CALLER')).run();
          kicker.kick();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await kicker.idle();
      expect((await storage.db.select().from(programTeams).all()).map((t) => t.key).sort()).toEqual(['JOB', 'JOB2']);
    });

    it('outsideTransactions: inside it, the storage runs as if no transaction were open in the caller', async () => {
      let outside!: Promise<unknown>;
      await expect(
        storage.transaction(async () => {
          outside = outsideTransactions(() => storage.db.insert(programTeams).values(team('OUT')).run());
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await outside;
      expect((await storage.db.select().from(programTeams).all()).map((t) => t.key)).toEqual(['OUT']);
    });

    it('answers its health check, and not after closing', async () => {
      expect(await storage.healthy()).toBe(true);
    });
  });
}

describe('PostgreSQL parameter translation', () => {
  it('numbers ? parameters and leaves quoted text, names and comments alone', () => {
    expect(toPostgresSql(`select "a?" from "t" where x = ? and y = 'it''s ?' and z = ? -- ok?\n limit ?`)).toBe(
      `select "a?" from "t" where x = $1 and y = 'it''s ?' and z = $2 -- ok?\n limit $3`,
    );
  });
  it('turns an omitted autoincrement id into default', () => {
    expect(toPostgresSql(`insert into "t" ("id", "a") values (null /*auto-id*/, ?)`)).toBe(`insert into "t" ("id", "a") values (default, $1)`);
    expect(toPostgresSql(`select null /* other */ from t`)).toBe(`select null /* other */ from t`);
  });
});

describe('SQLite: another process holding the write lock (SQLite only: PostgreSQL has no database-wide write lock)', () => {
  let opened: TestStorage;
  beforeAll(async () => {
    opened = await freshStorage('sqlite');
  });
  afterAll(async () => opened?.dispose());

  it('a transaction waits for the lock asynchronously (the process keeps working) and goes through once it is let go', async () => {
    const holder = await holdWriteLock(opened.url);
    try {
      let settled = false;
      const write = opened.storage
        .transaction(async (tx) => tx.insert(programTeams).values(team('WAITED')).run())
        .finally(() => (settled = true));
      // While it waits, timers fire and statements outside it run: the event loop is not blocked.
      const ticks: number[] = [];
      for (let i = 0; i < 5; i++) {
        await tick();
        ticks.push(i);
      }
      expect(ticks).toHaveLength(5);
      expect(await opened.storage.rows(sql`select count(*) as n from ${programTeams} where key = 'WAITED'`)).toEqual([{ n: 0 }]);
      expect(settled).toBe(false);
      await holder.release();
      await write;
      expect(await opened.storage.rows(sql`select count(*) as n from ${programTeams} where key = 'WAITED'`)).toEqual([{ n: 1 }]);
    } finally {
      await holder.release();
    }
  });

  it(`gives up with SQLITE_BUSY after ${BEGIN_BUSY_BUDGET_MS} ms, having run none of the work, so the request-level retry takes over`, async () => {
    const holder = await holdWriteLock(opened.url);
    try {
      let ran = false;
      const started = Date.now();
      const failure = await opened.storage
        .transaction(async () => {
          ran = true;
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isDatabaseBusy(failure)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(BEGIN_BUSY_BUDGET_MS);
      expect(ran).toBe(false);
      // The connection is usable afterwards, outside any transaction.
      expect(await opened.storage.rows(sql`select 1 as ok`)).toEqual([{ ok: 1 }]);
    } finally {
      await holder.release();
    }
    await opened.storage.transaction(async (tx) => tx.insert(programTeams).values(team('AFTER')).run());
  });

  it(`a single write outside a transaction waits for the lock asynchronously, for up to ${BUSY_TIMEOUT_MS} ms, then fails with SQLITE_BUSY having written nothing`, async () => {
    const holder = await holdWriteLock(opened.url);
    try {
      let settled = false;
      const started = Date.now();
      const write = opened.storage.db
        .insert(programTeams)
        .values(team('SINGLE'))
        .run()
        .then(
          () => undefined,
          (error: unknown) => error,
        )
        .finally(() => (settled = true));
      // Timers fire meanwhile: the driver is not waiting inside SQLite with the event loop stopped.
      await tick();
      await tick();
      expect(settled).toBe(false);
      const failure = await write;
      expect(isDatabaseBusy(failure)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS);
      // Reads are not held up by the write lock (WAL), and nothing was written.
      expect(await opened.storage.rows(sql`select count(*) as n from ${programTeams} where key = 'SINGLE'`)).toEqual([{ n: 0 }]);
    } finally {
      await holder.release();
    }
  });
});
