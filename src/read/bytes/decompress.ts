// Whole-file compression, recognised by magic bytes (not by the name, which often lies):
// gzip through node:zlib's streaming Gunzip (Deno implements node:zlib too), zstd through
// fzstd's streaming decoder (Node 20's zlib has no zstd). Both stream, so parsing overlaps
// the download and the decompressed text is never held whole.
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { ReportError } from "../../errors.ts";
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
 * the compressions found, outermost first.
 */
export async function decompress(
  input: AsyncIterable<Uint8Array>,
  label: string,
): Promise<{ stream: AsyncIterable<Uint8Array>; head: Uint8Array; layers: Compression[] }> {
  const layers: Compression[] = [];
  let current = await peek(input, 64);
  for (;;) {
    const compression = sniffCompression(current.head);
    if (compression === undefined || layers.length === 3) {
      return { stream: current.stream, head: current.head, layers };
    }
    layers.push(compression);
    const inner =
      compression === "gzip" ? gunzip(current.stream, label) : unzstd(current.stream, label);
    current = await peek(inner, 64);
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

async function* unzstd(
  input: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  const decoder = new Decompress((chunk) => {
    out.push(chunk);
  });
  let offset = 0;
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
    try {
      decoder.push(chunk);
    } catch (error) {
      fail(error);
    }
    offset += chunk.length;
    if (out.length) {
      const ready = out;
      out = [];
      yield* ready;
    }
  }
  try {
    decoder.push(new Uint8Array(0), true);
  } catch (error) {
    fail(error);
  }
  yield* out;
}
