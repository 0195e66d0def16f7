// Parquet's RLE / bit-packed hybrid encoding, which carries definition levels and dictionary
// indices: runs of one repeated value, or groups of 8 values packed at a fixed bit width.
// Decoded straight into typed arrays; a run past the output or the input is damage.
// https://github.com/apache/parquet-format/blob/master/Encodings.md#run-length-encoding--bit-packing-hybrid-rle--3
import { PageError } from "./parquet-codecs.ts";

/**
 * Decodes `count` values of `bitWidth` bits from bytes[at, end) into out[outAt…]; returns
 * the position after the last byte read.
 */
export function readHybrid(
  bytes: Uint8Array,
  at: number,
  end: number,
  bitWidth: number,
  out: Int32Array | Uint8Array,
  outAt: number,
  count: number,
): number {
  if (bitWidth < 0 || bitWidth > 32) throw new PageError(`a bit width of ${bitWidth}`);
  const valueBytes = (bitWidth + 7) >> 3;
  let i = outAt;
  const stop = outAt + count;
  while (i < stop) {
    // Header varint: low bit 1 → bit-packed groups of 8, 0 → a run.
    let header = 0;
    for (let shift = 1; ; shift *= 128) {
      if (at >= end) throw new PageError("encoded values end early");
      const b = bytes[at++];
      header += (b & 0x7f) * shift;
      if (b < 0x80) break;
      if (shift > 2 ** 28) throw new PageError("a damaged run header");
    }
    if (header % 2 === 1) {
      const groups = (header - 1) / 2;
      const packedBytes = groups * bitWidth;
      const values = Math.min(groups * 8, stop - i);
      // Writers may end the last group early: only the values still wanted must be there.
      if (at + packedBytes > end && values * bitWidth > (end - at) * 8) {
        throw new PageError("bit-packed values end early");
      }
      unpack(bytes, at, bitWidth, out, i, values);
      i += values;
      at += packedBytes;
    } else {
      const length = header / 2;
      if (at + valueBytes > end) throw new PageError("encoded values end early");
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value += bytes[at + k] * 2 ** (8 * k);
      at += valueBytes;
      const n = Math.min(length, stop - i);
      out.fill(value, i, i + n);
      i += n;
    }
  }
  return at;
}

/** Unpacks `count` little-endian bit-packed values of `bitWidth` bits. */
function unpack(
  bytes: Uint8Array,
  at: number,
  bitWidth: number,
  out: Int32Array | Uint8Array,
  outAt: number,
  count: number,
): void {
  if (bitWidth === 0) {
    out.fill(0, outAt, outAt + count);
    return;
  }
  if (bitWidth <= 24) {
    const mask = (1 << bitWidth) - 1;
    let buffer = 0;
    let bits = 0;
    for (let k = 0; k < count; k++) {
      while (bits < bitWidth) {
        buffer |= bytes[at++] << bits;
        bits += 8;
      }
      out[outAt + k] = buffer & mask;
      buffer >>>= bitWidth;
      bits -= bitWidth;
    }
    return;
  }
  // Wide values: float arithmetic, since 32-bit shifts would overflow.
  let bit = at * 8;
  for (let k = 0; k < count; k++) {
    let value = 0;
    for (let b = 0; b < bitWidth; b++, bit++) {
      if ((bytes[bit >> 3] >> (bit & 7)) & 1) value += 2 ** b;
    }
    out[outAt + k] = value;
  }
}
