// `queries:` — named aggregations over the table: group keys, measures, filters, sort.

import { caretLines } from "../expr/error.ts";
import { didYouMean } from "./closest.ts";
import { ExprError, parseGroupKey, parseMeasure, parseRowExpr, parseSortKey } from "./expr.ts";
import { type Checker, describe, Fields, quoted, scalarText } from "./fields.ts";
import type { FieldPath, Filter, GroupKey, Measure, QuerySpec, SortKey } from "./spec.ts";
import type { YNode } from "./yaml-tree.ts";

const QUERY_FIELDS = ["group_by", "measures", "filter", "sort", "limit", "other"] as const;

/**
 * Run an expression parser, turning its errors into located ReportErrors: at the offending
 * token when the text's position is known, with the expression and a caret under the token.
 */
export function parseAt<T>(checker: Checker, node: YNode, path: FieldPath, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ExprError)) throw error;
    // A value from the environment is neither echoed nor pointed into.
    if (node.kind === "scalar" && node.substituted) {
      return checker.fail(
        node.pos,
        path,
        `${describe(node)} is not a valid expression; check the variable's value`,
        error.hint,
      );
    }
    const text = scalarText(node) ?? "";
    const pos =
      node.kind === "scalar" && node.textPos !== undefined
        ? { line: node.textPos.line, column: node.textPos.column + error.span.start }
        : node.pos;
    return checker.fail(pos, path, `${error.message}\n${caretLines(text, error.span)}`, error.hint);
  }
}

/** Expression text of a scalar, or a located error for maps, lists and empty values. */
export function exprText(checker: Checker, node: YNode, path: FieldPath, what: string): string {
  const text = scalarText(node);
  if (text === undefined || text.trim() === "") {
    return checker.fail(node.pos, path, `expected ${what}, found ${describe(node)}`);
  }
  return text;
}

/** Read the `queries:` map. */
export function readQueries(checker: Checker, node: YNode | undefined): Record<string, QuerySpec> {
  const queries: Record<string, QuerySpec> = {};
  if (node === undefined) return queries;
  if (node.kind !== "map") {
    checker.fail(
      node.pos,
      ["queries"],
      `expected a map of named queries, found ${describe(node)}`,
      "queries:\n  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }",
    );
  }
  for (const entry of node.entries) {
    const query = checker.attempt(
      () => readQuery(checker, entry.key, entry.value),
      `query:${entry.key}`,
    );
    if (query !== undefined) queries[entry.key] = query;
  }
  return queries;
}

/** Read the `filter:` of a query or KPI: one condition or a list of them (all must hold). */
export function readFilters(checker: Checker, fields: Fields): Filter[] {
  return fields.textList("filter").map(({ text, path, node }) => ({
    ast: parseAt(checker, node, path, () => parseRowExpr(text)),
    expr: text,
    path,
  }));
}

/** Parse a measure expression at a path; `name` is what the result column is called. */
export function readMeasure(checker: Checker, name: string, node: YNode, path: FieldPath): Measure {
  const expr = exprText(checker, node, path, "a measure such as sum(revenue)");
  const parsed = parseAt(checker, node, path, () => parseMeasure(expr));
  const measure: Measure = { name, ast: parsed.ast, expr, path };
  if (parsed.op !== undefined) measure.op = parsed.op;
  if (parsed.column !== undefined) measure.column = parsed.column;
  return measure;
}

function readQuery(checker: Checker, name: string, node: YNode): QuerySpec {
  const path = ["queries", name];
  const fields = new Fields(
    checker,
    node,
    path,
    QUERY_FIELDS,
    `queries:\n  ${name}: { group_by: [region], measures: { revenue: sum(revenue) }, sort: -revenue }`,
  );
  const groupBy = readGroupBy(checker, fields);
  const measures = readMeasures(checker, fields);
  if (groupBy.length === 0 && measures.length === 0) {
    checker.fail(
      fields.map.pos,
      path,
      "a query needs group_by, measures or both",
      "e.g. group_by: [region] and measures: { revenue: sum(revenue) }",
    );
  }
  const names = new Map<string, FieldPath>();
  for (const column of [...groupBy, ...measures]) {
    if (names.has(column.name)) {
      checker.fail(
        checker.pos(column.path),
        column.path,
        `the name '${column.name}' is used twice in this query`,
        "Rename one, e.g. group_by: [{ order_month: month(order_date) }] or measures: { total: sum(x) }.",
      );
    }
    names.set(column.name, column.path);
  }
  const query: QuerySpec = {
    name,
    groupBy,
    measures,
    filter: readFilters(checker, fields),
    sort: readSort(checker, fields, [...names.keys()]),
    path,
  };
  const limit = fields.integer("limit", 1, 1_000_000);
  if (limit !== undefined) query.limit = limit;
  const other = readOther(checker, fields, query);
  if (other !== undefined) query.other = other;
  return query;
}

/** The label of the `other:` row (`true` is "Other"), or undefined without one. */
function readOther(checker: Checker, fields: Fields, query: QuerySpec): string | undefined {
  const node = fields.node("other");
  if (node === undefined) return undefined;
  const hint = `limit: 5\n    other: true          # or other: "All other regions"`;
  if (node.kind !== "scalar" || node.value === "" || typeof node.value === "number") {
    return checker.fail(
      node.pos,
      fields.at("other"),
      `expected true, false or a label, found ${describe(node)}`,
      hint,
    );
  }
  if (node.value === false) return undefined;
  const label = node.value === true ? "Other" : String(node.value);
  if (query.limit === undefined || query.groupBy.length === 0) {
    checker.fail(
      node.pos,
      fields.at("other"),
      `'other' folds the groups past 'limit' into one row, so it needs ${query.groupBy.length === 0 ? "group_by" : "limit"}`,
      hint,
    );
  }
  return label;
}

function readGroupBy(checker: Checker, fields: Fields): GroupKey[] {
  const node = fields.node("group_by");
  if (node === undefined) return [];
  const items =
    node.kind === "seq"
      ? node.items.map((item, i) => ({ item, path: [...fields.at("group_by"), i] }))
      : [{ item: node, path: fields.at("group_by") }];
  return items.map(({ item, path }) => {
    if (item.kind === "map") {
      if (item.entries.length !== 1) {
        checker.fail(
          item.pos,
          path,
          "a renamed group key is a map with one entry: { name: expression }",
        );
      }
      const [entry] = item.entries;
      const keyPath = [...path, entry.key];
      const expr = exprText(
        checker,
        entry.value,
        keyPath,
        "a column or time bucket such as month(order_date)",
      );
      return {
        name: entry.key,
        ...parseAt(checker, entry.value, keyPath, () => parseGroupKey(expr)),
        expr,
        path: keyPath,
      };
    }
    const expr = exprText(checker, item, path, "a column or time bucket such as month(order_date)");
    const key = parseAt(checker, item, path, () => parseGroupKey(expr));
    return { name: key.unit ?? key.column, ...key, expr, path };
  });
}

function readMeasures(checker: Checker, fields: Fields): Measure[] {
  const node = fields.node("measures");
  if (node === undefined) return [];
  if (node.kind !== "map") {
    return checker.fail(
      node.pos,
      fields.at("measures"),
      `expected a map of name: measure, found ${describe(node)}`,
      "measures: { revenue: sum(revenue), orders: count() }",
    );
  }
  return node.entries.map((entry) =>
    readMeasure(checker, entry.key, entry.value, [...fields.at("measures"), entry.key]),
  );
}

function readSort(checker: Checker, fields: Fields, names: string[]): SortKey[] {
  return fields.textList("sort").map(({ text, path, node }) => {
    const key = parseAt(checker, node, path, () => parseSortKey(text));
    if (!names.includes(key.name)) {
      checker.fail(
        node.pos,
        path,
        `${quoted(node, key.name)} is not a group key or measure of this query${didYouMean(key.name, names)}`,
        `Sort by one of: ${names.join(", ")} (prefix with - for descending).`,
      );
    }
    return { name: key.name, descending: key.descending, path };
  });
}
