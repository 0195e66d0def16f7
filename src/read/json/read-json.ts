// NDJSON (one object per line) and JSON arrays of objects → Arrow, streaming. A byte scanner
// finds each record's extent (braces outside strings), JSON.parse reads it, and the values go
// straight into the typed column builders the CSV reader uses. Types come from JSON itself
// (numbers, booleans, text, null); text that is an ISO date or timestamp in every row becomes
// a date or timestamp column, and so does text in one common non-ISO date form
// (columns/recognize-dates.ts); nested values become JSON text. A column declared in
// `source.columns` is parsed as declared (columns/declared-columns.ts). A value that does not fit its
// column widens it (int → float, date → timestamp, anything → text, with a notice).
// Input cannot make it hold more than one record of max_record_bytes, nest deeper than
// max_nesting or add more than max_columns keys: each stops the read with a clear error.
import type { Table } from "apache-arrow";
import { DAY_MS } from "../../calendar.ts";
import type { ColumnDeclaration } from "../../config/spec.ts";
import { ReportError } from "../../errors.ts";
import { type Limits, limitExceeded, limitsFromEnv } from "../../limits.ts";
import { parseDateWith, parseTimestampWith } from "../../strptime.ts";
import { jsonText } from "../arrow/normalize-types.ts";
import {
  type BoolBuilder,
  type ColumnBuilder,
  type ColumnKind,
  createBuilder,
  type Float64Builder,
  type Int32Builder,
  type Int64Builder,
  type StringBuilder,
  widen,
} from "../columns/builders.ts";
import {
  appendDeclared,
  type ColumnRule,
  checkDeclaredNames,
  declarationsByName,
  declaredRule,
  rejectionNotice,
  rejectValue,
} from "../columns/declared-columns.ts";
import { beyondInt64Notice, joinKinds } from "../columns/infer-type.ts";
import { parseDateBytes, parseTimestampBytes } from "../columns/parse-bytes.ts";
import { FormatRecognizer, recognitionNotice } from "../columns/recognize-dates.ts";
import { tableFromColumns } from "../columns/table.ts";
import { uniqueNames } from "../csv/header.ts";
import { parseJsonExact } from "./exact-integers.ts";

export interface ReadJsonOptions {
  /** The file's label (path or s3:// URL), used in every message. */
  name: string;
  /** Receives notices the user should see (widened column types). */
  onNotice?: (message: string) => void;
  /** Told the records parsed so far, every few thousand records (the progress line). */
  onRows?: (rows: number) => void;
  /** Limits on what the input may make the reader hold (default: src/limits.ts defaults). */
  limits?: Limits;
  /** Declared column types (source.columns); the rest are inferred. */
  columns?: readonly ColumnDeclaration[];
  /** Whether a declared name no record has is an error (not for one part of a dataset). */
  checkColumnNames?: boolean;
}

/** Parses NDJSON or a JSON array of objects (decided by the first byte) into a table. */
export async function readJson(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  options: ReadJsonOptions,
): Promise<Table> {
  const limits = options.limits ?? limitsFromEnv({});
  const sink = new RecordSink(options, limits);
  const scanner = new RecordScanner(options.name, sink, limits);
  if (input instanceof Uint8Array) scanner.push(input);
  else for await (const chunk of input) scanner.push(chunk);
  scanner.end();
  return sink.finish(scanner.mode);
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const LONG_DIGITS = /\d{16}/;
const DATE_PREFIX = /^\d{4}-\d\d-\d\d/;
const encoder = new TextEncoder();
/** Reused UTF-8 buffer for strings on their way into builders and date parsers. */
let scratch = new Uint8Array(1024);

/** Encodes `text` into `scratch` (grown when needed); returns the byte length. */
function utf8(text: string): number {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  return encoder.encodeInto(text, scratch).written;
}

enum State {
  Start,
  /** Array mode: after `[` (a value or `]`). */
  ArrayOpen,
  /** Array mode: after `,` (a value). */
  ArrayNext,
  /** Array mode: after a value (`,` or `]`). */
  ArrayAfter,
  /** Array mode: after the closing `]` (only white space). */
  ArrayDone,
  /** NDJSON mode: between records. */
  Lines,
  /** Inside a record. */
  Value,
}

/** Splits a byte stream into top-level records, across chunk boundaries. */
class RecordScanner {
  mode: "ndjson" | "json" | undefined;
  private state = State.Start;
  private buf: Uint8Array = new Uint8Array(0);
  /** Where an unfinished record is kept across chunks (grown by doubling), once needed. */
  private store: Uint8Array | undefined;
  /** Absolute byte offset of buf[0]. */
  private base = 0;
  private line = 1;
  private valueStart = 0;
  private valueLine = 1;
  private depth = 0;
  private inString = false;
  private escape = false;
  private bomChecked = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  // Records found in the current buffer, parsed together by flush().
  private pendingStarts: number[] = [];
  private pendingEnds: number[] = [];
  private pendingLines: number[] = [];

  constructor(
    private readonly name: string,
    private readonly sink: RecordSink,
    private readonly limits: Limits,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let pos: number;
    if (this.state === State.Value) {
      // Keep the unfinished record's bytes, then continue scanning where we stopped.
      const kept = this.buf.length - this.valueStart;
      const needed = kept + chunk.length;
      let store = this.store;
      if (store && needed <= store.length) {
        if (this.buf.buffer === store.buffer) store.copyWithin(0, this.valueStart, this.buf.length);
        else store.set(this.buf.subarray(this.valueStart));
      } else {
        const grown = new Uint8Array(Math.max(needed, (store?.length ?? 0) * 2, 1 << 16));
        grown.set(this.buf.subarray(this.valueStart));
        store = grown;
        this.store = grown;
      }
      store.set(chunk, kept);
      this.base += this.valueStart;
      pos = kept;
      this.valueStart = 0;
      this.buf = store.subarray(0, needed);
    } else {
      this.base += this.buf.length;
      this.buf = chunk;
      pos = 0;
    }
    if (!this.bomChecked && this.buf.length >= 3) {
      this.bomChecked = true;
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) pos = 3;
    }
    this.scan(pos);
    this.flush();
    if (
      this.state === State.Value &&
      this.buf.length - this.valueStart > this.limits.max_record_bytes
    ) {
      throw limitExceeded(
        "max_record_bytes",
        this.limits.max_record_bytes,
        `${this.name}, line ${this.valueLine}`,
      );
    }
  }

  end(): void {
    if (this.base + this.buf.length === 0) {
      throw new ReportError(`${this.name} is empty (0 bytes).`, {
        hint: "Check that the export that wrote this JSON file finished.",
      });
    }
    if (this.state === State.Value) {
      this.fail(
        this.base + this.buf.length,
        this.line,
        `the file ends inside a record that starts on line ${this.valueLine}`,
        "The file is truncated (an interrupted upload or export); write it again.",
      );
    }
    if (
      this.state === State.ArrayOpen ||
      this.state === State.ArrayNext ||
      this.state === State.ArrayAfter
    ) {
      this.fail(
        this.base + this.buf.length,
        this.line,
        "the JSON array is not closed with ]",
        "The file is truncated (an interrupted upload or export); write it again.",
      );
    }
    if (this.state === State.Start) {
      throw new ReportError(`${this.name} holds only white space, no JSON records.`, {
        hint: "A JSON data file is an array of objects ([{...}, ...]) or one object per line (NDJSON).",
      });
    }
  }

  private scan(from: number): void {
    const buf = this.buf;
    const n = buf.length;
    let i = from;
    while (i < n) {
      const byte = buf[i];
      if (this.state === State.Value) {
        // The hot loop: find the end of the record.
        let depth = this.depth;
        let inString = this.inString;
        let escaped = this.escape;
        for (; i < n; i++) {
          const c = buf[i];
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 0x5c) escaped = true;
            else if (c === 0x22) inString = false;
            else if (c === 0x0a) this.line++;
          } else if (c === 0x22) inString = true;
          else if (c === 0x7b || c === 0x5b) {
            if (++depth > this.limits.max_nesting) this.tooDeep();
          } else if (c === 0x7d || c === 0x5d) {
            depth--;
            if (depth === 0) break;
          } else if (c === 0x0a) this.line++;
        }
        this.depth = depth;
        this.inString = inString;
        this.escape = escaped;
        if (i === n) return;
        i++;
        this.pendingStarts.push(this.valueStart);
        this.pendingEnds.push(i);
        this.pendingLines.push(this.valueLine);
        this.state = this.mode === "json" ? State.ArrayAfter : State.Lines;
        continue;
      }
      if (byte === 0x0a) {
        this.line++;
        i++;
        continue;
      }
      if (byte === 0x20 || byte === 0x09 || byte === 0x0d) {
        i++;
        continue;
      }
      switch (this.state) {
        case State.Start:
          if (byte === 0x5b) {
            this.mode = "json";
            this.state = State.ArrayOpen;
            i++;
            continue;
          }
          this.mode = "ndjson";
          this.state = State.Lines;
          continue;
        case State.ArrayOpen:
          if (byte === 0x5d) {
            this.state = State.ArrayDone;
            i++;
            continue;
          }
          this.startValue(i, "an element of the array");
          continue;
        case State.ArrayNext:
          this.startValue(i, "an element of the array");
          continue;
        case State.ArrayAfter:
          if (byte === 0x2c) this.state = State.ArrayNext;
          else if (byte === 0x5d) this.state = State.ArrayDone;
          else this.unexpected(i, "a comma or ] after an array element");
          i++;
          continue;
        case State.ArrayDone:
          this.unexpected(i, "nothing after the closing ] of the array");
          continue;
        case State.Lines:
          this.startValue(i, "a record");
          continue;
      }
    }
  }

  private startValue(i: number, what: string): void {
    if (this.buf[i] !== 0x7b) {
      this.unexpected(i, `${what} that is a JSON object ({...})`);
    }
    this.state = State.Value;
    this.valueStart = i;
    this.valueLine = this.line;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
  }

  /** The record being scanned nests deeper than max_nesting. */
  private tooDeep(): never {
    this.flush(); // an earlier bad record is reported first
    throw limitExceeded(
      "max_nesting",
      this.limits.max_nesting,
      `${this.name}, line ${this.valueLine}`,
    );
  }

  private unexpected(i: number, expected: string): never {
    this.flush(); // an earlier bad record is reported first
    const shown = String.fromCharCode(this.buf[i]);
    this.fail(
      this.base + i,
      this.line,
      `expected ${expected}, found ${/[\x21-\x7e]/.test(shown) ? `"${shown}"` : `byte 0x${this.buf[i].toString(16)}`}`,
      "A JSON data file is an array of objects ([{...}, ...]) or one object per line (NDJSON).",
    );
  }

  private fail(offset: number, line: number, what: string, hint: string): never {
    throw new ReportError(`${this.name}, line ${line} (byte ${offset}): ${what}.`, { hint });
  }

  /**
   * Parses the pending records as one JSON array: one UTF-8 decode and one JSON.parse per
   * chunk instead of per record. On any failure (or a long digit run, which needs the exact
   * parser) the records are parsed one by one, which also locates an error.
   */
  private flush(): void {
    const starts = this.pendingStarts;
    const count = starts.length;
    if (count === 0) return;
    const ends = this.pendingEnds;
    const lines = this.pendingLines;
    this.pendingStarts = [];
    this.pendingEnds = [];
    this.pendingLines = [];
    let size = count + 1;
    for (let k = 0; k < count; k++) size += ends[k] - starts[k];
    const joined = new Uint8Array(size);
    let at = 0;
    for (let k = 0; k < count; k++) {
      joined[at++] = k === 0 ? 0x5b : 0x2c;
      joined.set(this.buf.subarray(starts[k], ends[k]), at);
      at += ends[k] - starts[k];
    }
    joined[at] = 0x5d;
    let records: unknown[] | undefined;
    try {
      const text = this.decoder.decode(joined);
      if (!LONG_DIGITS.test(text)) records = JSON.parse(text) as unknown[];
    } catch {
      records = undefined;
    }
    for (let k = 0; k < count; k++) {
      if (records) this.sink.add(records[k] as Record<string, unknown>, lines[k]);
      else this.record(starts[k], ends[k], lines[k]);
    }
  }

  private record(start: number, end: number, line: number): void {
    const bytes = this.buf.subarray(start, end);
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.fail(
        this.base + start,
        line,
        "invalid UTF-8 in this record; the file must be UTF-8 text",
        "Save the file as UTF-8, or convert it (iconv -t UTF-8).",
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
      if (LONG_DIGITS.test(text)) value = parseJsonExact(text, this.limits.max_nesting);
    } catch (error) {
      this.fail(
        this.base + start,
        line,
        `invalid JSON in the record (${error instanceof Error ? error.message : String(error)})`,
        "Check the record with a JSON validator (e.g. jq . < file); strings need double quotes, and no trailing commas.",
      );
    }
    this.sink.add(value as Record<string, unknown>, line);
  }
}

/** Records between two reports to onRows (a power of two, less one). */
const ROWS_PER_REPORT_MASK = 4095;

/** Columns built from records; columns first seen late are backfilled with missing values. */
class RecordSink {
  private readonly name: string;
  private readonly notice: (message: string) => void;
  private readonly onRows: ((rows: number) => void) | undefined;
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private builders: ColumnBuilder[] = [];
  private written = new Int32Array(16).fill(-1);
  private rows = 0;
  private readonly declared: Map<string, ColumnDeclaration>;
  private readonly checkColumnNames: boolean;
  private readonly columns: readonly ColumnDeclaration[] | undefined;
  /** Per column: its declared type, if it has one. */
  private readonly rules: (ColumnRule | undefined)[] = [];
  /**
   * Per column: the date-format recognizer while every value so far is text (undefined before
   * the first, null once a value rules recognition out).
   */
  private readonly recognizers: (FormatRecognizer | null | undefined)[] = [];
  /** Per column: its first integer beyond Int64 read as a float. */
  private readonly beyondInt64 = new Map<number, { line: number; text: string }>();

  constructor(
    options: ReadJsonOptions,
    private readonly limits: Limits,
  ) {
    this.name = options.name;
    this.notice = options.onNotice ?? (() => {});
    this.columns = options.columns;
    this.declared = declarationsByName(options.columns);
    this.checkColumnNames = options.checkColumnNames ?? true;
    this.onRows = options.onRows;
  }

  add(record: Record<string, unknown>, line: number): void {
    const row = this.rows;
    for (const key in record) {
      let column = this.index.get(key);
      if (column === undefined) column = this.addColumn(key, line);
      this.written[column] = row;
      this.push(column, record[key], line);
    }
    const builders = this.builders;
    for (let c = 0; c < builders.length; c++) {
      if (this.written[c] !== row) builders[c].pushNull();
    }
    this.rows++;
    if ((this.rows & ROWS_PER_REPORT_MASK) === 0) this.onRows?.(this.rows);
  }

  finish(mode: "ndjson" | "json" | undefined): Table {
    this.onRows?.(this.rows);
    if (this.rows === 0) {
      throw new ReportError(
        `${this.name}: the ${mode === "json" ? "JSON array is empty" : "file holds no records"}.`,
        { hint: "Check that the export that writes this file ran and produced data." },
      );
    }
    if (this.keys.length === 0) {
      throw new ReportError(
        `${this.name}: every record is an empty object ({}), so there are no columns.`,
      );
    }
    const { names, notices } = uniqueNames(this.keys);
    for (const message of notices)
      this.notice(`${this.name}: ${message.replace("in the header", "")}.`);
    if (this.checkColumnNames) checkDeclaredNames(this.columns, names, this.name);
    const columnNotices = names.map((name, c) => this.settle(c, name));
    for (const lines of columnNotices) for (const line of lines) this.notice(line);
    return tableFromColumns(
      names,
      this.builders.map((builder) => builder.finish()),
      this.rows,
      columnNotices,
    );
  }

  /**
   * The notices about column c: values read as missing, integers too large for Int64 (the
   * column is then floats), or a recognized date format (the text column then becomes a date
   * or timestamp column).
   */
  private settle(c: number, name: string): string[] {
    const rule = this.rules[c];
    if (rule !== undefined) {
      const notice = rejectionNotice(rule, this.name);
      return notice === undefined ? [] : [notice];
    }
    // Told even if the column later became text: the floats read before then stay rounded.
    const beyond = this.beyondInt64.get(c);
    if (beyond !== undefined) {
      return [beyondInt64Notice(`${this.name}, line ${beyond.line}`, name, beyond.text)];
    }
    const found = this.recognizers[c]?.result();
    const builder = this.builders[c];
    if (found === undefined || builder.kind !== "string") return [];
    if (found.outcome === "format") {
      const dates = createBuilder(found.kind) as Int32Builder | Int64Builder;
      dates.reserve(builder.length);
      const parse = found.kind === "date" ? parseDateWith : parseTimestampWith;
      for (let i = 0; i < builder.length; i++) {
        if (!builder.isValid(i)) {
          dates.pushNull();
          continue;
        }
        const size = utf8(builder.textAt(i));
        dates.push(parse(found.format, scratch, 0, size));
      }
      this.builders[c] = dates;
    }
    return [recognitionNotice(this.name, name, found)];
  }

  private addColumn(key: string, line: number): number {
    const column = this.keys.length;
    if (column >= this.limits.max_columns) {
      throw limitExceeded("max_columns", this.limits.max_columns, `${this.name}, line ${line}`);
    }
    this.keys.push(key);
    this.index.set(key, column);
    const declaration = this.declared.get(key);
    const rule = declaration && declaredRule(declaration);
    this.rules.push(rule);
    this.recognizers.push(undefined);
    const builder = createBuilder(rule ? rule.kind : "null");
    for (let r = 0; r < this.rows; r++) builder.pushNull();
    this.builders.push(builder);
    if (column >= this.written.length) {
      const written = new Int32Array(this.written.length * 2).fill(-1);
      written.set(this.written);
      this.written = written;
    }
    return column;
  }

  private push(column: number, value: unknown, line: number): void {
    let builder = this.builders[column];
    if (value === null || value === undefined) {
      builder.pushNull();
      return;
    }
    const rule = this.rules[column];
    if (rule !== undefined) {
      this.pushDeclared(column, rule, value, line);
      return;
    }
    const kind = kindOf(value);
    const recognizer = this.recognizers[column];
    if (recognizer !== null) {
      if (kind !== "string" || typeof value !== "string") {
        this.recognizers[column] = null;
      } else {
        const found = recognizer ?? new FormatRecognizer();
        const size = utf8(value);
        this.recognizers[column] = found.offer(scratch, 0, size, line) ? found : null;
      }
    }
    if (kind !== builder.kind) {
      const target = joinKinds(builder.kind, kind);
      if (target !== builder.kind) {
        if (target === "string" && builder.kind !== "null") {
          const shown = typeof value === "string" ? value : jsonText(value);
          this.notice(
            `${this.name}, line ${line}: "${this.keys[column]}" is ${JSON.stringify(shown.slice(0, 40))} here, unlike earlier rows (${builder.kind}); the column is read as text.`,
          );
        }
        builder = widen(builder, target);
        this.builders[column] = builder;
      }
    }
    if (typeof value === "bigint" && builder.kind === "float64" && !this.beyondInt64.has(column)) {
      this.beyondInt64.set(column, { line, text: String(value) });
    }
    pushValue(builder, value, kind);
  }

  /** A value of a declared column: parsed as its type, or rejected (error, or missing). */
  private pushDeclared(column: number, rule: ColumnRule, value: unknown, line: number): void {
    const builder = this.builders[column];
    const text = declaredText(value);
    const size = utf8(text);
    const next = appendDeclared(builder, rule, scratch, 0, size);
    if (next !== undefined) {
      this.builders[column] = next;
      return;
    }
    rejectValue(rule, this.name, `line ${line}`, text);
    builder.pushNull();
  }
}

/** A JSON value's text as a declared column parses it (objects and arrays as JSON). */
function declaredText(value: unknown): string {
  if (typeof value === "string") return value;
  return typeof value === "object" ? jsonText(value) : String(value);
}

/** The narrowest column kind for one JSON value. */
function kindOf(value: unknown): ColumnKind {
  switch (typeof value) {
    case "number":
      if (Number.isInteger(value)) {
        if (value >= INT32_MIN && value <= INT32_MAX) return "int32";
        if (Number.isSafeInteger(value)) return "int64";
      }
      return "float64";
    case "bigint":
      return value >= INT64_MIN && value <= INT64_MAX ? "int64" : "float64";
    case "boolean":
      return "bool";
    case "string":
      if (value.length >= 10 && value.length <= 40 && DATE_PREFIX.test(value)) {
        const size = utf8(value);
        if (size === 10 && !Number.isNaN(parseDateBytes(scratch, 0, size))) return "date";
        if (!Number.isNaN(parseTimestampBytes(scratch, 0, size))) return "timestamp";
      }
      return "string";
    default:
      return "string";
  }
}

/** Appends a value whose kind the builder is known to hold (after any widening). */
function pushValue(builder: ColumnBuilder, value: unknown, kind: ColumnKind): void {
  switch (builder.kind) {
    case "string": {
      const text =
        typeof value === "string"
          ? value
          : typeof value === "object"
            ? jsonText(value)
            : String(value);
      // utf8() may replace scratch with a larger buffer: encode before reading it.
      const size = utf8(text);
      (builder as StringBuilder).pushBytes(scratch, 0, size);
      return;
    }
    case "int32":
      (builder as Int32Builder).push(value as number);
      return;
    case "float64":
      (builder as Float64Builder).push(Number(value));
      return;
    case "int64":
      if (typeof value === "bigint") (builder as Int64Builder).pushBigInt(value);
      else (builder as Int64Builder).push(value as number);
      return;
    case "bool":
      (builder as BoolBuilder).push(value as boolean);
      return;
    case "date": {
      const size = utf8(value as string);
      (builder as Int32Builder).push(parseDateBytes(scratch, 0, size));
      return;
    }
    case "timestamp": {
      const size = utf8(value as string);
      const ms =
        kind === "date"
          ? parseDateBytes(scratch, 0, size) * DAY_MS
          : parseTimestampBytes(scratch, 0, size);
      (builder as Int64Builder).push(ms);
      return;
    }
    default:
      throw new Error(`no JSON value fits a ${builder.kind} column`);
  }
}
