// A Parquet footer's row counts, checked before a single value is decoded. The decoder sizes
// its arrays by those counts (parquet-chunk.ts allocates `rows × width` bytes per chunk), so a
// footer that claims billions of rows would have it ask for gigabytes before any page says
// otherwise. Counts that cannot be true (negative, past 2^53, row groups that do not add up
// to the file's total) are damage; counts whose decoded size passes max_input_bytes are the
// limit's error. Both are ReportErrors: such a file is never handed to parquet-wasm either.
import { ReportError } from "../../errors.ts";
import { limitExceeded } from "../../limits.ts";
import { valueWidth } from "./parquet-chunk.ts";
import type { ParquetFooter, SchemaNode } from "./parquet-footer.ts";

const DAMAGE_HINT =
  "The file's footer is damaged or was written by a faulty program; write the Parquet file again (e.g. pyarrow.parquet.write_table) and try again.";

/**
 * Checks the footer's row counts, and that the `columns` it will decode (all when undefined)
 * fit in `maxInputBytes` once decoded.
 */
export function checkParquetRows(
  footer: ParquetFooter,
  columns: readonly string[] | undefined,
  label: string,
  maxInputBytes: number,
): void {
  const damaged = (what: string) =>
    new ReportError(`${label}: the Parquet footer is damaged: ${what}.`, { hint: DAMAGE_HINT });
  const impossible = (whose: string, rows: number) =>
    damaged(
      `${whose} says ${digits(rows)} rows (a row count is a whole number from 0 to 2^53 - 1)`,
    );
  let total = 0;
  footer.rowGroups.forEach((group, g) => {
    if (!isCount(group.numRows)) throw impossible(`row group ${g + 1}`, group.numRows);
    total += group.numRows;
  });
  if (!isCount(footer.numRows)) throw impossible("the file", footer.numRows);
  if (total !== footer.numRows) {
    throw damaged(
      `its ${footer.rowGroups.length} row groups hold ${total} rows, but the file says ${footer.numRows}`,
    );
  }
  const wanted = columns === undefined ? undefined : new Set(columns);
  const picked = footer.schema.children.filter((node) => !wanted || wanted.has(node.name));
  const rowBytes = picked.reduce((sum, node) => sum + leastRowBytes(node), 0);
  const bytes = footer.numRows * rowBytes;
  if (bytes > maxInputBytes) {
    const count = (n: number) => n.toLocaleString("en-US");
    const what = `${label}: the Parquet footer's ${count(footer.numRows)} rows of ${picked.length} ${picked.length === 1 ? "column" : "columns"} (at least ${count(bytes)} bytes decoded)`;
    throw limitExceeded("max_input_bytes", maxInputBytes, what);
  }
}

/** Every digit of a whole number, however large (String() rounds past 2^53). */
function digits(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

/** A row count: a whole number from 0 to 2^53 − 1. */
function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * A lower bound on the bytes one row of a column takes once decoded, whichever reader decodes
 * it: a fixed-width value's width as the decoder holds it (a byte per boolean, before packing),
 * capped at 8 because INT96 and wide decimals become 8-byte timestamps and doubles; a byte
 * string's 4-byte offset or dictionary key (its text not counted); a group's fields; a repeated
 * field nothing, since a row may hold none of it.
 */
function leastRowBytes(node: SchemaNode): number {
  if (node.repetition === "REPEATED") return 0;
  if (node.physical === undefined) {
    return node.children.reduce((sum, child) => sum + leastRowBytes(child), 0);
  }
  if (node.physical === "BYTE_ARRAY") return 4;
  return Math.min(Math.max(valueWidth(node.physical, node.typeLength), 0), 8);
}
