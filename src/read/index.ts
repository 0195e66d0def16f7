// The reader stage: a DataSource's bytes → one Arrow Table, whatever the format. Compression
// (gzip, zstd) is undone first, by magic bytes; then the format is chosen (definition, name,
// Content-Type, magic bytes; see detect.ts) and the matching reader runs. A source with
// several parts (an S3 prefix or a local folder) is read as one dataset. Every reader works
// within the report's limits (src/limits.ts), so hostile input ends in a clear error.
import type { Table } from "apache-arrow";
import { assertNever } from "../assert-never.ts";
import type { ColumnDeclaration, CsvOptions, DataFormat } from "../config/spec.ts";
import type { Logger } from "../effects.ts";
import type { Limits } from "../limits.ts";
import type { DataSource } from "../source/data-source.ts";
import { checkSchemaLimits } from "./arrow/check-schema-limits.ts";
import { normalizeTable } from "./arrow/normalize-types.ts";
import { readIpc } from "./arrow/read-ipc.ts";
import type { ColumnPicker } from "./arrow/read-parquet.ts";
import { decompress } from "./bytes/decompress.ts";
import { castDeclared } from "./columns/cast-declared.ts";
import { checkDeclaredNames } from "./columns/declared-columns.ts";
import { readCsv } from "./csv/read-csv.ts";
import { detectFormat, formatName } from "./detect-format.ts";
import { readJson } from "./json/read-json.ts";
import { readDataset } from "./read-dataset.ts";

export interface ReadOptions {
  /** The definition's `format:`; overrides the extension and Content-Type. */
  format?: DataFormat;
  csv: CsvOptions;
  log: Logger;
  /** The report's limits (ReportSpec.limits). */
  limits: Limits;
  /** Declared column types (source.columns); the other columns' types are inferred. */
  columns?: readonly ColumnDeclaration[];
  /** Whether a declared column the file lacks is an error; false for one part of a dataset. */
  checkColumnNames?: boolean;
  /**
   * The columns the report uses, picked from the file's names; columnar formats (Parquet)
   * then decode only those. Undefined: every column.
   */
  pickColumns?: ColumnPicker;
}

/** Reads a data source (one file, or every part of a dataset) into an Arrow table. */
export function readTable(source: DataSource, options: ReadOptions): Promise<Table> {
  if (source.parts && source.parts.length > 1) {
    // Each part may lack a declared column; the dataset as a whole may not.
    const partOptions = { ...options, checkColumnNames: false };
    return readDataset(
      source,
      source.parts,
      (part) => readFile(part, partOptions),
      options.log,
      (names) => checkDeclaredNames(options.columns, names, source.label),
    );
  }
  return readFile(source.parts?.[0] ?? source, options, source.label);
}

/**
 * Bumped whenever a reader's output for the same bytes and options changes, so tables
 * parsed by an older version are not taken from the cache.
 */
const TABLE_CACHE_VERSION = 4;

/** Reads one file: from the source's table cache when it has it, else parsed (and kept there). */
export async function readFile(
  source: DataSource,
  options: ReadOptions,
  label = source.label,
): Promise<Table> {
  const cache = source.tableCache;
  if (!cache) return parseFile(source, options, label);
  const key = JSON.stringify([
    TABLE_CACHE_VERSION,
    options.format ?? null,
    options.csv,
    options.limits,
    // What a declaration means, not where it is written.
    (options.columns ?? []).map(({ name, type, format, onError }) => [name, type, format, onError]),
    options.pickColumns?.key ?? null,
  ]);
  const cached = await cache.load(key);
  if (cached) {
    options.log.info(`${label}: unchanged, parsed table read from the cache`);
    return cached;
  }
  const table = await parseFile(source, options, label);
  await cache.store(key, table);
  return table;
}

/** Reads one file: decompress, detect, parse. */
async function parseFile(source: DataSource, options: ReadOptions, label: string): Promise<Table> {
  const { limits } = options;
  const { stream, head, layers } = await decompress(source.body(), label, limits.max_input_bytes);
  const detection = detectFormat({
    label,
    name: source.name,
    contentType: source.contentType,
    declared: options.format,
    head,
  });
  if (detection.notice) options.log.warn(detection.notice);
  options.log.verbose(
    `${label}: ${formatName(detection.format)} (by ${detection.reason})${layers.length ? `, ${layers.join(" then ")} compressed` : ""}`,
  );
  const size = layers.length ? undefined : source.size;
  switch (detection.format) {
    case "csv":
    case "tsv":
      return readCsv(stream, {
        name: label,
        delimiter: options.csv.delimiter ?? (detection.format === "tsv" ? "\t" : undefined),
        nullValues: options.csv.nullValues,
        expectedBytes: size,
        onNotice: (message) => options.log.warn(message),
        onRows: source.countRows,
        limits,
        columns: options.columns,
        checkColumnNames: options.checkColumnNames,
      });
    case "ndjson":
    case "json":
      return readJson(stream, {
        name: label,
        onNotice: (message) => options.log.warn(message),
        onRows: source.countRows,
        limits,
        columns: options.columns,
        checkColumnNames: options.checkColumnNames,
      });
    case "parquet": {
      // The Parquet reader loads only when a Parquet file is read, and parquet-wasm only
      // when its fallback is needed (start-up, src/cli/main.ts).
      const { readParquet } = await import("./arrow/read-parquet.ts");
      const table = await readParquet(stream, {
        label,
        size,
        columns: options.pickColumns,
        onDetail: (message) => options.log.verbose(message),
        maxColumns: limits.max_columns,
        maxInputBytes: limits.max_input_bytes,
      });
      // The file decodes at once, after its last byte: the line gets the rows at the end.
      return counted(declaredTypes(checkedTable(table, label, limits), label, options), source);
    }
    case "arrow": {
      const table = await readIpc(stream, { label, size });
      return counted(declaredTypes(checkedTable(table, label, limits), label, options), source);
    }
    default:
      return assertNever(detection.format, "data format");
  }
}

/** A columnar file's table with its declared columns cast to their declared types. */
function declaredTypes(table: Table, label: string, options: ReadOptions): Table {
  if (options.checkColumnNames !== false) {
    const names = table.schema.fields.map((field) => field.name);
    checkDeclaredNames(options.columns, names, label);
  }
  return castDeclared(table, options.columns, label, (message) => options.log.warn(message));
}

/** Tells the progress line a columnar file's rows, which come all at once. */
function counted(table: Table, source: DataSource): Table {
  source.countRows?.(table.numRows);
  return table;
}

/** A columnar file's table, within the width and nesting limits, with types normalized. */
function checkedTable(table: Table, label: string, limits: Limits): Table {
  checkSchemaLimits(table.schema, label, limits);
  return normalizeTable(table);
}
