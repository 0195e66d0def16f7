// Declared column types (`source.columns`) applied to a table whose file carries its own types
// (Parquet, Arrow IPC). A column already of the declared type is left alone; text is parsed
// as the declared type (dates with the declared format), any type can be read as text,
// dates and timestamps convert into each other, and numbers and booleans convert where each
// value fits (1.0 is an integer, 1.5 is not: that value is an error or, with on_error: null,
// missing). Anything else (a number declared as a date, say) is a clear error for the column.
import {
  type Data,
  DataType,
  Field,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
} from "apache-arrow";
import { DAY_MS, isoDate, isoTimestamp } from "../../calendar.ts";
import { type ColumnType, columnType } from "../../column-type.ts";
import type { ColumnDeclaration } from "../../config/spec.ts";
import { ReportError } from "../../errors.ts";
import {
  type ColumnBuilder,
  createBuilder,
  type Int32Builder,
  type Int64Builder,
  type StringBuilder,
} from "./builders.ts";
import {
  appendDeclared,
  type ColumnRule,
  declaredRule,
  rejectionNotice,
  rejectValue,
} from "./declared-columns.ts";
import { withNotices } from "./read-notices.ts";

type Conversion = "parse" | "text" | "temporal" | "value";

/** How a column of type `from` becomes `to`, or undefined when it cannot. */
function conversion(from: ColumnType, to: ColumnType): Conversion | undefined {
  if (from === "string") return "parse";
  if (to === "string") return "text";
  const temporal = (type: ColumnType) => type === "date" || type === "timestamp";
  if (temporal(from) && temporal(to)) return "temporal";
  if (!temporal(from) && !temporal(to)) return "value";
  return undefined;
}

const encoder = new TextEncoder();

/** The table with its declared columns in their declared types (the same table if none differ). */
export function castDeclared(
  table: Table,
  columns: readonly ColumnDeclaration[] | undefined,
  file: string,
  notice: (message: string) => void,
): Table {
  const fields = table.schema.fields;
  const plans = fields.map((field) => {
    const declaration = columns?.find((column) => column.name === field.name);
    if (declaration === undefined) return undefined;
    const from = columnType(field);
    if (from === declaration.type) return undefined;
    const how = conversion(from, declaration.type);
    if (how === undefined) {
      throw new ReportError(
        `${declaration.where}: column "${field.name}" is ${from} in ${file} (${String(field.type)}), which cannot be read as ${declaration.type}.`,
        {
          hint: "A Parquet or Arrow file's own column types are used as they are: remove the declaration, or convert the column where the file is written.",
        },
      );
    }
    return { how, rule: declaredRule(declaration) };
  });
  if (plans.every((plan) => plan === undefined)) return table;
  // One builder per column across all batches (so every chunk gets the same type), then
  // sliced back into the batches' row ranges.
  const converted = fields.map((_, c) => {
    const plan = plans[c];
    if (plan === undefined) return undefined;
    let builder = createBuilder(plan.rule.kind);
    builder.reserve(table.numRows);
    for (const batch of table.batches) {
      builder = convertData(builder, batch.data.children[c], plan.how, plan.rule, file);
    }
    const whole = builder.finish().data[0];
    let offset = 0;
    return table.batches.map((batch) => {
      const chunk = whole.slice(offset, batch.numRows);
      offset += batch.numRows;
      return chunk;
    });
  });
  const schema = new Schema(
    fields.map((field, c) => {
      const chunks = converted[c];
      if (chunks === undefined) return field;
      const message = rejectionNotice(plans[c]!.rule, file);
      if (message !== undefined) notice(message);
      const type = chunks[0]?.type ?? field.type;
      return withNotices(
        new Field(field.name, type, true, field.metadata),
        message === undefined ? [] : [message],
      );
    }),
    table.schema.metadata,
  );
  const batches = table.batches.map((batch, b) => {
    const children = fields.map((_, c) => converted[c]?.[b] ?? batch.data.children[c]);
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

/** Appends one chunk of a column, converted, to the builder; returns it (it may widen). */
function convertData(
  start: ColumnBuilder,
  data: Data,
  how: Conversion,
  rule: ColumnRule,
  file: string,
): ColumnBuilder {
  let builder = start;
  const vector = makeVector(data);
  for (let i = 0; i < data.length; i++) {
    const value: unknown = vector.get(i);
    if (value === null || value === undefined) {
      builder.pushNull();
      continue;
    }
    if (how === "temporal") {
      const ms = Number(value);
      (builder as Int32Builder | Int64Builder).push(
        rule.kind === "date" ? Math.floor(ms / DAY_MS) : ms,
      );
      continue;
    }
    const text = DataType.isDate(data.type)
      ? isoDate(Number(value))
      : DataType.isTimestamp(data.type)
        ? isoTimestamp(Number(value))
        : String(value);
    if (how === "text") {
      (builder as StringBuilder).pushString(text);
      continue;
    }
    const bytes = encoder.encode(text);
    const next = appendDeclared(builder, rule, bytes, 0, bytes.length);
    if (next !== undefined) {
      builder = next;
      continue;
    }
    rejectValue(rule, file, `row ${(builder.length + 1).toLocaleString("en-US")}`, text);
    builder.pushNull();
  }
  return builder;
}
