// Column-at-a-time appends for a column of dates or timestamps in a declared or recognized
// format ("%d/%m/%Y"): the same shape as the loops in append-batch.ts, with the format's
// parser in place of the ISO one. It stops at the first value the format does not read and
// returns that row, so the reader can report it (declared) or turn the column to text.
import type { ColumnBuilder, Int32Builder, Int64Builder } from "../columns/builders.ts";
import type { ColumnRule } from "../columns/declared-columns.ts";
import type { NullMatcher } from "./null-values.ts";
import type { RowBatch } from "./tokenizer.ts";

/**
 * Appends field `column` of rows [from, batch.rows) under the rule's format. Returns
 * batch.rows when all parse, else the first row that does not (nothing of it appended).
 */
export function appendFormatted(
  builder: ColumnBuilder,
  rule: ColumnRule,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  builder.ensure(builder.length + batch.rows - from);
  const target = builder as Int32Builder | Int64Builder;
  const { buf, offsets, rows } = batch;
  const stride = batch.width * 2;
  const { firstBytes, maxLength } = nulls;
  for (let r = from, at = from * stride + column * 2; r < rows; r++, at += stride) {
    const start = offsets[at];
    const end = offsets[at + 1];
    const size = end - start;
    if (
      size === 0 ||
      (size <= maxLength && firstBytes[buf[start]] === 1 && nulls.matches(buf, start, end))
    ) {
      target.pushNull();
      continue;
    }
    const value = rule.parseTemporal(buf, start, end);
    if (Number.isNaN(value)) return r;
    target.push(value);
  }
  return rows;
}
