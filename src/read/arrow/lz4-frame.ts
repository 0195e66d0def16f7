// LZ4 frame decoder (the LZ4_FRAME codec of Arrow IPC buffers). Pure JS because the core
// build must run under Deno: lz4-napi is native and lz4js 0.2.0 fails on real data
// (docs/design/js-stack.md §2). Format:
// https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md and lz4_Block_format.md.
// Checksums are skipped: Arrow IPC has its own framing, and a damaged block still fails here
// on bounds, which is what matters for safety.

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** Thrown for malformed LZ4 data; `offset` is the byte position in the input. */
export class Lz4Error extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`LZ4: ${message} at byte ${offset}`);
    this.name = "Lz4Error";
  }
}

/** Growable output; matches copy from earlier output, also across (dependent) blocks. */
class Output {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(64, capacity));
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.length + extra, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

function u32(input: Uint8Array, at: number): number {
  if (at + 4 > input.length) throw new Lz4Error("unexpected end of data", input.length);
  return (input[at] | (input[at + 1] << 8) | (input[at + 2] << 16) | (input[at + 3] << 24)) >>> 0;
}

/** Decodes one or more concatenated LZ4 frames; `sizeHint` presizes the output. */
export function decodeLz4Frame(input: Uint8Array, sizeHint = input.length * 3): Uint8Array {
  const out = new Output(sizeHint);
  let at = 0;
  while (at < input.length) {
    const magic = u32(input, at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + u32(input, at + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Lz4Error("not an LZ4 frame (bad magic number)", at);
    at = decodeFrame(input, at + 4, out);
  }
  if (at > input.length) throw new Lz4Error("unexpected end of data", input.length);
  return out.bytes.subarray(0, out.length);
}

function decodeFrame(input: Uint8Array, at: number, out: Output): number {
  if (at + 3 > input.length) throw new Lz4Error("unexpected end of frame header", input.length);
  const flags = input[at];
  if (flags >> 6 !== 1) throw new Lz4Error(`unsupported frame version ${flags >> 6}`, at);
  const blockChecksum = (flags & 0x10) !== 0;
  const contentSize = (flags & 0x08) !== 0;
  const contentChecksum = (flags & 0x04) !== 0;
  const dictionary = (flags & 0x01) !== 0;
  if (dictionary) throw new Lz4Error("frames with a dictionary are not supported", at);
  at += 2; // FLG, BD
  if (contentSize) {
    const low = u32(input, at);
    const high = u32(input, at + 4);
    // A hint only: a damaged header must not make us allocate gigabytes (LZ4 expands ≤ 255×).
    if (high === 0) out.reserve(Math.min(low, input.length * 255));
    at += 8;
  }
  at += 1; // header checksum
  for (;;) {
    const word = u32(input, at);
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const end = at + size;
    if (end > input.length) throw new Lz4Error("block runs past the end of the data", at);
    if (word & 0x80000000) {
      out.reserve(size);
      out.bytes.set(input.subarray(at, end), out.length);
      out.length += size;
    } else {
      decodeBlock(input, at, end, out);
    }
    at = end + (blockChecksum ? 4 : 0);
  }
  return at + (contentChecksum ? 4 : 0);
}

/** Decodes one LZ4 block, input[at, end), appending to `out`. */
function decodeBlock(input: Uint8Array, at: number, end: number, out: Output): void {
  while (at < end) {
    const token = input[at++];
    let literals = token >> 4;
    if (literals === 15) {
      let byte: number;
      do {
        if (at >= end) throw new Lz4Error("truncated literal length", at);
        byte = input[at++];
        literals += byte;
      } while (byte === 255);
    }
    if (at + literals > end) throw new Lz4Error("literals run past the end of the block", at);
    out.reserve(literals);
    const bytes = out.bytes;
    if (literals < 32) {
      for (let k = 0; k < literals; k++) bytes[out.length + k] = input[at + k];
    } else {
      bytes.set(input.subarray(at, at + literals), out.length);
    }
    out.length += literals;
    at += literals;
    if (at === end) return; // the last sequence has literals only
    if (at + 2 > end) throw new Lz4Error("truncated match offset", at);
    const offset = input[at] | (input[at + 1] << 8);
    at += 2;
    if (offset === 0 || offset > out.length)
      throw new Lz4Error(`bad match offset ${offset}`, at - 2);
    let length = (token & 15) + 4;
    if ((token & 15) === 15) {
      let byte: number;
      do {
        if (at >= end) throw new Lz4Error("truncated match length", at);
        byte = input[at++];
        length += byte;
      } while (byte === 255);
    }
    out.reserve(length);
    const target = out.bytes;
    let from = out.length - offset;
    let to = out.length;
    if (offset >= length) {
      target.copyWithin(to, from, from + length);
    } else {
      // Overlapping copy: repeats the last `offset` bytes.
      for (let k = 0; k < length; k++) target[to++] = target[from++];
    }
    out.length += length;
  }
}
