// Type inference for text fields: which column kinds can hold a value, and the narrowest
// kind that holds every value of a sample. The order of preference is integer, float,
// boolean, date, timestamp, string. "yes"/"no" are not booleans: such columns often gain a
// third answer, and as dictionary strings they summarize just as well.
import type { ColumnKind } from "./builders.ts";
import {
  INT32_MAX,
  INT32_MIN,
  parseBigIntBytes,
  parseBoolBytes,
  parseDateBytes,
  parseFloatBytes,
  parseIntBytes,
  parseTimestampBytes,
} from "./parse-bytes.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The narrowest kind that can store this one value (integers beyond Int64 are floats). */
export function classifyBytes(buf: Uint8Array, start: number, end: number): ColumnKind {
  const int = parseIntBytes(buf, start, end);
  if (!Number.isNaN(int)) {
    if (int >= INT32_MIN && int <= INT32_MAX) return "int32";
    return Number.isSafeInteger(int) || !isBeyondInt64(buf, start, end) ? "int64" : "float64";
  }
  if (!Number.isNaN(parseFloatBytes(buf, start, end))) return "float64";
  if (!Number.isNaN(parseBoolBytes(buf, start, end))) return "bool";
  if (!Number.isNaN(parseDateBytes(buf, start, end))) return "date";
  if (!Number.isNaN(parseTimestampBytes(buf, start, end))) return "timestamp";
  return "string";
}

/** True when the value is an integer too large for Int64, which a column holds only as a float. */
export function isBeyondInt64(buf: Uint8Array, start: number, end: number): boolean {
  const int = parseIntBytes(buf, start, end);
  if (Number.isNaN(int) || Number.isSafeInteger(int)) return false;
  const big = parseBigIntBytes(buf, start, end);
  return big < INT64_MIN || big > INT64_MAX;
}

/**
 * What the report says when an integer too large for Int64 is read as a float (`shown`: the
 * value as written): floats keep about 15 significant digits, so integers that differ only
 * after those look equal, and the column's summaries would say so.
 */
export function beyondInt64Notice(where: string, column: string, shown: string): string {
  return `${where}: column ${JSON.stringify(column)} has ${shown}, an integer too large for 64 bits, read as a floating-point number. Floats keep about 15 significant digits: integers that differ only after those read as equal. If the column holds identifiers, declare it as text (source.columns: { ${JSON.stringify(column)}: text }).`;
}

/**
 * True when the value is already held by a column of this kind, so the column's kind stays
 * as it is (classifyBytes would return this kind or a narrower one that joins into it).
 */
export function fitsKind(kind: ColumnKind, buf: Uint8Array, start: number, end: number): boolean {
  switch (kind) {
    case "int32": {
      const int = parseIntBytes(buf, start, end);
      return int >= INT32_MIN && int <= INT32_MAX;
    }
    case "float64":
      return !Number.isNaN(parseFloatBytes(buf, start, end));
    case "date":
      return !Number.isNaN(parseDateBytes(buf, start, end));
    case "timestamp":
      return !Number.isNaN(parseTimestampBytes(buf, start, end));
    case "bool":
      return !Number.isNaN(parseBoolBytes(buf, start, end));
    case "string":
      return true;
    default:
      return false;
  }
}

const NUMERIC_RANK: Partial<Record<ColumnKind, number>> = { int32: 1, int64: 2, float64: 3 };
const TEMPORAL_RANK: Partial<Record<ColumnKind, number>> = { date: 1, timestamp: 2 };

/** The narrowest kind that holds values of both kinds ("null" is the identity). */
export function joinKinds(a: ColumnKind, b: ColumnKind): ColumnKind {
  if (a === b || b === "null") return a;
  if (a === "null") return b;
  const na = NUMERIC_RANK[a];
  const nb = NUMERIC_RANK[b];
  if (na !== undefined && nb !== undefined) return na >= nb ? a : b;
  const ta = TEMPORAL_RANK[a];
  const tb = TEMPORAL_RANK[b];
  if (ta !== undefined && tb !== undefined) return ta >= tb ? a : b;
  return "string";
}
