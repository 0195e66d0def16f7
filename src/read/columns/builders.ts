// Typed column builders shared by the text readers (CSV, NDJSON): values go into growable
// typed arrays with a validity bitmap allocated at the first null, and `finish` hands those
// arrays to Arrow without copying (arrow-vector.ts).
import type { Vector } from "apache-arrow";
import { DAY_MS, isoDate, isoTimestamp } from "../../calendar.ts";
import { type BuilderState, toArrowVector } from "./arrow-vector.ts";

/** What a builder can store; "null" means no value seen yet (the type is still open). */
export const COLUMN_KINDS = [
  "null",
  "int32",
  "int64",
  "float64",
  "bool",
  "date",
  "timestamp",
  "string",
] as const;

/** What a builder stores. */
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/** A string column is a Dictionary while it has at most this many distinct values... */
export const MAX_DICTIONARY_SIZE = 65_536;

const INITIAL_CAPACITY = 1024;
const TWO_32 = 4_294_967_296;
const encoder = new TextEncoder();

/** Common length, null count and lazily allocated validity bitmap. */
export abstract class ColumnBuilder {
  abstract readonly kind: ColumnKind;
  length = 0;
  nullCount = 0;
  protected capacity = 0;
  protected validity: Uint8Array | null = null;

  /** Room for at least `capacity` values, keeping what is stored. */
  protected abstract resize(capacity: number): void;
  /** The contents as plain typed arrays; the builder must not be used afterwards. */
  abstract state(): BuilderState;
  /** Canonical text of value i (valid values only), used when a column widens to string. */
  abstract textAt(index: number): string;

  /** The values as an Arrow vector; the builder must not be used afterwards. */
  finish(): Vector {
    return toArrowVector(this.state());
  }

  protected grow(): void {
    this.reserve(Math.max(INITIAL_CAPACITY, this.capacity * 2));
  }

  /** Room for `capacity` values, growing geometrically (for appends of unknown total). */
  ensure(capacity: number): void {
    if (capacity > this.capacity) {
      this.reserve(Math.max(capacity, INITIAL_CAPACITY, this.capacity * 2));
    }
  }

  /** Values the builder has room for without allocating. */
  get reserved(): number {
    return this.capacity;
  }

  /** Makes room for `capacity` values in all, so appends up to it allocate nothing. */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.resize(capacity);
    if (this.validity) this.validity = growBitmap(this.validity, capacity);
    this.capacity = capacity;
  }

  /** Appends a missing value. */
  pushNull(): void {
    if (this.length === this.capacity) this.grow();
    if (!this.validity) this.validity = growBitmap(new Uint8Array(0), this.capacity);
    const index = this.length++;
    this.validity[index >> 3] &= ~(1 << (index & 7));
    this.nullCount++;
    this.afterNull(index);
  }

  /** Hook for layouts that must write something for a null (string offsets). */
  protected afterNull(_index: number): void {}

  isValid(index: number): boolean {
    return this.validity === null || (this.validity[index >> 3] & (1 << (index & 7))) !== 0;
  }

  /** The validity bitmap trimmed to the length, or null when nothing is missing. */
  protected bitmap(): Uint8Array | null {
    return this.nullCount === 0 || !this.validity
      ? null
      : this.validity.subarray(0, (this.length + 7) >> 3);
  }
}

/** A bitmap of `capacity` bits: the old bits, then all-valid (1) bits. */
function growBitmap(old: Uint8Array, capacity: number): Uint8Array {
  const bitmap = new Uint8Array((capacity + 7) >> 3).fill(0xff);
  bitmap.set(old);
  return bitmap;
}

/** A column whose type is not known yet: only nulls so far. */
export class NullBuilder extends ColumnBuilder {
  readonly kind = "null";
  protected resize(): void {}
  override isValid(): boolean {
    return false;
  }
  override pushNull(): void {
    this.length++;
    this.nullCount++;
  }
  textAt(): string {
    return "";
  }
  /** All-null columns become Utf8: the profile reports them as empty text. */
  state(): BuilderState {
    return { kind: "null", length: this.length, nullCount: this.length, validity: null };
  }
  override finish(): Vector {
    const strings = new StringBuilder();
    for (let i = 0; i < this.length; i++) strings.pushNull();
    return strings.finish();
  }
}

/**
 * Builders holding one typed-array element per row (int32/date, int64/timestamp, float64):
 * exporting the state is the same for all of them.
 */
abstract class FixedWidthBuilder<
  A extends Int32Array | BigInt64Array | Float64Array,
> extends ColumnBuilder {
  abstract values: A;

  state(): BuilderState {
    // kind and values are paired by each subclass's declarations.
    return {
      kind: this.kind,
      length: this.length,
      nullCount: this.nullCount,
      validity: this.bitmap(),
      values: this.values.subarray(0, this.length),
    } as BuilderState;
  }
}

/** Int32 values, and DateDay (days since the epoch), which has the same layout. */
export class Int32Builder extends FixedWidthBuilder<Int32Array> {
  readonly kind: "int32" | "date";
  values: Int32Array = new Int32Array(0);

  constructor(kind: "int32" | "date" = "int32") {
    super();
    this.kind = kind;
  }

  protected resize(capacity: number): void {
    const values = new Int32Array(capacity);
    values.set(this.values);
    this.values = values;
  }

  push(value: number): void {
    if (this.length === this.capacity) this.grow();
    this.values[this.length++] = value;
  }

  textAt(index: number): string {
    const value = this.values[index];
    return this.kind === "date" ? isoDate(value * DAY_MS) : String(value);
  }
}

/** Int64 values, and TimestampMillisecond (ms since the epoch, UTC), which has the same layout. */
export class Int64Builder extends FixedWidthBuilder<BigInt64Array> {
  readonly kind: "int64" | "timestamp";
  values: BigInt64Array = new BigInt64Array(0);
  /** The same buffer as 32-bit halves, so safe integers are stored without BigInt. */
  private halves: Int32Array = new Int32Array(0);

  constructor(kind: "int64" | "timestamp" = "int64") {
    super();
    this.kind = kind;
  }

  protected resize(capacity: number): void {
    const values = new BigInt64Array(capacity);
    values.set(this.values);
    this.setValues(values);
  }

  private setValues(values: BigInt64Array): void {
    this.values = values;
    this.halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  }

  /** Appends a safe integer (|value| < 2^53). */
  push(value: number): void {
    if (this.length === this.capacity) this.grow();
    const high = Math.floor(value / TWO_32);
    const index = this.length++ << 1;
    this.halves[index] = value - high * TWO_32;
    this.halves[index + 1] = high;
  }

  pushBigInt(value: bigint): void {
    if (this.length === this.capacity) this.grow();
    this.values[this.length++] = value;
  }

  /** Value i as a number (exact below 2^53). */
  numberAt(index: number): number {
    return this.halves[2 * index + 1] * TWO_32 + (this.halves[2 * index] >>> 0);
  }

  textAt(index: number): string {
    return this.kind === "timestamp"
      ? isoTimestamp(this.numberAt(index))
      : this.values[index].toString();
  }
}

export class Float64Builder extends FixedWidthBuilder<Float64Array> {
  readonly kind = "float64";
  values: Float64Array = new Float64Array(0);

  protected resize(capacity: number): void {
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.values = values;
  }

  push(value: number): void {
    if (this.length === this.capacity) this.grow();
    this.values[this.length++] = value;
  }

  textAt(index: number): string {
    return String(this.values[index]);
  }
}

export class BoolBuilder extends ColumnBuilder {
  readonly kind = "bool";
  private bits: Uint8Array = new Uint8Array(0);

  protected resize(capacity: number): void {
    const bits = new Uint8Array((capacity + 7) >> 3);
    bits.set(this.bits);
    this.bits = bits;
  }

  push(value: boolean): void {
    if (this.length === this.capacity) this.grow();
    const index = this.length++;
    if (value) this.bits[index >> 3] |= 1 << (index & 7);
  }

  valueAt(index: number): boolean {
    return (this.bits[index >> 3] & (1 << (index & 7))) !== 0;
  }

  textAt(index: number): string {
    return this.valueAt(index) ? "true" : "false";
  }

  state(): BuilderState {
    return {
      kind: "bool",
      length: this.length,
      nullCount: this.nullCount,
      validity: this.bitmap(),
      values: this.bits.subarray(0, (this.length + 7) >> 3),
    };
  }
}

/**
 * UTF-8 strings. Values are interned in a byte-keyed hash table while there are few distinct
 * ones, and the column finishes as Dictionary(Utf8, Int32) when it has at most
 * MAX_DICTIONARY_SIZE distinct values and at most half as many as non-null values; otherwise
 * as a plain Utf8 vector (offsets + bytes).
 */
export class StringBuilder extends ColumnBuilder {
  readonly kind = "string";
  private dictionaryMode = true;
  // Dictionary mode: per-row keys, plus the distinct values in Utf8 layout.
  private keys: Int32Array = new Int32Array(0);
  // Small at first (they double as needed): a 10,000-column file has 10,000 of these.
  private dictOffsets: Int32Array = new Int32Array(65);
  private dictBytes: Uint8Array = new Uint8Array(1024);
  private dictSize = 0;
  private dictHashes: Int32Array = new Int32Array(64);
  private table: Int32Array = new Int32Array(128);
  private mask = 127;
  // Utf8 mode.
  private offsets: Int32Array = new Int32Array(0);
  private bytes: Uint8Array = new Uint8Array(0);

  protected resize(capacity: number): void {
    if (this.dictionaryMode) {
      const keys = new Int32Array(capacity);
      keys.set(this.keys);
      this.keys = keys;
    } else {
      const offsets = new Int32Array(capacity + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
  }

  protected override afterNull(index: number): void {
    if (!this.dictionaryMode) this.offsets[index + 1] = this.offsets[index];
  }

  /** Appends the UTF-8 text in buf[start, end). */
  pushBytes(buf: Uint8Array, start: number, end: number): void {
    if (this.length === this.capacity) this.grow();
    if (this.dictionaryMode) {
      const key = this.intern(buf, start, end);
      if (key >= 0) {
        this.keys[this.length++] = key;
        return;
      }
      this.toUtf8Mode();
    }
    const index = this.length++;
    const at = this.offsets[index];
    const size = end - start;
    if (at + size > this.bytes.length) this.bytes = growBytes(this.bytes, at + size);
    copyBytes(buf, start, end, this.bytes, at);
    this.offsets[index + 1] = at + size;
  }

  pushString(text: string): void {
    const bytes = encoder.encode(text);
    this.pushBytes(bytes, 0, bytes.length);
  }

  textAt(index: number): string {
    if (this.dictionaryMode) {
      const key = this.keys[index];
      return decodeRange(this.dictBytes, this.dictOffsets[key], this.dictOffsets[key + 1]);
    }
    return decodeRange(this.bytes, this.offsets[index], this.offsets[index + 1]);
  }

  /** Number of distinct values while in dictionary mode, -1 after falling back to Utf8. */
  get distinctCount(): number {
    return this.dictionaryMode ? this.dictSize : -1;
  }

  /** The contents, in dictionary mode only when the column finishes as a Dictionary. */
  state(): BuilderState {
    const nonNull = this.length - this.nullCount;
    if (this.dictionaryMode && (this.dictSize === 0 || this.dictSize * 2 > nonNull)) {
      this.toUtf8Mode();
    }
    const base = { length: this.length, nullCount: this.nullCount, validity: this.bitmap() };
    if (this.dictionaryMode) {
      return {
        kind: "string",
        ...base,
        dictionary: {
          keys: this.keys.subarray(0, this.length),
          size: this.dictSize,
          offsets: this.dictOffsets.subarray(0, this.dictSize + 1),
          bytes: this.dictBytes.subarray(0, this.dictOffsets[this.dictSize]),
        },
        offsets: new Int32Array(0),
        bytes: new Uint8Array(0),
      };
    }
    return {
      kind: "string",
      ...base,
      dictionary: null,
      offsets: this.offsets.subarray(0, this.length + 1),
      bytes: this.bytes.subarray(0, this.offsets[this.length]),
    };
  }

  /** The key of buf[start, end) in the dictionary, adding it; -1 when the dictionary is full. */
  private intern(buf: Uint8Array, start: number, end: number): number {
    // FNV-style over 4 bytes at a time, then a finalizer so the low bits (the slot) mix all.
    let hash = 0x811c9dc5 ^ (end - start);
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const word = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
      hash = Math.imul(hash ^ word, 0x01000193);
    }
    for (; i < end; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d);
    hash ^= hash >>> 12;
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) break;
      const key = entry - 1;
      if (this.dictHashes[key] === hash && this.dictEquals(key, buf, start, end)) return key;
      slot = (slot + 1) & mask;
    }
    if (this.dictSize === MAX_DICTIONARY_SIZE) return -1;
    const key = this.dictSize++;
    if (key + 1 >= this.dictOffsets.length) {
      this.dictOffsets = growInt32(this.dictOffsets, this.dictOffsets.length * 2);
      this.dictHashes = growInt32(this.dictHashes, this.dictHashes.length * 2);
    }
    const at = this.dictOffsets[key];
    if (at + end - start > this.dictBytes.length) {
      this.dictBytes = growBytes(this.dictBytes, at + end - start);
    }
    copyBytes(buf, start, end, this.dictBytes, at);
    this.dictOffsets[key + 1] = at + end - start;
    this.dictHashes[key] = hash;
    table[slot] = key + 1;
    if (this.dictSize * 2 > mask) this.rehash((mask + 1) * 2);
    return key;
  }

  private dictEquals(key: number, buf: Uint8Array, start: number, end: number): boolean {
    const from = this.dictOffsets[key];
    if (this.dictOffsets[key + 1] - from !== end - start) return false;
    const bytes = this.dictBytes;
    for (let i = start, j = from; i < end; i++, j++) if (bytes[j] !== buf[i]) return false;
    return true;
  }

  private rehash(size: number): void {
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let key = 0; key < this.dictSize; key++) {
      let slot = this.dictHashes[key] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = key + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** Expands the keys into offsets + bytes and drops the dictionary. */
  private toUtf8Mode(): void {
    const offsets = new Int32Array(this.capacity + 1);
    let total = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.isValid(i)) {
        const key = this.keys[i];
        total += this.dictOffsets[key + 1] - this.dictOffsets[key];
      }
    }
    const bytes = new Uint8Array(Math.max(1024, total * 2));
    let at = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.isValid(i)) {
        const key = this.keys[i];
        copyBytes(this.dictBytes, this.dictOffsets[key], this.dictOffsets[key + 1], bytes, at);
        at += this.dictOffsets[key + 1] - this.dictOffsets[key];
      }
      offsets[i + 1] = at;
    }
    this.offsets = offsets;
    this.bytes = bytes;
    this.dictionaryMode = false;
    this.keys = new Int32Array(0);
    this.dictOffsets = new Int32Array(0);
    this.dictBytes = new Uint8Array(0);
    this.dictHashes = new Int32Array(0);
    this.table = new Int32Array(0);
  }
}

function growBytes(bytes: Uint8Array, needed: number): Uint8Array {
  const grown = new Uint8Array(Math.max(needed, bytes.length * 2, 1024));
  grown.set(bytes);
  return grown;
}

function growInt32(values: Int32Array, size: number): Int32Array {
  if (values.length >= size) return values;
  const grown = new Int32Array(size);
  grown.set(values);
  return grown;
}

/** Short copies by hand: subarray + set costs more than the loop below 32 bytes. */
function copyBytes(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  if (end - start < 32) {
    for (let i = start; i < end; i++) to[at++] = from[i];
  } else {
    to.set(from.subarray(start, end), at);
  }
}

const decoder = new TextDecoder();

function decodeRange(bytes: Uint8Array, start: number, end: number): string {
  return decoder.decode(bytes.subarray(start, end));
}

/** An empty builder of the given kind. */
export function createBuilder(kind: ColumnKind): ColumnBuilder {
  switch (kind) {
    case "null":
      return new NullBuilder();
    case "int32":
    case "date":
      return new Int32Builder(kind);
    case "int64":
    case "timestamp":
      return new Int64Builder(kind);
    case "float64":
      return new Float64Builder();
    case "bool":
      return new BoolBuilder();
    case "string":
      return new StringBuilder();
  }
}

/**
 * A builder of kind `to` holding the values of `from`, converted: int32→int64/float64,
 * int64→float64 (exact below 2^53), date→timestamp (midnight UTC), null→anything, and
 * anything→string (each value's canonical text, e.g. 1.50 becomes "1.5").
 */
export function widen(from: ColumnBuilder, to: ColumnKind): ColumnBuilder {
  const target = createBuilder(to);
  target.reserve(from.reserved);
  for (let i = 0; i < from.length; i++) {
    if (!from.isValid(i)) {
      target.pushNull();
      continue;
    }
    if (target instanceof StringBuilder) {
      target.pushString(from.textAt(i));
    } else if (target instanceof Float64Builder && from instanceof Int32Builder) {
      target.push(from.values[i]);
    } else if (target instanceof Float64Builder && from instanceof Int64Builder) {
      target.push(from.kind === "int64" ? Number(from.values[i]) : from.numberAt(i));
    } else if (target instanceof Int64Builder && from instanceof Int32Builder) {
      target.push(from.kind === "date" ? from.values[i] * DAY_MS : from.values[i]);
    } else {
      throw new Error(`cannot widen a ${from.kind} column to ${to}`);
    }
  }
  return target;
}
