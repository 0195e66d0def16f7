// A `vega_lite:` section: any Vega-Lite spec, written in YAML, whose data is a query of the
// definition (`data: { query: by_region }`) or the table itself (`data: { table: true }`). The
// section's `title` (required) and `description` name the chart for screen readers. What a
// static, offline report cannot honour is refused here, at its line: data from anywhere else
// (URLs, inline values, named data sets), `url` and `href` anywhere (no loading, no links out),
// and params bound to input widgets (`bind`: they need a browser). Whether the rest is valid
// Vega-Lite is checked against Vega-Lite's own schema when the chart is drawn (src/chart/).
import { didYouMean } from "./closest.ts";
import { type Checker, describe, quoted } from "./fields.ts";
import type {
  FieldPath,
  Json,
  JsonObject,
  QuerySpec,
  SectionSpecOf,
  VegaLiteData,
} from "./spec.ts";
import type { YNode } from "./yaml-tree.ts";

export const VEGA_LITE_HINT =
  "vega_lite:\n    title: Revenue by region\n    data: { query: by_region }\n    mark: bar\n    encoding:\n      x: { field: region, type: nominal }\n      y: { field: revenue, type: quantitative }";

const DATA_HINT =
  "data: { query: by_region }   (a query of this definition)   or   data: { table: true }   (the table's rows, aggregated by the spec's transforms)";

/** Keys that would load or link to something outside the report. */
const OUTSIDE_KEYS: Record<string, string> = {
  url: "`url` would load from outside the report, which is built offline",
  href: "`href` would make the chart a link out of the report; charts here are static images",
};

/** The YAML tree as plain JSON (scalars keep their YAML types; `${VAR}` already substituted). */
function toJson(node: YNode): Json {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(toJson);
  const out: JsonObject = {};
  for (const entry of node.entries) out[entry.key] = toJson(entry.value);
  return out;
}

/** Read a `vega_lite:` section; `path` is the section item's (["sections", 3]). */
export function readVegaLite(
  checker: Checker,
  node: YNode,
  at: FieldPath,
  path: FieldPath,
  queries: Record<string, QuerySpec>,
): SectionSpecOf["vega_lite"] {
  if (node.kind !== "map") {
    return checker.fail(
      node.pos,
      at,
      `expected a Vega-Lite spec (a map), found ${describe(node)}`,
      VEGA_LITE_HINT,
    );
  }
  const entry = (key: string) => node.entries.find((e) => e.key === key);
  const text = (key: string, required: boolean): string | undefined => {
    const found = entry(key);
    if (found === undefined || (found.value.kind === "scalar" && found.value.value === null)) {
      if (required)
        checker.fail(
          node.pos,
          [...at, key],
          "required field is missing: it names the chart for screen readers and above the chart",
          VEGA_LITE_HINT,
        );
      return undefined;
    }
    if (found.value.kind !== "scalar" || typeof found.value.value !== "string")
      return checker.fail(
        found.value.pos,
        [...at, key],
        `expected text, found ${describe(found.value)}`,
        `${key}: Revenue by region   (a Vega-Lite title object is not used here: the page shows the title)`,
      );
    return found.value.value;
  };
  const title = text("title", true) ?? "";
  const description = text("description", false);
  const spec = toJson(node) as JsonObject;
  if (entry("data") === undefined) {
    checker.fail(node.pos, [...at, "data"], "required field is missing", DATA_HINT);
  }
  const data: Record<string, VegaLiteData> = {};
  walk(checker, node, at, queries, data);
  const section: SectionSpecOf["vega_lite"] = { kind: "vega_lite", title, spec, data, path };
  if (description !== undefined) section.description = description;
  return section;
}

/**
 * Check every `data`, `url`, `href` and `params` in the spec, recording each data reference
 * by its path within the spec ("data", "layer.1.data").
 */
function walk(
  checker: Checker,
  node: YNode,
  at: FieldPath,
  queries: Record<string, QuerySpec>,
  data: Record<string, VegaLiteData>,
  within: (string | number)[] = [],
): void {
  if (node.kind === "seq") {
    node.items.forEach((item, i) => {
      walk(checker, item, [...at, i], queries, data, [...within, i]);
    });
    return;
  }
  if (node.kind !== "map") return;
  for (const { key, keyPos, value } of node.entries) {
    const where = [...at, key];
    const outside = OUTSIDE_KEYS[key];
    // `url` and `href` as keys of a map: a data URL, an image's url channel, a link channel
    // or mark property. (A field *named* url is a value, `field: url`, and stays allowed.)
    if (outside !== undefined)
      checker.fail(keyPos, where, outside, "Remove it; draw from a query or the table.");
    if (key === "data" && value.kind === "map") {
      data[[...within, key].join(".")] = readData(checker, value, where, queries);
      continue;
    }
    if (key === "bind" && within.some((part) => part === "params")) {
      checker.fail(
        keyPos,
        where,
        "`bind` makes an input widget, which needs a browser; the report's charts are static images",
        "Remove bind and give the param the `value` to draw with.",
      );
    }
    walk(checker, value, where, queries, data, [...within, key]);
  }
}

function readData(
  checker: Checker,
  node: YNode & { kind: "map" },
  at: FieldPath,
  queries: Record<string, QuerySpec>,
): VegaLiteData {
  const keys = node.entries.map((e) => e.key);
  const only = keys.length === 1 ? node.entries[0] : undefined;
  if (only?.key === "query") {
    const name = only.value.kind === "scalar" ? only.value.value : undefined;
    if (typeof name !== "string" || name === "")
      return checker.fail(
        only.value.pos,
        [...at, "query"],
        `expected a query name, found ${describe(only.value)}`,
        DATA_HINT,
      );
    if (queries[name] === undefined) {
      const names = Object.keys(queries);
      checker.failReference(
        [`query:${name}`],
        only.value.pos,
        [...at, "query"],
        `no query named ${quoted(only.value, name)}${didYouMean(name, names)}`,
        names.length === 0
          ? "Define it under `queries:` at the top level."
          : `Queries: ${names.join(", ")}.`,
      );
    }
    return { query: name };
  }
  if (only?.key === "table") {
    if (only.value.kind !== "scalar" || only.value.value !== true)
      return checker.fail(
        only.value.pos,
        [...at, "table"],
        `expected true, found ${describe(only.value)}`,
        DATA_HINT,
      );
    return { table: true };
  }
  return checker.fail(
    node.pos,
    at,
    `data must name a query or the table, found ${keys.length === 0 ? "an empty map" : keys.map((k) => `'${k}'`).join(", ")}: charts are drawn from the report's own data, offline`,
    DATA_HINT,
  );
}
