// Byte-stream helpers shared by the readers: look at the first bytes without losing them,
// and gather a whole stream when a format needs random access (Parquet, Arrow IPC files).

/** The first bytes of a stream, and the whole stream again (those bytes included). */
export interface Peeked {
  head: Uint8Array;
  stream: AsyncIterable<Uint8Array>;
}

/** Reads until at least `size` bytes (or the end) are buffered; nothing is lost. */
export async function peek(input: AsyncIterable<Uint8Array>, size: number): Promise<Peeked> {
  const iterator = input[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    if (next.value.length === 0) continue;
    buffered.push(next.value);
    length += next.value.length;
  }
  const head = concatBytes(buffered, length).subarray(0, Math.min(size, length));
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* buffered;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, stream: replay() };
}

/** All bytes of a stream in one buffer; `sizeHint` (e.g. Content-Length) avoids a copy. */
export async function collect(
  input: AsyncIterable<Uint8Array>,
  sizeHint?: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let preallocated = sizeHint !== undefined && sizeHint > 0 ? new Uint8Array(sizeHint) : undefined;
  for await (const chunk of input) {
    if (preallocated && length + chunk.length <= preallocated.length) {
      preallocated.set(chunk, length);
    } else {
      if (preallocated) {
        chunks.push(preallocated.subarray(0, length));
        preallocated = undefined;
      }
      chunks.push(chunk);
    }
    length += chunk.length;
  }
  if (preallocated) return preallocated.subarray(0, length);
  return concatBytes(chunks, length);
}

/** One buffer holding the chunks in order (the chunk itself when there is one). */
export function concatBytes(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
