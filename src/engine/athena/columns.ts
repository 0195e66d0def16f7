// The report's columns as Trino expressions. Each column has a typed value (NULL where the
// local engine sees a missing value) and, for numbers, dates, timestamps and booleans, a
// DOUBLE "number" in the local engine's units: epoch milliseconds (UTC) for dates and
// timestamps, 0/1 for booleans, NULL for NaN and ±Infinity. Statements aggregate the numbers
// and the engine formats them as src/summarize does, so both engines print values alike.
import type { ColumnType } from "../../column-type.ts";
import { isTemporal } from "../../column-type.ts";
import type { ReportSpec } from "../../config/spec.ts";
import { type SqlOverride, toSql } from "../../expr/to-sql.ts";
import type { Column } from "../../summarize/columns.ts";
import { deriveColumns } from "../../summarize/derive.ts";
import { quoteString } from "./sql.ts";

export interface SqlColumn {
  /** The column's name in the report (the data's header or the table's column). */
  name: string;
  type: ColumnType;
  /** "category" columns are read as text (strings, and integers beyond ±2^53). */
  kind: "number" | "category";
  /** The value, NULL when missing. */
  value: string;
  /** For number columns: a DOUBLE, NULL when missing (NaN and ±Infinity included). */
  number?: string;
  /** For float columns: ±Infinity values (missing for the profile, which counts them apart). */
  infinite?: string;
}

/** Athena's type names (ColumnInfo.Type, Glue's column types) as the report's column types. */
export function athenaColumnType(type: string): ColumnType | undefined {
  const t = type.toLowerCase().trim();
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(t)) return "integer";
  if (/^(real|float|double|decimal(\(.*\))?)$/.test(t)) return "float";
  if (t === "boolean") return "boolean";
  if (t === "date") return "date";
  if (t.startsWith("timestamp")) return "timestamp";
  if (/^(varchar|char|string)(\(.*\))?$/.test(t)) return "string";
  return undefined;
}

/** A column of a typed table (a Glue table): `ref` is its quoted name. */
export function typedColumn(name: string, athenaType: string, ref: string): SqlColumn {
  const type = athenaColumnType(athenaType);
  if (type === undefined) {
    // Arrays, maps, rows, binaries: profiled as their JSON text, as the local reader shows them.
    return { name, type: "string", kind: "category", value: `json_format(CAST(${ref} AS JSON))` };
  }
  return withNumber({ name, type, kind: type === "string" ? "category" : "number", value: ref });
}

/**
 * A column of a CSV table read as text (OpenCSVSerde): `ref` is its quoted name, `type` what
 * the local reader found in a sample, `nullValues` the texts read as missing (blanks around
 * them too, as src/read/csv/null-values.ts reads them).
 */
export function textColumn(
  name: string,
  type: ColumnType,
  kind: SqlColumn["kind"],
  ref: string,
  nullValues: readonly string[],
): SqlColumn {
  const nulled =
    nullValues.length === 0
      ? ref
      : `CASE WHEN trim(${ref}) IN (${nullValues.map(quoteString).join(", ")}) THEN NULL ELSE ${ref} END`;
  if (kind === "category" || type === "string")
    return { name, type, kind: "category", value: nulled };
  // try(): a value the sample did not foresee becomes missing instead of failing the query.
  const cast: Record<Exclude<ColumnType, "string">, string> = {
    integer: `try(CAST(${nulled} AS BIGINT))`,
    float: `try(CAST(${nulled} AS DOUBLE))`,
    boolean: `try(CAST(${nulled} AS BOOLEAN))`,
    date: `try(CAST(${nulled} AS DATE))`,
    timestamp: `try(from_iso8601_timestamp(${nulled}))`,
  };
  return withNumber({ name, type, kind: "number", value: cast[type] });
}

function withNumber(column: SqlColumn): SqlColumn {
  const v = column.value;
  switch (column.type) {
    case "integer":
      return { ...column, number: `CAST(${v} AS DOUBLE)` };
    case "float":
      return {
        ...column,
        number: `CASE WHEN is_finite(${v}) THEN CAST(${v} AS DOUBLE) END`,
        infinite: `is_infinite(${v})`,
      };
    case "boolean":
      return { ...column, number: `CASE WHEN ${v} THEN 1E0 WHEN NOT ${v} THEN 0E0 END` };
    case "date":
      return { ...column, number: `date_diff('day', DATE '1970-01-01', ${v}) * 86400000E0` };
    case "timestamp":
      return { ...column, number: `to_unixtime(${v}) * 1000E0` };
    case "string":
      return column;
  }
}

/**
 * The table's columns plus the definition's derived columns (`columns:`), each the expression
 * printer's SQL over the columns before it. Their types, and the checks that locate a mistake,
 * come from the local engine deriving them over empty columns (src/summarize/derive.ts).
 */
export function withDerivedColumns(spec: ReportSpec, base: readonly SqlColumn[]): SqlColumn[] {
  if (spec.columns.length === 0) return [...base];
  const typed = deriveColumns(spec, emptyColumns(base), 0);
  const all = [...base];
  spec.columns.forEach((derived, i) => {
    const { type, kind } = typed[base.length + i];
    const value = toSql(derived.ast, columnOverride(all));
    all.push(withNumber({ name: derived.name, type, kind, value }));
  });
  return all;
}

/**
 * The printer's hook that reads a column by name as these columns' SQL: a float column's
 * number (NaN and ±Infinity missing, as everywhere in the report), any other its value.
 */
export function columnOverride(columns: readonly SqlColumn[]): SqlOverride {
  return (node) => {
    if (node.kind !== "column") return undefined;
    const column = columns.find((c) => c.name === node.name);
    if (column === undefined) return undefined;
    return column.type === "float" && column.number !== undefined ? column.number : column.value;
  };
}

/** The SQL that tells whether a row has a value in `column`. */
export function present(column: SqlColumn): string {
  return `${column.number ?? column.value} IS NOT NULL`;
}

/** `column`'s value truncated to a calendar unit, as epoch ms (the start of the period). */
export function bucketNumber(column: SqlColumn, unit: string): string {
  const truncated = `date_trunc(${quoteString(unit)}, ${column.value})`;
  return column.type === "date"
    ? `date_diff('day', DATE '1970-01-01', ${truncated}) * 86400000E0`
    : `to_unixtime(${truncated}) * 1000E0`;
}

/**
 * Empty columns of the same names and types: the local engine's checks (column names, types
 * a measure or filter needs, sort keys) run over them, so both engines refuse a definition
 * with the same located message before Athena is asked anything.
 */
export function emptyColumns(columns: readonly SqlColumn[]): Column[] {
  return columns.map((c) =>
    c.kind === "category"
      ? {
          kind: "category",
          name: c.name,
          type: c.type === "integer" ? "integer" : "string",
          codes: new Int32Array(0),
          labels: [],
          missing: 0,
        }
      : {
          kind: "number",
          name: c.name,
          type: c.type as Exclude<ColumnType, "string">,
          values: new Float64Array(0),
          valid: null,
          missing: 0,
          infinite: 0,
        },
  );
}

/** True for columns whose numbers are dates or timestamps. */
export const temporal = (column: SqlColumn): boolean => isTemporal(column.type);
