// A local file's bytes as a stream of chunks read into recycled buffers. On the machines this
// is measured on, touching fresh memory costs about 6 ms per MiB in page faults, so a stream
// that allocates a new buffer per chunk (fs.createReadStream) spends more time faulting in
// 63 MB of buffers than reading them, and holds them until the next GC. Here every chunk comes
// from a small pool: a consumer that has copied a chunk and keeps no view of it hands it back
// with releaseChunk, and the next read reuses that memory. A consumer that does not release
// (Parquet, JSON, decompression) gets fresh buffers, exactly as before: only the pool's own
// buffers are taken back, each at most once.
import { open } from "node:fs/promises";

/** Bytes per read: large enough that a read costs little per byte, small enough for the L2 cache. */
export const FILE_CHUNK_BYTES = 1 << 18;
/** Released buffers kept for reuse, at most. */
const MAX_FREE = 4;

/** Buffers the pool handed out (so releaseChunk takes back nothing else). */
const owned = new WeakSet<ArrayBuffer>();
const free: ArrayBuffer[] = [];

/** A buffer of FILE_CHUNK_BYTES: a released one when there is one, else a new one. */
function takeBuffer(): Uint8Array {
  const buffer = free.pop();
  if (buffer !== undefined) return new Uint8Array(buffer);
  const fresh = new Uint8Array(FILE_CHUNK_BYTES);
  owned.add(fresh.buffer);
  return fresh;
}

/**
 * Hands a chunk from readFileChunks back for reuse: the caller must hold no view of it any
 * more. Chunks that did not come from the pool are ignored.
 */
export function releaseChunk(chunk: Uint8Array): void {
  const buffer = chunk.buffer;
  if (!(buffer instanceof ArrayBuffer) || !owned.has(buffer)) return;
  if (free.length >= MAX_FREE || free.includes(buffer)) return;
  free.push(buffer);
}

/** The file's bytes in order, in chunks of at most FILE_CHUNK_BYTES (see releaseChunk). */
export async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  try {
    for (;;) {
      const buffer = takeBuffer();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) {
        releaseChunk(buffer);
        return;
      }
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
