import { DataType, type Field } from "apache-arrow";
import type { ColumnType } from "../summarize/summary.ts";

/** The logical column type of an Arrow field, as profiles and templates name it. */
export function columnType(field: Field): ColumnType {
  const type = DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
  if (DataType.isInt(type)) return "integer";
  if (DataType.isFloat(type) || DataType.isDecimal(type)) return "float";
  if (DataType.isBool(type)) return "boolean";
  if (DataType.isDate(type)) return "date";
  if (DataType.isTimestamp(type)) return "timestamp";
  return "string";
}
