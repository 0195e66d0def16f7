// Parquet's footer and page headers are Thrift structs in the compact protocol. This reader
// turns one struct into plain objects keyed by field id ({1: value, 4: [...]}) and leaves
// the meaning of the ids to parquet-footer.ts. Input is untrusted: every read is bounds
// checked, list sizes must fit in the bytes left, and nesting is capped, so damaged bytes
// end in a ThriftError instead of a hang, a huge allocation or a stack overflow.
// Protocol: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md

/** A decoded Thrift value: numbers (i64 as a float64), booleans, bytes, lists and structs. */
export type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;

/** A struct: field id → value. */
export interface ThriftStruct {
  [field: number]: ThriftValue | undefined;
}

/** Damage in Thrift bytes: what was wrong and where. */
export class ThriftError extends Error {}

const MAX_DEPTH = 64;

/** A read position in a byte array; `end` bounds every read. */
export interface Cursor {
  bytes: Uint8Array;
  at: number;
  end: number;
}

/** Reads one struct at the cursor and leaves the cursor after it. */
export function readStruct(cursor: Cursor): ThriftStruct {
  return struct(cursor, 0);
}

function byte(cursor: Cursor): number {
  if (cursor.at >= cursor.end) throw new ThriftError("metadata ends early");
  return cursor.bytes[cursor.at++];
}

/** Unsigned LEB128 varint, as a float64 (exact to 2^53). */
function varint(cursor: Cursor): number {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 10; k++) {
    const b = byte(cursor);
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
  throw new ThriftError("a varint longer than 10 bytes");
}

function zigzag(cursor: Cursor): number {
  const n = varint(cursor);
  // n even → n / 2; odd → -(n + 1) / 2; float arithmetic keeps 64-bit values approximately.
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function value(cursor: Cursor, type: number, depth: number): ThriftValue {
  switch (type) {
    case 1:
      return true;
    case 2:
      return false;
    case 3: {
      const b = byte(cursor);
      return b > 127 ? b - 256 : b;
    }
    case 4:
    case 5:
    case 6:
      return zigzag(cursor);
    case 7: {
      if (cursor.at + 8 > cursor.end) throw new ThriftError("metadata ends early");
      const view = new DataView(cursor.bytes.buffer, cursor.bytes.byteOffset + cursor.at, 8);
      cursor.at += 8;
      return view.getFloat64(0, true);
    }
    case 8: {
      const length = varint(cursor);
      if (length > cursor.end - cursor.at)
        throw new ThriftError("a string longer than the metadata");
      const bytes = cursor.bytes.subarray(cursor.at, cursor.at + length);
      cursor.at += length;
      return bytes;
    }
    case 9:
    case 10:
      return list(cursor, depth + 1);
    case 11:
      return map(cursor, depth + 1);
    case 12:
      return struct(cursor, depth + 1);
    default:
      throw new ThriftError(`an unknown field type ${type}`);
  }
}

function list(cursor: Cursor, depth: number): ThriftValue[] {
  if (depth > MAX_DEPTH) throw new ThriftError("metadata nested too deep");
  const header = byte(cursor);
  let size = header >> 4;
  if (size === 15) size = varint(cursor);
  const type = header & 0x0f;
  // Every element takes at least one byte, so a size past the bytes left is damage.
  if (size > cursor.end - cursor.at)
    throw new ThriftError(`a list of ${size} entries that do not fit`);
  const out: ThriftValue[] = new Array(size);
  for (let k = 0; k < size; k++) {
    // Booleans in a list are one byte each: 1 true, anything else false.
    out[k] = type === 1 || type === 2 ? byte(cursor) === 1 : value(cursor, type, depth);
  }
  return out;
}

function map(cursor: Cursor, depth: number): ThriftValue[] {
  if (depth > MAX_DEPTH) throw new ThriftError("metadata nested too deep");
  const size = varint(cursor);
  if (size === 0) return [];
  if (2 * size > cursor.end - cursor.at)
    throw new ThriftError(`a map of ${size} entries that do not fit`);
  const types = byte(cursor);
  const out: ThriftValue[] = [];
  for (let k = 0; k < size; k++) {
    out.push([value(cursor, types >> 4, depth), value(cursor, types & 0x0f, depth)]);
  }
  return out;
}

function struct(cursor: Cursor, depth: number): ThriftStruct {
  if (depth > MAX_DEPTH) throw new ThriftError("metadata nested too deep");
  const out: ThriftStruct = {};
  let field = 0;
  for (;;) {
    const header = byte(cursor);
    if (header === 0) return out;
    const delta = header >> 4;
    field = delta === 0 ? zigzag(cursor) : field + delta;
    out[field] = value(cursor, header & 0x0f, depth);
  }
}
