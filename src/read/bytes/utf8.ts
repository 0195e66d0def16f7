// Streaming UTF-8 validation. Chunks are checked with the runtime's native validator
// (node:buffer isUtf8, or a fatal TextDecoder where that is missing); only when a chunk fails
// does a JS scan find the exact byte, so the error can name the line and offset.
import * as nodeBuffer from "node:buffer";

const nativeIsUtf8: ((input: Uint8Array) => boolean) | undefined =
  typeof nodeBuffer.isUtf8 === "function" ? nodeBuffer.isUtf8 : undefined;
const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

/** True when the bytes are well-formed UTF-8 (native check where the runtime has one). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  if (nativeIsUtf8) return nativeIsUtf8(bytes);
  try {
    fatalDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Length of the sequence a lead byte starts; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Index of the first byte in bytes[start, end) that begins an invalid or truncated sequence,
 * or -1. Follows the Unicode table of well-formed sequences (no overlongs, surrogates or
 * code points above U+10FFFF).
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const lead = bytes[i];
    const length = sequenceLength(lead);
    if (length === 1) {
      i++;
      continue;
    }
    if (length === 0 || i + length > end) return i;
    const second = bytes[i + 1];
    let low = 0x80;
    let high = 0xbf;
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
    else if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return -1;
}

/** Where validation failed: the byte offset from the start of the stream. */
export interface Utf8Failure {
  offset: number;
  /** The chunk in which the bad byte sits, and its index there (for line counting). */
  chunk: Uint8Array;
  index: number;
}

/**
 * Validates a byte stream chunk by chunk; a sequence may straddle chunks. `push` and `end`
 * return the failure, or undefined while the stream is valid.
 */
export class Utf8Validator {
  private readonly pending = new Uint8Array(4);
  private pendingLength = 0;
  private pendingOffset = 0;
  private offset = 0;

  /** Checks the next chunk; returns the first invalid byte's position, if any. */
  push(chunk: Uint8Array): Utf8Failure | undefined {
    const base = this.offset;
    this.offset += chunk.length;
    let start = 0;
    if (this.pendingLength > 0) {
      const need = sequenceLength(this.pending[0]) - this.pendingLength;
      const take = Math.min(need, chunk.length);
      this.pending.set(chunk.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      start = take;
      if (take < need) return undefined;
      const sequence = this.pending.subarray(0, this.pendingLength);
      this.pendingLength = 0;
      if (firstInvalidUtf8(sequence) !== -1) {
        // The straddling sequence is bad: report its lead byte, which sat in an earlier chunk.
        return { offset: this.pendingOffset, chunk: chunk.subarray(0, 0), index: 0 };
      }
    }
    let end = chunk.length;
    // Hold back an incomplete sequence at the end of the chunk until the next one arrives.
    for (let back = 1; back <= 3 && end - back >= start; back++) {
      const byte = chunk[end - back];
      if ((byte & 0xc0) === 0x80) continue;
      const length = sequenceLength(byte);
      if (length > back) {
        end -= back;
        this.pending.set(chunk.subarray(end));
        this.pendingLength = back;
        this.pendingOffset = base + end;
      }
      break;
    }
    if (start < end && !isValidUtf8(chunk.subarray(start, end))) {
      const index = firstInvalidUtf8(chunk, start, end);
      return { offset: base + index, chunk, index };
    }
    return undefined;
  }

  /** Reports a sequence cut short by the end of the stream. */
  end(): number | undefined {
    return this.pendingLength > 0 ? this.pendingOffset : undefined;
  }
}
