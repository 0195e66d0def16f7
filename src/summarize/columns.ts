// Typed column access: every Arrow column becomes either one Float64Array of numbers or one
// Int32Array of codes into a list of distinct strings, read straight from the chunks' buffers
// (a clean one-chunk Float64 column is used as it is, without a copy).
// Every later step (profile, filters, group-by, duplicates) works on these flat arrays.
// A number column stored as plain typed arrays builds its Float64Array only when a step asks
// for it: a profile copies the present values straight into its sort buffer instead, so a
// profile-only build of a million rows allocates (and page-faults) no column copies at all.

import {
  type Data,
  DataType,
  type Date_,
  DateUnit,
  type Dictionary,
  type Field,
  makeVector,
  Precision,
  type Table,
  type Timestamp,
  TimeUnit,
  type Vector,
} from "apache-arrow";
import { DAY_MS } from "../calendar.ts";
import { columnType } from "../column-type.ts";

/** A column held as numbers: dates and timestamps in epoch ms (UTC), booleans as 0/1. */
export interface NumberColumn {
  kind: "number";
  name: string;
  type: "integer" | "float" | "boolean" | "date" | "timestamp";
  /** One value per row; 0 where missing. */
  values: Float64Array;
  /** 1 where the row has a value; null when every row has one. */
  valid: Uint8Array | null;
  /** Rows without a value: nulls, NaN and ±Infinity. */
  missing: number;
  /** How many of the missing rows were ±Infinity. */
  infinite: number;
  /**
   * The present values straight from the table's buffers, when it holds them as plain typed
   * arrays: `count` of them, written in row order by `copyTo` without building `values`.
   */
  present?: PresentValues;
}

/**
 * `column` with plain `values` and `valid` fields, built now if they were left for later: for
 * loops that read them row by row, where a getter on every access would cost.
 */
export function settled(column: Column): Column {
  const lazy = column.kind === "number" ? column.present : column.labelCounts;
  return lazy === undefined ? column : { ...column };
}

/** A column's present (non-missing) values, copied without the whole-column Float64Array. */
export interface PresentValues {
  count: number;
  /** Writes the `count` present values, in row order, into `out[0..count)`. */
  copyTo(out: Float64Array): void;
}

/**
 * A column held as codes into `labels` (the distinct strings; some may be unused). Integer
 * columns beyond ±2^53 (64-bit ids) are held this way too, as exact decimal text: as
 * float64 neighbouring ids would merge, faking duplicates and constant columns.
 */
export interface CategoryColumn {
  kind: "category";
  name: string;
  type: "string" | "integer";
  /** One code per row; -1 where missing. */
  codes: Int32Array;
  labels: string[];
  missing: number;
  /**
   * Rows per label (missing rows left out), when counted straight from the table's dictionary
   * keys; `codes` is then built only if a step asks for it.
   */
  labelCounts?: Int32Array;
}

export type Column = NumberColumn | CategoryColumn;

/** Reads every column of `table` into flat typed arrays. */
export function readColumns(table: Table): Column[] {
  return table.schema.fields.map((field, i) => {
    const vector = table.getChildAt(i);
    if (vector === null) throw new Error(`column ${i} (${field.name}) has no data`);
    return readColumn(field, vector);
  });
}

function readColumn(field: Field, vector: Vector): Column {
  const type = columnType(field);
  if (type === "string")
    return countedDictionary(field.name, vector) ?? readCategories(field.name, vector);
  const lazy = lazyNumbers(field.name, type, vector);
  if (lazy !== undefined) return lazy;
  const direct = finiteFloat64s(vector);
  if (direct !== undefined) {
    return {
      kind: "number",
      name: field.name,
      type,
      values: direct,
      valid: null,
      missing: 0,
      infinite: 0,
    };
  }
  const values = new Float64Array(vector.length);
  const valid = new Uint8Array(vector.length);
  let start = 0;
  for (const chunk of vector.data) {
    readNumbers(chunk, values, valid, start);
    start += chunk.length;
  }
  if (type === "integer" && beyondExactIntegers(values, valid)) {
    return { ...readCategories(field.name, vector), type: "integer" };
  }
  // Integers, dates and booleans cannot be NaN: without nulls there is nothing to check.
  if (type !== "float" && vector.nullCount === 0) {
    return { kind: "number", name: field.name, type, values, valid: null, missing: 0, infinite: 0 };
  }
  let missing = 0;
  let infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // NaN and ±Infinity count as missing: they have no place in sums, quantiles or JSON.
    if (valid[i] === 1 && v - v !== 0) {
      valid[i] = 0;
      if (!Number.isNaN(v)) infinite++;
    }
    if (valid[i] === 0) {
      values[i] = 0;
      missing++;
    }
  }
  return {
    kind: "number",
    name: field.name,
    type,
    values,
    valid: missing === 0 ? null : valid,
    missing,
    infinite,
  };
}

/**
 * A number column over chunks stored as plain typed arrays (not 64-bit integers, decimals,
 * half floats, booleans or dictionaries), whose missing rows are exactly its nulls (no NaN or
 * ±Infinity among its floats): `values` and `valid` are built on first use, and `present`
 * copies straight from the chunks. Undefined for any other column (read eagerly).
 */
function lazyNumbers(
  name: string,
  type: NumberColumn["type"],
  vector: Vector,
): NumberColumn | undefined {
  for (const chunk of vector.data) {
    if (DataType.isDictionary(chunk.type) || DataType.isBool(chunk.type)) return undefined;
    if (DataType.isDecimal(chunk.type)) return undefined;
    if (DataType.isFloat(chunk.type) && chunk.type.precision === Precision.HALF) return undefined;
    if (!isNumberArray(chunk.values)) return undefined;
    if (DataType.isFloat(chunk.type) && !finiteWherePresent(chunk)) return undefined;
  }
  const rows = vector.length;
  const missing = vector.nullCount;
  let values: Float64Array | undefined;
  let valid: Uint8Array | null = null;
  const load = (): Float64Array => {
    if (values !== undefined) return values;
    const built = new Float64Array(rows);
    const flags = new Uint8Array(rows);
    let start = 0;
    for (const chunk of vector.data) {
      readNumbers(chunk, built, flags, start);
      start += chunk.length;
    }
    if (missing > 0) {
      for (let i = 0; i < rows; i++) if (flags[i] === 0) built[i] = 0;
      valid = flags;
    }
    values = built;
    return built;
  };
  return {
    kind: "number",
    name,
    type,
    get values() {
      return load();
    },
    get valid() {
      load();
      return valid;
    },
    missing,
    infinite: 0,
    present: { count: rows - missing, copyTo: (out) => copyPresent(vector, out) },
  };
}

/** True when no present value of a float chunk is NaN or ±Infinity (they count as missing). */
function finiteWherePresent(chunk: Data): boolean {
  const values = chunk.values as NumberArray;
  const bitmap: Uint8Array | undefined = chunk.nullBitmap;
  const all = chunk.nullCount === 0 || bitmap === undefined || bitmap.length === 0;
  for (let i = 0; i < chunk.length; i++) {
    const v = values[i];
    if (v - v === 0) continue;
    const bit = chunk.offset + i;
    if (all || ((bitmap[bit >> 3] >> (bit & 7)) & 1) === 1) return false;
  }
  return true;
}

/** The present values of plain typed-array chunks (see lazyNumbers), in row order, into `out`. */
function copyPresent(vector: Vector, out: Float64Array): void {
  let k = 0;
  for (const chunk of vector.data) {
    const values = chunk.values as NumberArray;
    const scale = msPerUnit(chunk.type);
    const n = chunk.length;
    const bitmap: Uint8Array | undefined = chunk.nullBitmap;
    if (chunk.nullCount === 0 || bitmap === undefined || bitmap.length === 0) {
      // A native typed-array copy converts to float64 far faster than a JS loop.
      out.set(values.subarray(0, n), k);
      if (scale !== 1) for (let i = k; i < k + n; i++) out[i] *= scale;
      k += n;
      continue;
    }
    const offset = chunk.offset;
    for (let i = 0; i < n; i++) {
      const bit = offset + i;
      if (((bitmap[bit >> 3] >> (bit & 7)) & 1) === 1) out[k++] = values[i] * scale;
    }
  }
}

/**
 * The values of a one-chunk Float64 column without nulls, NaN or ±Infinity, as the table holds
 * them (no copy: nothing here writes to a column's values); undefined for any other column.
 */
function finiteFloat64s(vector: Vector): Float64Array | undefined {
  if (vector.data.length !== 1 || vector.nullCount !== 0) return undefined;
  const chunk = vector.data[0];
  const values: unknown = chunk.values;
  if (!DataType.isFloat(chunk.type) || !(values instanceof Float64Array)) return undefined;
  const view = values.subarray(0, chunk.length);
  for (let i = 0; i < view.length; i++) {
    const v = view[i];
    if (v - v !== 0) return undefined;
  }
  return view;
}

/** True when some valid value lies beyond ±2^53, where float64 stops telling integers apart. */
function beyondExactIntegers(values: Float64Array, valid: Uint8Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (valid[i] === 1 && Math.abs(values[i]) > Number.MAX_SAFE_INTEGER) return true;
  }
  return false;
}

/** Fills `valid` from the chunk's null bitmap (bit `offset + i`, the bitmap is not sliced). */
function readValidity(chunk: Data, valid: Uint8Array, start: number): void {
  const bitmap: Uint8Array | undefined = chunk.nullBitmap;
  if (chunk.nullCount === 0 || bitmap === undefined || bitmap.length === 0) {
    valid.fill(1, start, start + chunk.length);
    return;
  }
  const offset = chunk.offset;
  for (let i = 0; i < chunk.length; i++) {
    const bit = offset + i;
    valid[start + i] = (bitmap[bit >> 3] >> (bit & 7)) & 1;
  }
}

/** Milliseconds per stored unit of a date or timestamp type. */
function msPerUnit(type: DataType): number {
  if (DataType.isDate(type)) return (type as Date_).unit === DateUnit.DAY ? DAY_MS : 1;
  if (DataType.isTimestamp(type)) {
    const unit = (type as Timestamp).unit;
    if (unit === TimeUnit.SECOND) return 1000;
    if (unit === TimeUnit.MICROSECOND) return 1e-3;
    if (unit === TimeUnit.NANOSECOND) return 1e-6;
  }
  return 1;
}

function readNumbers(chunk: Data, out: Float64Array, valid: Uint8Array, start: number): void {
  readValidity(chunk, valid, start);
  const type: DataType = DataType.isDictionary(chunk.type) ? chunk.type.dictionary : chunk.type;
  const n = chunk.length;
  if (DataType.isDictionary(chunk.type)) {
    // Numbers behind a dictionary: rare; look each key up.
    const dictionary = readDictionaryNumbers(chunk);
    const keys = chunk.values as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) out[start + i] = dictionary[Number(keys[i])] ?? 0;
    return;
  }
  if (DataType.isBool(type)) {
    const bits: Uint8Array = chunk.values;
    for (let i = 0; i < n; i++) {
      const bit = chunk.offset + i;
      out[start + i] = (bits[bit >> 3] >> (bit & 7)) & 1;
    }
    return;
  }
  const values: unknown = chunk.values;
  const scale = msPerUnit(type);
  const halfFloat = DataType.isFloat(type) && type.precision === Precision.HALF;
  if (DataType.isDecimal(type) || halfFloat) {
    const vector = makeVector(chunk);
    const divisor = DataType.isDecimal(type) ? 10 ** type.scale : 1;
    for (let i = 0; i < n; i++) {
      const v: unknown = vector.get(i);
      out[start + i] = v === null ? 0 : Number(v) / divisor;
    }
    return;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Two 32-bit halves are much faster than Number(bigint) per value.
    const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    const signed = values instanceof BigInt64Array;
    for (let i = 0; i < n; i++) {
      const lo = words[2 * i];
      const hi = words[2 * i + 1];
      const high = signed && hi >= 0x80000000 ? hi - 0x100000000 : hi;
      out[start + i] = (high * 4294967296 + lo) * scale;
    }
    return;
  }
  if (isNumberArray(values)) {
    // A native typed-array copy converts to float64 far faster than a JS loop.
    out.set(values.subarray(0, n), start);
    if (scale !== 1) for (let i = start; i < start + n; i++) out[i] *= scale;
    return;
  }
  throw new Error(`unsupported column storage ${String(chunk.type)}`);
}

type NumberArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

function isNumberArray(values: unknown): values is NumberArray {
  return (
    values instanceof Int8Array ||
    values instanceof Int16Array ||
    values instanceof Int32Array ||
    values instanceof Uint8Array ||
    values instanceof Uint16Array ||
    values instanceof Uint32Array ||
    values instanceof Float32Array ||
    values instanceof Float64Array
  );
}

function readDictionaryNumbers(chunk: Data): number[] {
  const dictionary = chunk.dictionary;
  if (dictionary === undefined) return [];
  const values = new Float64Array(dictionary.length);
  const valid = new Uint8Array(dictionary.length);
  let start = 0;
  for (const part of dictionary.data) {
    readNumbers(part, values, valid, start);
    start += part.length;
  }
  return Array.from(values, (v, i) => (valid[i] === 1 ? v : Number.NaN));
}

/** A function giving each distinct label its code, in order of first sight, into `labels`. */
function labelCoder(labels: string[]): (label: string) => number {
  const index = new Map<string, number>();
  return (label) => {
    let c = index.get(label);
    if (c === undefined) {
      c = labels.length;
      labels.push(label);
      index.set(label, c);
    }
    return c;
  };
}

/**
 * A column whose every chunk is dictionary-encoded with plain integer keys: its labels are
 * coded once per dictionary and each label's rows counted straight from the keys, so a
 * profile needs no per-row codes; `codes` is built (as readCategories would) on first use.
 */
function countedDictionary(name: string, vector: Vector): CategoryColumn | undefined {
  for (const chunk of vector.data) {
    if (!DataType.isDictionary(chunk.type) || !isNumberArray(chunk.values)) return undefined;
  }
  const labels: string[] = [];
  const code = labelCoder(labels);
  const remaps = new Map<unknown, Int32Array>();
  const chunkRemaps = vector.data.map((chunk) => {
    let remap = remaps.get(chunk.dictionary);
    if (remap === undefined) {
      remap = dictionaryCodes(chunk.dictionary, code);
      remaps.set(chunk.dictionary, remap);
    }
    return remap;
  });
  const counts = new Int32Array(labels.length);
  let present = 0;
  vector.data.forEach((chunk, k) => {
    const remap = chunkRemaps[k];
    const keys = chunk.values as NumberArray;
    const bitmap: Uint8Array | undefined = chunk.nullBitmap;
    const all = chunk.nullCount === 0 || bitmap === undefined || bitmap.length === 0;
    for (let i = 0; i < chunk.length; i++) {
      const bit = chunk.offset + i;
      if (!all && ((bitmap[bit >> 3] >> (bit & 7)) & 1) === 0) continue;
      const c = remap[keys[i]];
      if (c !== undefined && c >= 0) {
        counts[c]++;
        present++;
      }
    }
  });
  let codes: Int32Array | undefined;
  return {
    kind: "category",
    name,
    type: "string",
    get codes() {
      codes ??= readCategories(name, vector).codes;
      return codes;
    },
    labels,
    missing: vector.length - present,
    labelCounts: counts,
  };
}

/** Codes strings through a Map; dictionary columns are coded on their keys. */
function readCategories(name: string, vector: Vector): CategoryColumn {
  const codes = new Int32Array(vector.length);
  const labels: string[] = [];
  const code = labelCoder(labels);
  const valid = new Uint8Array(vector.length);
  let start = 0;
  // Chunks often share one dictionary (a Parquet column's, an IPC stream's): coded once.
  const remaps = new Map<unknown, Int32Array>();
  for (const chunk of vector.data) {
    readValidity(chunk, valid, start);
    if (DataType.isDictionary(chunk.type))
      readDictionaryChunk(chunk as Data<Dictionary>, codes, start, code, remaps);
    else if (DataType.isUtf8(chunk.type) || DataType.isLargeUtf8(chunk.type))
      readUtf8Chunk(chunk, codes, start, code);
    else {
      const part = makeVector(chunk);
      for (let i = 0; i < chunk.length; i++) {
        const v: unknown = part.get(i);
        codes[start + i] = v === null || v === undefined ? -1 : code(display(v));
      }
    }
    start += chunk.length;
  }
  let missing = 0;
  for (let i = 0; i < codes.length; i++) {
    if (valid[i] === 0) codes[i] = -1;
    if (codes[i] < 0) missing++;
  }
  return { kind: "category", name, type: "string", codes, labels, missing };
}

/** Codes a dictionary chunk by its keys: each dictionary entry is coded once, not each row. */
function readDictionaryChunk(
  chunk: Data<Dictionary>,
  codes: Int32Array,
  start: number,
  code: (label: string) => number,
  remaps: Map<unknown, Int32Array>,
): void {
  const dictionary = chunk.dictionary;
  let remap = remaps.get(dictionary);
  if (remap === undefined) {
    remap = dictionaryCodes(dictionary, code);
    remaps.set(dictionary, remap);
  }
  const keys = chunk.values as ArrayLike<number | bigint>;
  if (keys instanceof Int32Array) {
    for (let i = 0; i < chunk.length; i++) {
      const c = remap[keys[i]];
      codes[start + i] = c === undefined ? -1 : c;
    }
    return;
  }
  for (let i = 0; i < chunk.length; i++) codes[start + i] = remap[Number(keys[i])] ?? -1;
}

/** The code of each dictionary entry (-1 for a missing one); text goes through readUtf8Chunk. */
function dictionaryCodes(
  dictionary: Vector | undefined,
  code: (label: string) => number,
): Int32Array {
  const remap = new Int32Array(dictionary?.length ?? 0).fill(-1);
  if (dictionary === undefined) return remap;
  let at = 0;
  for (const part of dictionary.data) {
    if (DataType.isUtf8(part.type) || DataType.isLargeUtf8(part.type)) {
      readUtf8Chunk(part, remap, at, code);
      if (part.nullCount > 0)
        for (let k = 0; k < part.length; k++) if (!part.getValid(k)) remap[at + k] = -1;
    } else {
      const values = makeVector(part);
      for (let k = 0; k < part.length; k++) {
        const v: unknown = values.get(k);
        if (v !== null && v !== undefined) remap[at + k] = code(display(v));
      }
    }
    at += part.length;
  }
  return remap;
}

const decoder = new TextDecoder();

/** Most slots of the per-chunk cache from a value's bytes to its code (a power of two). */
const CACHE_SLOTS = 4096;

/**
 * Codes a Utf8/LargeUtf8 chunk. A small cache keyed by a hash of each value's bytes finds
 * repeated values without decoding them; only cache misses build a string.
 */
function readUtf8Chunk(
  chunk: Data,
  codes: Int32Array,
  start: number,
  code: (label: string) => number,
): void {
  const raw = chunk.valueOffsets as Int32Array | BigInt64Array;
  const n = chunk.length;
  const offsets =
    raw instanceof Int32Array ? raw : Float64Array.from(raw.subarray(0, n + 1), Number);
  const bytes: Uint8Array = chunk.values;
  const first = offsets[0];
  const last = offsets[n];
  let ascii = true;
  for (let b = first; b < last; b++) {
    if (bytes[b] > 0x7f) {
      ascii = false;
      break;
    }
  }
  // ASCII: one decode for the whole chunk, and byte offsets are character offsets.
  const text = ascii ? decoder.decode(bytes.subarray(first, last)) : "";
  // No more slots than values: a table of 20,000 columns of a few rows each must not pay
  // for 20,000 full caches.
  let slots = 1;
  while (slots < CACHE_SLOTS && slots < n) slots *= 2;
  const mask = slots - 1;
  const slotCode = new Int32Array(slots).fill(-1);
  const slotStart = new Float64Array(slots);
  const slotLength = new Float64Array(slots);
  for (let i = 0; i < n; i++) {
    const a = offsets[i];
    const b = offsets[i + 1];
    let h = 0x811c9dc5 ^ (b - a);
    for (let k = a; k < b; k++) h = Math.imul(h ^ bytes[k], 16777619);
    const slot = (h ^ (h >>> 13)) & mask;
    const cached = slotCode[slot];
    if (cached >= 0 && slotLength[slot] === b - a && sameBytes(bytes, slotStart[slot], a, b - a)) {
      codes[start + i] = cached;
      continue;
    }
    const c = code(ascii ? text.slice(a - first, b - first) : decoder.decode(bytes.subarray(a, b)));
    slotCode[slot] = c;
    slotStart[slot] = a;
    slotLength[slot] = b - a;
    codes[start + i] = c;
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

/** Text of a value read through Arrow's generic accessor (times, binaries, nested types). */
function display(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array)
    return Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("");
  if (typeof value === "object" && value !== null && "toJSON" in value) {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
  }
  return String(value);
}
