// `columns:` — derived columns, `name: expression` in order, computed once after reading
// (src/summarize/derive.ts); each may use the source's columns and the ones before it.
import { parseRowExpr } from "./expr.ts";
import { type Checker, describe } from "./fields.ts";
import { exprText, parseAt } from "./query.ts";
import type { DerivedColumn } from "./spec.ts";
import type { YNode } from "./yaml-tree.ts";

const EXAMPLE =
  'columns:\n  temp_range: "temp_max - temp_min"\n  margin: "(revenue - cost) / revenue"';

/** Read the `columns:` map; every entry that reads is kept, each failure is reported. */
export function readDerivedColumns(checker: Checker, node: YNode | undefined): DerivedColumn[] {
  if (node === undefined) return [];
  if (node.kind !== "map") {
    return checker.fail(
      node.pos,
      ["columns"],
      `expected a map of name: expression, found ${describe(node)}`,
      EXAMPLE,
    );
  }
  const columns: DerivedColumn[] = [];
  for (const entry of node.entries) {
    const path = ["columns", entry.key];
    const column = checker.attempt(() => {
      const expr = exprText(
        checker,
        entry.value,
        path,
        "an expression such as temp_max - temp_min",
      );
      const ast = parseAt(checker, entry.value, path, () => parseRowExpr(expr));
      return { name: entry.key, ast, expr, path };
    });
    if (column !== undefined) columns.push(column);
  }
  return columns;
}
