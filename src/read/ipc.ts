// Arrow IPC (file "ARROW1…" and stream formats, also Feather v2) → Table. Compressed record
// batches need codecs in apache-arrow's registry: fzstd for ZSTD, our LZ4 frame decoder for
// LZ4_FRAME (both pure JS, so the Deno bundle works too).
import { CompressionType, compressionRegistry, type Table, tableFromIPC } from "apache-arrow";
import { decompress as zstdDecompress } from "fzstd";
import { ReportError } from "../errors.ts";
import { decodeLz4Frame } from "./lz4.ts";
import { collect } from "./stream.ts";

let registered = false;

/** Registers the ZSTD and LZ4_FRAME decoders (once; encoders other code set are kept). */
export function registerIpcCodecs(): void {
  if (registered) return;
  registered = true;
  const zstd = compressionRegistry.get(CompressionType.ZSTD);
  compressionRegistry.set(CompressionType.ZSTD, {
    ...zstd,
    decode: (bytes) => zstdDecompress(bytes),
  });
  const lz4 = compressionRegistry.get(CompressionType.LZ4_FRAME);
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    ...lz4,
    decode: (bytes) => decodeLz4Frame(bytes),
  });
}

/** Reads a whole Arrow IPC file or stream; damaged input is a ReportError naming the file. */
export async function readIpc(
  input: AsyncIterable<Uint8Array>,
  options: { label: string; size?: number },
): Promise<Table> {
  registerIpcCodecs();
  const bytes = await collect(input, options.size);
  return ipcTable(bytes, options.label);
}

/** Parses IPC bytes already in memory. */
export function ipcTable(bytes: Uint8Array, label: string): Table {
  if (bytes.length === 0) {
    throw new ReportError(`${label} is empty (0 bytes).`, {
      hint: "Check that the export that wrote this Arrow file finished.",
    });
  }
  registerIpcCodecs();
  checkComplete(bytes, label);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
    // Decoding is lazy in places; touching every batch's row count surfaces damage now.
    for (const batch of table.batches) void batch.numRows;
  } catch (error) {
    throw new ReportError(
      `${label}: not a readable Arrow IPC file or stream (${error instanceof Error ? error.message : String(error)}).`,
      {
        hint: "The file may be truncated or damaged; write it again (pyarrow: pa.ipc.new_file / feather.write_feather).",
        cause: error,
      },
    );
  }
  if (table.schema.fields.length === 0) {
    throw new ReportError(`${label}: the Arrow data has no columns.`, {
      hint: "Check the program that wrote the file; a truncated stream can lose its schema.",
    });
  }
  return table;
}

const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/**
 * A stream cut at a message boundary parses as a shorter table, so insist on the end: the
 * file format's trailing magic, or, for a stream, an end-of-stream marker after the last
 * message (found by walking the message framing).
 */
function checkComplete(bytes: Uint8Array, label: string): void {
  const n = bytes.length;
  const isFile = n >= 6 && ARROW1.every((byte, k) => bytes[k] === byte);
  const complete = isFile
    ? n >= 12 && ARROW1.every((byte, k) => bytes[n - 6 + k] === byte)
    : streamHasEnd(bytes);
  if (complete) return;
  throw new ReportError(
    `${label}: the Arrow ${isFile ? "file" : "stream"} is truncated (${n} bytes, no ${isFile ? "closing ARROW1 footer" : "end-of-stream marker"}).`,
    {
      hint: "The upload or the program writing it was interrupted; write the file again and close the writer (which writes the end marker).",
    },
  );
}

/** Walks the stream's messages; true when an end-of-stream marker follows the last one. */
function streamHasEnd(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let at = 0;
  while (at + 4 <= n) {
    let length = view.getInt32(at, true);
    let prefix = 4;
    if (length === -1) {
      if (at + 8 > n) return false;
      length = view.getInt32(at + 4, true);
      prefix = 8;
    }
    if (length === 0) return true;
    if (length < 0 || at + prefix + length > n) return false;
    const body = messageBodyLength(view, at + prefix, length);
    if (body < 0) return false;
    at += prefix + length + body;
  }
  return false;
}

/** Message.bodyLength (flatbuffer field 3, an int64) of the metadata at [start, start+length). */
function messageBodyLength(view: DataView, start: number, length: number): number {
  if (length < 8) return -1;
  const table = start + view.getUint32(start, true);
  if (table + 4 > start + length) return -1;
  const vtable = table - view.getInt32(table, true);
  if (vtable < start || vtable + 4 > start + length) return -1;
  const vtableSize = view.getUint16(vtable, true);
  if (vtableSize < 12 || vtable + 12 > start + length) return 0;
  const field = view.getUint16(vtable + 10, true);
  if (field === 0) return 0;
  if (table + field + 8 > start + length) return -1;
  const body = view.getBigInt64(table + field, true);
  return body < 0n || body > BigInt(view.byteLength) ? -1 : Number(body);
}
