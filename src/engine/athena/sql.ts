// Trino SQL text from values: every identifier and literal the Athena engine writes is quoted
// by the expression printer's quoting (src/expr/to-sql.ts) or here, so no column name or filter
// value can change a statement's meaning. Hive DDL (CREATE EXTERNAL TABLE) quotes its names
// with backticks instead.
import { quoteIdentifier } from "../../expr/to-sql.ts";

export { quoteIdentifier, quoteString } from "../../expr/to-sql.ts";

/**
 * A finite number as a Trino DOUBLE literal, exactly (JS prints the shortest form that reads
 * back as the same double). Always with an exponent: Trino reads `1.5` as a DECIMAL.
 */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const written = String(value);
  return written.includes("e") ? written : `${written}E0`;
}

/** A Hive DDL name: backtick-quoted, inner backticks doubled. */
export function hiveIdent(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/** A table as the FROM clause names it: "database"."table". */
export function tableName(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}
