// The column-wise values the evaluator works on: numbers (and dates, timestamps, booleans)
// as one Float64Array with a validity array, text as Int32Array codes into a dictionary of
// labels. The shapes match the summaries' columns (src/summarize/columns.ts), so a table's
// column is a vector as it is, and a computed vector becomes a column by adding its name.
import type { ColumnType } from "../column-type.ts";

/** Numbers: dates and timestamps in epoch ms (UTC), booleans as 0/1. */
export interface NumberVector {
  kind: "number";
  type: Exclude<ColumnType, "string">;
  /** One value per row; 0 where missing. */
  values: Float64Array;
  /** 1 where the row has a value; null when every row has one. */
  valid: Uint8Array | null;
}

/** Text (or 64-bit ids kept exact as text): codes into `labels`, -1 where missing. */
export interface TextVector {
  kind: "category";
  type: "string" | "integer";
  codes: Int32Array;
  labels: string[];
}

export type Vector = NumberVector | TextVector;

/** True when row `i` of `v` has a value. */
export function present(v: Vector, i: number): boolean {
  return v.kind === "category" ? v.codes[i] >= 0 : v.valid === null || v.valid[i] === 1;
}

/** A number vector of `n` rows from `value(i)`; null and non-finite results are missing. */
export function numberVector(
  type: NumberVector["type"],
  n: number,
  value: (i: number) => number | null,
): NumberVector {
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (v !== null && Number.isFinite(v)) {
      values[i] = v;
      valid[i] = 1;
    } else {
      missing++;
    }
  }
  return { kind: "number", type, values, valid: missing === 0 ? null : valid };
}

/** `n` rows of one number (or none, for null). */
export function constantNumber(
  type: NumberVector["type"],
  n: number,
  value: number | null,
): NumberVector {
  if (value === null || !Number.isFinite(value)) {
    return { kind: "number", type, values: new Float64Array(n), valid: new Uint8Array(n) };
  }
  return { kind: "number", type, values: new Float64Array(n).fill(value), valid: null };
}

/** A text vector of `n` rows from `value(i)`, dictionary-encoded in order of appearance. */
export function textVector(n: number, value: (i: number) => string | null): TextVector {
  const codes = new Int32Array(n);
  const labels: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (v === null) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = labels.length;
      labels.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: "category", type: "string", codes, labels };
}

/** `n` rows of one text (or none, for null). */
export function constantText(n: number, value: string | null): TextVector {
  return value === null
    ? { kind: "category", type: "string", codes: new Int32Array(n).fill(-1), labels: [] }
    : { kind: "category", type: "string", codes: new Int32Array(n), labels: [value] };
}

/**
 * Text mapped label by label (each distinct label is computed once); labels that map to the
 * same text share one code, so distinct counts stay right.
 */
export function mapLabels(v: TextVector, map: (label: string) => string | null): TextVector {
  const mapped = v.labels.map(map);
  const labels: string[] = [];
  const index = new Map<string, number>();
  const remap = Int32Array.from(mapped, (text) => {
    if (text === null) return -1;
    let code = index.get(text);
    if (code === undefined) {
      code = labels.length;
      labels.push(text);
      index.set(text, code);
    }
    return code;
  });
  const source = v.codes;
  const codes = new Int32Array(source.length);
  for (let i = 0; i < source.length; i++) codes[i] = source[i] < 0 ? -1 : remap[source[i]];
  return { kind: "category", type: "string", codes, labels };
}

/** A number per distinct label (e.g. a test, a length), spread over the rows by code. */
export function labelNumbers(
  v: TextVector,
  type: NumberVector["type"],
  map: (label: string) => number | null,
): NumberVector {
  // Per label: its number, or NaN when it has none (so one check marks both kinds missing).
  const perLabel = Float64Array.from(v.labels, (label) => map(label) ?? Number.NaN);
  const { codes } = v;
  const n = codes.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    const x = c < 0 ? Number.NaN : perLabel[c];
    if (x - x === 0) {
      values[i] = x;
      valid[i] = 1;
    } else {
      missing++;
    }
  }
  return { kind: "number", type, values, valid: missing === 0 ? null : valid };
}

/** The text of row `i`, or null. */
export function textAt(v: TextVector, i: number): string | null {
  const c = v.codes[i];
  return c < 0 ? null : v.labels[c];
}

/** The number of row `i`, or null. */
export function numberAt(v: NumberVector, i: number): number | null {
  return v.valid === null || v.valid[i] === 1 ? v.values[i] : null;
}

/** Rows `rows` of `v`, in that order. */
export function takeRows(v: Vector, rows: Uint32Array): Vector {
  if (v.kind === "category") {
    return { ...v, codes: Int32Array.from(rows, (r) => v.codes[r]) };
  }
  const values = Float64Array.from(rows, (r) => v.values[r]);
  const { valid } = v;
  return {
    ...v,
    values,
    valid: valid === null ? null : Uint8Array.from(rows, (r) => valid[r]),
  };
}
