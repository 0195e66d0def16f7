// A byte-level CSV tokenizer (RFC 4180 plus CRLF/LF line ends and any one-byte delimiter).
// It finds field boundaries in a reusable work buffer and hands each complete row to a sink
// as (start, end) byte offsets, so no string is made per field. Quoted fields are unescaped
// in place ("" → "), which only ever shortens them. A row may straddle chunks: the partial
// row stays at the front of the work buffer and scanning resumes where it stopped.
import { ReportError } from "../errors.ts";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;

/** Receives each row; the arrays and buffer are reused after the call returns. */
export interface RowSink {
  row(buf: Uint8Array, starts: Int32Array, ends: Int32Array, count: number, line: number): void;
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
  private count = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);

  constructor(
    private readonly name: string,
    private readonly delimiter: number,
    private readonly sink: RowSink,
  ) {}

  /** Scans a chunk; rows completed by it go to the sink. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.rowStart > 0) this.compact();
    const needed = this.length + chunk.length;
    if (needed > this.buf.length) {
      const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(chunk, this.length);
    this.length = needed;
    this.scan(false);
  }

  /** Ends the input: the last row may lack a line end; an open quote is an error. */
  end(): void {
    this.scan(true);
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
        this.emit();
      }
    } else if (state === AFTER_QUOTE) {
      this.addField(this.fieldStart, this.quotedEnd);
      this.emit();
    } else if (this.count > 0) {
      // The file ends right after a delimiter: the last field is empty.
      this.addField(this.length, this.length);
      this.emit();
    }
  }

  /** Moves the partial row to the front of the work buffer. */
  private compact(): void {
    const shiftBy = this.rowStart;
    this.buf.copyWithin(0, shiftBy, this.length);
    this.length -= shiftBy;
    this.pos -= shiftBy;
    this.fieldStart -= shiftBy;
    this.quotedEnd -= shiftBy;
    for (let k = 0; k < this.count; k++) {
      this.starts[k] -= shiftBy;
      this.ends[k] -= shiftBy;
    }
    this.rowStart = 0;
  }

  private addField(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const ends = new Int32Array(this.count * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  private emit(): void {
    this.sink.row(this.buf, this.starts, this.ends, this.count, this.rowLine);
    this.count = 0;
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    const n = this.length;
    const delimiter = this.delimiter;
    let i = this.pos;
    let state = this.state;
    let fieldStart = this.fieldStart;
    let line = this.line;
    let shift = this.shift;
    outer: while (i < n) {
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
        while (i < n) {
          const b = buf[i];
          if (b === delimiter) {
            this.addField(fieldStart, i);
            i++;
            state = FIELD_START;
            continue outer;
          }
          if (b === LF) {
            const end = i > fieldStart && buf[i - 1] === CR ? i - 1 : i;
            i++;
            line++;
            state = FIELD_START;
            if (this.count === 0 && end === fieldStart) {
              // A blank line: skipped, as pandas and most readers do.
            } else {
              this.addField(fieldStart, end);
              this.emit();
            }
            this.rowStart = i;
            this.rowLine = line;
            continue outer;
          }
          i++;
        }
        break;
      }
      if (state === QUOTED) {
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
            this.quotedEnd = i - shift;
            i++;
            state = AFTER_QUOTE;
            continue outer;
          }
          if (b === LF) line++;
          if (shift > 0) buf[i - shift] = b;
          i++;
        }
        break;
      }
      // AFTER_QUOTE: only a delimiter or a line end may follow the closing quote.
      const b = buf[i];
      if (b === delimiter) {
        this.addField(fieldStart, this.quotedEnd);
        i++;
        state = FIELD_START;
      } else if (b === LF) {
        this.addField(fieldStart, this.quotedEnd);
        this.emit();
        i++;
        line++;
        state = FIELD_START;
        this.rowStart = i;
        this.rowLine = line;
      } else if (b === CR) {
        i++;
      } else {
        throw new ReportError(
          `${this.name}, line ${line}: unexpected text after the closing quote of field ${this.count + 1}.`,
          {
            hint: 'Inside a quoted field, write a quote as two quotes (""); text after the closing quote is not allowed.',
          },
        );
      }
    }
    this.pos = i;
    this.state = state;
    this.fieldStart = fieldStart;
    this.line = line;
    this.shift = shift;
  }
}
