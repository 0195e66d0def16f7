// Parquet and Arrow IPC files carry their width and nesting in the schema: a file with more
// columns than max_columns, or types nested deeper than max_nesting (which become JSON text,
// written recursively), stops here with the limit's error instead of in a later stage.
import type { DataType, Schema } from "apache-arrow";
import { type Limits, limitExceeded } from "../../limits.ts";

/** Throws the max_columns or max_nesting error when the schema goes past either limit. */
export function checkSchemaLimits(schema: Schema, label: string, limits: Limits): void {
  if (schema.fields.length > limits.max_columns) {
    throw limitExceeded("max_columns", limits.max_columns, `${label}: the schema`);
  }
  for (const field of schema.fields) {
    // As for a JSON record, the row itself is the first level.
    if (1 + typeDepth(field.type) > limits.max_nesting) {
      throw limitExceeded(
        "max_nesting",
        limits.max_nesting,
        `${label}: column "${field.name}" (${String(field.type).slice(0, 80)})`,
      );
    }
  }
}

/** Levels of nesting in a type (0 for a flat type), walked without recursion. */
function typeDepth(type: DataType): number {
  let deepest = 0;
  const stack: [DataType, number][] = [[type, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [current, depth] = next;
    deepest = Math.max(deepest, depth);
    for (const child of current.children ?? []) stack.push([child.type, depth + 1]);
  }
  return deepest;
}
