import { relative, sep } from "node:path";
import {
  type Data,
  DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { columnType } from "../column-type.ts";
import type { Logger } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { isHidden } from "../list-files.ts";
import type { DataSource } from "../source/data-source.ts";
import { utf8Data } from "./arrow/normalize-types.ts";
import { formatFromName, formatName } from "./detect-format.ts";

/** The partition folders of a part, below the dataset root: [["year", "2024"], …]. */
export function partitionValues(root: string, part: string): [string, string | null][] {
  let path: string;
  if (part.startsWith(root)) path = part.slice(root.length);
  else if (!/^[a-z]+:\/\//.test(part)) path = relative(root, part).split(sep).join("/");
  else path = part;
  const segments = path.split("/").filter((segment) => segment !== "");
  segments.pop(); // the file name
  const values: [string, string | null][] = [];
  for (const segment of segments) {
    const eq = segment.indexOf("=");
    if (eq <= 0) continue;
    const key = decodeSegment(segment.slice(0, eq));
    const value = decodeSegment(segment.slice(eq + 1));
    values.push([key, value === "__HIVE_DEFAULT_PARTITION__" || value === "" ? null : value]);
  }
  return values;
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Reads every part with `readOne` and combines them into one table. */
export async function readDataset(
  root: DataSource,
  allParts: DataSource[],
  readOne: (part: DataSource) => Promise<Table>,
  log: Logger,
  /** Called with every column name (the files' and the partitions') before they are combined. */
  checkNames?: (names: string[]) => void,
): Promise<Table> {
  const parts = allParts.filter((part) => !isHidden(basename(part.name)));
  if (parts.length === 0) {
    throw new ReportError(`${root.label} holds no data files (only markers such as _SUCCESS).`);
  }
  checkOneFormat(parts);
  const tables: Table[] = [];
  for (const part of parts) {
    const table = await readOne(part);
    log.verbose(`${part.label}: ${table.numRows} rows × ${table.numCols} columns`);
    tables.push(table);
  }
  const partitions = parts.map((part) => partitionValues(root.label, part.label));
  if (checkNames !== undefined) {
    const names = new Set(
      tables.flatMap((table) => table.schema.fields.map((field) => field.name)),
    );
    for (const values of partitions) for (const [key] of values) names.add(key);
    checkNames([...names]);
  }
  return combine(tables, parts, partitions, log);
}

function basename(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

function checkOneFormat(parts: DataSource[]): void {
  let first: { format: string; part: DataSource } | undefined;
  for (const part of parts) {
    const format = formatFromName(part.name);
    if (format === undefined) continue;
    const family = format === "tsv" ? "csv" : format === "ndjson" ? "json" : format;
    if (!first) first = { format: family, part };
    else if (first.format !== family) {
      throw new ReportError(
        `A dataset holds files of one format, but ${first.part.label} is ${formatName(first.format as "csv")} and ${part.label} is ${formatName(format)}.`,
        {
          hint: "Keep one format under the prefix or folder, or point the report at a single file.",
        },
      );
    }
  }
}

/** Column type in one file, or "null" when every value of it is missing. */
type Slot = { type: DataType; allNull: boolean } | undefined;

function combine(
  tables: Table[],
  parts: DataSource[],
  partitions: [string, string | null][][],
  log: Logger,
): Table {
  // Column order: first appearance, data columns first, then partition columns.
  const names: string[] = [];
  const seen = new Set<string>();
  for (const table of tables) {
    for (const field of table.schema.fields) {
      if (!seen.has(field.name)) {
        seen.add(field.name);
        names.push(field.name);
      }
    }
  }
  const partitionNames: string[] = [];
  for (const values of partitions) {
    for (const [key] of values) {
      if (seen.has(key)) {
        if (!partitionNames.includes(key) && names.includes(key)) {
          log.warn(
            `the partition folder "${key}=…" names a column the files also hold; the files' values are used.`,
          );
        }
        continue;
      }
      seen.add(key);
      partitionNames.push(key);
    }
  }
  const types = names.map((name) => unifiedType(name, tables, parts));
  const partitionColumns = partitionNames.map((name) => partitionColumn(name, partitions));
  const fields = [
    ...names.map((name, c) => new Field(name, types[c], true)),
    ...partitionColumns.map((column, k) => new Field(partitionNames[k], column.type, true)),
  ];
  const schema = new Schema(fields);
  const batches: RecordBatch[] = [];
  tables.forEach((table, t) => {
    for (const batch of table.batches) {
      const children: Data[] = names.map((name, c) => {
        const child = batch.getChild(name);
        return child ? castData(child.data[0], types[c]) : nullData(types[c], batch.numRows);
      });
      for (const column of partitionColumns) children.push(column.data(t, batch.numRows));
      const struct = makeData({
        type: new Struct(fields),
        length: batch.numRows,
        nullCount: 0,
        children,
      });
      batches.push(new RecordBatch(schema, struct));
    }
  });
  return new Table(schema, batches);
}

const TEXT = new Set(["Utf8", "LargeUtf8", "Utf8View"]);

function isText(type: DataType): boolean {
  const value = DataType.isDictionary(type) ? type.dictionary : type;
  return TEXT.has(String(value)) || DataType.isUtf8(value) || DataType.isLargeUtf8(value);
}

function isTemporal(type: DataType): boolean {
  return DataType.isDate(type) || DataType.isTimestamp(type);
}

function isNumber(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type);
}

/** The type of column `name` across files, or an error naming the two files that disagree. */
function unifiedType(name: string, tables: Table[], parts: DataSource[]): DataType {
  let current: { type: DataType; part: DataSource } | undefined;
  tables.forEach((table, t) => {
    const slot = slotOf(table, name);
    if (!slot || slot.allNull) return;
    if (!current) {
      current = { type: slot.type, part: parts[t] };
      return;
    }
    const joined = joinTypes(current.type, slot.type);
    if (joined === undefined) {
      throw new ReportError(
        `Column "${name}" is ${describeType(current.type)} in ${current.part.label} but ${describeType(slot.type)} in ${parts[t].label}; the files of a dataset must agree.`,
        {
          hint: 'Declare its type under source.columns (e.g. `columns: { day: { type: date, format: "%d/%m/%Y" } }`) so every file is read alike, or write the column with one type in every file (e.g. cast it in the export).',
        },
      );
    }
    current = { type: joined, part: current.part };
  });
  if (current) return current.type;
  // Missing everywhere it appears: keep the first file's type.
  for (const table of tables) {
    const slot = slotOf(table, name);
    if (slot) return slot.type;
  }
  return new Utf8();
}

/** "integer (Int32)": the profile's word for a type, then Arrow's. */
function describeType(type: DataType): string {
  const word = columnType(new Field("", type));
  return `${word === "string" ? "text" : word} (${String(type)})`;
}

function slotOf(table: Table, name: string): Slot {
  const field = table.schema.fields.find((f) => f.name === name);
  if (!field) return undefined;
  const column = table.getChild(name);
  const allNull = column !== null && column.nullCount === column.length;
  return { type: field.type, allNull };
}

/** The narrowest type holding both, or undefined when they conflict. */
export function joinTypes(a: DataType, b: DataType): DataType | undefined {
  if (String(a) === String(b)) return a;
  if (DataType.isInt(a) && DataType.isInt(b)) {
    const narrow = (t: DataType) => (t as Int32).isSigned && (t as Int32).bitWidth <= 32;
    return narrow(a) && narrow(b) ? new Int32() : new Int64();
  }
  if (isNumber(a) && isNumber(b)) return new Float64();
  if (isTemporal(a) && isTemporal(b)) {
    const zone = (t: DataType) => (DataType.isTimestamp(t) ? t.timezone : null);
    return new TimestampMillisecond(zone(a) ?? zone(b) ?? "UTC");
  }
  if (isText(a) && isText(b)) return new Utf8();
  return undefined;
}

/** One file's column chunk in the unified type. */
function castData(data: Data, target: DataType): Data {
  if (String(data.type) === String(target)) {
    return DataType.isDictionary(target) ? data.clone(target) : data;
  }
  if (data.nullCount === data.length) return nullData(target, data.length);
  const vector = makeVector(data);
  const n = data.length;
  const bitmap = data.nullCount ? validityOf(data) : undefined;
  const valid = (i: number) => bitmap === undefined || ((bitmap[i >> 3] >> (i & 7)) & 1) === 1;
  if (DataType.isUtf8(target)) {
    const texts: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) texts[i] = valid(i) ? String(vector.get(i)) : null;
    return utf8Data(texts);
  }
  let values: Int32Array | BigInt64Array | Float64Array;
  if (DataType.isInt(target) && (target as Int32).bitWidth === 32) {
    values = new Int32Array(n);
    for (let i = 0; i < n; i++) if (valid(i)) values[i] = Number(vector.get(i));
  } else if (DataType.isInt(target) || DataType.isTimestamp(target)) {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      if (!valid(i)) continue;
      const value: unknown = vector.get(i);
      out[i] = typeof value === "bigint" ? value : BigInt(Math.round(Number(value)));
    }
    values = out;
  } else {
    values = new Float64Array(n);
    for (let i = 0; i < n; i++) if (valid(i)) values[i] = Number(vector.get(i));
  }
  return makeData({
    type: target as Int32,
    length: n,
    nullCount: data.nullCount,
    nullBitmap: bitmap,
    data: values as Int32Array,
  });
}

function validityOf(data: Data): Uint8Array {
  const bitmap = new Uint8Array((data.length + 7) >> 3);
  const source: Uint8Array | undefined = data.nullBitmap;
  for (let i = 0; i < data.length; i++) {
    const bit = data.offset + i;
    if (!source || source.length === 0 || (source[bit >> 3] >> (bit & 7)) & 1) {
      bitmap[i >> 3] |= 1 << (i & 7);
    }
  }
  return bitmap;
}

/** `length` missing values of any type. */
function nullData(type: DataType, length: number): Data {
  if (DataType.isUtf8(type)) return utf8Data(new Array(length).fill(null));
  return vectorFromArray(new Array(length).fill(null), type).data[0];
}

/** A partition column: integers when every value is one, else text (a dictionary). */
function partitionColumn(
  name: string,
  partitions: [string, string | null][][],
): { type: DataType; data: (table: number, rows: number) => Data } {
  const values = partitions.map((pairs) => pairs.find(([key]) => key === name)?.[1] ?? null);
  const present = values.filter((value): value is string => value !== null);
  const integers = present.every((value) => /^[+-]?\d{1,15}$/.test(value));
  const bitmap = (rows: number, valid: boolean) =>
    valid ? undefined : new Uint8Array((rows + 7) >> 3);
  if (integers && present.length > 0) {
    const numbers = values.map((value) => (value === null ? null : Number(value)));
    const wide = numbers.some((v) => v !== null && (v < -2_147_483_648 || v > 2_147_483_647));
    const type = wide ? new Int64() : new Int32();
    return {
      type,
      data: (t, rows) => {
        const value = numbers[t];
        const data = wide
          ? new BigInt64Array(rows).fill(BigInt(value ?? 0))
          : new Int32Array(rows).fill(value ?? 0);
        return makeData({
          type: type as Int32,
          length: rows,
          nullCount: value === null ? rows : 0,
          nullBitmap: bitmap(rows, value !== null),
          data: data as Int32Array,
        });
      },
    };
  }
  const distinct = [...new Set(present)];
  const dictionary = makeVector(utf8Data(distinct));
  const type = new Dictionary(new Utf8(), new Int32());
  return {
    type,
    data: (t, rows) => {
      const value = values[t];
      return makeData({
        type,
        length: rows,
        nullCount: value === null ? rows : 0,
        nullBitmap: bitmap(rows, value !== null),
        data: new Int32Array(rows).fill(value === null ? 0 : distinct.indexOf(value)),
        dictionary,
      });
    },
  };
}
