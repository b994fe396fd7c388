/**
 * The report's CSV files (src/features/report/csv.ts), read back with csv-parse: every kind of cell
 * a report writes comes back as written (accents, quotes, commas, line breaks, negative numbers),
 * and text a spreadsheet would run as a formula comes back behind a `'`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvFile } from '../../src/features/report/csv.js';

const FORMULAS = ['=HYPERLINK("http://evil.example","click")', '+3 at Henry Ford', '-2 instructors short', '@mention', '\tindented', '\rcarriage', '＝full-width equals', '＋full-width plus', '－full-width minus', '＠full-width at'];
const PLAIN = ['', 'plain', 'Café staffing – naïve résumé', 'a, b', 'say "hi"', 'two\nlines', 'windows\r\nbreak', 'ends with\r', "it's", '2026-10-05 11:00 open → blocked'];

describe('report CSV files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const parsed = (bytes: Buffer): string[][] => {
    const records: unknown = parse(bytes, { bom: true });
    return records as string[][];
  };
  const readBack = (path: string): { bom: boolean; records: string[][] } => {
    const bytes = readFileSync(path);
    return { bom: bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), records: parsed(bytes) };
  };

  it('starts with a byte-order mark and the header, ends records with CRLF, and gives back every cell', async () => {
    const path = join(dir, 'cells.csv');
    const file = new CsvFile(path, ['Team', "Can't go", 'Count', 'Note']);
    const rows = PLAIN.map((text, i) => ['CNA', text, i - 5, null] as Array<string | number | null>);
    for (const row of rows) file.add(row);
    await file.close();
    const { bom, records } = readBack(path);
    expect(bom).toBe(true);
    expect(records[0]).toEqual(['Team', "Can't go", 'Count', 'Note']);
    expect(records.slice(1)).toEqual(rows.map((r) => ['CNA', r[1], String(r[2]), '']));
    expect(readFileSync(path, 'utf8').endsWith('\r\n')).toBe(true);
    expect(file.rows).toBe(rows.length);
  });

  it('quotes a lone line feed or carriage return, so a multi-line text never splits its row', async () => {
    const path = join(dir, 'lines.csv');
    const file = new CsvFile(path, ['Details']);
    file.add(['first\nsecond']);
    file.add(['ends with\r']);
    await file.close();
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('"first\nsecond"');
    expect(text).toContain('"ends with\r"');
  });

  it("puts a ' before text a spreadsheet would run as a formula, and keeps numbers numbers", async () => {
    const path = join(dir, 'formulas.csv');
    const file = new CsvFile(path, ['Title', 'Number']);
    for (const text of FORMULAS) file.add([text, -7]);
    await file.close();
    const { records } = readBack(path);
    expect(records.slice(1).map((r) => r[0])).toEqual(FORMULAS.map((t) => `'${t}`));
    expect(records.slice(1).map((r) => r[1])).toEqual(FORMULAS.map(() => '-7'));
  });

  it('writes many rows, in batches, in order, with an empty file being its header alone', async () => {
    const empty = join(dir, 'empty.csv');
    const none = new CsvFile(empty, ['A', 'B']);
    await none.close();
    expect(readBack(empty).records).toEqual([['A', 'B']]);

    const big = join(dir, 'big.csv');
    const file = new CsvFile(big, ['Title', 'Changes']);
    const rows = Array.from({ length: 3000 }, (_, i) => [`Issue ${i} “${'é'.repeat(i % 50)}”`, i % 997 === 0 ? 'x'.repeat(200_000) : `line, ${i}`]);
    for (const row of rows) file.add(row);
    await file.close();
    expect(readBack(big).records.slice(1)).toEqual(rows);
  });

  it("is csv-stringify's CRLF output byte for byte, in batches with and without line breaks in their cells", async () => {
    const path = join(dir, 'bytes.csv');
    const columns = ['Title', 'Count', 'Note'];
    const file = new CsvFile(path, columns);
    // 1,000 rows: the batches of rows 0-255 and 512-767 hold cells with line breaks (CR, LF, CRLF),
    // one batch only a lone CR, the others none.
    const rows = Array.from({ length: 1000 }, (_, i): Array<string | number | null> => {
      const breaks = i < 256 || (i >= 512 && i < 768);
      const text = breaks ? ([...PLAIN, ...FORMULAS][i % 20] ?? '') : `plain ${i}, "quoted" -${i}`;
      const note = i === 301 ? 'ends with\r' : breaks && i % 3 === 0 ? 'a\nb' : 'note';
      return [text, i % 7 === 0 ? -i : i, i % 5 === 0 ? null : note];
    });
    for (const row of rows) file.add(row);
    await file.close();
    const expected = `\uFEFF${stringify([columns, ...rows.map((r) => r.map((v) => v ?? ''))], { escape_formulas: true, record_delimiter: 'windows', quote_record_delimiter: true })}`;
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('fails the report when the file cannot be written, instead of losing rows', async () => {
    const file = new CsvFile(join(dir, 'no-such-folder', 'x.csv'), ['A']);
    await expect(file.close()).rejects.toThrow(/ENOENT/);
  });
});
