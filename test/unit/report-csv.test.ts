/**
 * The report's CSV writer (src/features/report/csv.ts) against csv-stringify, which it replaced in
 * the report's hot loop: the same bytes for every kind of cell a report writes, including text that
 * a spreadsheet would run as a formula, quotes, commas, line breaks, accents and negative numbers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { csvCell, CsvFile } from '../../src/features/report/csv.js';

const OPTIONS = { bom: true, escape_formulas: true, record_delimiter: 'windows', header: true } as const;

const CELLS: Array<string | number | null> = [
  '',
  'plain',
  'Café staffing – naïve résumé',
  '=HYPERLINK("http://evil.example","click")',
  '+3 at Henry Ford',
  '-2 instructors short',
  '@mention',
  '\tindented',
  '\rcarriage',
  '＝full-width equals',
  '＋full-width plus',
  '－full-width minus',
  '＠full-width at',
  'a, b',
  'say "hi"',
  'two\nlines',
  'windows\r\nbreak',
  'ends with\r',
  "it's",
  '2026-10-05 11:00 open → blocked; 2026-10-14 11:00 blocked → resolved',
  0,
  42,
  -7,
  26.99,
  -0.5,
  null,
];

describe('CsvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each kind of cell as csv-stringify does with escape_formulas', () => {
    for (const cell of CELLS) {
      const expected = stringify([[cell === null ? '' : cell]], { ...OPTIONS, bom: false, header: false }).replace(/\r\n$/, '');
      expect(csvCell(cell), JSON.stringify(cell)).toBe(expected);
    }
  });

  it('writes a file byte for byte as csv-stringify does: byte-order mark, header, CRLF, quoting', async () => {
    const columns = ['Team', "Can't go", 'Turnout %', 'Note'];
    const rows: Array<Array<string | number | null>> = [];
    for (let i = 0; i < CELLS.length; i++) rows.push(['CNA', CELLS[i] ?? null, i - 10, CELLS[(i * 7) % CELLS.length] ?? null]);
    const path = join(dir, 'cells.csv');
    const file = new CsvFile(path, columns);
    for (const row of rows) await file.write(row);
    await file.close();
    const expected = stringify(
      rows.map((r) => r.map((v) => (v === null ? '' : v))),
      { ...OPTIONS, columns },
    );
    expect(readFileSync(path)).toEqual(Buffer.from(expected, 'utf8'));
    expect(file.rows).toBe(rows.length);
  });

  it('writes an empty file as its header, and rows larger than its buffer whole', async () => {
    const empty = join(dir, 'empty.csv');
    const none = new CsvFile(empty, ['A', 'B']);
    await none.close();
    expect(readFileSync(empty, 'utf8')).toBe(stringify([], { ...OPTIONS, columns: ['A', 'B'] }));

    const big = join(dir, 'big.csv');
    const file = new CsvFile(big, ['Title', 'Changes']);
    const rows = Array.from({ length: 3000 }, (_, i) => [`Issue ${i} “${'é'.repeat(i % 50)}”`, i % 997 === 0 ? 'x'.repeat(200_000) : `line, ${i}`]);
    for (const row of rows) if (!file.add(row)) await file.drained();
    await file.close();
    expect(readFileSync(big)).toEqual(Buffer.from(stringify(rows, { ...OPTIONS, columns: ['Title', 'Changes'] }), 'utf8'));
  });

  it('fails the report when the file cannot be written, instead of losing rows', async () => {
    const file = new CsvFile(join(dir, 'no-such-folder', 'x.csv'), ['A']);
    await expect(file.close()).rejects.toThrow(/ENOENT/);
  });
});
