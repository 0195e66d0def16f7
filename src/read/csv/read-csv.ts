// CSV bytes → apache-arrow Table, streaming, on this thread: the tokenizer (tokenizer.ts) hands
// rows over in batches, and they go column by column into typed builders (append-batch.ts).
// The first `sampleRows` data rows are buffered to infer each column's type (a text column
// whose sampled values are all dates in one common non-ISO form is read as dates in it:
// columns/recognize-dates.ts); a column declared in `source.columns` takes its declared type
// instead (columns/declared-columns.ts). After that every row goes straight into the
// builders. A later value that does not fit widens its column
// (int32→int64→float64, date→timestamp, anything→string) with a notice, so nothing is lost
// silently. Integers beyond Int64 make the column Float64, with a notice too (floats keep about
// 15 digits: such integers may read as equal). Empty fields are always missing,
// whatever `nullValues` says. (A worker-thread reader was tried and removed: see
// docs/design/decisions.md.)
import type { Table } from "apache-arrow";
import type { ColumnDeclaration } from "../../config/spec.ts";
import { ReportError } from "../../errors.ts";
import { releaseChunk } from "../../file-chunks.ts";
import { type Limits, limitsFromEnv } from "../../limits.ts";
import { concatBytes } from "../bytes/stream.ts";
import { Utf8Validator } from "../bytes/utf8.ts";
import { type ColumnBuilder, type ColumnKind, createBuilder, widen } from "../columns/builders.ts";
import {
  appendDeclared,
  type ColumnRule,
  checkDeclaredNames,
  declarationsByName,
  declaredRule,
  expected,
  recognizedRule,
  rejectionNotice,
  rejectValue,
} from "../columns/declared-columns.ts";
import {
  beyondInt64Notice,
  classifyBytes,
  fitsKind,
  isBeyondInt64,
  joinKinds,
} from "../columns/infer-type.ts";
import { asciiText } from "../columns/parse-bytes.ts";
import { FormatRecognizer, recognitionNotice } from "../columns/recognize-dates.ts";
import { tableFromColumns } from "../columns/table.ts";
import { appendColumn, appendValue } from "./append-batch.ts";
import { appendFormatted } from "./append-formatted.ts";
import { describeDelimiter, sniffDelimiter, uniqueNames } from "./header.ts";
import { NullMatcher } from "./null-values.ts";
import { CsvTokenizer, type RowBatch, type RowSink } from "./tokenizer.ts";

export interface ReadCsvOptions {
  /** The file's label (path or s3:// URL), used in every message. */
  name: string;
  /** One character; sniffed among , ; tab | from the header line when absent. */
  delimiter?: string;
  /** Field texts read as missing; default DEFAULT_NULL_VALUES. */
  nullValues?: string[];
  /** Data rows buffered to infer column types (default 10,000). */
  sampleRows?: number;
  /** The input's size when known (DataSource.size): columns are then allocated once. */
  expectedBytes?: number;
  /** Receives notices the user should see (renamed columns, widened types). */
  onNotice?: (message: string) => void;
  /** Told the data rows parsed so far, once per batch of rows (the progress line). */
  onRows?: (rows: number) => void;
  /** Limits on what the input may make the reader hold (default: src/limits.ts defaults). */
  limits?: Limits;
  /** Declared column types (source.columns); the rest are inferred. */
  columns?: readonly ColumnDeclaration[];
  /** Whether a declared name the header lacks is an error (not for one part of a dataset). */
  checkColumnNames?: boolean;
}

/** The columns a reader built, with the notices about each that the report shows. */
interface CsvColumns {
  names: string[];
  builders: ColumnBuilder[];
  rows: number;
  notices: string[][];
}

/** Parses a CSV byte stream (or one buffer) into an Arrow table with inferred column types. */
export async function readCsv(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  options: ReadCsvOptions,
): Promise<Table> {
  const reader = new CsvReader(options);
  if (input instanceof Uint8Array) reader.push(input);
  else {
    for await (const chunk of input) {
      reader.push(chunk);
      // The tokenizer has copied it, unless it waits in `head` for the header line's end.
      if (!reader.holdsInput) releaseChunk(chunk);
    }
  }
  const { names, builders, rows, notices } = reader.finish();
  return tableFromColumns(
    names,
    builders.map((builder) => builder.finish()),
    rows,
    notices,
  );
}

const DEFAULT_SAMPLE_ROWS = 10_000;
/** Fields buffered to infer types, at most: a wide file samples fewer rows. */
const SAMPLE_FIELDS = 1 << 22;
/** Bytes to wait for before sniffing when the header line has not ended yet. */
const HEADER_WINDOW = 1 << 20;
const BOM = [0xef, 0xbb, 0xbf];

const KIND_LABELS: Record<ColumnKind, string> = {
  null: "empty",
  int32: "an integer",
  int64: "an integer",
  float64: "a number",
  bool: "a boolean",
  date: "a date (YYYY-MM-DD)",
  timestamp: "a timestamp",
  string: "text",
};

/** A field as a notice shows it: its first 40 bytes, decoded. */
function shownText(buf: Uint8Array, start: number, end: number): string {
  return new TextDecoder().decode(buf.subarray(start, Math.min(end, start + 40)));
}

const Phase = { Header: 0, Sample: 1, Data: 2 } as const;

/**
 * Data rows kept verbatim until the column types are known: each batch's rows as one copy of
 * the bytes they span, with their field offsets moved to match.
 */
class SampleRows {
  rows = 0;
  readonly parts: RowBatch[] = [];

  constructor(private readonly width: number) {}

  /** Copies rows [from, to) of a batch. */
  add(batch: RowBatch, from: number, to: number): void {
    if (to <= from) return;
    const stride = this.width * 2;
    // Rows lie in file order in the batch's buffer, so their fields span first..last.
    const first = batch.offsets[from * stride];
    const last = batch.offsets[to * stride - 1];
    const offsets = batch.offsets.slice(from * stride, to * stride);
    for (let k = 0; k < offsets.length; k++) offsets[k] -= first;
    this.parts.push({
      buf: batch.buf.slice(first, last),
      offsets,
      lines: batch.lines.slice(from, to),
      rows: to - from,
      width: this.width,
    });
    this.rows += to - from;
  }
}

/** CSV bytes → column builders; `push` the bytes in order, then `finish`. */
class CsvReader implements RowSink {
  private readonly name: string;
  private readonly nulls: NullMatcher;
  private readonly sampleRows: number;
  /** Rows to sample: sampleRows, or fewer when the header is wide (set from the header). */
  private sampleSize = 0;
  private readonly limits: Limits;
  private readonly notice: (message: string) => void;
  private readonly onRows: ((rows: number) => void) | undefined;
  private readonly validator = new Utf8Validator();
  private delimiter: string | undefined;
  private tokenizer: CsvTokenizer | undefined;
  private head: Uint8Array[] = [];
  private headLength = 0;
  private bytesSeen = 0;
  private phase: number = Phase.Header;
  private headerLine = 1;
  private names: string[] = [];
  private width = 0;
  private sample: SampleRows | undefined;
  private builders: ColumnBuilder[] = [];
  private rowCount = 0;
  private readonly expectedBytes: number | undefined;
  private readonly columns: readonly ColumnDeclaration[] | undefined;
  private readonly checkColumnNames: boolean;
  /** Per column: its declared type or recognized date format, if it has one. */
  private rules: (ColumnRule | undefined)[] = [];
  /** Per column: what the report should say about it (recognized formats, missing values). */
  private columnNotices: string[][] = [];
  /** Per column: whether an integer beyond Int64 was read into it as a float (and told). */
  private toldBeyondInt64: boolean[] = [];

  constructor(options: ReadCsvOptions) {
    this.name = options.name;
    this.nulls = new NullMatcher(options.nullValues);
    this.sampleRows = Math.max(1, options.sampleRows ?? DEFAULT_SAMPLE_ROWS);
    this.limits = options.limits ?? limitsFromEnv({});
    this.notice = options.onNotice ?? (() => {});
    this.onRows = options.onRows;
    this.expectedBytes = options.expectedBytes;
    this.columns = options.columns;
    this.checkColumnNames = options.checkColumnNames ?? true;
    if (options.delimiter !== undefined) {
      const delimiter = options.delimiter;
      if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f || /["\r\n]/.test(delimiter)) {
        throw new ReportError(
          `${this.name}: the CSV delimiter must be one ASCII character other than a quote or line break, not ${JSON.stringify(delimiter)}.`,
          {
            hint: 'Set csv.delimiter to ",", ";", "|" or "\\t" (tab), or leave it out to detect it.',
          },
        );
      }
      this.delimiter = delimiter;
    }
  }

  /** True while chunks pushed so far are kept (the header line has not ended yet). */
  get holdsInput(): boolean {
    return this.head.length > 0;
  }

  /** Adds the next bytes of the file. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.bytesSeen += chunk.length;
    if (this.tokenizer) {
      this.feed(chunk);
      return;
    }
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (chunk.includes(0x0a) || this.headLength >= HEADER_WINDOW) this.start();
  }

  /** Ends the input (the last row may lack a line end) and returns the columns. */
  finish(): CsvColumns {
    if (this.bytesSeen === 0) {
      throw new ReportError(`${this.name} is empty (0 bytes).`, {
        hint: "Check that the upload or export that produced the file finished, or point the report at another file.",
      });
    }
    if (!this.tokenizer) this.start();
    const tokenizer = this.tokenizer!;
    const truncated = this.validator.end();
    if (truncated !== undefined) this.invalidUtf8(tokenizer.line, truncated);
    tokenizer.end();
    if (this.phase === Phase.Header) {
      throw new ReportError(`${this.name} has no header line: it holds only blank lines.`, {
        hint: "A CSV file needs a header line with the column names, then one line per row.",
      });
    }
    if (this.phase === Phase.Sample) this.startData();
    if (this.rowCount === 0) {
      throw new ReportError(
        `${this.name}: line ${this.headerLine} is a header with ${this.width} column${this.width === 1 ? "" : "s"}, but no data rows follow it.`,
        {
          hint: "Check that the export wrote its rows, or point the report at a file with data.",
        },
      );
    }
    this.rules.forEach((rule, c) => {
      const notice = rule && rejectionNotice(rule, this.name);
      if (notice !== undefined) this.tell(c, notice);
    });
    return {
      names: this.names,
      builders: this.builders,
      rows: this.rowCount,
      notices: this.columnNotices,
    };
  }

  /** Strips a BOM, settles the delimiter from the header line, and starts tokenizing. */
  private start(): void {
    let first = concatBytes(this.head, this.headLength);
    this.head = [];
    const bytes = first;
    if (first.length >= 3 && BOM.every((byte, k) => first[k] === byte)) first = first.subarray(3);
    // Classic Mac line ends would read as one endless header line (and buffer the file).
    if (!first.includes(0x0a) && first.includes(0x0d)) {
      throw new ReportError(`${this.name} ends its lines with CR only (classic Mac OS), not LF.`, {
        hint: "Convert the line ends to LF or CRLF, e.g. `tr '\\r' '\\n' < in.csv > out.csv`, or export again as standard CSV.",
      });
    }
    const delimiter = this.delimiter ?? sniffDelimiter(first);
    this.delimiter = delimiter;
    this.tokenizer = new CsvTokenizer(this.name, delimiter.charCodeAt(0), this, {
      maxRecordBytes: this.limits.max_record_bytes,
      maxColumns: this.limits.max_columns,
    });
    this.validate(bytes);
    this.tokenizer.push(first);
  }

  private feed(chunk: Uint8Array): void {
    this.validate(chunk);
    this.tokenizer!.push(chunk);
  }

  private validate(chunk: Uint8Array): void {
    const failure = this.validator.push(chunk);
    if (!failure) return;
    let line = this.tokenizer!.line;
    for (let i = 0; i < failure.index; i++) if (failure.chunk[i] === 0x0a) line++;
    this.invalidUtf8(line, failure.offset);
  }

  private invalidUtf8(line: number, offset: number): never {
    throw invalidUtf8Error(this.name, line, offset);
  }

  /** RowSink: the header row. */
  header(buf: Uint8Array, offsets: Int32Array, count: number, line: number): void {
    const decoder = new TextDecoder();
    const raw: string[] = [];
    for (let c = 0; c < count; c++) {
      raw.push(decoder.decode(buf.subarray(offsets[2 * c], offsets[2 * c + 1])));
    }
    const { names, notices } = uniqueNames(raw);
    for (const message of notices) this.notice(`${this.name}, line ${line}: ${message}.`);
    this.names = names;
    if (this.checkColumnNames) checkDeclaredNames(this.columns, names, this.name);
    this.width = count;
    this.headerLine = line;
    this.sampleSize = Math.max(1, Math.min(this.sampleRows, Math.floor(SAMPLE_FIELDS / count)));
    this.sample = new SampleRows(count);
    this.phase = Phase.Sample;
  }

  /** RowSink: a batch of data rows (buffered while sampling, then appended). */
  rows(batch: RowBatch): void {
    let from = 0;
    if (this.phase === Phase.Sample) {
      const sample = this.sample!;
      from = Math.min(batch.rows, this.sampleSize - sample.rows);
      sample.add(batch, 0, from);
      if (sample.rows < this.sampleSize) return;
      this.startData();
    }
    this.append(batch, from);
  }

  /** RowSink: a row with the wrong number of fields. */
  ragged(count: number, line: number): never {
    const delimiter = describeDelimiter(this.delimiter!);
    const hint =
      count > this.width
        ? `A field that contains the delimiter ${delimiter} must be quoted ("a${this.delimiter}b"), with quotes inside it doubled. If the file uses another delimiter, set csv.delimiter in the report definition.`
        : `Add the missing fields (an empty field is fine: two delimiters in a row), or quote a field that contains a line break.`;
    throw new ReportError(
      `${this.name}, line ${line}: ${count} field${count === 1 ? "" : "s"}, but the header (line ${this.headerLine}) has ${this.width} (delimiter ${delimiter}).`,
      { hint },
    );
  }

  /**
   * Infers each undeclared column's kind from the sample (and a date format for text ones),
   * then replays the sample into the builders.
   */
  private startData(): void {
    const sample = this.sample!;
    const width = this.width;
    const declared = declarationsByName(this.columns);
    this.rules = this.names.map((name) => {
      const declaration = declared.get(name);
      return declaration && declaredRule(declaration);
    });
    this.columnNotices = this.names.map(() => []);
    this.toldBeyondInt64 = this.names.map(() => false);
    /** Per column: the first integer beyond Int64 in the sample, as written, and its line. */
    const beyondInt64: ({ text: string; line: number } | undefined)[] = [];
    // A declared column's kind is fixed: "string" here, so no value ever changes it.
    const kinds: ColumnKind[] = this.rules.map((rule) => (rule ? "string" : "null"));
    let fieldBytes = 0;
    for (const { buf, offsets, rows, lines } of sample.parts) {
      for (let at = 0; at < rows * width * 2; at += 2) {
        const start = offsets[at];
        const end = offsets[at + 1];
        fieldBytes += end - start;
        const c = (at >> 1) % width;
        const kind = kinds[c];
        if (fitsKind(kind, buf, start, end) || this.nulls.matches(buf, start, end)) continue;
        const found = classifyBytes(buf, start, end);
        if (found === "float64" && beyondInt64[c] === undefined && isBeyondInt64(buf, start, end)) {
          const line = lines[Math.floor(at / (2 * width))];
          beyondInt64[c] = { text: shownText(buf, start, end), line };
        }
        kinds[c] = joinKinds(kind, found);
      }
    }
    for (let c = 0; c < width; c++) {
      const rule = this.rules[c];
      if (rule) kinds[c] = rule.kind;
      else if (kinds[c] === "string") kinds[c] = this.recognize(c);
    }
    // Told only if the column stays floats: as text, the sample's values are kept as written.
    beyondInt64.forEach((found, c) => {
      if (found !== undefined && kinds[c] === "float64") {
        this.tellBeyondInt64(c, found.text, found.line);
      }
    });
    this.builders = kinds.map((kind) => createBuilder(kind));
    if (this.expectedBytes !== undefined && sample.rows > 0) {
      // Size the columns once from the sample's bytes per row, instead of doubling.
      const rowBytes = (fieldBytes + sample.rows * width) / sample.rows;
      const estimate = Math.ceil((this.expectedBytes / rowBytes) * 1.02) + 1024;
      for (const builder of this.builders) builder.reserve(estimate);
    }
    this.phase = Phase.Data;
    for (const part of sample.parts) this.append(part, 0);
    this.sample = undefined;
  }

  /**
   * Whether text column c holds dates or timestamps in one recognized format (sample rows
   * only): if so its rule is set and the date kind returned; a notice says what was found.
   */
  private recognize(c: number): ColumnKind {
    const recognizer = new FormatRecognizer();
    const width = this.width;
    scan: for (const { buf, offsets, rows, lines } of this.sample!.parts) {
      for (let r = 0, at = c * 2; r < rows; r++, at += width * 2) {
        const start = offsets[at];
        const end = offsets[at + 1];
        if (this.nulls.matches(buf, start, end)) continue;
        if (!recognizer.offer(buf, start, end, lines[r])) break scan;
      }
    }
    const found = recognizer.result();
    if (found === undefined) return "string";
    this.tell(c, recognitionNotice(this.name, this.names[c], found));
    if (found.outcome === "ambiguous") return "string";
    this.rules[c] = recognizedRule(this.names[c], found);
    return found.kind;
  }

  /** A notice for the build log that the report shows too. */
  private tell(column: number, message: string): void {
    this.notice(message);
    this.columnNotices[column].push(message);
  }

  /** Appends rows [from, batch.rows) column by column, widening a column where needed. */
  private append(batch: RowBatch, from: number): void {
    const { buf, offsets, width } = batch;
    for (let c = 0; c < width; c++) {
      let row = from;
      for (;;) {
        const rule = this.rules[c];
        row =
          rule?.format !== undefined && rule.kind === this.builders[c].kind
            ? appendFormatted(this.builders[c], rule, batch, c, row, this.nulls)
            : appendColumn(this.builders[c], batch, c, row, this.nulls);
        if (row === batch.rows) break;
        const at = (row * width + c) * 2;
        this.widenAndAppend(c, buf, offsets[at], offsets[at + 1], batch.lines[row]);
        row++;
      }
    }
    this.rowCount += batch.rows - from;
    this.onRows?.(this.rowCount);
  }

  /** Tells, once per column, that an integer beyond Int64 is read into column c as a float. */
  private tellBeyondInt64(c: number, text: string, line: number) {
    if (this.toldBeyondInt64[c]) return;
    this.toldBeyondInt64[c] = true;
    this.tell(c, beyondInt64Notice(`${this.name}, line ${line}`, this.names[c], text));
  }

  /** Tells the user that a column widened because of a value, unless only its storage did. */
  private announce(column: number, line: number, text: string, from: ColumnKind, to: ColumnKind) {
    if (from === "null" || KIND_LABELS[to] === KIND_LABELS[from]) return;
    this.notice(
      `${this.name}, line ${line}: column "${this.names[column]}" has ${JSON.stringify(text)}, which is not ${KIND_LABELS[from]}; the column is read as ${KIND_LABELS[to]}.`,
    );
  }

  /** The slow path: a value the column's kind cannot hold, so the column widens first. */
  private widenAndAppend(
    column: number,
    buf: Uint8Array,
    start: number,
    end: number,
    line: number,
  ) {
    let builder = this.builders[column];
    const rule = this.rules[column];
    if (rule?.declared !== undefined) {
      const next = appendDeclared(builder, rule, buf, start, end);
      if (next) {
        this.builders[column] = next;
      } else {
        rejectValue(
          rule,
          this.name,
          `line ${line}`,
          new TextDecoder().decode(buf.subarray(start, end)),
        );
        builder.pushNull();
      }
      return;
    }
    if (rule === undefined && appendValue(builder, buf, start, end)) return; // an Int64 beyond 2^53, say
    // A value a recognized format does not read turns the column to text.
    const target =
      rule === undefined ? joinKinds(builder.kind, classifyBytes(buf, start, end)) : "string";
    const text = shownText(buf, start, end);
    if (rule === undefined) {
      // An integer beyond Int64 is not "not an integer": its own notice says what happens.
      if (target === "float64" && isBeyondInt64(buf, start, end)) {
        this.tellBeyondInt64(column, text, line);
      } else {
        this.announce(column, line, text, builder.kind, target);
      }
    } else {
      this.rules[column] = undefined;
      this.tell(
        column,
        `${this.name}, line ${line}: column "${this.names[column]}" has ${JSON.stringify(text)}, which is not ${expected(rule)}; the column is read as text (the values before it in ISO form).`,
      );
    }
    builder = widen(builder, target);
    this.builders[column] = builder;
    if (!appendValue(builder, buf, start, end)) {
      throw new Error(`${target} column cannot hold ${JSON.stringify(asciiText(buf, start, end))}`);
    }
  }
}

/** The error for bytes that are not UTF-8, at a line and byte offset of the file. */
function invalidUtf8Error(name: string, line: number, offset: number): ReportError {
  return new ReportError(
    `${name}, line ${line}: invalid UTF-8 at byte offset ${offset}; the file must be UTF-8 text.`,
    {
      hint: 'Save the file as UTF-8 (in Excel: "CSV UTF-8"), or convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8.',
    },
  );
}
