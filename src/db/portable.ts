import { sql, type SQL } from 'drizzle-orm';
import type { Engine } from './storage.js';

/*
 * SQL fragments that differ between SQLite and PostgreSQL. Everything else we write by hand stays
 * in the common subset (see storage.ts): positional parameters only (drizzle's sql`` template),
 * quoted camelCase aliases, `case when … then 1 else 0 end` instead of summing a comparison, and
 * `case when a > b then a else b end` instead of SQLite's two-argument min()/max().
 */

/** The values of a group joined with `separator` (SQLite group_concat, PostgreSQL string_agg). */
export function groupConcat(engine: Engine, expression: SQL, separator: string): SQL {
  return engine === 'postgres' ? sql`string_agg(cast(${expression} as text), ${separator})` : sql`group_concat(${expression}, ${separator})`;
}

/**
 * The rows of a JSON array passed as one parameter, as a subquery of one column named `value`:
 * `where id in ${jsonValues(engine, ids)}`. One parameter however many values (SQLite allows at
 * most 32,766 parameters in a statement, PostgreSQL 65,535).
 */
export function jsonValues(engine: Engine, values: ReadonlyArray<string | number>): SQL {
  const json = JSON.stringify(values);
  if (engine === 'postgres') {
    const cast = typeof values[0] === 'string' ? sql.raw('text') : sql.raw('bigint');
    return sql`(select cast(value as ${cast}) from json_array_elements_text(cast(${json} as json)) as value)`;
  }
  return sql`(select value from json_each(${json}))`;
}

/** The larger of two values (SQLite's two-argument max(), PostgreSQL's greatest()). */
export function greater(a: SQL, b: SQL): SQL {
  return sql`(case when ${a} > ${b} then ${a} else ${b} end)`;
}

/** The smaller of two values. */
export function lesser(a: SQL, b: SQL): SQL {
  return sql`(case when ${a} < ${b} then ${a} else ${b} end)`;
}

/**
 * SQLite's `indexed by` hint, to write right after a table name (`from issues${indexedBy(engine,
 * 'issues_open_unowned')}`): SQLite's planner misjudges a few skewed conditions (`owner_id is
 * null`) and needs the index named. PostgreSQL has no hints and nothing is written there.
 */
export function indexedBy(engine: Engine, index: string): SQL {
  return engine === 'sqlite' ? sql.raw(` indexed by ${index}`) : sql.empty();
}

/**
 * `text` begins with `prefix`. SQLite compares text byte by byte, so a key range reads the index;
 * PostgreSQL compares by the database's collation (en_US puts 'digest:CNA:2026' after
 * 'digest:CNA;'), so there the prefix is compared exactly.
 */
export function startsWith(engine: Engine, text: SQL, prefix: string): SQL {
  if (engine === 'postgres') return sql`(substr(${text}, 1, ${prefix.length}) = ${prefix})`;
  const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return sql`(${text} >= ${prefix} and ${text} < ${next})`;
}
