// What the Athena engine queries: a Glue table the definition names (its columns and types
// from a `LIMIT 0` query's result metadata), or a temporary external table over source.s3
// (an object or a prefix), whose columns and types the existing readers find in a sample of
// the first object, registered with CREATE EXTERNAL TABLE and dropped when the build ends.
// CSV is read by OpenCSVSerde, every column as text; the engine's expressions type it the way
// the local reader does (src/engine/athena/columns.ts), null tokens included.
import { randomBytes } from "node:crypto";
import type { AthenaSpec, ReportSpec, S3Location } from "../../config/spec.ts";
import type { Effects } from "../../effects.ts";
import { ReportError } from "../../errors.ts";
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
  const { source, sample } = await openSample(spec, location, effects);
  const format = spec.source.format ?? formatFromName(source.name);
  if (format !== "csv" && format !== "tsv") {
    throw specError(
      spec,
      athena.path,
      `the Athena engine makes temporary tables over CSV and TSV data, but ${source.label} is ${format ?? "of an unknown format"}.`,
      "Create a Glue table over the data (a Glue crawler does it) and name it: athena: { table: name }.",
    );
  }
  for (const part of [location.bucket, location.key ?? location.prefix ?? ""]) {
    if (/['\\]/.test(part))
      throw new ReportError(`${source.label}: Athena table locations cannot hold ' or \\`, {
        hint: "Move the data to a key without quotes or backslashes.",
      });
  }
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

  const key = location.key ?? location.prefix ?? "";
  const folder = key.slice(0, key.lastIndexOf("/") + 1);
  const name = `connect_s3_report_tmp_${randomBytes(6).toString("hex")}`;
  const columnList = columns.map((_, k) => `${hiveIdent(`c${k + 1}`)} string`).join(", ");
  await session.run(
    `CREATE EXTERNAL TABLE ${hiveIdent(athena.database)}.${hiveIdent(name)} (${columnList}) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES ('separatorChar' = '${delimiter === "\t" ? "\\t" : delimiter.replace(/['\\]/g, "\\$&")}', 'quoteChar' = '"') STORED AS TEXTFILE LOCATION 's3://${location.bucket}/${folder}' TBLPROPERTIES ('skip.header.line.count' = '1')`,
    "create temporary table",
  );
  const release = async () => {
    await session.run(
      `DROP TABLE IF EXISTS ${hiveIdent(athena.database)}.${hiveIdent(name)}`,
      "drop temporary table",
    );
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

/** The source's listing (HeadObject or ListObjectsV2) and the first bytes of its first object. */
async function openSample(
  spec: ReportSpec,
  location: S3Location,
  effects: Effects,
): Promise<{ source: DataSource; sample: Uint8Array }> {
  const [
    { selectCredentials },
    { createS3Access, downloadOptionsFromEnv },
    { openS3Location },
    sdk,
  ] = await Promise.all([
    import("../../aws/credentials.ts"),
    import("../../aws/s3.ts"),
    import("../../source/s3.ts"),
    import("@aws-sdk/client-s3"),
  ]);
  const credentials = selectCredentials(effects, { audience: spec.source.audience });
  const access = createS3Access(location, credentials, effects.env, {
    ...downloadOptionsFromEnv(effects.env),
    log: effects.log,
  });
  const source = await openS3Location(access, location);
  const first = source.parts?.[0] ?? source;
  const response = await access.send<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>(
    () =>
      new sdk.GetObjectCommand({
        Bucket: location.bucket,
        Key: first.name,
        Range: `bytes=0-${SAMPLE_BYTES - 1}`,
      }),
    { action: "s3:GetObject", name: "GetObject", key: first.name },
  );
  const sample = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
  return { source: { ...source, name: first.name }, sample };
}
