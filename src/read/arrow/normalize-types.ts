// Columnar inputs (Parquet, Arrow IPC) arrive with every Arrow type; the summaries want
// numbers, text, dates and timestamps. This pass keeps Int64 exact (BigInt64Array), keeps
// timestamps with their unit and time zone, and rewrites only what nobody downstream reads:
// Decimal → Float64 with the scale applied, nested values (list, struct, map, union) →
// JSON text, and the Null type → an all-missing Utf8 column.
import {
  type Data,
  DataType,
  type Decimal,
  Field,
  Float64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  Utf8,
} from "apache-arrow";

const NESTED = new Set<Type>([
  Type.List,
  Type.LargeList,
  Type.FixedSizeList,
  Type.Struct,
  Type.Map,
  Type.Union,
  Type.DenseUnion,
  Type.SparseUnion,
]);

type Rewrite = (data: Data) => Data;

/** The rewrite a column's type needs, or undefined to keep it as it is. */
function rewriteFor(type: DataType): { type: DataType; rewrite: Rewrite } | undefined {
  if (NESTED.has(type.typeId)) return { type: new Utf8(), rewrite: nestedToJson };
  if (DataType.isDecimal(type)) return { type: new Float64(), rewrite: decimalToFloat };
  if (DataType.isNull(type)) return { type: new Utf8(), rewrite: (data) => nullUtf8(data.length) };
  return undefined;
}

/** The table with nested, decimal and null-typed columns rewritten (the same table if none). */
export function normalizeTable(table: Table): Table {
  const fields = table.schema.fields;
  const plans = fields.map((field) => rewriteFor(field.type));
  if (plans.every((plan) => plan === undefined)) return table;
  const schema = new Schema(
    fields.map((field, c) => {
      const plan = plans[c];
      return plan ? new Field(field.name, plan.type, true, field.metadata) : field;
    }),
    table.schema.metadata,
  );
  const batches = table.batches.map((batch) => {
    const children = fields.map((_, c) => {
      const data = batch.data.children[c];
      const plan = plans[c];
      return plan ? plan.rewrite(data) : data;
    });
    const struct = makeData({
      type: new Struct(schema.fields),
      length: batch.numRows,
      nullCount: 0,
      children,
    });
    return new RecordBatch(schema, struct);
  });
  return new Table(schema, batches);
}

/** A Utf8 column of `length` missing values. */
function nullUtf8(length: number): Data<Utf8> {
  return makeData({
    type: new Utf8(),
    length,
    nullCount: length,
    nullBitmap: new Uint8Array((length + 7) >> 3),
    valueOffsets: new Int32Array(length + 1),
    data: new Uint8Array(0),
  });
}

/** A Utf8 column from texts (null = missing). */
export function utf8Data(texts: (string | null)[]): Data<Utf8> {
  const encoder = new TextEncoder();
  const encoded = texts.map((text) => (text === null ? null : encoder.encode(text)));
  const offsets = new Int32Array(texts.length + 1);
  let total = 0;
  let nulls = 0;
  const bitmap = new Uint8Array((texts.length + 7) >> 3);
  encoded.forEach((bytes, i) => {
    if (bytes === null) nulls++;
    else {
      bitmap[i >> 3] |= 1 << (i & 7);
      total += bytes.length;
    }
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((bytes, i) => {
    if (bytes) data.set(bytes, offsets[i]);
  });
  return makeData({
    type: new Utf8(),
    length: texts.length,
    nullCount: nulls,
    nullBitmap: nulls ? bitmap : undefined,
    valueOffsets: offsets,
    data,
  });
}

function isValid(data: Data, i: number): boolean {
  const bitmap: Uint8Array | undefined = data.nullBitmap;
  if (data.nullCount === 0 || bitmap === undefined || bitmap.length === 0) return true;
  const bit = data.offset + i;
  return ((bitmap[bit >> 3] >> (bit & 7)) & 1) === 1;
}

function nestedToJson(data: Data): Data {
  const vector = makeVector(data);
  const texts: (string | null)[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    texts[i] = isValid(data, i) ? jsonText(vector.get(i)) : null;
  }
  return utf8Data(texts);
}

/**
 * JSON text of a value read through Arrow's accessors: BigInts are written as exact
 * integers (JSON has no size limit; JSON.stringify would throw), bytes as hex strings.
 */
export function jsonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "string":
    case "boolean":
      return JSON.stringify(value);
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value instanceof Uint8Array) {
    return JSON.stringify(Array.from(value, (b) => b.toString(16).padStart(2, "0")).join(""));
  }
  if (typeof value === "object") {
    const object = value as { type?: unknown; toJSON?: () => unknown; [Symbol.iterator]?: unknown };
    // A list value is a Vector (iterable, with a type); struct and map rows have toJSON.
    if (object.type instanceof DataType && typeof object[Symbol.iterator] === "function") {
      const items: string[] = [];
      for (const item of value as Iterable<unknown>) items.push(jsonText(item));
      return `[${items.join(",")}]`;
    }
    const plain = typeof object.toJSON === "function" ? object.toJSON() : value;
    if (Array.isArray(plain)) return `[${plain.map(jsonText).join(",")}]`;
    if (plain !== null && typeof plain === "object") {
      const entries: [string, unknown][] =
        plain instanceof Map ? [...plain.entries()] : Object.entries(plain as object);
      return `{${entries.map(([key, item]) => `${JSON.stringify(String(key))}:${jsonText(item)}`).join(",")}}`;
    }
    return jsonText(plain);
  }
  return JSON.stringify(String(value));
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const TWO_32 = 4_294_967_296;

/** Decimal (128 or 256 bit, little-endian two's complement words) → Float64, scaled. */
function decimalToFloat(data: Data): Data<Float64> {
  const type = data.type as Decimal;
  const words = data.values as Uint32Array;
  const stride = (type.bitWidth ?? 128) / 32;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (!isValid(data, i)) continue;
    out[i] = decimalAt(words, (data.offset + i) * stride, stride, type.scale);
  }
  return makeData({
    type: new Float64(),
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullCount ? copyBitmap(data) : undefined,
    data: out,
  });
}

/** One decimal value; exact integer part and one rounding in the common case. */
export function decimalAt(words: Uint32Array, at: number, stride: number, scale: number): number {
  const low = words[at];
  const next = words[at + 1];
  let small = true;
  const sign = words[at + stride - 1] >>> 31 === 1 ? 0xffffffff : 0;
  for (let k = 2; k < stride; k++) if (words[at + k] !== sign) small = false;
  // Fits in 53 bits signed: high word is a sign-extended 21-bit value.
  const high = next | 0;
  if (
    small &&
    (next >>> 31 === 1 ? sign === 0xffffffff : sign === 0) &&
    Math.abs(high) < 0x200000
  ) {
    const integer = high * TWO_32 + low;
    if (scale >= 0 && scale <= 22) return integer / POW10[scale];
    return Number(`${integer}e${-scale}`);
  }
  let big = 0n;
  for (let k = stride - 1; k >= 0; k--) big = (big << 32n) | BigInt(words[at + k]);
  if (sign) big -= 1n << BigInt(32 * stride);
  return Number(`${big}e${-scale}`);
}

function copyBitmap(data: Data): Uint8Array {
  const bitmap = new Uint8Array((data.length + 7) >> 3);
  for (let i = 0; i < data.length; i++) if (isValid(data, i)) bitmap[i >> 3] |= 1 << (i & 7);
  return bitmap;
}
