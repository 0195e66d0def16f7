// Assembling a Table from finished column vectors, keeping the column order.
import { Field, makeData, RecordBatch, Schema, Struct, Table, type Vector } from "apache-arrow";

/** A one-batch table from named single-chunk vectors (an object would sort numeric names first). */
export function tableFromColumns(names: string[], vectors: Vector[], rows: number): Table {
  const fields = names.map((name, c) => new Field(name, vectors[c].type, true));
  const struct = makeData({
    type: new Struct(fields),
    length: rows,
    nullCount: 0,
    children: vectors.map((vector) => vector.data[0]),
  });
  return new Table([new RecordBatch(new Schema(fields), struct)]);
}
