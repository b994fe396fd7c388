import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify, type Options } from 'csv-stringify/sync';

/**
 * csv-stringify's settings for every report file. `escape_formulas` puts a `'` before any text cell
 * starting with `=`, `+`, `-`, `@`, tab or carriage return (and their full-width forms), so a title
 * can never run as a spreadsheet formula; numbers stay numbers. With a CRLF record delimiter
 * csv-stringify quotes a field holding a CRLF but, by default, not a lone CR or LF, which RFC 4180
 * also requires quoted (a multi-line detail would otherwise split its row): `quote_record_delimiter`
 * adds those, with two `indexOf` per cell (a `quoted_match` regular expression, which gave the same
 * bytes, was searched in every cell: about 0.1 s of the 100× quarter).
 */
const OPTIONS: Options = { escape_formulas: true, record_delimiter: 'windows', quote_record_delimiter: true };

/**
 * Settings that give the same bytes for a batch with no CR or LF in any cell, but LF between
 * records: csv-stringify tests every cell for each record delimiter, and for a two-character one it
 * builds the cell's text with the delimiter appended (a new string per cell); with CRLF and
 * `quote_record_delimiter` a cell costs it four searches and two arrays more. Without CR or LF in
 * its cells a batch is quoted the same either way (only a cell holding a CR or LF is quoted for it),
 * so its LFs are exactly its records' ends and replacing them gives OPTIONS' output. A report's
 * cells seldom hold a line break; a batch that has one (its text then has a CR, or more LFs than
 * records) is encoded again with OPTIONS. About 40% less time in csv-stringify for the same bytes.
 */
const LF_OPTIONS: Options = { escape_formulas: true, record_delimiter: 'unix', quote_record_delimiter: false };

/** `stringify(rows, OPTIONS)`, byte for byte. */
function encode(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const input = rows as Array<Array<string | number | null>>;
  const text = stringify(input, LF_OPTIONS);
  let lineFeeds = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lineFeeds += 1;
  return lineFeeds === rows.length && !text.includes('\r') ? text.replaceAll('\n', '\r\n') : stringify(input, OPTIONS);
}

/**
 * Rows are encoded this many at a time. csv-stringify's stream costs a callback chain per row,
 * which was most of a large report's CSV time; encoding batches with its synchronous form gives the
 * same bytes for a fraction of the work, and memory stays one batch deep.
 */
const BATCH = 256;

/**
 * One CSV file written as rows arrive, through csv-stringify (RFC 4180: CRLF line ends; fields with
 * commas, quotes or line breaks quoted; quotes doubled). It starts with a UTF-8 byte-order mark so
 * Excel reads accents correctly. Rows go to the file in batches and are never all held in memory.
 *
 * Each batch (tens of kilobytes) is written synchronously, straight from the string: a write stream
 * turns every batch into a Buffer that lives until the next garbage collection, which at 100× data
 * kept 10 to 25 MB of spent buffers resident and cost more CPU than the write itself (the file
 * system takes a batch into its cache in microseconds; the report yields between pages anyway).
 * The file is created with its first batch, so a folder that cannot be written fails the report
 * there, or at `close`.
 */
export class CsvFile {
  private fd: number | undefined;
  private closed = false;
  private pending: string;
  private batch: Array<ReadonlyArray<string | number | null>> = [];
  rows = 0;

  constructor(
    readonly path: string,
    columns: readonly string[],
  ) {
    this.pending = `\uFEFF${stringify([[...columns]], OPTIONS)}`;
  }

  /** Adds a row (null is an empty cell); written with its batch. The row is not copied: it must not change after. */
  add(row: ReadonlyArray<string | number | null>): void {
    if (this.closed) throw new Error(`${this.path} is closed`);
    this.rows += 1;
    this.batch.push(row);
    if (this.batch.length >= BATCH) this.flush();
  }

  /** Encodes the rows waiting and writes them (with the header, the first time). */
  private flush(): void {
    const text = this.batch.length === 0 ? this.pending : this.pending + encode(this.batch);
    this.pending = '';
    this.batch = [];
    if (text === '') return;
    this.fd ??= openSync(this.path, 'w');
    const written = writeSync(this.fd, text);
    // A regular file takes the whole write unless the disk is full; a short write is a failure, not lost rows.
    if (written !== Buffer.byteLength(text)) throw new Error(`${this.path}: wrote ${written} of ${Buffer.byteLength(text)} bytes`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
