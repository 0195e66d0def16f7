// Arrow IPC (file "ARROW1…" and stream formats, also Feather v2) → Table. Compressed record
// batches need codecs in apache-arrow's registry: fzstd for ZSTD, our LZ4 frame decoder for
// LZ4_FRAME (both pure JS, so the Deno bundle works too).
import { CompressionType, compressionRegistry, type Table, tableFromIPC } from "apache-arrow";
import { decompress as zstdDecompress } from "fzstd";
import { ReportError } from "../../errors.ts";
import { collect } from "../bytes/stream.ts";
import { findDamage } from "./check-ipc-buffers.ts";
import { checkIpc } from "./check-ipc-metadata.ts";
import { decodeLz4Frame } from "./lz4-frame.ts";

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
  const problem = checkIpc(bytes);
  if (problem) {
    throw new ReportError(
      problem.truncated
        ? `${label}: the Arrow data is truncated (${problem.message}, byte ${problem.offset} of ${bytes.length}).`
        : `${label}: the Arrow data is damaged (${problem.message}, at byte ${problem.offset}).`,
      {
        hint: problem.truncated
          ? "The upload or the program writing it was interrupted; write the file again and close the writer (which writes the end marker)."
          : "Write the file again from the source data.",
      },
    );
  }
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
  const damage = findDamage(table);
  if (damage) {
    throw new ReportError(`${label}: the Arrow data is damaged (${damage}).`, {
      hint: "The file's lengths and buffers disagree; write it again from the source data.",
    });
  }
  if (table.schema.fields.length === 0) {
    throw new ReportError(`${label}: the Arrow data has no columns.`, {
      hint: "Check the program that wrote the file; a truncated stream can lose its schema.",
    });
  }
  return table;
}
