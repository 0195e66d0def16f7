// apache-arrow trusts the lengths and offsets in IPC metadata. A damaged file can then
// claim a list of 10^9 items in a 3 KB buffer, and walking it exhausts memory (V8 aborts the
// process; that cannot be caught). This pass checks every buffer against the lengths the
// metadata claims before anything reads values, in O(rows) for offsets and dictionary keys.
import { type Data, DataType, type Table, Type } from "apache-arrow";

/** The first structural problem in the table, as text, or undefined when it is sound. */
export function findDamage(table: Table): string | undefined {
  for (const batch of table.batches) {
    const children = batch.data.children;
    for (let c = 0; c < children.length; c++) {
      const problem = checkData(children[c], batch.numRows);
      if (problem) return `column "${table.schema.fields[c]?.name}": ${problem}`;
    }
  }
  return undefined;
}

function checkData(data: Data, minLength: number): string | undefined {
  const { offset, length } = data;
  if (!(offset >= 0 && length >= 0) || length < minLength) return "length out of range";
  const end = offset + length;
  const bitmap: Uint8Array | undefined = data.nullBitmap;
  if (data.nullCount > 0 && bitmap && bitmap.length > 0 && bitmap.length * 8 < end) {
    return "validity bitmap shorter than the column";
  }
  const type = data.type;
  const values = data.values as ArrayLike<unknown> | undefined;
  switch (type.typeId) {
    case Type.Null:
      return undefined;
    case Type.Bool:
      return values && values.length * 8 >= end ? undefined : "value buffer too short";
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.Time:
    case Type.Duration:
    case Type.Decimal:
    case Type.Interval:
    case Type.FixedSizeBinary:
      return values && values.length >= end * data.stride ? undefined : "value buffer too short";
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return checkOffsets(data.valueOffsets, offset, length, values?.length ?? 0);
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const child = data.children[0];
      if (!child) return "list without child values";
      return checkOffsets(data.valueOffsets, offset, length, child.length) ?? checkData(child, 0);
    }
    case Type.FixedSizeList: {
      const child = data.children[0];
      if (!child || child.length < end * data.stride) return "list values shorter than the column";
      return checkData(child, 0);
    }
    case Type.Struct:
      for (const child of data.children) {
        const problem =
          child.length < end ? "struct field shorter than the column" : checkData(child, 0);
        if (problem) return problem;
      }
      return undefined;
    case Type.Dictionary:
      break;
    default:
      // Unions and view types: rare in data files; refuse rather than trust them blindly.
      return DataType.isUnion(type) ? "union columns are not supported" : undefined;
  }
  if (DataType.isDictionary(type)) {
    const keys = data.values as ArrayLike<number | bigint> | undefined;
    const dictionary = data.dictionary;
    if (!keys || keys.length < end) return "dictionary keys shorter than the column";
    const size = dictionary?.length ?? 0;
    for (let i = offset; i < end; i++) {
      const key = Number(keys[i]);
      if (!(key >= 0 && key < size) && data.getValid(i - offset))
        return "dictionary key out of range";
    }
    for (const part of dictionary?.data ?? []) {
      const problem = checkData(part, 0);
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkOffsets(
  offsets: ArrayLike<number | bigint> | undefined,
  offset: number,
  length: number,
  limit: number,
): string | undefined {
  if (length === 0) return undefined;
  if (!offsets || offsets.length < offset + length + 1) return "offset buffer too short";
  let previous = Number(offsets[offset]);
  if (!(previous >= 0)) return "negative offset";
  for (let i = offset + 1; i <= offset + length; i++) {
    const next = Number(offsets[i]);
    if (!(next >= previous)) return "offsets go backwards";
    previous = next;
  }
  return previous <= limit ? undefined : "offsets point past the values";
}
