import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/** Rows go to the file in pieces of this many bytes: few, large writes. */
const CHUNK = 64 * 1024;

/**
 * A field with a quote, a comma or a CRLF is quoted. As csv-stringify with a record delimiter set
 * (its `quote_record_delimiter` is then off), a lone CR or LF is not: kept so the files stay
 * byte for byte what they were.
 */
const NEEDS_QUOTES = /[",]|\r\n/;

/**
 * What a spreadsheet would run as a formula: text starting with `=`, `+`, `-`, `@`, tab, carriage
 * return, or their full-width forms (Apple Numbers normalises those).
 */
const FORMULA_STARTS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/**
 * One cell as csv-stringify 6 writes it with `escape_formulas` (this module wrote through it until
 * it became a report's hot loop; test/unit/report-csv.test.ts holds the two to the same bytes):
 * numbers as JavaScript prints them (a negative number stays a number), null as nothing, text
 * starting like a formula behind a `'`, then quoted if it needs it, with quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (value === '') return '';
  const cell = FORMULA_STARTS.has(value[0] ?? '') ? `'${value}` : value;
  return NEEDS_QUOTES.test(value) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The cells of the record being joined: one array reused, not one per record (reports write millions of cells). */
const cells: string[] = [];

/** One record's cells joined by commas (without its CRLF). */
export function csvRecord(row: ReadonlyArray<string | number | null | undefined>): string {
  cells.length = row.length;
  for (let i = 0; i < row.length; i++) cells[i] = csvCell(row[i]);
  return cells.join(',');
}

/**
 * One CSV file written as rows arrive (RFC 4180: CRLF line ends, fields with commas, quotes or CRLF
 * quoted, quotes doubled). It starts with a UTF-8 byte-order mark so Excel reads accents
 * correctly, and a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a `'`
 * before it, so a title can never run as a spreadsheet formula (numbers stay numbers). Each record
 * is encoded straight into a 64 KB buffer that goes to the file when full: memory stays flat however
 * many rows come, and the file gets few, large writes.
 */
export class CsvFile {
  private readonly out: WriteStream;
  private buffer = Buffer.allocUnsafe(CHUNK);
  /** Bytes of `buffer` filled. */
  private used = 0;
  private failure: Error | undefined;
  rows = 0;

  constructor(
    readonly path: string,
    columns: readonly string[],
  ) {
    // Up to 1 MB queued before the writer waits (the stream's default is 16 KB, less than one piece):
    // the next rows are formatted while the file system writes the last ones.
    this.out = createWriteStream(path, { highWaterMark: 1 << 20 });
    // Kept and thrown at the next row (or at close) rather than left as an unhandled 'error' event.
    this.out.on('error', (error) => {
      this.failure ??= error;
    });
    this.used = this.buffer.write('\uFEFF', 0, 'utf8');
    this.append(csvRecord(columns));
  }

  /** Adds a row; waits when the file is behind, so memory stays flat however many rows come. */
  async write(row: ReadonlyArray<string | number | null>): Promise<void> {
    if (!this.add(row)) await this.drained();
  }

  /**
   * The hot-loop form of `write`: adds a row without a promise per row; false when the caller must
   * `await drained()` before the next (`if (!csv.add(row)) await csv.drained()`).
   */
  add(row: ReadonlyArray<string | number | null>): boolean {
    if (this.failure !== undefined) throw this.failure;
    this.rows += 1;
    return this.append(csvRecord(row));
  }

  /** Adds a record and its CRLF; false when the file is behind. */
  private append(record: string): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +2 for the CRLF.
    const most = record.length * 3 + 2;
    let ready = true;
    if (this.used + most > CHUNK) ready = this.flush();
    if (most > CHUNK) return this.out.write(`${record}\r\n`) && ready;
    this.used += this.buffer.write(record, this.used, 'utf8');
    this.buffer[this.used++] = 13;
    this.buffer[this.used++] = 10;
    return ready;
  }

  /** Hands the filled part of the buffer to the file (which keeps it until written) and starts a new one. */
  private flush(): boolean {
    if (this.used === 0) return true;
    const full = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    return this.out.write(full);
  }

  async drained(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    // once() rejects if the file fails while we wait.
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.failure === undefined && !this.out.writableEnded) {
      this.flush();
      this.out.end();
    }
    await finished(this.out);
    if (this.failure !== undefined) throw this.failure;
  }
}
