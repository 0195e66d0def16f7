// A byte-level CSV tokenizer (RFC 4180 plus CRLF/LF line ends and any one-byte delimiter).
// It finds field boundaries in a reusable work buffer and hands complete rows to a sink in
// batches, as (start, end) byte offsets laid out row-major in one Int32Array, so no string is
// made per field and the sink can parse column by column in tight loops. Quoted fields are
// unescaped in place ("" → "), which only ever shortens them. A row may straddle chunks: the
// partial row stays at the front of the work buffer and scanning resumes where it stopped.
// Input cannot make it hold more than one record of `maxRecordBytes` (a file without line
// ends stops there) or a header wider than `maxColumns`.
import { ReportError } from "../../errors.ts";
import { limitExceeded } from "../../limits.ts";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;

/** Bytes scanned per call of the hot loop. */
const SCAN_SLICE = 1 << 16;

/** Rows per batch handed to the sink, at most: fewer for wide rows (see BATCH_FIELDS). */
const BATCH_ROWS = 4096;
/** Fields per batch, at most, so a 10,000-column file does not allocate 4096 rows of offsets. */
const BATCH_FIELDS = 1 << 18;

/** A batch of complete rows: field k of row r spans offsets[2(r·width+k)] .. offsets[2(r·width+k)+1]. */
export interface RowBatch {
  buf: Uint8Array;
  offsets: Int32Array;
  /** Physical line (1-based) where each row starts. */
  lines: Int32Array;
  rows: number;
  width: number;
}

/** Receives the header row, then batches of data rows; buffers are reused after each call. */
export interface RowSink {
  /** The first row; its field count becomes the width every later row must have. */
  header(buf: Uint8Array, offsets: Int32Array, count: number, line: number): void;
  rows(batch: RowBatch): void;
  /** A row whose field count differs from the header's (expected to throw). */
  ragged(count: number, line: number): void;
}

/** What input may make the tokenizer hold: one record's bytes, and the header's fields. */
export interface TokenizerLimits {
  maxRecordBytes: number;
  maxColumns: number;
}

export class CsvTokenizer {
  /** Physical line (1-based) of the next byte to scan. */
  line = 1;
  private buf = new Uint8Array(1 << 16);
  private length = 0;
  private pos = 0;
  private rowStart = 0;
  private rowLine = 1;
  private fieldStart = 0;
  private quotedEnd = 0;
  private quoteLine = 1;
  private shift = 0;
  private state = FIELD_START;
  /** Fields seen in the current row. */
  private count = 0;
  /** Fields per row; -1 until the header row has been read. */
  private width = -1;
  private offsets = new Int32Array(128);
  private lines = new Int32Array(BATCH_ROWS);
  private rows = 0;
  /** Rows per batch, set from the header's width. */
  private batchRows = BATCH_ROWS;

  constructor(
    private readonly name: string,
    private readonly delimiter: number,
    private readonly sink: RowSink,
    private readonly limits: TokenizerLimits,
  ) {}

  /** Scans a chunk; rows completed by it go to the sink. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.rowStart > 0) this.compact();
    const needed = this.length + chunk.length;
    // One byte to spare after the data, for scan's sentinel.
    if (needed >= this.buf.length) {
      const grown = new Uint8Array(Math.max(needed + 1, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(chunk, this.length);
    this.length = needed;
    // In slices, so that the first calls return (and V8 sees the loop's exit) before the
    // loop is optimized: an optimized scan that has never seen its exit deoptimizes there.
    while (this.pos < this.length) {
      const pos = this.pos;
      const limit = Math.min(this.length, pos + SCAN_SLICE);
      this.scan(false, limit);
      if (this.pos === pos && limit === this.length) break;
    }
    this.flush();
    // What is left is one unfinished record (the header, while there is none yet).
    if (this.length - this.rowStart > this.limits.maxRecordBytes) {
      throw limitExceeded(
        "max_record_bytes",
        this.limits.maxRecordBytes,
        `${this.name}, line ${this.rowLine}`,
      );
    }
  }

  /** Ends the input: the last row may lack a line end; an open quote is an error. */
  end(): void {
    this.scan(true, this.length);
    const state = this.state;
    if (state === QUOTED) {
      throw new ReportError(
        `${this.name}, line ${this.quoteLine}: a quoted field starts here but its closing quote is missing at the end of the file.`,
        {
          hint: 'Close the quote. A quote inside a quoted field must be doubled (""); a file cut short also ends like this.',
        },
      );
    }
    if (state === UNQUOTED) {
      let end = this.length;
      if (end > this.fieldStart && this.buf[end - 1] === CR) end--;
      if (this.count > 0 || end > this.fieldStart) {
        this.addField(this.fieldStart, end);
        this.endRow();
      }
    } else if (state === AFTER_QUOTE) {
      this.addField(this.fieldStart, this.quotedEnd);
      this.endRow();
    } else if (this.count > 0) {
      // The file ends right after a delimiter: the last field is empty.
      this.addField(this.length, this.length);
      this.endRow();
    }
    this.flush();
  }

  /** Hands the complete rows to the sink and moves the partial row's fields to slot 0. */
  private flush(): void {
    if (this.rows === 0) return;
    this.sink.rows({
      buf: this.buf,
      offsets: this.offsets,
      lines: this.lines,
      rows: this.rows,
      width: this.width,
    });
    const from = this.rows * this.width * 2;
    this.offsets.copyWithin(0, from, from + Math.min(this.count, this.width) * 2);
    this.rows = 0;
  }

  /** Moves the partial row to the front of the work buffer. */
  private compact(): void {
    const shiftBy = this.rowStart;
    this.buf.copyWithin(0, shiftBy, this.length);
    this.length -= shiftBy;
    this.pos -= shiftBy;
    this.fieldStart -= shiftBy;
    this.quotedEnd -= shiftBy;
    const base = this.rows * Math.max(this.width, 0) * 2;
    const stored = this.width < 0 ? this.count : Math.min(this.count, this.width);
    for (let k = base; k < base + stored * 2; k++) this.offsets[k] -= shiftBy;
    this.rowStart = 0;
  }

  private addField(start: number, end: number): void {
    const count = this.count++;
    if (this.width < 0) {
      this.headerField(count, start, end, this.rowLine);
    } else if (count < this.width) {
      const at = (this.rows * this.width + count) * 2;
      this.offsets[at] = start;
      this.offsets[at + 1] = end;
    }
  }

  private endRow(): void {
    const count = this.count;
    this.count = 0;
    if (this.width < 0) {
      this.endHeader(count, this.rowLine);
      return;
    }
    if (count !== this.width) this.sink.ragged(count, this.rowLine);
    this.lines[this.rows] = this.rowLine;
    this.rows++;
    if (this.rows === this.batchRows) this.flush();
  }

  /** Hands the header row on; its field count becomes the width of every later row. */
  private endHeader(count: number, line: number): void {
    this.sink.header(this.buf, this.offsets, count, line);
    this.width = count;
    this.batchRows = Math.max(1, Math.min(BATCH_ROWS, Math.floor(BATCH_FIELDS / count)));
    const size = this.batchRows * count * 2 + count * 2;
    if (size > this.offsets.length) this.offsets = new Int32Array(size);
  }

  /** The header row's field `count`: the batch area is free, so it grows to the limit. */
  private headerField(count: number, start: number, end: number, line: number): void {
    if (count >= this.limits.maxColumns) {
      throw limitExceeded("max_columns", this.limits.maxColumns, `${this.name}, line ${line}`);
    }
    if (count * 2 + 2 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[count * 2] = start;
    this.offsets[count * 2 + 1] = end;
  }

  // The hot loop: every piece of state it touches per byte or per field is a local, written
  // back to the object only when a row batch is handed on or the chunk runs out.
  private scan(final: boolean, n: number): void {
    const buf = this.buf;
    const delimiter = this.delimiter;
    const lines = this.lines;
    const above = Math.max(delimiter, LF);
    // The byte at n is the next slice's (or free space): it lends its place to the sentinel.
    const saved = buf[n];
    buf[n] = LF;
    let i = this.pos;
    let state = this.state;
    let fieldStart = this.fieldStart;
    let quotedEnd = this.quotedEnd;
    let line = this.line;
    let shift = this.shift;
    let count = this.count;
    let rows = this.rows;
    let width = this.width;
    let offsets = this.offsets;
    let rowStart = this.rowStart;
    let rowLine = this.rowLine;
    /** Where the next field of the current row goes in `offsets` (data rows only). */
    let at = (rows * Math.max(width, 0) + Math.min(count, Math.max(width, 0))) * 2;
    outer: while (i < n) {
      let end: number;
      let rowEnd = false;
      if (state === FIELD_START) {
        if (buf[i] === QUOTE) {
          state = QUOTED;
          this.quoteLine = line;
          i++;
          fieldStart = i;
          shift = 0;
        } else {
          state = UNQUOTED;
          fieldStart = i;
        }
      }
      if (state === UNQUOTED) {
        let b = 0;
        for (;;) {
          // Most bytes sort above both the delimiter and LF, so one comparison rules them out;
          // the LF sentinel at n ends the loop without a bounds test per byte.
          b = buf[i];
          while (b > above) b = buf[++i];
          if (i >= n) break;
          if (b !== delimiter && b !== LF) {
            i++;
            continue;
          }
          // A data field ended by a delimiter and followed by an unquoted one: store it and
          // scan on without going round the state machine.
          if (b !== delimiter || count >= width - 1 || i + 1 >= n || buf[i + 1] === QUOTE) break;
          offsets[at] = fieldStart;
          offsets[at + 1] = i;
          at += 2;
          count++;
          i++;
          fieldStart = i;
        }
        if (i >= n) break;
        if (b === delimiter) {
          end = i;
        } else {
          end = i > fieldStart && buf[i - 1] === CR ? i - 1 : i;
          line++;
          rowEnd = true;
          if (count === 0 && end === fieldStart) {
            // A blank line is skipped, as pandas and most readers do.
            i++;
            state = FIELD_START;
            rowStart = i;
            rowLine = line;
            continue;
          }
        }
        i++;
      } else if (state === QUOTED) {
        while (i < n) {
          const b = buf[i];
          if (b === QUOTE) {
            if (i + 1 === n && !final) break outer; // "" or closing quote? Wait for more bytes.
            if (i + 1 < n && buf[i + 1] === QUOTE) {
              if (shift > 0) buf[i - shift] = QUOTE;
              shift++;
              i += 2;
              continue;
            }
            quotedEnd = i - shift;
            i++;
            state = AFTER_QUOTE;
            continue outer;
          }
          if (b === LF) line++;
          if (shift > 0) buf[i - shift] = b;
          i++;
        }
        break;
      } else {
        // AFTER_QUOTE: only a delimiter or a line end may follow the closing quote.
        const b = buf[i];
        if (b === CR) {
          i++;
          continue;
        }
        if (b === LF) {
          line++;
          rowEnd = true;
        } else if (b !== delimiter) {
          throw new ReportError(
            `${this.name}, line ${line}: unexpected text after the closing quote of field ${count + 1}.`,
            {
              hint: 'Inside a quoted field, write a quote as two quotes (""); text after the closing quote is not allowed.',
            },
          );
        }
        end = quotedEnd;
        i++;
      }
      // A field ends at byte i - 1 (a delimiter or a line end).
      if (count < width) {
        offsets[at] = fieldStart;
        offsets[at + 1] = end;
        at += 2;
      } else if (width < 0) {
        this.headerField(count, fieldStart, end, rowLine);
        offsets = this.offsets;
      }
      count++;
      state = FIELD_START;
      if (!rowEnd) continue;
      if (count !== width) {
        if (width < 0) {
          this.endHeader(count, rowLine);
          width = count;
          offsets = this.offsets;
          count = 0;
          at = 0;
          rowStart = i;
          rowLine = line;
          continue;
        }
        this.sink.ragged(count, rowLine);
        at = (rows + 1) * width * 2;
      }
      count = 0;
      lines[rows] = rowLine;
      rows++;
      rowStart = i;
      rowLine = line;
      if (rows === this.batchRows) {
        this.rows = rows;
        this.count = 0;
        this.flush();
        rows = 0;
        at = 0;
      }
    }
    buf[n] = saved;
    this.pos = i;
    this.state = state;
    this.fieldStart = fieldStart;
    this.quotedEnd = quotedEnd;
    this.line = line;
    this.shift = shift;
    this.count = count;
    this.rows = rows;
    this.rowStart = rowStart;
    this.rowLine = rowLine;
  }
}
