// Declared column types (`source.columns` in the definition) and recognized date formats, as
// the readers apply them: which builder a column gets, how one of its values is parsed, and
// what a value that does not parse does (an error naming the file, line, column and value, or
// with `on_error: null` a missing value, counted in a notice). Declared types are read more
// leniently than inferred ones ("007" is 7 in a declared integer column; yes/no are booleans),
// since the user has said what the column holds.
import type { ColumnType } from "../../column-type.ts";
import { closest } from "../../config/closest.ts";
import type { ColumnDeclaration } from "../../config/spec.ts";
import { ReportError } from "../../errors.ts";
import {
  compileFormat,
  type DateFormat,
  parseDateWith,
  parseTimestampWith,
} from "../../strptime.ts";
import {
  type BoolBuilder,
  type ColumnBuilder,
  type ColumnKind,
  type Float64Builder,
  Int32Builder,
  type Int64Builder,
  type StringBuilder,
  widen,
} from "./builders.ts";
import {
  asciiText,
  INT32_MAX,
  INT32_MIN,
  parseBoolBytes,
  parseDateBytes,
  parseFloatBytes,
  parseIntBytes,
  parseTimestampBytes,
} from "./parse-bytes.ts";
import { formatThatReads, type Recognition } from "./recognize-dates.ts";

/** The builder a declared type starts with (an integer column widens to Int64 when needed). */
export const KIND_OF_TYPE: Record<ColumnType, ColumnKind> = {
  integer: "int32",
  float: "float64",
  boolean: "bool",
  date: "date",
  timestamp: "timestamp",
  string: "string",
};

/** Words a declared boolean column reads as true or false (any case). */
const TRUE_WORDS = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "0"]);
const LENIENT_INTEGER = /^\s*[+-]?\d+\s*$/;
const LENIENT_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

const decoder = new TextDecoder();

/** How a reader treats one declared or recognized column. */
export class ColumnRule {
  /** The builder kind the column starts with. */
  readonly kind: ColumnKind;
  /** The date format, when values are dates or timestamps in one. */
  readonly format: DateFormat | undefined;
  /** Values read as missing under `on_error: null`, and the first of them. */
  rejected = 0;
  firstRejected: { text: string; at: string } | undefined;

  constructor(
    readonly name: string,
    /** Absent for a recognized (not declared) format. */
    readonly declared: ColumnDeclaration | undefined,
    kind: ColumnKind,
    format: DateFormat | undefined,
  ) {
    this.kind = kind;
    this.format = format;
  }

  /** A date or timestamp value → days or ms since the epoch; NaN when it does not parse. */
  parseTemporal(buf: Uint8Array, start: number, end: number): number {
    const format = this.format;
    if (this.kind === "date") {
      return format ? parseDateWith(format, buf, start, end) : parseDateBytes(buf, start, end);
    }
    return format
      ? parseTimestampWith(format, buf, start, end)
      : parseTimestampBytes(buf, start, end);
  }
}

/** The rule of a declared column. */
export function declaredRule(declaration: ColumnDeclaration): ColumnRule {
  const format = declaration.format === undefined ? undefined : compileFormat(declaration.format);
  return new ColumnRule(declaration.name, declaration, KIND_OF_TYPE[declaration.type], format);
}

/** The rule of a column recognized as dates or timestamps in one format. */
export function recognizedRule(
  name: string,
  found: Extract<Recognition, { outcome: "format" }>,
): ColumnRule {
  return new ColumnRule(name, undefined, found.kind, found.format);
}

/** The declared columns by name. */
export function declarationsByName(
  columns: readonly ColumnDeclaration[] | undefined,
): Map<string, ColumnDeclaration> {
  return new Map((columns ?? []).map((column) => [column.name, column]));
}

/**
 * Parses a value of a declared column and appends it. Returns the builder (an Int32 column
 * widened to Int64 for a large integer), or undefined when the value does not parse (nothing
 * appended).
 */
export function appendDeclared(
  builder: ColumnBuilder,
  rule: ColumnRule,
  buf: Uint8Array,
  start: number,
  end: number,
): ColumnBuilder | undefined {
  switch (builder.kind) {
    case "string":
      (builder as StringBuilder).pushBytes(buf, start, end);
      return builder;
    case "date":
    case "timestamp": {
      const value = rule.parseTemporal(buf, start, end);
      if (Number.isNaN(value)) return undefined;
      (builder as Int32Builder | Int64Builder).push(value);
      return builder;
    }
    case "float64": {
      let value = parseFloatBytes(buf, start, end);
      if (Number.isNaN(value)) {
        const text = decoder.decode(buf.subarray(start, end));
        if (!LENIENT_NUMBER.test(text)) return undefined;
        value = Number(text);
      }
      (builder as Float64Builder).push(value);
      return builder;
    }
    case "bool": {
      let value = parseBoolBytes(buf, start, end);
      if (Number.isNaN(value)) {
        const word = decoder.decode(buf.subarray(start, end)).trim().toLowerCase();
        if (TRUE_WORDS.has(word)) value = 1;
        else if (FALSE_WORDS.has(word)) value = 0;
        else return undefined;
      }
      (builder as BoolBuilder).push(value === 1);
      return builder;
    }
    case "int32":
    case "int64": {
      let value = parseIntBytes(buf, start, end);
      if (Number.isNaN(value)) {
        const text = decoder.decode(buf.subarray(start, end));
        if (!LENIENT_INTEGER.test(text)) return undefined;
        value = Number(text);
      }
      let target = builder;
      if (target instanceof Int32Builder && !(value >= INT32_MIN && value <= INT32_MAX)) {
        target = widen(target, "int64");
      }
      if (target instanceof Int32Builder) {
        target.push(value);
      } else if (Number.isSafeInteger(value)) {
        (target as Int64Builder).push(value);
      } else {
        const big = BigInt(asciiText(buf, start, end).trim().replace(/^\+/, ""));
        if (BigInt.asIntN(64, big) !== big) return undefined;
        (target as Int64Builder).pushBigInt(big);
      }
      return target;
    }
    default:
      return undefined;
  }
}

/** "a date in the form %d/%m/%Y": what a rule's values must be, for messages. */
export function expected(rule: ColumnRule): string {
  const format = rule.format?.text;
  switch (rule.kind) {
    case "date":
      return format ? `a date in the form ${format}` : "an ISO date (YYYY-MM-DD)";
    case "timestamp":
      return format
        ? `a timestamp in the form ${format}`
        : "an ISO timestamp (YYYY-MM-DD HH:MM[:SS])";
    case "int32":
    case "int64":
      return "an integer";
    case "float64":
      return "a number";
    case "bool":
      return "a boolean (true/false, yes/no, 1/0)";
    default:
      return `a ${rule.kind}`;
  }
}

/**
 * A value of a declared column that does not parse: an error naming where it is (`at`: "line
 * 7" or "row 7"), or with `on_error: null` counted (the caller appends a missing value).
 */
export function rejectValue(rule: ColumnRule, file: string, at: string, text: string): void {
  const declared = rule.declared;
  if (declared === undefined) throw new Error(`column ${rule.name} is not declared`);
  if (declared.onError === "null") {
    if (rule.rejected++ === 0) rule.firstRejected = { text, at };
    return;
  }
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  const looksLike =
    rule.kind === "date" || rule.kind === "timestamp" ? formatThatReads(text) : undefined;
  const hint =
    looksLike === undefined
      ? `Correct the value in the data, or set on_error: null under source.columns.${rule.name} to read such values as missing.`
      : `${shown} reads as ${looksLike}: set format: "${looksLike}" under source.columns.${rule.name} (or on_error: null to read such values as missing).`;
  throw new ReportError(
    `${file}, ${at}: column "${rule.name}" has ${shown}, which is not ${expected(rule)} (declared at ${declared.where}).`,
    { hint },
  );
}

/** The notice for values read as missing under `on_error: null`, if there were any. */
export function rejectionNotice(rule: ColumnRule, file: string): string | undefined {
  if (rule.rejected === 0 || rule.firstRejected === undefined) return undefined;
  const count = rule.rejected.toLocaleString("en-US");
  return `${file}: column "${rule.name}": ${count} value${rule.rejected === 1 ? "" : "s"} that ${rule.rejected === 1 ? "is" : "are"} not ${expected(rule)} read as missing (on_error: null); the first is ${JSON.stringify(rule.firstRejected.text)} (${rule.firstRejected.at}).`;
}

/** A ReportError when `source.columns` names a column the data does not have. */
export function checkDeclaredNames(
  columns: readonly ColumnDeclaration[] | undefined,
  names: readonly string[],
  file: string,
): void {
  for (const column of columns ?? []) {
    if (names.includes(column.name)) continue;
    const near = closest(column.name, names);
    const listed = names.slice(0, 30).map((name) => `'${name}'`);
    if (names.length > 30) listed.push(`and ${names.length - 30} more`);
    throw new ReportError(
      `${column.where}: ${file} has no column '${column.name}'${near === undefined ? "." : `; did you mean '${near}'?`} Its columns: ${listed.join(", ")}.`,
      {
        hint: "Name the column as the file's header (or JSON key) spells it, or remove the declaration.",
      },
    );
  }
}
