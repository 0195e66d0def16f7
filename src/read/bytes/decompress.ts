// Whole-file compression, recognised by magic bytes (not by the name, which often lies):
// gzip through node:zlib's streaming Gunzip (Deno implements node:zlib too), zstd through
// fzstd's streaming decoder (Node 20's zlib has no zstd). Both stream, so parsing overlaps
// the download and the decompressed text is never held whole. A decompression bomb ends at
// max_input_bytes: the bytes coming out are counted, and fzstd (which decodes everything a
// push holds at once) is fed slices sized so one push yields a few MiB at most.
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { ReportError } from "../../errors.ts";
import { limitExceeded } from "../../limits.ts";
import { peek } from "./stream.ts";

export type Compression = "gzip" | "zstd";

/** The compression of a file from its first bytes, or undefined when it is not compressed. */
export function sniffCompression(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (
    head.length >= 4 &&
    head[0] === 0x28 &&
    head[1] === 0xb5 &&
    head[2] === 0x2f &&
    head[3] === 0xfd
  ) {
    return "zstd";
  }
  return undefined;
}

/** File-name suffixes of compressed files, stripped before detecting the format by name. */
export const COMPRESSED_SUFFIX = /(\.(gz|gzip|zst|zstd))+$/i;

/**
 * The decompressed bytes of `input` (several layers, e.g. a gzip of a zstd, are undone) and
 * the compressions found, outermost first. The stream stops with an error once more than
 * `maxBytes` come out of it (max_input_bytes), compressed or not.
 */
export async function decompress(
  input: AsyncIterable<Uint8Array>,
  label: string,
  maxBytes: number,
): Promise<{ stream: AsyncIterable<Uint8Array>; head: Uint8Array; layers: Compression[] }> {
  const layers: Compression[] = [];
  let current = await peek(input, 64);
  for (;;) {
    const compression = sniffCompression(current.head);
    if (compression === undefined || layers.length === 3) {
      return { stream: counted(current.stream, label, maxBytes), head: current.head, layers };
    }
    layers.push(compression);
    const inner =
      compression === "gzip" ? gunzip(current.stream, label) : unzstd(current.stream, label);
    current = await peek(inner, 64);
  }
}

/** The stream as it is, ending in the max_input_bytes error past `maxBytes`. */
async function* counted(
  input: AsyncIterable<Uint8Array>,
  label: string,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of input) {
    total += chunk.length;
    if (total > maxBytes) throw limitExceeded("max_input_bytes", maxBytes, label);
    yield chunk;
  }
}

function isZlibError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === "string" &&
    (error as unknown as { code: string }).code.startsWith("Z_")
  );
}

async function* gunzip(
  input: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<Uint8Array> {
  const inflater = createGunzip();
  const source = Readable.from(input, { objectMode: false });
  source.on("error", (error) => inflater.destroy(error));
  source.pipe(inflater);
  try {
    for await (const chunk of inflater) yield chunk as Uint8Array;
  } catch (error) {
    if (!isZlibError(error)) throw error;
    throw new ReportError(
      `${label}: the gzip data is damaged or truncated at compressed byte ${inflater.bytesWritten} (${error.message}).`,
      {
        hint: "The file may be truncated (an interrupted upload or download); write it again, or check it with `gzip -t`.",
        cause: error,
      },
    );
  } finally {
    source.destroy();
  }
}

// An RLE block turns 4 input bytes into 128 KiB, so a push of n bytes may yield 32,768·n.
// Slices follow the last ratio seen, aiming at ZSTD_PUSH_OUTPUT per push, and never exceed
// ZSTD_MAX_SLICE (at most 128 MiB out when a file turns from incompressible to RLE). Small
// slices cost little: fzstd only joins the pieces of a block that spans them.
const ZSTD_PUSH_OUTPUT = 4 << 20;
const ZSTD_MAX_SLICE = 4096;
const ZSTD_MIN_SLICE = 16;

async function* unzstd(
  input: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  let produced = 0;
  const decoder = new Decompress((chunk) => {
    out.push(chunk);
    produced += chunk.length;
  });
  let offset = 0;
  // Output per input byte of the last push that produced any, to size the next slice.
  let ratio = 32_768;
  let sinceOutput = 0;
  const fail = (error: unknown): never => {
    throw new ReportError(
      `${label}: the zstd data is damaged or truncated at compressed byte ${offset} (${error instanceof Error ? error.message : String(error)}).`,
      {
        hint: "The file may be truncated (an interrupted upload or download); write it again, or check it with `zstd -t`.",
        cause: error,
      },
    );
  };
  for await (const chunk of input) {
    for (let at = 0; at < chunk.length; ) {
      const size = Math.min(
        ZSTD_MAX_SLICE,
        Math.max(ZSTD_MIN_SLICE, Math.floor(ZSTD_PUSH_OUTPUT / ratio)),
      );
      const slice = chunk.subarray(at, at + size);
      produced = 0;
      try {
        decoder.push(slice);
      } catch (error) {
        fail(error);
      }
      at += slice.length;
      offset += slice.length;
      sinceOutput += slice.length;
      if (produced > 0) {
        ratio = Math.max(1, produced / sinceOutput);
        sinceOutput = 0;
      }
      if (out.length) {
        const ready = out;
        out = [];
        yield* ready;
      }
    }
  }
  try {
    decoder.push(new Uint8Array(0), true);
  } catch (error) {
    fail(error);
  }
  yield* out;
}
