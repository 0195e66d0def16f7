// CSV bytes → apache-arrow Table, streaming (the reader itself is csv-reader.ts). A large input
// is read on every core: the first chunk (header, type sample) is parsed here, then chunks
// that end at record boundaries (csv-chunks.ts) go to worker threads (csv-pool.ts), whose
// columns are appended here in file order. Reading pauses while enough chunks are in flight,
// so memory stays a few chunks above the table, and errors keep their line in the file.
import type { Table } from "apache-arrow";
// Installs the Arrow side of the column builders (csv-reader.ts runs without it in workers).
import "../columns/arrow-columns.ts";
import { firstInvalidUtf8, isValidUtf8 } from "../bytes/utf8.ts";
import { tableFromColumns } from "../columns/table.ts";
import { RecordChunker } from "./csv-chunks.ts";
import { CsvWorkerPool, defaultThreads, type PoolReply } from "./csv-pool.ts";
import {
  type ChunkJob,
  type ChunkResult,
  CsvReader,
  invalidUtf8Error,
  parseChunk,
  type ReadCsvOptions,
} from "./csv-reader.ts";
import { sniffDelimiter } from "./header.ts";

export type { ReadCsvOptions } from "./csv-reader.ts";

/** How a read uses threads; the defaults suit files from a few MB up. */
export interface CsvParallelOptions {
  /** Worker threads (default: available cores less one, at most 4); 1 or less: this thread. */
  threads?: number;
  /** Bytes per chunk handed to a worker (default 4 MiB). */
  chunkBytes?: number;
  /** Inputs whose expectedBytes is below this are read on this thread (default 12 MiB). */
  minParallelBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 4 << 20;
const DEFAULT_MIN_PARALLEL_BYTES = 12 << 20;

/** Parses a CSV byte stream (or one buffer) into an Arrow table with inferred column types. */
export async function readCsv(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  options: ReadCsvOptions & CsvParallelOptions,
): Promise<Table> {
  const threads = options.threads ?? defaultThreads();
  const size = input instanceof Uint8Array ? input.length : options.expectedBytes;
  const minBytes = options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES;
  const pool =
    threads > 1 && (size ?? Infinity) >= minBytes ? await CsvWorkerPool.shared(threads) : undefined;
  const reader = new CsvReader(options);
  if (!pool) {
    if (input instanceof Uint8Array) reader.push(input);
    else for await (const chunk of input) reader.push(chunk);
    return toTable(reader);
  }
  return readChunked(input instanceof Uint8Array ? [input] : input, reader, pool, options, threads);
}

function toTable(reader: CsvReader): Table {
  const { names, builders, rows } = reader.finish();
  return tableFromColumns(
    names,
    builders.map((builder) => builder.finish()),
    rows,
  );
}

/** A chunk sent to a worker, in file order. */
interface Dispatched {
  reply: Promise<PoolReply>;
  job: ChunkJob;
  /** Offset of the chunk's first byte in the file, for UTF-8 messages. */
  offset: number;
  /** Set instead of a reply when the chunk is not valid UTF-8. */
  invalidUtf8?: { bytes: Uint8Array; index: number };
}

async function readChunked(
  input: AsyncIterable<Uint8Array> | Uint8Array[],
  reader: CsvReader,
  pool: CsvWorkerPool,
  options: ReadCsvOptions & CsvParallelOptions,
  threads: number,
): Promise<Table> {
  const chunkBytes = Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const chunker = new RecordChunker(chunkBytes, (head) =>
    (options.delimiter ?? sniffDelimiter(head)).charCodeAt(0),
  );
  const inFlight: Dispatched[] = [];
  pool.warm();
  /** Physical line of the next chunk to append (its first byte). */
  let line = 1;
  let parallel = false;

  /** Hands a chunk on; true when it was parsed here (time to let worker messages in). */
  const take = (chunk: Uint8Array, offset: number): boolean | undefined => {
    if (!parallel) {
      // Header and type sample on this thread, then the rest goes out in chunks.
      reader.push(chunk);
      line = reader.line;
      if (!reader.hasHeader) return;
      reader.settle();
      parallel = true;
      return;
    }
    const job: ChunkJob = {
      name: options.name,
      nullValues: options.nullValues,
      body: reader.bodyAt(1, Math.ceil((chunk.length / Math.max(1, reader.rowBytes)) * 1.05) + 64),
    };
    if (!isValidUtf8(chunk)) {
      const index = firstInvalidUtf8(chunk);
      inFlight.push({
        reply: Promise.resolve(unparsed(chunk)),
        job,
        offset,
        invalidUtf8: { bytes: chunk, index },
      });
      return;
    }
    if (pool.ready) {
      inFlight.push({ reply: pool.run(chunk, job), job, offset });
      return;
    }
    // The workers are still starting: this thread parses meanwhile rather than wait.
    inFlight.push({ reply: Promise.resolve(parseHere(chunk, job)), job, offset });
    return true;
  };

  const appendNext = async () => {
    const next = inFlight.shift()!;
    if (next.invalidUtf8) {
      const { bytes, index } = next.invalidUtf8;
      let at = line;
      for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) at++;
      throw invalidUtf8Error(options.name, at, next.offset + index);
    }
    const reply = await next.reply;
    const result = reply.ok ? reply.result : reparse(reply, next.job, line);
    reader.appendChunk(result, line);
    line += result.lineEnds;
  };

  try {
    for await (const piece of input) {
      chunker.push(piece);
      for (
        let offset = chunker.offset, chunk = chunker.next();
        chunk;
        offset = chunker.offset, chunk = chunker.next()
      ) {
        if (take(chunk, offset)) await new Promise((resolve) => setTimeout(resolve, 0));
        while (inFlight.length > threads * 2) await appendNext();
      }
    }
    const offset = chunker.offset;
    const rest = chunker.rest();
    if (rest.length > 0 || !parallel) take(rest, offset);
    while (inFlight.length > 0) await appendNext();
  } finally {
    // On an error, let chunks in flight finish quietly; their results are dropped.
    for (const pending of inFlight) pending.reply.catch(() => {});
  }
  return toTable(reader);
}

/** Parses a chunk on this thread; a failure is kept for its turn, when its line is known. */
function parseHere(bytes: Uint8Array, job: ChunkJob): PoolReply {
  try {
    return { ok: true, result: parseChunk(bytes, job) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, bytes, message, started: true };
  }
}

function unparsed(bytes: Uint8Array): PoolReply {
  return { ok: false, bytes, message: "not parsed", started: false };
}

/**
 * A chunk the worker could not parse (or a pool that could not start): parsing it here, now
 * that its first line is known, throws the user's error with the right line number.
 */
function reparse(reply: PoolReply & { ok: false }, job: ChunkJob, line: number): ChunkResult {
  if (reply.bytes.length === 0 && reply.started) throw new Error(reply.message);
  const result = parseChunk(reply.bytes, { ...job, body: { ...job.body, line } });
  if (reply.started) {
    throw new Error(`a CSV worker failed on a chunk that parses here: ${reply.message}`);
  }
  // As from a worker: widening lines relative to the chunk's first line.
  for (const event of result.widenings) event.line -= line - 1;
  return result;
}
