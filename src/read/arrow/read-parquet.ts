// Parquet → Arrow. Flat files in the common encodings (most files: PLAIN and dictionary
// pages, Snappy, ZSTD, GZIP, Brotli) are decoded in JavaScript straight into Arrow buffers
// (parquet-decode.ts): only the columns the report uses, text columns kept as dictionaries,
// no IPC round trip. That is 5-10× faster than parquet-wasm on dictionary-encoded files
// (bench/parquet.ts), mostly because parquet-wasm materialises every string and hands the
// table over as IPC. Everything else (nested columns, INT96, TIME, rare encodings) and any
// file the fast path fails on goes to parquet-wasm 0.8.0 (arrow-rs compiled to WebAssembly),
// which decodes every encoding and codec and hands back Arrow IPC with the types intact.
// The wasm is instantiated from bytes we pass in (initSync), so a bundle for Deno can embed
// or ship the .wasm and call setParquetWasm(bytes) before the first read.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Table } from "apache-arrow";
import { ReportError } from "../../errors.ts";
import { limitExceeded } from "../../limits.ts";
import { collect } from "../bytes/stream.ts";
import { checkParquetRows } from "./check-parquet-rows.ts";
import { UnsupportedParquet } from "./parquet-chunk.ts";
import { columnNames, decodeParquet, readFooter } from "./parquet-decode.ts";
import type { ParquetFooter } from "./parquet-footer.ts";
import { ipcTable } from "./read-ipc.ts";

/** Picks the columns to read, once the file's column names are known. */
export interface ColumnPicker {
  /** The names to read, from the file's names in file order. */
  pick(names: readonly string[]): readonly string[];
  /** Stands for the choice in cache keys: equal keys pick equal columns. */
  key: string;
}

/** What a Parquet read takes besides the bytes. */
export interface ParquetReadOptions {
  label: string;
  size?: number;
  /** Read only these columns; the others are never decoded. */
  columns?: ColumnPicker;
  /** Where the reader says why a file went to parquet-wasm (verbose log). */
  onDetail?: (message: string) => void;
  /** max_columns: the file's own columns are checked, picked or not. */
  maxColumns?: number;
  /** max_input_bytes: the picked columns' decoded size, as the footer's row counts imply. */
  maxInputBytes?: number;
}

let wasmSource: Uint8Array | WebAssembly.Module | undefined;
let ready = false;

/** Supplies the parquet-wasm module (bytes or compiled) instead of reading it from node_modules. */
export function setParquetWasm(source: Uint8Array | WebAssembly.Module): void {
  wasmSource = source;
  ready = false;
}

type ParquetWasm = typeof import("parquet-wasm/esm");
let wasm: ParquetWasm | undefined;

/** parquet-wasm, loaded and instantiated on first use (only files the decoder leaves to it). */
async function ensureWasm(): Promise<ParquetWasm> {
  wasm ??= await import("parquet-wasm/esm");
  if (!ready) {
    wasmSource ??= await findWasm();
    wasm.initSync({ module: wasmSource });
    ready = true;
  }
  return wasm;
}

/**
 * The .wasm from the installed package, else a `parquet_wasm_bg.wasm` beside the running
 * module (how a one-file bundle ships it).
 */
async function findWasm(): Promise<Uint8Array> {
  const candidates: string[] = [];
  try {
    candidates.push(import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm"));
  } catch {
    // Not resolvable in a bundle without node_modules.
  }
  candidates.push(new URL(WASM_FILE, import.meta.url).href);
  for (const candidate of candidates) {
    try {
      return new Uint8Array(await readFile(new URL(candidate)));
    } catch {
      // Try the next place.
    }
  }
  throw new ReportError(`Reading Parquet needs ${WASM_FILE}, which was not found.`, {
    hint: `Reinstall the package (npm ci), or place ${WASM_FILE} from parquet-wasm/esm beside the bundled script.`,
  });
}

/** The wasm file name a one-file bundle ships beside itself. */
export const WASM_FILE = "parquet_wasm_bg.wasm";

/** Path of the installed parquet-wasm module, for bundlers that ship it. */
export function installedWasmPath(): string {
  return fileURLToPath(import.meta.resolve(`parquet-wasm/esm/${WASM_FILE}`));
}

const PAR1 = [0x50, 0x41, 0x52, 0x31];

/** Reads a whole Parquet file (the footer is at the end, so it waits for every byte). */
export async function readParquet(
  input: AsyncIterable<Uint8Array>,
  options: ParquetReadOptions,
): Promise<Table> {
  const bytes = await collect(input, options.size);
  return parquetTable(bytes, options);
}

/** Parses Parquet bytes already in memory: the JavaScript decoder, else parquet-wasm. */
export async function parquetTable(
  bytes: Uint8Array,
  options: Omit<ParquetReadOptions, "size">,
): Promise<Table> {
  const { label } = options;
  checkFraming(bytes, label);
  let footer: ParquetFooter | undefined;
  let columns: readonly string[] | undefined;
  try {
    footer = readFooter(bytes);
  } catch (error) {
    options.onDetail?.(`${label}: the Parquet footer could not be read (${messageOf(error)})`);
  }
  if (footer !== undefined) {
    const names = columnNames(footer);
    if (options.maxColumns !== undefined && names.length > options.maxColumns) {
      throw limitExceeded("max_columns", options.maxColumns, `${label}: the schema`);
    }
    columns = options.columns?.pick(names);
    // Before anything is allocated by the footer's counts; a footer that fails is no file
    // for parquet-wasm either.
    checkParquetRows(footer, columns, label, options.maxInputBytes ?? Number.POSITIVE_INFINITY);
    try {
      return decodeParquet(bytes, footer, columns);
    } catch (error) {
      // Features it leaves out, and damage: parquet-wasm decides (it reports damage itself).
      const why = error instanceof UnsupportedParquet ? "uses" : "failed on";
      options.onDetail?.(
        `${label}: the JavaScript Parquet decoder ${why} ${messageOf(error)}; reading it with parquet-wasm`,
      );
    }
  }
  const table = await wasmTable(bytes, label);
  return columns === undefined ? table : table.select(columns as string[]);
}

/** The whole file through parquet-wasm. */
async function wasmTable(bytes: Uint8Array, label: string): Promise<Table> {
  const { readParquet: wasmReadParquet } = await ensureWasm();
  let ipc: Uint8Array;
  try {
    ipc = wasmReadParquet(bytes).intoIPCStream();
  } catch (error) {
    throw new ReportError(`${label}: the Parquet file cannot be decoded (${messageOf(error)}).`, {
      hint: "The file may be damaged or use a feature this reader lacks; rewrite it (e.g. pyarrow.parquet.write_table) and try again.",
      cause: error,
    });
  }
  return ipcTable(ipc, label);
}

/** Magic at both ends and a footer length that fits: catches truncation before decoding. */
function checkFraming(bytes: Uint8Array, label: string): void {
  const n = bytes.length;
  const hint =
    "The upload or the program writing it was interrupted; write the Parquet file again and close the writer.";
  if (n === 0) throw new ReportError(`${label} is empty (0 bytes).`, { hint });
  const starts = n >= 4 && PAR1.every((byte, k) => bytes[k] === byte);
  if (!starts) {
    throw new ReportError(`${label} is not a Parquet file: it does not start with "PAR1".`, {
      hint: "Check the file, or set `format:` in the report definition to its real format.",
    });
  }
  const ends = n >= 12 && PAR1.every((byte, k) => bytes[n - 4 + k] === byte);
  if (!ends) {
    throw new ReportError(
      `${label}: the Parquet file is truncated (${n} bytes, no closing "PAR1" footer).`,
      { hint },
    );
  }
  const footer =
    (bytes[n - 8] | (bytes[n - 7] << 8) | (bytes[n - 6] << 16) | (bytes[n - 5] << 24)) >>> 0;
  if (footer + 12 > n) {
    throw new ReportError(
      `${label}: the Parquet footer says ${footer} bytes, more than the file holds (${n} bytes).`,
      { hint },
    );
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
