// The logical column types that the summaries, charts and templates speak of, defined once
// and derived from Arrow fields here, so the readers and the summaries share one list.
import { DataType, type Field } from "apache-arrow";

/** Every logical column type, in the order profiles list them. */
export const COLUMN_TYPES = ["integer", "float", "boolean", "date", "timestamp", "string"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

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

/** True for the types that hold dates and times. */
export function isTemporal(type: ColumnType | undefined): type is "date" | "timestamp" {
  return type === "date" || type === "timestamp";
}

/** True for the types that hold numbers. */
export function isNumeric(type: ColumnType | undefined): type is "integer" | "float" {
  return type === "integer" || type === "float";
}
