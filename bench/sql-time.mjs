// Preloaded into the app's process for a profile only (`bench/quick.ts --node='--import ./bench/sql-time.mjs'`):
// times every better-sqlite3 run/get/all call by its SQL text and, when the app exits, writes the 40
// statements that took longest in all to SQL_TIME_FILE (default: sql-time-<pid>.txt in the OS temp folder).
// A CPU profile shows SQLite only as one native frame; this says which statements the time went to.
// The app itself knows nothing of it.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const totals = new Map();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function timedPrepare(source) {
  const statement = prepare.call(this, source);
  for (const method of ['run', 'get', 'all']) {
    const original = statement[method];
    statement[method] = function timed(...args) {
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const spent = Number(process.hrtime.bigint() - started);
        const total = totals.get(source) ?? { calls: 0, ns: 0 };
        total.calls += 1;
        total.ns += spent;
        totals.set(source, total);
      }
    };
  }
  return statement;
};

process.on('exit', () => {
  const lines = [...totals]
    .sort((a, b) => b[1].ns - a[1].ns)
    .slice(0, 40)
    .map(([source, { calls, ns }]) => `${(ns / 1e6).toFixed(0).padStart(7)} ms ${String(calls).padStart(7)}x ${(ns / calls / 1e3).toFixed(1).padStart(7)} us  ${source.replace(/\s+/g, ' ')}`);
  writeFileSync(process.env.SQL_TIME_FILE ?? join(tmpdir(), `sql-time-${process.pid}.txt`), `${lines.join('\n')}\n`);
});
