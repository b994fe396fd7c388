import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify, type Stringifier } from 'csv-stringify';

/**
 * One CSV file written as rows arrive, through csv-stringify (RFC 4180: CRLF line ends, fields with
 * commas, quotes or line breaks quoted, quotes doubled). It starts with a UTF-8 byte-order mark so
 * Excel reads accents correctly, and `escape_formulas` puts a `'` before any text cell starting with
 * `=`, `+`, `-`, `@`, tab or carriage return, so a title can never run as a spreadsheet formula
 * (numbers stay numbers). Rows go straight to a file, never held in memory.
 */
export class CsvFile {
  private readonly stringifier: Stringifier;
  private readonly done: Promise<void>;
  rows = 0;

  constructor(readonly path: string, columns: readonly string[]) {
    this.stringifier = stringify({ bom: true, escape_formulas: true, record_delimiter: 'windows', header: true, columns: [...columns] });
    const out = createWriteStream(path);
    this.stringifier.pipe(out);
    this.done = finished(out);
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
    this.rows += 1;
    return this.stringifier.write(row.map((v) => (v === null ? '' : v)));
  }

  drained(): Promise<unknown> {
    return once(this.stringifier, 'drain');
  }

  async close(): Promise<void> {
    this.stringifier.end();
    await this.done;
  }
}
