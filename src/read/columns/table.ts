// Assembling a Table from finished column vectors, keeping the column order.
import {
  type Data,
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  type Vector,
} from "apache-arrow";
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
  const schema = new Schema(fields);
  // A short column (or a repeated name) needs the constructor's padding and field merging.
  const plain =
    new Set(names).size === names.length && vectors.every((vector) => vector.length === rows);
  return new Table([plain ? batchOf(schema, struct) : new RecordBatch(schema, struct)]);
}

/**
 * A RecordBatch holding `schema` and `data` as given. Arrow's constructor would make the same
 * batch from nullable fields with full-length columns and unique names, but through
 * Schema.assign, which searches the field list once per field: 1 CPU s for 20,000 columns.
 */
function batchOf(schema: Schema, data: Data<Struct>): RecordBatch {
  const batch: RecordBatch = Object.create(RecordBatch.prototype);
  return Object.assign(batch, { schema, data, _metadata: new Map<string, string>() });
}
