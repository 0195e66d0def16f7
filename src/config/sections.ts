// `sections:` — what the report shows, in order.
import {
  CELL_TONES,
  HISTOGRAM_SCALES,
  isOneOf,
  SECTION_KINDS,
  type SectionKind,
  TIME_UNITS,
  VALUE_FORMATS,
  type ValueFormat,
} from "../vocabulary.ts";
import { CHART_FIELDS, CHART_HINT, readChartFields } from "./chart.ts";
import { didYouMean } from "./closest.ts";
import { type Checker, describe, Fields, quoted, scalarText } from "./fields.ts";
import { readFilters, readMeasure } from "./query.ts";
import type {
  CellRule,
  FieldPath,
  KpiSpec,
  QuerySpec,
  SectionSpec,
  SectionSpecOf,
} from "./spec.ts";
import { readVegaLite } from "./vega-lite.ts";
import type { YNode } from "./yaml-tree.ts";

const SECTIONS_HINT =
  "sections:\n  - chart: { title: Revenue by region, query: by_region, mark: bar, x: region, y: revenue }\n  - profile: all";

/**
 * Read `sections:` (or a page's, at `at`), checking that charts and tables refer to existing
 * queries and columns.
 */
export function readSections(
  checker: Checker,
  node: YNode,
  queries: Record<string, QuerySpec>,
  at: FieldPath = ["sections"],
): SectionSpec[] {
  if (node.kind !== "seq" || node.items.length === 0) {
    checker.fail(
      node.pos,
      at,
      `expected a list of sections, found ${node.kind === "seq" ? "an empty list" : describe(node)}`,
      SECTIONS_HINT,
    );
  }
  // A section that fails is left out (its problem is recorded), and what it would have offered
  // by name is marked broken, so references to it add no second error (sectionMarks).
  return node.items.flatMap((item, index) => {
    const section = checker.attempt(
      () => readSection(checker, item, [...at, index], queries),
      sectionMarks(item),
    );
    return section === undefined ? [] : [section];
  });
}

/** The text of a map's scalar field, if it has one. */
function fieldText(node: YNode, key: string): string | undefined {
  if (node.kind !== "map") return undefined;
  const value = node.entries.find((e) => e.key === key)?.value;
  return value === undefined ? undefined : scalarText(value);
}

/**
 * The names a section that failed to read would have offered: a chart's title, every KPI
 * label when the kpis list itself failed; "sections" (anything) when its kind is unknown.
 */
function sectionMarks(item: YNode): string[] {
  if (item.kind !== "map" || item.entries.length !== 1) return ["sections"];
  const [{ key, value }] = item.entries;
  if (key === "kpis") return ["kpis"];
  if (key === "chart" || key === "histogram" || key === "vega_lite") {
    const title = fieldText(value, "title");
    return [title === undefined ? "charts" : `chart:${title}`];
  }
  return isOneOf(SECTION_KINDS, key) ? [] : ["sections"];
}

function readSection(
  checker: Checker,
  node: YNode,
  path: FieldPath,
  queries: Record<string, QuerySpec>,
): SectionSpec {
  if (node.kind !== "map" || node.entries.length !== 1) {
    checker.fail(
      node.pos,
      path,
      node.kind === "map" && node.entries.length > 1
        ? `one section per list item; found ${node.entries.map((e) => e.key).join(", ")}`
        : `expected a section (${SECTION_KINDS.join(", ")}), found ${describe(node)}`,
      "Start each section with '- ', e.g. '- chart: {...}' and '- table: {...}' on separate items.",
    );
  }
  const [{ key, keyPos, value }] = node.entries;
  const at = [...path, key];
  if (!isOneOf(SECTION_KINDS, key)) {
    return checker.fail(
      keyPos,
      at,
      `unknown section '${key}'${didYouMean(key, SECTION_KINDS)}`,
      `Sections are ${SECTION_KINDS.join(", ")}.`,
    );
  }
  return SECTION_READERS[key]({ checker, value, at, path, queries });
}

/** What a section reader gets: the section's value node, where it sits, and the queries. */
interface SectionInput {
  checker: Checker;
  value: YNode;
  /** Path of the section's value, e.g. ["sections", 2, "chart"]. */
  at: FieldPath;
  /** Path of the section item, e.g. ["sections", 2]. */
  path: FieldPath;
  queries: Record<string, QuerySpec>;
}

/** One reader per section kind (a kind without one does not compile). */
const SECTION_READERS: { [K in SectionKind]: (input: SectionInput) => SectionSpecOf[K] } = {
  kpis: ({ checker, value, at, path }) => ({
    kind: "kpis",
    kpis: readKpis(checker, value, at),
    path,
  }),
  chart: ({ checker, value, at, path, queries }) => readChart(checker, value, at, path, queries),
  vega_lite: ({ checker, value, at, path, queries }) =>
    readVegaLite(checker, value, at, path, queries),
  histogram: ({ checker, value, at, path }) => {
    const fields = new Fields(checker, value, at, [
      "title",
      "description",
      "column",
      "bins",
      "scale",
      "range",
    ]);
    const section: SectionSpecOf["histogram"] = {
      kind: "histogram",
      title: fields.requiredText("title"),
      column: fields.requiredText(
        "column",
        "The numeric or date column to bin, e.g. column: quantity.",
      ),
      path,
    };
    const description = fields.text("description");
    if (description !== undefined) section.description = description;
    const bins = fields.integer("bins", 1, 1000);
    if (bins !== undefined) section.bins = bins;
    const scale = fields.oneOf("scale", HISTOGRAM_SCALES);
    if (scale !== undefined) section.scale = scale;
    const range = readRange(checker, fields);
    if (range !== undefined) section.range = range;
    return section;
  },
  table: ({ checker, value, at, path, queries }) => {
    const fields = new Fields(checker, value, at, [
      "query",
      "title",
      "limit",
      "columns",
      "bars",
      "totals",
      "color",
    ]);
    const query = readQueryName(checker, fields, queries);
    const names = queryColumns(queries[query]);
    const column = (name: string, node: YNode, where: FieldPath) => {
      if (!names.includes(name)) {
        checker.fail(
          node.pos,
          where,
          `'${name}' is not a column of query '${query}'${didYouMean(name, names)}`,
          `Its columns are ${names.join(", ")}.`,
        );
      }
      return name;
    };
    const formats: Record<string, ValueFormat> = {};
    const formatsNode = fields.node("columns");
    if (formatsNode !== undefined) {
      const map = new Fields(checker, formatsNode, fields.at("columns"), names);
      for (const entry of map.map.entries) {
        const format = map.oneOf(entry.key, VALUE_FORMATS);
        if (format !== undefined)
          formats[column(entry.key, entry.value, map.at(entry.key))] = format;
      }
    }
    const section: SectionSpecOf["table"] = {
      kind: "table",
      query,
      formats,
      bars: fields.textList("bars").map((item) => column(item.text, item.node, item.path)),
      totals: fields.flag("totals") ?? false,
      path,
    };
    const colorNode = fields.node("color");
    if (colorNode !== undefined) {
      const map = new Fields(checker, colorNode, fields.at("color"), names, COLOR_HINT);
      section.color = {};
      for (const entry of map.map.entries)
        section.color[column(entry.key, entry.value, map.at(entry.key))] = readCellRule(
          checker,
          entry.value,
          map.at(entry.key),
        );
    }
    const title = fields.text("title");
    if (title !== undefined) section.title = title;
    const limit = fields.integer("limit", 1, 100_000);
    if (limit !== undefined) section.limit = limit;
    return section;
  },
  profile: ({ checker, value, at, path }) => ({
    kind: "profile",
    columns: readProfileColumns(checker, value, at),
    path,
  }),
  text: ({ checker, value, at, path }) => {
    if (value.kind !== "scalar" || typeof value.value !== "string" || value.value === "") {
      return checker.fail(
        value.pos,
        at,
        `expected text, found ${describe(value)}`,
        "text: |\n    A paragraph.",
      );
    }
    return { kind: "text", text: value.value, path };
  },
  changes: ({ checker, value, at, path }) => {
    const section: SectionSpecOf["changes"] = { kind: "changes", path };
    // `- changes:` with nothing after it, `- changes: {}` or `- changes: { title: ... }`.
    if (value.kind === "scalar" && value.value === null) return section;
    const fields = new Fields(checker, value, at, ["title"], "changes: { title: Since yesterday }");
    const title = fields.text("title");
    if (title !== undefined) section.title = title;
    return section;
  },
};

const COLOR_HINT =
  "color: { return_rate: { above: 0.1 }, revenue: { below: 1000 }, orders: { above: 50, tone: good } }";

/** One column's `color:` rule: `above`, `below` or both (below < above), and a tone (default bad). */
function readCellRule(checker: Checker, node: YNode, at: FieldPath): CellRule {
  const fields = new Fields(checker, node, at, ["above", "below", "tone"], COLOR_HINT);
  const rule: CellRule = { tone: fields.oneOf("tone", CELL_TONES) ?? "bad" };
  const above = readNumber(checker, fields, "above", COLOR_HINT);
  const below = readNumber(checker, fields, "below", COLOR_HINT);
  if (above === undefined && below === undefined)
    return checker.fail(node.pos, at, "give a threshold: above, below or both", COLOR_HINT);
  if (above !== undefined && below !== undefined && !(below < above)) {
    return checker.fail(
      node.pos,
      at,
      `'below' (${below}) must be less than 'above' (${above}): cells outside that band are flagged`,
      COLOR_HINT,
    );
  }
  if (above !== undefined) rule.above = above;
  if (below !== undefined) rule.below = below;
  return rule;
}

/** An optional finite number field. */
function readNumber(
  checker: Checker,
  fields: Fields,
  key: string,
  hint: string,
): number | undefined {
  const node = fields.node(key);
  if (node === undefined) return undefined;
  const value = node.kind === "scalar" ? Number(node.value) : Number.NaN;
  if (
    node.kind !== "scalar" ||
    typeof node.value === "boolean" ||
    node.value === "" ||
    !Number.isFinite(value)
  )
    return checker.fail(
      node.pos,
      fields.at(key),
      `expected a number, found ${describe(node)}`,
      hint,
    );
  return value;
}

/** `range: [lo, hi]` of a histogram: two numbers, lo below hi. */
function readRange(checker: Checker, fields: Fields): [number, number] | undefined {
  const node = fields.node("range");
  if (node === undefined) return undefined;
  const hint = "range: [0, 100]   (values outside are counted, not drawn)";
  if (node.kind !== "seq" || node.items.length !== 2) {
    return checker.fail(
      node.pos,
      fields.at("range"),
      `expected [low, high], found ${describe(node)}`,
      hint,
    );
  }
  const [lo, hi] = node.items.map((item, i) => {
    const value = item.kind === "scalar" ? Number(item.value) : Number.NaN;
    if (
      item.kind !== "scalar" ||
      typeof item.value === "boolean" ||
      item.value === null ||
      item.value === "" ||
      !Number.isFinite(value)
    ) {
      return checker.fail(
        item.pos,
        [...fields.at("range"), i],
        `expected a number, found ${describe(item)}`,
        hint,
      );
    }
    return value;
  });
  if (!(lo < hi)) {
    return checker.fail(
      node.pos,
      fields.at("range"),
      `the low end (${lo}) must be below the high end (${hi})`,
      hint,
    );
  }
  return [lo, hi];
}

/** A query's output columns: its group keys, then its measures. */
function queryColumns(query: QuerySpec): string[] {
  return [...query.groupBy.map((g) => g.name), ...query.measures.map((m) => m.name)];
}

function readQueryName(
  checker: Checker,
  fields: Fields,
  queries: Record<string, QuerySpec>,
): string {
  const name = fields.requiredText("query", "Name a query from `queries:`.");
  if (queries[name] === undefined) {
    const names = Object.keys(queries);
    checker.failReference(
      [`query:${name}`],
      fields.node("query")!.pos,
      fields.at("query"),
      `no query named ${quoted(fields.node("query")!, name)}${didYouMean(name, names)}`,
      names.length === 0
        ? "Define it under `queries:` at the top level."
        : `Queries: ${names.join(", ")}.`,
    );
  }
  return name;
}

function readChart(
  checker: Checker,
  node: YNode,
  at: FieldPath,
  path: FieldPath,
  queries: Record<string, QuerySpec>,
): SectionSpecOf["chart"] {
  const fields = new Fields(checker, node, at, CHART_FIELDS, CHART_HINT);
  const title = fields.requiredText("title");
  const queryName = readQueryName(checker, fields, queries);
  return readChartFields(checker, fields, { title, queryName, query: queries[queryName], path });
}

function readKpis(checker: Checker, node: YNode, at: FieldPath): KpiSpec[] {
  if (node.kind !== "seq" || node.items.length === 0) {
    checker.fail(
      node.pos,
      at,
      `expected a list of KPIs, found ${node.kind === "seq" ? "an empty list" : describe(node)}`,
      "kpis:\n    - { label: Revenue, value: sum(revenue), format: currency }",
    );
  }
  return node.items.flatMap((item, index) => {
    const label = fieldText(item, "label");
    const kpi = checker.attempt(
      () => readKpi(checker, item, [...at, index]),
      label === undefined ? "kpis" : `kpi:${label}`,
    );
    return kpi === undefined ? [] : [kpi];
  });
}

function readKpi(checker: Checker, item: YNode, path: FieldPath): KpiSpec {
  const fields = new Fields(
    checker,
    item,
    path,
    ["label", "value", "format", "filter", "compare"],
    "- { label: Orders, value: count(), format: integer }",
  );
  const label = fields.requiredText("label");
  const valueNode =
    fields.node("value") ?? fields.missing("value", "A measure such as sum(revenue) or count().");
  const measure = readMeasure(checker, label, valueNode, fields.at("value"));
  const counted = measure.op === "count" || measure.op === "count_distinct";
  const kpi: KpiSpec = {
    label,
    measure,
    format: fields.oneOf("format", VALUE_FORMATS) ?? (counted ? "integer" : "number"),
    filter: readFilters(checker, fields),
    path,
  };
  const compare = fields.node("compare");
  if (compare !== undefined) {
    const cmp = new Fields(
      checker,
      compare,
      fields.at("compare"),
      ["column", "period", "complete_periods", "sparkline"],
      "compare: { column: order_date, period: month }",
    );
    kpi.compare = {
      column: cmp.requiredText("column", "The date column to compare periods of, e.g. order_date."),
      unit:
        cmp.oneOf("period", TIME_UNITS) ??
        cmp.missing("period", `period: ${TIME_UNITS.join(" | ")}`),
      path: fields.at("compare"),
    };
    const complete = cmp.flag("complete_periods");
    if (complete !== undefined) kpi.compare.completePeriods = complete;
    const sparkline = cmp.flag("sparkline");
    if (sparkline !== undefined) kpi.compare.sparkline = sparkline;
  }
  return kpi;
}

function readProfileColumns(checker: Checker, node: YNode, at: FieldPath): "all" | string[] {
  if (
    node.kind === "scalar" &&
    typeof node.value === "string" &&
    node.value.toLowerCase() === "all"
  )
    return "all";
  if (node.kind === "seq" && node.items.length > 0) {
    return node.items.map((item, i) => {
      if (
        item.kind !== "scalar" ||
        item.value === null ||
        typeof item.value === "boolean" ||
        item.value === ""
      ) {
        return checker.fail(
          item.pos,
          [...at, i],
          `expected a column name, found ${describe(item)}`,
        );
      }
      return String(item.value);
    });
  }
  return checker.fail(
    node.pos,
    at,
    `expected 'all' or a list of columns, found ${describe(node)}`,
    "profile: all   or   profile: [revenue, region]",
  );
}
