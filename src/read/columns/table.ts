// Assembling a Table from finished column vectors, keeping the column order.
import { Field, makeData, RecordBatch, Schema, Struct, Table, type Vector } from "apache-arrow";
import { withNotices } from "./read-notices.ts";

/**
 * A one-batch table from named single-chunk vectors (an object would sort numeric names
 * first); `notices[c]` are lines about column c for the report (read-notices.ts).
 */
export function tableFromColumns(
  names: string[],
  vectors: Vector[],
  rows: number,
  notices?: readonly (readonly string[])[],
): Table {
  const fields = names.map((name, c) =>
    withNotices(new Field(name, vectors[c].type, true), notices?.[c] ?? []),
  );
  const struct = makeData({
    type: new Struct(fields),
    length: rows,
    nullCount: 0,
    children: vectors.map((vector) => vector.data[0]),
  });
  return new Table([new RecordBatch(new Schema(fields), struct)]);
}
