import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupConcat, jsonValues, startsWith } from '../../src/db/portable.js';
import { ENGINES, freshStorage, type TestStorage } from '../rig/engines.js';

for (const { engine, skip, label } of ENGINES) {
  describe.skipIf(skip !== undefined)(`SQL that differs between the engines (${label})`, () => {
    let database: TestStorage;
    beforeAll(async () => {
      database = await freshStorage(engine);
    });
    afterAll(async () => {
      await database?.dispose();
    });
    const one = async (query: ReturnType<typeof sql>): Promise<unknown> => Object.values((await database.storage.rows(query))[0] ?? {})[0];

    it('tells whether a key begins with a prefix, whatever the collation sorts after it', async () => {
      // en-US collations put 'digest:CNA:2026…' after 'digest:CNA;' (punctuation is ignored at first), so a key range misses it.
      const text = engine === 'postgres' ? sql`(cast(${'digest:CNA:2026-03-02'} as text) collate "en-x-icu")` : sql`${'digest:CNA:2026-03-02'}`;
      expect(Number(await one(sql`select case when ${startsWith(engine, text, 'digest:CNA:')} then 1 else 0 end as ok`))).toBe(1);
      expect(Number(await one(sql`select case when ${startsWith(engine, text, 'digest:MA:')} then 1 else 0 end as ok`))).toBe(0);
      expect(Number(await one(sql`select case when ${startsWith(engine, sql`${'digest:CNAX:1'}`, 'digest:CNA:')} then 1 else 0 end as ok`))).toBe(0);
    });

    it('joins a group of values and reads a JSON list as rows', async () => {
      expect(await one(sql`select ${groupConcat(engine, sql`v`, ', ')} as joined from (select 'a' as v union all select 'b' as v) as t`)).toMatch(/^(a, b|b, a)$/);
      const ids = await database.storage.rows<{ value: number }>(sql`select value from ${jsonValues(engine, [3, 1, 2])} as t order by value`);
      expect(ids.map((r) => Number(r.value))).toEqual([1, 2, 3]);
    });
  });
}
