// Page decompression for the Parquet reader: Snappy (the common default; a small raw-format
// decoder here), ZSTD (fzstd, already used for .zst files), GZIP and BROTLI (node:zlib,
// which Deno provides too). LZO, LZ4 (Hadoop framing) and LZ4_RAW are left to parquet-wasm.
// Output must be exactly the size the page header declares: anything else is damage.
// Snappy format: https://github.com/google/snappy/blob/main/format_description.txt
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { decompress as zstdDecompress } from "fzstd";
import type { Codec } from "./parquet-footer.ts";

/** Codecs this reader decodes itself. */
export const NATIVE_CODECS: ReadonlySet<Codec> = new Set<Codec>([
  "UNCOMPRESSED",
  "SNAPPY",
  "GZIP",
  "ZSTD",
  "BROTLI",
]);

/** Damage found while decompressing or decoding a page. */
export class PageError extends Error {}

/** The page's bytes uncompressed; `size` is the header's uncompressed size. */
export function decompressPage(codec: Codec, input: Uint8Array, size: number): Uint8Array {
  let out: Uint8Array;
  switch (codec) {
    case "UNCOMPRESSED":
      out = input;
      break;
    case "SNAPPY":
      out = snappy(input, size);
      break;
    case "ZSTD":
      // Without an output buffer: fzstd 0.1.1 compares a given buffer with `== 1`, which
      // turns the whole buffer into a string first (seconds per file).
      out = zstdDecompress(input);
      break;
    case "GZIP":
      out = gunzipSync(input, { maxOutputLength: Math.max(size, 1) });
      break;
    case "BROTLI":
      out = brotliDecompressSync(input, { maxOutputLength: Math.max(size, 1) });
      break;
    default:
      throw new PageError(`pages compressed with ${codec}`);
  }
  if (out.length !== size) {
    throw new PageError(`a page of ${out.length} bytes where its header says ${size}`);
  }
  return out;
}

function snappy(input: Uint8Array, size: number): Uint8Array {
  let at = 0;
  let length = 0;
  for (let shift = 1; ; shift *= 128) {
    if (at >= input.length || shift > 2 ** 35) throw new PageError("a damaged Snappy header");
    const b = input[at++];
    length += (b & 0x7f) * shift;
    if (b < 0x80) break;
  }
  if (length !== size)
    throw new PageError(`a Snappy page of ${length} bytes where its header says ${size}`);
  const out = new Uint8Array(length);
  let pos = 0;
  const n = input.length;
  while (at < n) {
    const tag = input[at++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (at + bytes > n) throw new PageError("Snappy data ends inside a literal");
        len = 0;
        for (let k = 0; k < bytes; k++) len += input[at + k] * 2 ** (8 * k);
        at += bytes;
      }
      len += 1;
      if (at + len > n || pos + len > length) throw new PageError("a Snappy literal past the end");
      out.set(input.subarray(at, at + len), pos);
      at += len;
      pos += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (at >= n) throw new PageError("Snappy data ends inside a copy");
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[at++];
    } else if (kind === 2) {
      if (at + 2 > n) throw new PageError("Snappy data ends inside a copy");
      len = (tag >>> 2) + 1;
      offset = input[at] | (input[at + 1] << 8);
      at += 2;
    } else {
      if (at + 4 > n) throw new PageError("Snappy data ends inside a copy");
      len = (tag >>> 2) + 1;
      offset =
        (input[at] | (input[at + 1] << 8) | (input[at + 2] << 16) | (input[at + 3] << 24)) >>> 0;
      at += 4;
    }
    if (offset === 0 || offset > pos || pos + len > length) {
      throw new PageError("a Snappy copy outside the output");
    }
    if (offset >= len) out.copyWithin(pos, pos - offset, pos - offset + len);
    else for (let k = 0; k < len; k++) out[pos + k] = out[pos + k - offset];
    pos += len;
  }
  if (pos !== length) throw new PageError("Snappy data shorter than its header says");
  return out;
}
