// Parquet → Arrow in JavaScript, for flat files (every column a top-level leaf): the footer
// is parsed here, only the selected columns' chunks are decoded (parquet-chunk.ts), and each
// row group becomes one record batch whose buffers are the decoded arrays themselves, with
// no second copy. Text columns that are dictionary-encoded in every row group stay
// dictionary-encoded (one dictionary per column, the row groups' dictionaries end to end);
// timestamps keep their unit and zone; decimals become Float64 with the scale applied, as
// normalize-types.ts does for other readers. A file this reader does not cover (nested or
// repeated columns, INT96, TIME, FLOAT16, rare encodings or codecs) raises UnsupportedParquet
// and goes to parquet-wasm instead; damage raises PageError or ThriftError.
import {
  Binary,
  Bool,
  type Data,
  DataType,
  DateDay,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Timestamp,
  TimeUnit,
  tableFromIPC,
  Uint32,
  Uint64,
  Utf8,
} from "apache-arrow";
import { checkIpc } from "./check-ipc-metadata.ts";
import {
  type ByteStrings,
  type DecodedChunk,
  decodeChunk,
  type LeafLayout,
  UnsupportedParquet,
  valueWidth,
} from "./parquet-chunk.ts";
import { NATIVE_CODECS, PageError } from "./parquet-codecs.ts";
import { type ParquetFooter, parseFooter, type SchemaNode } from "./parquet-footer.ts";

/** The footer of Parquet bytes whose framing was checked (PAR1 at both ends, length fits). */
export function readFooter(bytes: Uint8Array): ParquetFooter {
  const n = bytes.length;
  const length =
    (bytes[n - 8] | (bytes[n - 7] << 8) | (bytes[n - 6] << 16) | (bytes[n - 5] << 24)) >>> 0;
  return parseFooter(bytes.subarray(n - 8 - length, n - 8));
}

/** How a leaf's decoded chunk becomes Arrow data of `type`. */
interface LeafPlan {
  field: Field;
  layout: LeafLayout;
  /** Converts a fixed-width chunk's bytes; strings are handled apart. */
  fixed?: (chunk: Extract<DecodedChunk, { kind: "fixed" }>) => Data;
}

const POW10 = Array.from({ length: 39 }, (_, k) => 10 ** k);

/** Names of the top-level columns, in file order. */
export function columnNames(footer: ParquetFooter): string[] {
  return footer.schema.children.map((node) => node.name);
}

/** Decodes the named columns (all when `columns` is undefined) into a Table. */
export function decodeParquet(
  bytes: Uint8Array,
  footer: ParquetFooter,
  columns?: readonly string[],
): Table {
  const leaves = footer.schema.children;
  const wanted = columns === undefined ? undefined : new Set(columns);
  const zones = arrowTimezones(footer.metadata);
  const picked: { index: number; plan: LeafPlan }[] = [];
  // Column chunks are numbered by leaf, so a nested column before a flat one shifts it.
  let leafIndex = 0;
  for (const node of leaves) {
    if (!wanted || wanted.has(node.name)) {
      if (node.children.length > 0 || node.repetition === "REPEATED") {
        throw new UnsupportedParquet(`nested or repeated column "${node.name}"`);
      }
      picked.push({ index: leafIndex, plan: planLeaf(node, picked.length, zones.get(node.name)) });
    }
    leafIndex += leafCount(node);
  }
  let total = 0;
  for (const group of footer.rowGroups) {
    if (group.columns.length !== leafIndex)
      throw new PageError("a row group whose columns do not match the schema");
    for (const { index } of picked) {
      if (!NATIVE_CODECS.has(group.columns[index].codec))
        throw new UnsupportedParquet(`codec ${group.columns[index].codec}`);
    }
    total += group.numRows;
  }
  if (total !== footer.numRows)
    throw new PageError(`row groups of ${total} rows in a file of ${footer.numRows}`);
  // Column by column, so only one column's intermediate arrays live at a time.
  const columnData: Data[][] = picked.map(({ index, plan }) => {
    const chunks = footer.rowGroups.map((group) =>
      decodeChunk(bytes, group.columns[index], plan.layout, group.numRows),
    );
    return toArrow(plan, chunks);
  });
  // After decoding: a text column's field becomes a dictionary when every chunk was one.
  const schema = new Schema(picked.map(({ plan }) => plan.field));
  const fields = schema.fields;
  const batches = footer.rowGroups.map((group, g) => {
    const children = columnData.map((parts) => parts[g]);
    const struct = makeData({
      type: new Struct(fields),
      length: group.numRows,
      nullCount: 0,
      children,
    });
    return new RecordBatch(schema, struct);
  });
  // A file with no row groups still has its columns.
  return batches.length ? new Table(schema, batches) : new Table(schema);
}

function leafCount(node: SchemaNode): number {
  let count = 0;
  const stack = [node];
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next.children.length === 0) count++;
    else stack.push(...next.children);
  }
  return count;
}

/** Parquet type and annotations → the Arrow field and how to fill it; `id` numbers dictionaries. */
function planLeaf(node: SchemaNode, id: number, zone: string | null | undefined): LeafPlan {
  const physical = node.physical;
  if (physical === undefined) throw new UnsupportedParquet("nested columns");
  const optional = node.repetition !== "REQUIRED";
  const layout: LeafLayout = {
    physical,
    width: valueWidth(physical, node.typeLength),
    optional,
    dictionaryId: id,
  };
  const field = (type: DataType) => new Field(node.name, type, optional);
  const logical = node.logical?.kind;
  const converted = node.converted;
  const decimal = logical === 5 || converted === 5;
  const scale = decimal ? Number(node.logical?.value[1] ?? node.scale) : 0;
  const unsupported = (what: string): never => {
    throw new UnsupportedParquet(`${what} column "${node.name}"`);
  };
  if (logical === 11) unsupported("a null-typed");
  switch (physical) {
    case "BOOLEAN":
      return { field: field(new Bool()), layout, fixed: (c) => boolData(c) };
    case "INT32": {
      if (decimal)
        return { field: field(new Float64()), layout, fixed: (c) => scaledData(c, scale) };
      if (logical === 6 || converted === 6)
        return {
          field: field(new DateDay()),
          layout,
          fixed: (c) => fixedData(new DateDay(), c, Int32Array),
        };
      if (logical === 7 || converted === 7) unsupported("a TIME");
      const unsigned =
        (logical === 10 &&
          node.logical?.value[2] === false &&
          Number(node.logical?.value[1]) === 32) ||
        converted === 13;
      if (unsigned)
        return {
          field: field(new Uint32()),
          layout,
          fixed: (c) => fixedData(new Uint32(), c, Uint32Array),
        };
      return {
        field: field(new Int32()),
        layout,
        fixed: (c) => fixedData(new Int32(), c, Int32Array),
      };
    }
    case "INT64": {
      if (decimal)
        return { field: field(new Float64()), layout, fixed: (c) => scaledData(c, scale) };
      if (logical === 7 || converted === 8) unsupported("a TIME");
      let unit: TimeUnit | undefined;
      let utc = true;
      if (logical === 8) {
        const value = node.logical!.value;
        utc = value[1] !== false;
        const units = value[2];
        const id =
          units &&
          typeof units === "object" &&
          !Array.isArray(units) &&
          !(units instanceof Uint8Array)
            ? Number(Object.keys(units)[0])
            : 0;
        unit =
          id === 1
            ? TimeUnit.MILLISECOND
            : id === 2
              ? TimeUnit.MICROSECOND
              : id === 3
                ? TimeUnit.NANOSECOND
                : undefined;
        if (unit === undefined) unsupported("a timestamp of unknown unit");
      } else if (converted === 9) unit = TimeUnit.MILLISECOND;
      else if (converted === 10) unit = TimeUnit.MICROSECOND;
      if (unit !== undefined) {
        const type = new Timestamp(unit, utc ? (zone ?? "UTC") : null);
        return { field: field(type), layout, fixed: (c) => fixedData(type, c, BigInt64Array) };
      }
      const unsigned = (logical === 10 && node.logical?.value[2] === false) || converted === 14;
      if (unsigned)
        return {
          field: field(new Uint64()),
          layout,
          fixed: (c) => fixedData(new Uint64(), c, BigUint64Array),
        };
      return {
        field: field(new Int64()),
        layout,
        fixed: (c) => fixedData(new Int64(), c, BigInt64Array),
      };
    }
    case "FLOAT":
      return {
        field: field(new Float32()),
        layout,
        fixed: (c) => fixedData(new Float32(), c, Float32Array),
      };
    case "DOUBLE":
      return {
        field: field(new Float64()),
        layout,
        fixed: (c) => fixedData(new Float64(), c, Float64Array),
      };
    case "BYTE_ARRAY": {
      if (decimal) unsupported("a byte-array decimal");
      const text =
        logical === 1 ||
        logical === 4 ||
        logical === 12 ||
        converted === 0 ||
        converted === 4 ||
        converted === 19;
      return { field: field(text ? new Utf8() : new Binary()), layout };
    }
    case "FIXED_LEN_BYTE_ARRAY":
      if (decimal && node.typeLength > 0 && node.typeLength <= 32) {
        return {
          field: field(new Float64()),
          layout,
          fixed: (c) => bigEndianDecimalData(c, node.typeLength, scale),
        };
      }
      return unsupported("a fixed-length byte-array");
    case "INT96":
      return unsupported("an INT96");
  }
}

/** The chunks of one column as Arrow data, one per row group. */
function toArrow(plan: LeafPlan, chunks: DecodedChunk[]): Data[] {
  if (plan.fixed) {
    return chunks.map((chunk) => {
      if (chunk.kind !== "fixed") throw new PageError("a column decoded as the wrong kind");
      return plan.fixed!(chunk);
    });
  }
  const strings = chunks.filter(
    (c): c is Extract<DecodedChunk, { kind: "strings" }> => c.kind === "strings",
  );
  const valueType = plan.field.type as Utf8; // or Binary: the same layout
  if (strings.every((chunk) => chunk.dictionaryOnly)) {
    // One dictionary for the column: the row groups' dictionaries end to end, keys shifted.
    const dictionary = concatStrings(strings.map((c) => c.dictionary));
    const vector = makeVector(
      makeData({
        type: valueType,
        length: dictionary.length,
        nullCount: 0,
        valueOffsets: dictionary.offsets,
        data: dictionary.bytes,
      }),
    );
    const dictType = new Dictionary<Utf8, Int32>(valueType, new Int32(), plan.layout.dictionaryId);
    plan.field = new Field(plan.field.name, dictType, plan.field.nullable);
    let base = 0;
    return strings.map((chunk) => {
      if (base > 0) for (let i = 0; i < chunk.rows; i++) chunk.keys[i] += base;
      base += chunk.dictionary.length;
      return makeData({
        type: dictType,
        length: chunk.rows,
        nullCount: chunk.nulls,
        nullBitmap: bitmap(chunk.validity),
        data: chunk.keys,
        dictionary: vector,
      });
    });
  }
  return strings.map((chunk) => {
    const { offsets, bytes } = chunk.dictionary;
    const out = new Int32Array(chunk.rows + 1);
    let total = 0;
    for (let i = 0; i < chunk.rows; i++) {
      const k = chunk.keys[i];
      if (chunk.validity === null || chunk.validity[i] === 1) total += offsets[k + 1] - offsets[k];
      out[i + 1] = total;
    }
    const data = new Uint8Array(total);
    for (let i = 0; i < chunk.rows; i++) {
      const length = out[i + 1] - out[i];
      if (length === 0) continue;
      const from = offsets[chunk.keys[i]];
      if (length <= 16) for (let b = 0; b < length; b++) data[out[i] + b] = bytes[from + b];
      else data.set(bytes.subarray(from, from + length), out[i]);
    }
    return makeData({
      type: valueType,
      length: chunk.rows,
      nullCount: chunk.nulls,
      nullBitmap: bitmap(chunk.validity),
      valueOffsets: out,
      data,
    });
  });
}

function concatStrings(parts: ByteStrings[]): ByteStrings {
  if (parts.length === 1) return parts[0];
  let length = 0;
  let size = 0;
  for (const part of parts) {
    length += part.length;
    size += part.offsets[part.length];
  }
  const offsets = new Int32Array(length + 1);
  const bytes = new Uint8Array(size);
  let k = 0;
  let at = 0;
  for (const part of parts) {
    const used = part.offsets[part.length];
    bytes.set(part.bytes.subarray(0, used), at);
    for (let i = 1; i <= part.length; i++) offsets[++k] = at + part.offsets[i];
    at += used;
  }
  return { offsets, bytes, length };
}

/** A validity byte per row → Arrow's bitmap (undefined when nothing is missing). */
function bitmap(validity: Uint8Array | null): Uint8Array | undefined {
  if (validity === null) return undefined;
  const bits = new Uint8Array((validity.length + 7) >> 3);
  for (let i = 0; i < validity.length; i++) if (validity[i] === 1) bits[i >> 3] |= 1 << (i & 7);
  return bits;
}

type FixedChunk = Extract<DecodedChunk, { kind: "fixed" }>;

type ArrayKind =
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** The chunk's bytes seen as the type's values: no copy. */
function fixedData(type: DataType, chunk: FixedChunk, Kind: ArrayKind): Data {
  const { bytes } = chunk;
  const values = new Kind(
    bytes.buffer as ArrayBuffer,
    bytes.byteOffset,
    bytes.length / Kind.BYTES_PER_ELEMENT,
  );
  return makeData({
    type,
    length: chunk.rows,
    nullCount: chunk.nulls,
    nullBitmap: bitmap(chunk.validity),
    data: values,
  } as never);
}

function boolData(chunk: FixedChunk): Data {
  const bits = new Uint8Array((chunk.rows + 7) >> 3);
  const { bytes } = chunk;
  for (let i = 0; i < chunk.rows; i++) if (bytes[i] === 1) bits[i >> 3] |= 1 << (i & 7);
  return makeData({
    type: new Bool(),
    length: chunk.rows,
    nullCount: chunk.nulls,
    nullBitmap: bitmap(chunk.validity),
    data: bits,
  });
}

/** INT32 / INT64 decimals: the unscaled integer over 10^scale. */
function scaledData(chunk: FixedChunk, scale: number): Data {
  const out = new Float64Array(chunk.rows);
  const words = new Int32Array(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.length >> 2);
  const wide = chunk.bytes.length === chunk.rows * 8;
  const divide = (v: number) =>
    scale >= 0 && scale < POW10.length ? v / POW10[scale] : Number(`${v}e${-scale}`);
  for (let i = 0; i < chunk.rows; i++) {
    const v = wide ? words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0) : words[i];
    out[i] = divide(v);
  }
  return makeData({
    type: new Float64(),
    length: chunk.rows,
    nullCount: chunk.nulls,
    nullBitmap: bitmap(chunk.validity),
    data: out,
  });
}

/** Fixed-length big-endian two's complement decimals → Float64, scaled. */
function bigEndianDecimalData(chunk: FixedChunk, width: number, scale: number): Data {
  const out = new Float64Array(chunk.rows);
  const { bytes } = chunk;
  for (let i = 0; i < chunk.rows; i++) {
    const at = i * width;
    const negative = bytes[at] >= 0x80;
    let v = 0;
    // Negative values through their complement, so small magnitudes stay exact.
    for (let b = 0; b < width; b++) v = v * 256 + (negative ? 255 - bytes[at + b] : bytes[at + b]);
    if (negative) v = -(v + 1);
    out[i] = scale >= 0 && scale < POW10.length ? v / POW10[scale] : Number(`${v}e${-scale}`);
  }
  return makeData({
    type: new Float64(),
    length: chunk.rows,
    nullCount: chunk.nulls,
    nullBitmap: bitmap(chunk.validity),
    data: out,
  });
}

/**
 * Time zones of timestamp columns from the Arrow schema that arrow-rs and pyarrow store in
 * the file's metadata (Parquet itself only says "adjusted to UTC").
 */
function arrowTimezones(metadata: Map<string, string>): Map<string, string | null> {
  const zones = new Map<string, string | null>();
  const encoded = metadata.get("ARROW:schema");
  if (!encoded) return zones;
  try {
    const message = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const stream = new Uint8Array(message.length + 8);
    stream.set(message);
    stream.set([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0], message.length);
    if (checkIpc(stream)) return zones;
    for (const field of tableFromIPC(stream).schema.fields) {
      if (DataType.isTimestamp(field.type)) zones.set(field.name, field.type.timezone ?? null);
    }
  } catch {
    // A damaged or foreign schema: keep Parquet's own "UTC".
  }
  return zones;
}
