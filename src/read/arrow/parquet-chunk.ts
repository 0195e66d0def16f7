// Decodes one column chunk (one flat column of one row group) into typed arrays: fixed-width
// values as raw little-endian bytes at their row's place, byte arrays as dictionary keys
// plus a dictionary of byte strings (a page written without a dictionary appends its values
// to it), and a validity byte per row. Pages: v1 and v2 data pages, dictionary pages;
// encodings PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (booleans) and the delta encodings
// (parquet-delta.ts). Anything else (BYTE_STREAM_SPLIT, bit-packed levels) is an
// UnsupportedParquet, and the caller hands the file to parquet-wasm.
// https://github.com/apache/parquet-format/blob/master/Encodings.md
import { decompressPage, PageError } from "./parquet-codecs.ts";
import {
  readDeltaBinaryPacked,
  readDeltaByteArray,
  readDeltaLengthByteArray,
} from "./parquet-delta.ts";
import type { ColumnChunk, PhysicalType } from "./parquet-footer.ts";
import { readHybrid } from "./parquet-levels.ts";
import { readStruct, type ThriftStruct } from "./parquet-thrift.ts";

/** A feature this reader leaves to parquet-wasm (not damage). */
export class UnsupportedParquet extends Error {}

/** Byte strings: entry k is bytes[offsets[k], offsets[k + 1]). */
export interface ByteStrings {
  offsets: Int32Array;
  bytes: Uint8Array;
  length: number;
}

/** One decoded chunk. `validity` is null when no row is missing. */
export type DecodedChunk =
  | { kind: "fixed"; rows: number; bytes: Uint8Array; validity: Uint8Array | null; nulls: number }
  | {
      kind: "strings";
      rows: number;
      keys: Int32Array;
      dictionary: ByteStrings;
      /** False when some page stored its values without the dictionary. */
      dictionaryOnly: boolean;
      validity: Uint8Array | null;
      nulls: number;
    };

/** How one leaf column is stored. */
export interface LeafLayout {
  physical: PhysicalType;
  /** Bytes per value of fixed-width types (BOOLEAN decodes to one byte per value). */
  width: number;
  optional: boolean;
  /** The Arrow dictionary id a text column gets (its position in the table). */
  dictionaryId: number;
}

const PLAIN = 0;
const PLAIN_DICTIONARY = 2;
const RLE = 3;
const RLE_DICTIONARY = 8;
const DELTA_BINARY_PACKED = 5;
const DELTA_LENGTH_BYTE_ARRAY = 6;
const DELTA_BYTE_ARRAY = 7;
const DATA_PAGE = 0;
const INDEX_PAGE = 1;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;

/** Bytes per value of a fixed-width physical type as decoded here (0 for BYTE_ARRAY). */
export function valueWidth(physical: PhysicalType, typeLength: number): number {
  switch (physical) {
    case "BOOLEAN":
      return 1;
    case "INT32":
    case "FLOAT":
      return 4;
    case "INT64":
    case "DOUBLE":
      return 8;
    case "INT96":
      return 12;
    case "FIXED_LEN_BYTE_ARRAY":
      return typeLength;
    case "BYTE_ARRAY":
      return 0;
  }
}

/** A growable byte-string list. */
class StringBuilder {
  offsets = new Int32Array(1024);
  bytes = new Uint8Array(4096);
  length = 0;

  constructor(initial?: ByteStrings) {
    if (initial) {
      this.offsets = new Int32Array(Math.max(initial.length + 1, 1024));
      this.offsets.set(initial.offsets.subarray(0, initial.length + 1));
      this.bytes = new Uint8Array(Math.max(initial.offsets[initial.length], 4096));
      this.bytes.set(initial.bytes.subarray(0, initial.offsets[initial.length]));
      this.length = initial.length;
    }
  }

  /** Appends `count` PLAIN byte arrays (u32 length + bytes) from page[at, end). */
  appendPlain(page: Uint8Array, at: number, end: number, count: number): number {
    let used = this.offsets[this.length];
    if (this.offsets.length < this.length + count + 1) {
      const grown = new Int32Array(Math.max(this.offsets.length * 2, this.length + count + 1));
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const need = used + (end - at);
    if (this.bytes.length < need) {
      if (need > 0x7fffffff) throw new UnsupportedParquet("over 2 GiB of text in one row group");
      const grown = new Uint8Array(Math.min(Math.max(this.bytes.length * 2, need), 0x7fffffff));
      grown.set(this.bytes.subarray(0, used));
      this.bytes = grown;
    }
    const { offsets, bytes } = this;
    for (let k = 0; k < count; k++) {
      if (at + 4 > end) throw new PageError("byte-array values end early");
      const length =
        (page[at] | (page[at + 1] << 8) | (page[at + 2] << 16) | (page[at + 3] << 24)) >>> 0;
      at += 4;
      if (at + length > end) throw new PageError("a byte-array value past the page");
      if (length <= 16) for (let b = 0; b < length; b++) bytes[used + b] = page[at + b];
      else bytes.set(page.subarray(at, at + length), used);
      used += length;
      at += length;
      offsets[++this.length] = used;
    }
    return at;
  }

  /** Room for `count` more values and `size` more bytes. */
  reserve(count: number, size: number): void {
    if (this.offsets.length < this.length + count + 1) {
      const grown = new Int32Array(Math.max(this.offsets.length * 2, this.length + count + 1));
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const used = this.offsets[this.length];
    if (this.bytes.length < used + size) {
      if (used + size > 0x7fffffff)
        throw new UnsupportedParquet("over 2 GiB of text in one row group");
      const grown = new Uint8Array(
        Math.min(Math.max(this.bytes.length * 2, used + size), 0x7fffffff),
      );
      grown.set(this.bytes.subarray(0, used));
      this.bytes = grown;
    }
  }

  /** Appends the last value's first `prefix` bytes followed by source[start, start + length). */
  append(prefix: number, source: Uint8Array, start: number, length: number): void {
    this.reserve(1, prefix + length);
    const at = this.offsets[this.length];
    if (prefix > 0) {
      const last = this.offsets[this.length - 1];
      this.bytes.copyWithin(at, last, last + prefix);
    }
    this.bytes.set(source.subarray(start, start + length), at + prefix);
    this.offsets[++this.length] = at + prefix + length;
  }

  result(): ByteStrings {
    return { offsets: this.offsets, bytes: this.bytes, length: this.length };
  }
}

function num(struct: ThriftStruct | undefined, field: number, what: string): number {
  const value = struct?.[field];
  if (typeof value !== "number" || !(value >= 0))
    throw new PageError(`a page header without ${what}`);
  return value;
}

function sub(value: ThriftStruct[number]): ThriftStruct | undefined {
  return value &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
    ? value
    : undefined;
}

/** Decodes one column chunk of `rows` rows from the file bytes. */
export function decodeChunk(
  file: Uint8Array,
  chunk: ColumnChunk,
  layout: LeafLayout,
  rows: number,
): DecodedChunk {
  const { physical, width, optional } = layout;
  const start = chunk.start;
  const end = start + chunk.compressedSize;
  if (!(start >= 4 && end <= file.length - 8 && end >= start)) {
    throw new PageError("a column chunk outside the file");
  }
  if (chunk.numValues !== rows)
    throw new PageError(`a column of ${chunk.numValues} values in ${rows} rows`);
  const strings = physical === "BYTE_ARRAY";
  const fixed = strings ? new Uint8Array(0) : new Uint8Array(rows * width);
  const keys = strings ? new Int32Array(rows) : new Int32Array(0);
  let validity: Uint8Array | null = null;
  let nulls = 0;
  let dictionary: Uint8Array | undefined; // fixed-width dictionary values
  let dictionaryCount = 0;
  let text = new StringBuilder();
  let dictionaryOnly = true;
  let row = 0;
  let at = start;
  let scratch = new Int32Array(0);
  while (row < rows) {
    if (at >= end) throw new PageError("the column chunk ends before its last row");
    const cursor = { bytes: file, at, end };
    const header = readStruct(cursor);
    const type = num(header, 1, "a type");
    const size = num(header, 2, "a size");
    const stored = num(header, 3, "a stored size");
    const body = cursor.at;
    at = body + stored;
    if (at > end) throw new PageError("a page past its column chunk");
    if (type === INDEX_PAGE) continue;
    if (type === DICTIONARY_PAGE) {
      const info = sub(header[7]);
      const count = num(info, 1, "a value count");
      const encoding = info?.[2];
      if (encoding !== PLAIN && encoding !== PLAIN_DICTIONARY) {
        throw new UnsupportedParquet(`a dictionary page in encoding ${String(encoding)}`);
      }
      const page = decompressPage(chunk.codec, file.subarray(body, at), size);
      if (strings) {
        text = new StringBuilder();
        text.appendPlain(page, 0, page.length, count);
      } else {
        if (count * width > page.length)
          throw new PageError("a dictionary page shorter than its values");
        dictionary = readFixedPlain(physical, page, 0, count, width);
      }
      dictionaryCount = count;
      continue;
    }
    if (type !== DATA_PAGE && type !== DATA_PAGE_V2)
      throw new PageError(`a page of unknown type ${type}`);
    const v2 = type === DATA_PAGE_V2;
    const info = sub(header[v2 ? 8 : 5]);
    const count = num(info, 1, "a value count");
    const encoding = v2 ? info?.[4] : info?.[2];
    if (count > rows - row) throw new PageError("more values than rows");
    let page: Uint8Array;
    let p: number;
    let levelsEnd: number;
    let levelsPage: Uint8Array;
    if (v2) {
      const definitionBytes = num(info, 5, "a definition-level length");
      const repetitionBytes = num(info, 6, "a repetition-level length");
      if (repetitionBytes !== 0) throw new UnsupportedParquet("repeated values");
      const levelBytes = definitionBytes + repetitionBytes;
      if (levelBytes > stored) throw new PageError("levels longer than their page");
      levelsPage = file;
      p = body;
      levelsEnd = body + levelBytes;
      const compressed = info?.[7] !== false;
      const values = file.subarray(body + levelBytes, at);
      page =
        compressed && size - levelBytes > 0
          ? decompressPage(chunk.codec, values, size - levelBytes)
          : values;
    } else {
      page = decompressPage(chunk.codec, file.subarray(body, at), size);
      levelsPage = page;
      p = 0;
      levelsEnd = page.length;
    }
    // Definition levels (flat columns: 0 missing, 1 present).
    let present = count;
    if (optional) {
      if (validity === null) validity = new Uint8Array(rows).fill(1);
      if (!v2) {
        if (info?.[3] !== RLE) throw new UnsupportedParquet("definition levels not in RLE");
        if (p + 4 > levelsEnd) throw new PageError("a page without its definition levels");
        const length =
          (levelsPage[p] |
            (levelsPage[p + 1] << 8) |
            (levelsPage[p + 2] << 16) |
            (levelsPage[p + 3] << 24)) >>>
          0;
        p += 4;
        if (p + length > levelsEnd) throw new PageError("definition levels past their page");
        readHybrid(levelsPage, p, p + length, 1, validity, row, count);
        p += length;
      } else {
        readHybrid(levelsPage, p, levelsEnd, 1, validity, row, count);
        p = 0;
      }
      for (let i = row; i < row + count; i++) if (validity[i] !== 1) validity[i] = 0;
      let missing = 0;
      for (let i = row; i < row + count; i++) missing += 1 - validity[i];
      present = count - missing;
      nulls += missing;
    } else if (v2) {
      p = 0;
    }
    const valuesEnd = page.length;
    // Values: `present` of them, packed; placed at the rows whose level says present.
    if (encoding === PLAIN) {
      if (strings) {
        dictionaryOnly = false;
        const base = text.length;
        text.appendPlain(page, p, valuesEnd, present);
        if (scratch.length < present) scratch = new Int32Array(present);
        placeKeys(keys, row, count, validity, sequence(scratch, base, present));
      } else if (physical === "BOOLEAN") {
        const bits = new Uint8Array(present);
        for (let k = 0; k < present; k++) {
          const bit = p * 8 + k;
          if (bit >> 3 >= valuesEnd) throw new PageError("boolean values end early");
          bits[k] = (page[bit >> 3] >> (bit & 7)) & 1;
        }
        placeFixed(fixed, 1, row, count, validity, bits);
      } else {
        if (p + present * width > valuesEnd) throw new PageError("values end early");
        placeFixed(fixed, width, row, count, validity, page.subarray(p, p + present * width));
      }
    } else if (
      encoding === RLE_DICTIONARY ||
      encoding === PLAIN_DICTIONARY ||
      (encoding === RLE && physical === "BOOLEAN")
    ) {
      if (scratch.length < present) scratch = new Int32Array(present);
      const indices = scratch.subarray(0, present);
      if (encoding === RLE) {
        // Booleans: a 4-byte length, then 1-bit runs (v1); v2 has the length too.
        readHybrid(page, p + 4, valuesEnd, 1, indices, 0, present);
        const bits = Uint8Array.from(indices);
        placeFixed(fixed, 1, row, count, validity, bits);
      } else {
        if (dictionaryCount === 0 && present > 0)
          throw new PageError("dictionary indices without a dictionary");
        if (present > 0) {
          if (p >= valuesEnd) throw new PageError("a page without its dictionary indices");
          const bitWidth = page[p];
          readHybrid(page, p + 1, valuesEnd, bitWidth, indices, 0, present);
          for (let k = 0; k < present; k++) {
            if (indices[k] >= dictionaryCount || indices[k] < 0)
              throw new PageError("a dictionary index out of range");
          }
        }
        if (strings) placeKeys(keys, row, count, validity, indices);
        else gatherFixed(fixed, width, row, count, validity, dictionary!, indices);
      }
    } else if (encoding === DELTA_BINARY_PACKED && (physical === "INT32" || physical === "INT64")) {
      const decoded = physical === "INT32" ? new Int32Array(present) : new BigInt64Array(present);
      readDeltaBinaryPacked(page, p, valuesEnd, decoded, present);
      placeFixed(fixed, width, row, count, validity, new Uint8Array(decoded.buffer));
    } else if ((encoding === DELTA_LENGTH_BYTE_ARRAY || encoding === DELTA_BYTE_ARRAY) && strings) {
      dictionaryOnly = false;
      const base = text.length;
      // A page's values share prefixes within the page only.
      let first = true;
      if (encoding === DELTA_LENGTH_BYTE_ARRAY) {
        readDeltaLengthByteArray(page, p, valuesEnd, present, (start, length) =>
          text.append(0, page, start, length),
        );
      } else {
        readDeltaByteArray(page, p, valuesEnd, present, (prefix, start, length) => {
          if (first && prefix > 0) throw new PageError("a shared prefix on a page's first value");
          first = false;
          text.append(prefix, page, start, length);
        });
      }
      if (scratch.length < present) scratch = new Int32Array(present);
      placeKeys(keys, row, count, validity, sequence(scratch, base, present));
    } else {
      throw new UnsupportedParquet(`values in encoding ${String(encoding)}`);
    }
    row += count;
  }
  if (!optional || nulls === 0) validity = null;
  if (strings)
    return {
      kind: "strings",
      rows,
      keys,
      dictionary: text.result(),
      dictionaryOnly,
      validity,
      nulls,
    };
  return { kind: "fixed", rows, bytes: fixed, validity, nulls };
}

/** PLAIN fixed-width values as bytes of `width` each (booleans: one byte per value). */
function readFixedPlain(
  physical: PhysicalType,
  page: Uint8Array,
  at: number,
  count: number,
  width: number,
): Uint8Array {
  if (physical === "BOOLEAN") {
    const out = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const bit = at * 8 + k;
      out[k] = (page[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  return page.slice(at, at + count * width);
}

function sequence(out: Int32Array, base: number, count: number): Int32Array {
  for (let k = 0; k < count; k++) out[k] = base + k;
  return out.subarray(0, count);
}

/** Keys at their rows: present rows take the next index, missing rows 0. */
function placeKeys(
  keys: Int32Array,
  row: number,
  count: number,
  validity: Uint8Array | null,
  indices: Int32Array,
): void {
  if (validity === null || indices.length === count) {
    keys.set(indices.subarray(0, count), row);
    return;
  }
  let k = 0;
  for (let i = row; i < row + count; i++) keys[i] = validity[i] === 1 ? indices[k++] : 0;
}

/** Packed values (`width` bytes each) copied to their rows; missing rows stay zero. */
function placeFixed(
  out: Uint8Array,
  width: number,
  row: number,
  count: number,
  validity: Uint8Array | null,
  values: Uint8Array,
): void {
  if (validity === null || values.length === count * width) {
    out.set(values.subarray(0, count * width), row * width);
    return;
  }
  let k = 0;
  for (let i = row; i < row + count; i++) {
    if (validity[i] === 1) {
      out.set(values.subarray(k * width, (k + 1) * width), i * width);
      k++;
    }
  }
}

/** Dictionary values gathered to their rows by index; missing rows stay zero. */
function gatherFixed(
  out: Uint8Array,
  width: number,
  row: number,
  count: number,
  validity: Uint8Array | null,
  dictionary: Uint8Array,
  indices: Int32Array,
): void {
  const dense = validity === null || indices.length === count;
  if ((width === 4 || width === 8) && out.byteOffset % 4 === 0) {
    const words = width / 4;
    const to = new Int32Array(out.buffer, out.byteOffset, out.length >> 2);
    const aligned = dictionary.byteOffset % 4 === 0 ? dictionary : dictionary.slice();
    const from = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
    if (words === 1) {
      if (dense) for (let k = 0; k < count; k++) to[row + k] = from[indices[k]];
      else {
        let k = 0;
        for (let i = row; i < row + count; i++) if (validity![i] === 1) to[i] = from[indices[k++]];
      }
      return;
    }
    if (dense) {
      for (let k = 0; k < count; k++) {
        const s = indices[k] * 2;
        const d = (row + k) * 2;
        to[d] = from[s];
        to[d + 1] = from[s + 1];
      }
    } else {
      let k = 0;
      for (let i = row; i < row + count; i++) {
        if (validity![i] !== 1) continue;
        const s = indices[k++] * 2;
        to[i * 2] = from[s];
        to[i * 2 + 1] = from[s + 1];
      }
    }
    return;
  }
  let k = 0;
  for (let i = row; i < row + count; i++) {
    if (!dense && validity![i] !== 1) continue;
    const s = indices[k++] * width;
    out.set(dictionary.subarray(s, s + width), i * width);
  }
}
