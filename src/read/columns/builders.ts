// Typed column builders shared by the text readers (CSV, NDJSON): values go into growable
// typed arrays with a validity bitmap allocated at the first null. This module does not load
// apache-arrow, so CSV worker threads can build columns without paying for it (importing it
// costs a fresh worker about half a second): `finish` goes through the vector factory that
// columns.ts installs, and a worker's columns travel as BuilderState (plain typed arrays,
// transferable) to be appended to the main thread's builders.
import type { Vector } from "apache-arrow";
import { DAY_MS, isoDate, isoTimestamp } from "../../calendar.ts";

/** What a builder stores; "null" means no value seen yet (the type is still open). */
export type ColumnKind =
  | "null"
  | "int32"
  | "int64"
  | "float64"
  | "bool"
  | "date"
  | "timestamp"
  | "string";

/** A string column is a Dictionary while it has at most this many distinct values... */
export const MAX_DICTIONARY_SIZE = 65_536;

const INITIAL_CAPACITY = 1024;
const TWO_32 = 4_294_967_296;
const encoder = new TextEncoder();

interface StateBase {
  length: number;
  nullCount: number;
  /** Bit i is 0 where value i is missing; null when nothing is missing. */
  validity: Uint8Array | null;
}

/** The distinct strings of a dictionary-mode string column, in Utf8 layout. */
export interface DictionaryState {
  keys: Int32Array;
  size: number;
  offsets: Int32Array;
  bytes: Uint8Array;
  hashes: Int32Array;
}

/** A builder's contents as plain typed arrays (views trimmed to the length). */
export type BuilderState =
  | (StateBase & { kind: "null" })
  | (StateBase & { kind: "int32" | "date"; values: Int32Array })
  | (StateBase & { kind: "int64" | "timestamp"; values: BigInt64Array })
  | (StateBase & { kind: "float64"; values: Float64Array })
  | (StateBase & { kind: "bool"; values: Uint8Array })
  | (StateBase & {
      kind: "string";
      /** Set in dictionary mode; otherwise offsets + bytes hold the values. */
      dictionary: DictionaryState | null;
      offsets: Int32Array;
      bytes: Uint8Array;
    });

/** Turns a finished builder's state into an Arrow vector (installed by columns.ts). */
export type VectorFactory = (state: BuilderState) => Vector;

let vectorFactory: VectorFactory | undefined;

/** Installs the Arrow side of `finish`; columns.ts calls it when it loads. */
export function setVectorFactory(factory: VectorFactory): void {
  vectorFactory = factory;
}

function toVector(state: BuilderState): Vector {
  if (!vectorFactory) throw new Error("import columns.ts (not builders.ts) to finish columns");
  return vectorFactory(state);
}

/** The ArrayBuffers behind a state, for postMessage's transfer list. */
export function stateBuffers(state: BuilderState): ArrayBuffer[] {
  const views: (ArrayBufferView | null)[] = [state.validity];
  if (state.kind === "string") {
    views.push(state.offsets, state.bytes);
    if (state.dictionary) {
      const d = state.dictionary;
      views.push(d.keys, d.offsets, d.bytes, d.hashes);
    }
  } else if (state.kind !== "null") {
    views.push(state.values);
  }
  const buffers = new Set<ArrayBuffer>();
  for (const view of views)
    if (view && view.buffer instanceof ArrayBuffer) buffers.add(view.buffer);
  return [...buffers];
}

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
  /** Appends every value of a builder of the same kind. */
  abstract appendFrom(other: ColumnBuilder): void;

  /** The values as an Arrow vector; the builder must not be used afterwards. */
  finish(): Vector {
    return toVector(this.state());
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

  /** Restores length, null count and validity from a state (capacity = length). */
  protected adopt(state: BuilderState): void {
    this.length = state.length;
    this.nullCount = state.nullCount;
    this.capacity = state.length;
    this.validity = state.validity && state.nullCount > 0 ? state.validity : null;
  }

  /**
   * Marks the missing values of `other` at rows [at, at + other.length) of this builder,
   * whose capacity already covers them (bits past the length are always 1).
   */
  protected appendValidity(other: ColumnBuilder, at: number): void {
    if (other.nullCount === 0) return;
    if (!this.validity) this.validity = growBitmap(new Uint8Array(0), this.capacity);
    const bits = this.validity;
    for (let i = 0; i < other.length; i++) {
      if (!other.isValid(i)) {
        const index = at + i;
        bits[index >> 3] &= ~(1 << (index & 7));
      }
    }
    this.nullCount += other.nullCount;
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
  appendFrom(other: ColumnBuilder): void {
    this.length += other.length;
    this.nullCount += other.length;
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
  static fromState(state: BuilderState): NullBuilder {
    const builder = new NullBuilder();
    builder.length = state.length;
    builder.nullCount = state.length;
    return builder;
  }
}

/** Int32 values, and DateDay (days since the epoch), which has the same layout. */
/**
 * Builders holding one typed-array element per row (int32/date, int64/timestamp, float64):
 * appending another builder and exporting the state are the same for all of them.
 */
abstract class FixedWidthBuilder<
  A extends Int32Array | BigInt64Array | Float64Array,
> extends ColumnBuilder {
  abstract values: A;

  appendFrom(other: ColumnBuilder): void {
    const from = other as FixedWidthBuilder<A>;
    const at = this.length;
    this.ensure(at + from.length);
    // A is one concrete array type per subclass; TypeScript cannot see that set() accepts it.
    (this.values as { set(source: A, offset: number): void }).set(
      from.values.subarray(0, from.length) as A,
      at,
    );
    this.appendValidity(from, at);
    this.length = at + from.length;
  }

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

  static fromState(state: BuilderState & { kind: "int32" | "date" }): Int32Builder {
    const builder = new Int32Builder(state.kind);
    builder.values = state.values;
    builder.adopt(state);
    return builder;
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

  static fromState(state: BuilderState & { kind: "int64" | "timestamp" }): Int64Builder {
    const builder = new Int64Builder(state.kind);
    builder.setValues(state.values);
    builder.adopt(state);
    return builder;
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

  static fromState(state: BuilderState & { kind: "float64" }): Float64Builder {
    const builder = new Float64Builder();
    builder.values = state.values;
    builder.adopt(state);
    return builder;
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

  appendFrom(other: ColumnBuilder): void {
    const from = other as BoolBuilder;
    const at = this.length;
    this.ensure(at + from.length);
    for (let i = 0; i < from.length; i++) {
      const index = at + i;
      if (from.valueAt(i)) this.bits[index >> 3] |= 1 << (index & 7);
    }
    this.appendValidity(from, at);
    this.length = at + from.length;
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

  static fromState(state: BuilderState & { kind: "bool" }): BoolBuilder {
    const builder = new BoolBuilder();
    builder.bits = state.values;
    builder.adopt(state);
    return builder;
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
  private dictOffsets: Int32Array = new Int32Array(1025);
  private dictBytes: Uint8Array = new Uint8Array(16_384);
  private dictSize = 0;
  private dictHashes: Int32Array = new Int32Array(1024);
  private table: Int32Array = new Int32Array(2048);
  private mask = 2047;
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

  /**
   * Appends another string column: a dictionary-mode one by interning each of its distinct
   * values once and remapping its keys, so chunks built apart share one dictionary.
   */
  appendFrom(other: ColumnBuilder): void {
    const from = other as StringBuilder;
    const n = from.length;
    this.ensure(this.length + n);
    if (!from.dictionaryMode) {
      for (let i = 0; i < n; i++) {
        if (!from.isValid(i)) this.pushNull();
        else this.pushBytes(from.bytes, from.offsets[i], from.offsets[i + 1]);
      }
      return;
    }
    const remap = new Int32Array(from.dictSize);
    for (let k = 0; k < from.dictSize && this.dictionaryMode; k++) {
      const key = this.intern(from.dictBytes, from.dictOffsets[k], from.dictOffsets[k + 1]);
      if (key < 0) this.toUtf8Mode();
      remap[k] = key;
    }
    for (let i = 0; i < n; i++) {
      if (!from.isValid(i)) {
        this.pushNull();
      } else if (this.dictionaryMode) {
        this.keys[this.length++] = remap[from.keys[i]];
      } else {
        const key = from.keys[i];
        this.pushBytes(from.dictBytes, from.dictOffsets[key], from.dictOffsets[key + 1]);
      }
    }
  }

  /** The contents, in dictionary mode only when the column finishes as a Dictionary. */
  state(): BuilderState {
    const nonNull = this.length - this.nullCount;
    if (this.dictionaryMode && (this.dictSize === 0 || this.dictSize * 2 > nonNull)) {
      this.toUtf8Mode();
    }
    return this.rawState();
  }

  /** The contents as they are (a worker's chunk keeps its dictionary for the merge). */
  rawState(): BuilderState {
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
          hashes: this.dictHashes.subarray(0, this.dictSize),
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

  static fromState(state: BuilderState & { kind: "string" }): StringBuilder {
    const builder = new StringBuilder();
    const dictionary = state.dictionary;
    if (dictionary) {
      builder.keys = dictionary.keys;
      builder.dictSize = dictionary.size;
      builder.dictOffsets = growInt32(dictionary.offsets, dictionary.size + 2);
      builder.dictBytes = dictionary.bytes;
      builder.dictHashes = growInt32(dictionary.hashes, dictionary.size + 1);
      builder.rehash(Math.max(2048, nextPowerOfTwo(dictionary.size * 4)));
    } else {
      builder.dictionaryMode = false;
      builder.offsets = state.offsets.length > 0 ? state.offsets : new Int32Array(1);
      builder.bytes = state.bytes;
      builder.dictOffsets = new Int32Array(0);
      builder.dictBytes = new Uint8Array(0);
      builder.dictHashes = new Int32Array(0);
      builder.table = new Int32Array(0);
    }
    builder.adopt(state);
    return builder;
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

function nextPowerOfTwo(value: number): number {
  let size = 1;
  while (size < value) size *= 2;
  return size;
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

/** A builder holding a state's contents (adopting its arrays), e.g. a worker's chunk column. */
export function builderFromState(state: BuilderState): ColumnBuilder {
  switch (state.kind) {
    case "null":
      return NullBuilder.fromState(state);
    case "int32":
    case "date":
      return Int32Builder.fromState(state);
    case "int64":
    case "timestamp":
      return Int64Builder.fromState(state);
    case "float64":
      return Float64Builder.fromState(state);
    case "bool":
      return BoolBuilder.fromState(state);
    case "string":
      return StringBuilder.fromState(state);
  }
}

/** The state of a builder as built, for a worker's reply (string dictionaries kept). */
export function chunkState(builder: ColumnBuilder): BuilderState {
  return builder instanceof StringBuilder ? builder.rawState() : builder.state();
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
