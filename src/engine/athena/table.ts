// What the Athena engine queries: a Glue table the definition names (its columns and types
// from a `LIMIT 0` query's result metadata), or a temporary external table over source.s3
// (an object or a prefix), whose columns and types the existing readers find in a sample of
// the first object, registered with CREATE EXTERNAL TABLE and dropped when the build ends.
// CSV is read by OpenCSVSerde, every column as text; the engine's expressions type it the way
// the local reader does (src/engine/athena/columns.ts), null tokens included.
import { randomBytes } from "node:crypto";
import { DataType, Precision } from "apache-arrow";
import type { CredentialSource } from "../../aws/credentials.ts";
import type { AthenaSpec, ReportSpec, S3Location } from "../../config/spec.ts";
import type { Effects } from "../../effects.ts";
import { ReportError } from "../../errors.ts";
import { decodeParquet } from "../../read/arrow/parquet-decode.ts";
import { parseFooter } from "../../read/arrow/parquet-footer.ts";
import { sniffDelimiter } from "../../read/csv/header.ts";
import { DEFAULT_NULL_VALUES } from "../../read/csv/null-values.ts";
import { formatFromName } from "../../read/detect-format.ts";
import { readTable } from "../../read/index.ts";
import type { DataSource } from "../../source/data-source.ts";
import { readColumns } from "../../summarize/columns.ts";
import { specError } from "../../summarize/spec-error.ts";
import type { AthenaSession } from "./client.ts";
import { type SqlColumn, textColumn, typedColumn } from "./columns.ts";
import { hiveIdent, quoteIdentifier, quoteString, tableName } from "./sql.ts";

/** Bytes of the first object read to learn the columns' types. */
export const SAMPLE_BYTES = 1 << 20;

/** The table the statements read, its columns, and how to let go of it. */
export interface AthenaTable {
  /** The FROM clause: a table, or a subquery over it. */
  from: string;
  columns: SqlColumn[];
  /** What the report's footer and summary.json name as the data. */
  source: DataSource;
  /** Drops a temporary table (nothing for a Glue table). */
  release(): Promise<void>;
}

/** The Glue table `athena.table`, its schema from a query that reads no rows. */
export async function glueTable(
  session: AthenaSession,
  athena: AthenaSpec & { table: string },
): Promise<AthenaTable> {
  const from = tableName(athena.database, athena.table);
  const result = await session.run(`SELECT * FROM ${from} LIMIT 0`, "table schema");
  const columns = result.columns.map((c) => typedColumn(c.name, c.type, quoteIdentifier(c.name)));
  const label = `athena:${athena.catalog}.${athena.database}.${athena.table}`;
  return {
    from,
    columns,
    source: { label, name: label, body: async function* () {} },
    release: async () => {},
  };
}

/**
 * A temporary table over source.s3, in athena.database. Its columns are named c1, c2, … (the
 * data's own names, whatever characters they hold, stay out of the DDL) and read by position.
 */
export async function temporaryTable(
  session: AthenaSession,
  spec: ReportSpec,
  athena: AthenaSpec,
  effects: Effects,
): Promise<AthenaTable> {
  const location = spec.source.s3;
  if (location === undefined) {
    throw specError(
      spec,
      athena.path,
      "without athena.table, the Athena engine reads source.s3, but no bucket is configured.",
      "Set the bucket (source.s3.bucket, e.g. AWS_BUCKET_NAME), or name a Glue table: athena: { table: orders }.",
    );
  }
  const { source, range } = await openObjects(location, session.credentials, effects);
  const format = spec.source.format ?? formatFromName(source.name);
  if (format !== "csv" && format !== "tsv" && format !== "parquet") {
    throw specError(
      spec,
      athena.path,
      `the Athena engine makes temporary tables over CSV, TSV and Parquet data, but ${source.label} is ${format ?? "of an unknown format"}.`,
      "Create a Glue table over the data (a Glue crawler does it) and name it: athena: { table: name }.",
    );
  }
  for (const part of [location.bucket, location.key ?? location.prefix ?? ""]) {
    if (/['\\]/.test(part))
      throw new ReportError(`${source.label}: Athena table locations cannot hold ' or \\`, {
        hint: "Move the data to a key without quotes or backslashes.",
      });
  }
  const key = location.key ?? location.prefix ?? "";
  const folder = key.slice(0, key.lastIndexOf("/") + 1);
  const name = `connect_s3_report_tmp_${randomBytes(6).toString("hex")}`;
  const qualified = `${hiveIdent(athena.database)}.${hiveIdent(name)}`;
  const locationUrl = `s3://${location.bucket}/${folder}`;
  let columns: SqlColumn[];
  if (format === "parquet") {
    // Parquet is read by name: the table declares the file's own columns and types.
    const fields = await parquetFields(range, source.label);
    columns = fields.map((f) => typedColumn(f.name, f.type, quoteIdentifier(f.name.toLowerCase())));
    const columnList = fields.map((f) => `${hiveIdent(f.name)} ${f.type}`).join(", ");
    await session.run(
      `CREATE EXTERNAL TABLE ${qualified} (${columnList}) STORED AS PARQUET LOCATION '${locationUrl}'`,
      "create temporary table",
    );
  } else {
    const sample = await range(`bytes=0-${SAMPLE_BYTES - 1}`);
    const csv = await csvColumns(spec, source, sample, format, effects);
    columns = csv.columns;
    const { delimiter } = csv;
    const columnList = columns.map((_, k) => `${hiveIdent(`c${k + 1}`)} string`).join(", ");
    await session.run(
      `CREATE EXTERNAL TABLE ${qualified} (${columnList}) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES ('separatorChar' = '${delimiter === "\t" ? "\\t" : delimiter.replace(/['\\]/g, "\\$&")}', 'quoteChar' = '"') STORED AS TEXTFILE LOCATION '${locationUrl}' TBLPROPERTIES ('skip.header.line.count' = '1')`,
      "create temporary table",
    );
  }
  const release = async () => {
    await session.run(`DROP TABLE IF EXISTS ${qualified}`, "drop temporary table", {
      cleanup: true,
    });
  };
  // A table reads every object under its folder: a key, or a prefix that is not a folder,
  // keeps to its own objects through Athena's "$path" column.
  const table_ = tableName(athena.database, name);
  const url = `s3://${location.bucket}/${key}`;
  const from =
    location.key !== undefined
      ? `(SELECT * FROM ${table_} WHERE "$path" = ${quoteString(url)}) AS "src"`
      : key === folder
        ? table_
        : `(SELECT * FROM ${table_} WHERE starts_with("$path", ${quoteString(url)})) AS "src"`;
  return { from, columns, source, release };
}

/**
 * The source's listing (HeadObject or ListObjectsV2), and a reader of byte ranges (`bytes=0-9`,
 * `bytes=-8`) of its first object.
 */
async function openObjects(
  location: S3Location,
  credentials: CredentialSource,
  effects: Effects,
): Promise<{ source: DataSource; range: (range: string) => Promise<Uint8Array> }> {
  const [{ createS3Access, downloadOptionsFromEnv }, { openS3Location }, sdk] = await Promise.all([
    import("../../aws/s3.ts"),
    import("../../source/s3.ts"),
    import("@aws-sdk/client-s3"),
  ]);
  const access = createS3Access(location, credentials, effects.env, {
    ...downloadOptionsFromEnv(effects.env),
    log: effects.log,
  });
  const source = await openS3Location(access, location);
  const first = source.parts?.[0] ?? source;
  const range = async (bytes: string) => {
    const response = await access.send<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>(
      () => new sdk.GetObjectCommand({ Bucket: location.bucket, Key: first.name, Range: bytes }),
      { action: "s3:GetObject", name: "GetObject", key: first.name },
    );
    return (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
  };
  return { source: { ...source, name: first.name }, range };
}

/** Bytes read from a Parquet file's end first: most footers fit. */
const FOOTER_GUESS = 1 << 16;

/** A Parquet file's columns and their Hive types, from its footer alone. */
async function parquetFields(
  range: (range: string) => Promise<Uint8Array>,
  label: string,
): Promise<{ name: string; type: string }[]> {
  let tail = await range(`bytes=-${FOOTER_GUESS}`);
  const magic = (at: number) => String.fromCharCode(...tail.subarray(at, at + 4));
  if (tail.length < 12 || magic(tail.length - 4) !== "PAR1")
    throw new ReportError(`${label} does not end like a Parquet file (no PAR1)`);
  const at = tail.length - 8;
  const length =
    (tail[at] | (tail[at + 1] << 8) | (tail[at + 2] << 16) | (tail[at + 3] << 24)) >>> 0;
  if (length + 8 > tail.length) tail = await range(`bytes=-${length + 8}`);
  try {
    const footer = parseFooter(tail.subarray(tail.length - 8 - length, tail.length - 8));
    // Decoding no row groups gives the columns' Arrow types without reading any data.
    const table = decodeParquet(new Uint8Array(0), { ...footer, rowGroups: [], numRows: 0 });
    return table.schema.fields.map((field) => ({
      name: field.name,
      type: hiveType(field.type, label, field.name),
    }));
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(`${label}: ${(error as Error).message}`, {
      hint: "Create a Glue table over the data (a Glue crawler does it) and name it: athena: { table: name }.",
    });
  }
}

/** The Hive type a Parquet column is declared with, from its Arrow type. */
function hiveType(type: DataType, label: string, name: string): string {
  const t: DataType = DataType.isDictionary(type) ? type.dictionary : type;
  if (DataType.isInt(t))
    return ({ 8: "tinyint", 16: "smallint", 32: "int", 64: "bigint" } as const)[t.bitWidth];
  if (DataType.isFloat(t)) return t.precision === Precision.DOUBLE ? "double" : "float";
  if (DataType.isDecimal(t)) return `decimal(${t.precision},${t.scale})`;
  if (DataType.isBool(t)) return "boolean";
  if (DataType.isDate(t)) return "date";
  if (DataType.isTimestamp(t)) return "timestamp";
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) return "string";
  throw new ReportError(
    `${label}: column '${name}' is ${String(t)}, which a temporary Athena table does not declare`,
    {
      hint: "Create a Glue table over the data (a Glue crawler does it) and name it: athena: { table: name }.",
    },
  );
}

/** The columns of a CSV sample as the local reader types them, and the delimiter it uses. */
async function csvColumns(
  spec: ReportSpec,
  source: DataSource,
  sample: Uint8Array,
  format: "csv" | "tsv",
  effects: Effects,
): Promise<{ columns: SqlColumn[]; delimiter: string }> {
  const cut = sample.lastIndexOf(10);
  const lines =
    (source.size ?? 0) > sample.length && cut > 0 ? sample.subarray(0, cut + 1) : sample;
  const table = await readTable(
    {
      label: source.label,
      name: source.name,
      body: async function* () {
        yield lines;
      },
    },
    {
      format,
      csv: spec.source.csv,
      log: effects.log,
      limits: spec.limits,
      columns: spec.source.columns,
    },
  );
  const formatted = spec.source.columns?.find((c) => c.format !== undefined);
  if (formatted !== undefined) {
    throw new ReportError(
      `${formatted.where}: the Athena engine reads dates and timestamps in ISO 8601 from a temporary table, not in the format '${formatted.format}'.`,
      {
        hint: "Name a Glue table whose column has a date or timestamp type (athena: { table: … }), or build with the local engine.",
      },
    );
  }
  const newline = lines.indexOf(10);
  const delimiter =
    spec.source.csv.delimiter ??
    (format === "tsv"
      ? "\t"
      : sniffDelimiter(lines.subarray(0, newline < 0 ? lines.length : newline)));
  const nullValues = spec.source.csv.nullValues ?? DEFAULT_NULL_VALUES;
  const columns = readColumns(table).map((column, k) =>
    textColumn(column.name, column.type, column.kind, quoteIdentifier(`c${k + 1}`), nullValues),
  );

  return { columns, delimiter };
}
