// Parquet's delta encodings, which v2 data pages use by default (arrow-rs, DuckDB, parquet-mr):
// DELTA_BINARY_PACKED for integers, and DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY for byte
// arrays (lengths, or shared prefixes with the previous value, delta-packed first).
// Arithmetic wraps at the type's width as the format says. Damage ends in a PageError.
// https://github.com/apache/parquet-format/blob/master/Encodings.md#delta-encoding-delta_binary_packed--5
import { PageError } from "./parquet-codecs.ts";

interface Reader {
  bytes: Uint8Array;
  at: number;
  end: number;
}

function varint(r: Reader): number {
  let value = 0;
  for (let scale = 1; ; scale *= 128) {
    if (r.at >= r.end || scale > 2 ** 63) throw new PageError("delta-encoded values end early");
    const b = r.bytes[r.at++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
  }
}

/** A zigzag varint as a BigInt (exact for 64-bit values). */
function zigzagBig(r: Reader): bigint {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (r.at >= r.end || shift > 63n) throw new PageError("delta-encoded values end early");
    const b = r.bytes[r.at++];
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return (value >> 1n) ^ -(value & 1n);
}

/** `width` bits at bit position `bit`, least significant first, as a number (width ≤ 52). */
function bitsAt(bytes: Uint8Array, bit: number, width: number): number {
  let value = 0;
  let scale = 1;
  let got = 0;
  while (got < width) {
    const shift = bit % 8;
    const take = Math.min(8 - shift, width - got);
    const part = (bytes[Math.floor(bit / 8)] >> shift) & ((1 << take) - 1);
    value += part * scale;
    scale *= 2 ** take;
    got += take;
    bit += take;
  }
  return value;
}

/**
 * Decodes `count` DELTA_BINARY_PACKED values into `out` (Int32Array for INT32, BigInt64Array
 * for INT64); returns the position after the encoded block.
 */
export function readDeltaBinaryPacked(
  bytes: Uint8Array,
  at: number,
  end: number,
  out: Int32Array | BigInt64Array,
  count: number,
): number {
  const r: Reader = { bytes, at, end };
  const blockSize = varint(r);
  const miniblocks = varint(r);
  const total = varint(r);
  if (
    miniblocks === 0 ||
    blockSize % miniblocks !== 0 ||
    blockSize % 128 !== 0 ||
    blockSize > 1 << 20
  ) {
    throw new PageError("a damaged delta header");
  }
  if (total < count) throw new PageError(`${total} delta-encoded values where ${count} are needed`);
  const perMiniblock = blockSize / miniblocks;
  const wide = out instanceof BigInt64Array;
  let previous = zigzagBig(r);
  const store = (k: number, value: bigint) => {
    if (wide) out[k] = BigInt.asIntN(64, value);
    else out[k] = Number(BigInt.asIntN(32, value));
  };
  if (count > 0) store(0, previous);
  let k = 1;
  // Every value of the page is walked, so the position after it is right for what follows.
  let left = total - 1;
  while (left > 0) {
    const minDelta = zigzagBig(r);
    if (r.at + miniblocks > r.end) throw new PageError("delta-encoded values end early");
    const widths = bytes.subarray(r.at, r.at + miniblocks);
    r.at += miniblocks;
    for (let m = 0; m < miniblocks && left > 0; m++) {
      const width = widths[m];
      if (width > 64) throw new PageError(`a delta bit width of ${width}`);
      const size = (perMiniblock * width) / 8;
      if (r.at + Math.min(size, Math.ceil((left * width) / 8)) > r.end) {
        throw new PageError("delta-encoded values end early");
      }
      const start = r.at * 8;
      const n = Math.min(perMiniblock, left);
      for (let v = 0; v < n; v++) {
        const bit = start + v * width;
        const delta =
          width <= 52
            ? BigInt(bitsAt(bytes, bit, width))
            : (BigInt(bitsAt(bytes, bit + 32, width - 32)) << 32n) | BigInt(bitsAt(bytes, bit, 32));
        previous = previous + minDelta + delta;
        if (k < count) store(k, previous);
        k++;
      }
      left -= n;
      r.at += size;
    }
  }
  return Math.min(r.at, end);
}

/** DELTA_LENGTH_BYTE_ARRAY: `count` values passed to `take(start, length)` in order. */
export function readDeltaLengthByteArray(
  bytes: Uint8Array,
  at: number,
  end: number,
  count: number,
  take: (start: number, length: number) => void,
): number {
  const lengths = new Int32Array(count);
  let p = readDeltaBinaryPacked(bytes, at, end, lengths, count);
  for (let k = 0; k < count; k++) {
    const length = lengths[k];
    if (length < 0 || p + length > end) throw new PageError("a byte-array value past the page");
    take(p, length);
    p += length;
  }
  return p;
}

/**
 * DELTA_BYTE_ARRAY: each value is the first prefix[k] bytes of the value before it, then its
 * suffix. `append(prefix, start, length)` adds one value: `prefix` bytes of the previous value
 * followed by bytes[start, start + length).
 */
export function readDeltaByteArray(
  bytes: Uint8Array,
  at: number,
  end: number,
  count: number,
  append: (prefix: number, start: number, length: number) => void,
): number {
  const prefixes = new Int32Array(count);
  let p = readDeltaBinaryPacked(bytes, at, end, prefixes, count);
  const suffixes = new Int32Array(count);
  p = readDeltaBinaryPacked(bytes, p, end, suffixes, count);
  let previous = 0;
  for (let k = 0; k < count; k++) {
    const prefix = prefixes[k];
    const length = suffixes[k];
    if (prefix < 0 || prefix > previous || length < 0 || p + length > end) {
      throw new PageError("a damaged delta byte-array value");
    }
    append(prefix, p, length);
    p += length;
    previous = prefix + length;
  }
  return p;
}
