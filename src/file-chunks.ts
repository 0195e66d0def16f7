// A local file's bytes as a stream of chunks read into recycled buffers. On the machines this
// is measured on, touching fresh memory costs about 6 ms per MiB in page faults, so a stream
// that allocates a new buffer per chunk (fs.createReadStream) spends more time faulting in
// 63 MB of buffers than reading them, and holds them until the next GC. Here every chunk comes
// from a small pool: a consumer that has copied a chunk and keeps no view of it hands it back
// with releaseChunk, and the next read reuses that memory. A consumer that does not release
// (Parquet, JSON, decompression) gets fresh buffers, exactly as before: only the pool's own
// buffers are taken back, each at most once.
import { type FileHandle, open } from "node:fs/promises";

/** Bytes per read: few reads (each is a round trip through the thread pool), little memory. */
export const FILE_CHUNK_BYTES = 1 << 20;
/** Released buffers kept for reuse, at most. */
const MAX_FREE = 4;

/** Buffers the pool handed out (so releaseChunk takes back nothing else). */
const owned = new WeakSet<ArrayBuffer>();
const free: ArrayBuffer[] = [];

/** A buffer of `size` bytes: a released one when there is one, else a new one. */
function takeBuffer(size: number): Uint8Array {
  const at = free.findIndex((buffer) => buffer.byteLength === size);
  if (at >= 0) return new Uint8Array(free.splice(at, 1)[0]);
  const fresh = new Uint8Array(size);
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

/**
 * The file's bytes in order, in chunks of at most `chunkBytes` (see releaseChunk). The next
 * read is under way while the caller works on a chunk, so parsing does not wait for it.
 */
export async function* readFileChunks(
  path: string,
  chunkBytes = FILE_CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  let pending = readInto(handle, chunkBytes);
  try {
    for (;;) {
      const chunk = await pending;
      if (chunk.length === 0) {
        releaseChunk(chunk);
        return;
      }
      pending = readInto(handle, chunkBytes);
      yield chunk;
    }
  } finally {
    // A caller that stopped early leaves a read in flight: let it land before closing.
    await pending.catch(() => {});
    await handle.close();
  }
}

/** The next bytes of the file in a pooled buffer (empty at the end of the file). */
function readInto(handle: FileHandle, size: number): Promise<Uint8Array> {
  const buffer = takeBuffer(size);
  const read = handle
    .read(buffer, 0, buffer.length, null)
    .then(({ bytesRead }) => buffer.subarray(0, bytesRead));
  // Handled here too, so a failure is not reported as unhandled before the caller awaits it.
  read.catch(() => {});
  return read;
}
