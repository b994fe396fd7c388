import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify, type Options } from 'csv-stringify/sync';

/**
 * csv-stringify's settings for every report file. `escape_formulas` puts a `'` before any text cell
 * starting with `=`, `+`, `-`, `@`, tab or carriage return (and their full-width forms), so a title
 * can never run as a spreadsheet formula; numbers stay numbers. With a CRLF record delimiter
 * csv-stringify quotes a field holding a CRLF but not a lone CR or LF, which RFC 4180 also requires
 * quoted (a multi-line detail would otherwise split its row): `quoted_match` adds those.
 */
const OPTIONS: Options = { escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ };

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
 */
export class CsvFile {
  private readonly out: WriteStream;
  private batch: Array<Array<string | number>> = [];
  private failure: Error | undefined;
  rows = 0;

  constructor(
    readonly path: string,
    columns: readonly string[],
  ) {
    // Up to 1 MB queued before the writer waits: the next rows are encoded while the last are written.
    this.out = createWriteStream(path, { highWaterMark: 1 << 20 });
    // Kept and thrown at the next row (or at close) rather than left as an unhandled 'error' event.
    this.out.on('error', (error) => {
      this.failure ??= error;
    });
    this.out.write(`\uFEFF${stringify([[...columns]], OPTIONS)}`);
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
    this.batch.push(row.map((value) => value ?? ''));
    return this.batch.length < BATCH || this.flush();
  }

  /** Encodes the rows waiting and hands them to the file; false when the file is behind. */
  private flush(): boolean {
    if (this.batch.length === 0) return true;
    const text = stringify(this.batch, OPTIONS);
    this.batch = [];
    return this.out.write(text);
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
