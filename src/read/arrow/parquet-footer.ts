// The Parquet footer (FileMetaData) as typed domain objects: the schema tree, the row groups
// and, per column chunk, where its pages are and how they are compressed. Only the fields
// the reader uses are kept. Field ids follow parquet.thrift:
// https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift
import { readStruct, ThriftError, type ThriftStruct, type ThriftValue } from "./parquet-thrift.ts";

/** Parquet's physical types, by their Thrift enum value. */
export const PHYSICAL_TYPES = [
  "BOOLEAN",
  "INT32",
  "INT64",
  "INT96",
  "FLOAT",
  "DOUBLE",
  "BYTE_ARRAY",
  "FIXED_LEN_BYTE_ARRAY",
] as const;
export type PhysicalType = (typeof PHYSICAL_TYPES)[number];

/** Page compression codecs, by their Thrift enum value. */
export const CODECS = [
  "UNCOMPRESSED",
  "SNAPPY",
  "GZIP",
  "LZO",
  "BROTLI",
  "LZ4",
  "ZSTD",
  "LZ4_RAW",
] as const;
export type Codec = (typeof CODECS)[number];

export const REPETITIONS = ["REQUIRED", "OPTIONAL", "REPEATED"] as const;
export type Repetition = (typeof REPETITIONS)[number];

/** One node of the schema tree: a group (children) or a leaf column (physical type). */
export interface SchemaNode {
  name: string;
  repetition: Repetition;
  physical?: PhysicalType;
  typeLength: number;
  /** ConvertedType enum value (legacy annotation), when set. */
  converted?: number;
  /** The LogicalType union: the id of its one set field, and that field's struct. */
  logical?: { kind: number; value: ThriftStruct };
  scale: number;
  precision: number;
  children: SchemaNode[];
}

export interface ColumnChunk {
  codec: Codec;
  numValues: number;
  /** Byte offset of the first page: the dictionary page when there is one. */
  start: number;
  compressedSize: number;
}

export interface RowGroup {
  numRows: number;
  /** One chunk per leaf column, in schema order. */
  columns: ColumnChunk[];
}

export interface ParquetFooter {
  numRows: number;
  schema: SchemaNode;
  rowGroups: RowGroup[];
  /** The file's key-value metadata (e.g. ARROW:schema). */
  metadata: Map<string, string>;
}

const text = new TextDecoder();

function num(value: ThriftValue | undefined, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ThriftError(`the footer lacks ${what}`);
  }
  return value;
}

function str(value: ThriftValue | undefined): string {
  return value instanceof Uint8Array ? text.decode(value) : "";
}

function structs(value: ThriftValue | undefined): ThriftStruct[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is ThriftStruct =>
      typeof item === "object" && !(item instanceof Uint8Array) && !Array.isArray(item),
  );
}

function enumOf<T extends string>(
  values: readonly T[],
  id: ThriftValue | undefined,
  what: string,
): T {
  const found = typeof id === "number" ? values[id] : undefined;
  if (found === undefined) throw new ThriftError(`${what} ${String(id)} is unknown`);
  return found;
}

/** Parses the footer bytes (between the data and the closing length + "PAR1"). */
export function parseFooter(bytes: Uint8Array): ParquetFooter {
  const meta = readStruct({ bytes, at: 0, end: bytes.length });
  const elements = structs(meta[2]);
  if (elements.length === 0) throw new ThriftError("the footer has no schema");
  let next = 0;
  const node = (depth: number): SchemaNode => {
    if (depth > 100) throw new ThriftError("a schema nested more than 100 deep");
    const element = elements[next++];
    if (element === undefined)
      throw new ThriftError("the schema lists fewer elements than it nests");
    const childCount = typeof element[5] === "number" ? element[5] : 0;
    const logical = element[10];
    let logicalType: SchemaNode["logical"];
    if (
      logical &&
      typeof logical === "object" &&
      !Array.isArray(logical) &&
      !(logical instanceof Uint8Array)
    ) {
      const kind = Number(Object.keys(logical)[0]);
      const inner = logical[kind];
      logicalType = {
        kind,
        value:
          inner &&
          typeof inner === "object" &&
          !Array.isArray(inner) &&
          !(inner instanceof Uint8Array)
            ? inner
            : {},
      };
    }
    const result: SchemaNode = {
      name: str(element[4]),
      repetition:
        element[3] === undefined ? "REQUIRED" : enumOf(REPETITIONS, element[3], "repetition"),
      physical: element[1] === undefined ? undefined : enumOf(PHYSICAL_TYPES, element[1], "type"),
      typeLength: typeof element[2] === "number" ? element[2] : 0,
      converted: typeof element[6] === "number" ? element[6] : undefined,
      logical: logicalType,
      scale: typeof element[7] === "number" ? element[7] : 0,
      precision: typeof element[8] === "number" ? element[8] : 0,
      children: [],
    };
    if (childCount > elements.length)
      throw new ThriftError("a schema group with too many children");
    for (let k = 0; k < childCount; k++) result.children.push(node(depth + 1));
    return result;
  };
  const schema = node(0);
  const rowGroups = structs(meta[4]).map((group): RowGroup => {
    const columns = structs(group[1]).map((chunk): ColumnChunk => {
      if (chunk[1] !== undefined) throw new ThriftError("column data in another file");
      const data = structs([chunk[3] ?? 0])[0];
      if (data === undefined) throw new ThriftError("a column chunk without metadata");
      const dictionary = data[11];
      const first = num(data[9], "a data page offset");
      return {
        codec: enumOf(CODECS, data[4], "codec"),
        numValues: num(data[5], "a value count"),
        start:
          typeof dictionary === "number" && dictionary > 0 && dictionary < first
            ? dictionary
            : first,
        compressedSize: num(data[7], "a column size"),
      };
    });
    return { numRows: num(group[3], "a row count"), columns };
  });
  const metadata = new Map<string, string>();
  for (const pair of structs(meta[5])) metadata.set(str(pair[1]), str(pair[2]));
  return { numRows: num(meta[3], "the row count"), schema, rowGroups, metadata };
}
