// A `vega_lite:` section as a chart: the analyst's own Vega-Lite spec, checked against
// Vega-Lite's schema and the data's columns (each problem at its path in the definition),
// given the rows of the query or table it names, the report's theme (its config merged under
// the spec's own, fonts kept) and the chart's width, then drawn like every other chart to a
// static, accessible SVG. Selections (`params` with `select`) draw in their empty state.
import type { TopLevelSpec } from "vega-lite";
import type { Json, JsonObject, ReportSpec, VegaLiteSection } from "../config/spec.ts";
import type { FormatLocale } from "../format.ts";
import { formatInteger } from "../format.ts";
import { notFound, specError } from "../summarize/spec-error.ts";
import type { QueryResult, Summary } from "../summarize/summary.ts";
import { type ChartTable, formatKey } from "./describe.ts";
import { fieldTitle } from "./spec.ts";
import { chartView } from "./svg.ts";
import { chartConfig, FONT_STACK } from "./theme.ts";
import { type SpecPath, specProblems, vegaLiteSchema } from "./vl-schema.ts";

/** Height of a single-view custom chart that sets none, as the built-in charts' plot. */
const PLOT_HEIGHT = 240;

const SPEC_HINT =
  "A vega_lite section is a Vega-Lite 6 spec (vega.github.io/vega-lite/docs) written in YAML, with data: { query: <name> } or data: { table: true }.";

let schema: Awaited<ReturnType<typeof vegaLiteSchema>> | undefined;

/** Load Vega-Lite's schema when the definition has a `vega_lite` section (before sectionChart). */
export async function prepareVegaLite(spec: ReportSpec): Promise<void> {
  if (schema === undefined && spec.sections.some((s) => s.kind === "vega_lite"))
    schema = await vegaLiteSchema();
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A copy of `spec` with the object at each data path replaced by `replace(path)`. */
function withData(
  spec: JsonObject,
  section: VegaLiteSection,
  replace: (key: string) => JsonObject,
): JsonObject {
  const copy = structuredClone(spec);
  for (const key of Object.keys(section.data)) {
    const parts = key.split(".");
    let node: Json = copy;
    for (const part of parts.slice(0, -1)) {
      node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : null;
    }
    const last = parts[parts.length - 1];
    if (isObject(node)) node[last] = replace(key);
  }
  return copy;
}

/** The rows each data path draws from. */
function dataRows(
  spec: ReportSpec,
  summary: Summary,
  section: VegaLiteSection,
  index: number,
): Map<string, QueryResult> {
  const rows = new Map<string, QueryResult>();
  for (const [key, data] of Object.entries(section.data)) {
    if ("query" in data) {
      const result = summary.queries[data.query];
      if (result === undefined)
        throw specError(
          spec,
          [...section.path, "vega_lite", ...key.split("."), "query"],
          notFound("query", data.query, Object.keys(summary.queries)),
        );
      rows.set(key, result);
    } else {
      const result = summary.chartRows?.[index];
      if (result === undefined)
        throw new Error(`summarize kept no table rows for section ${index} (vega_lite)`);
      rows.set(key, result);
    }
  }
  return rows;
}

/** Names a spec's transforms make (`as`), and whether it makes names that cannot be known. */
function producedNames(spec: Json): { names: Set<string>; open: boolean } {
  const names = new Set<string>(["key", "value"]);
  let open = false;
  const walk = (node: Json) => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "as") {
          for (const name of Array.isArray(value) ? value : [value])
            if (typeof name === "string") names.add(name);
        }
        // pivot makes one field per value; flatten and fold without `as` keep their inputs'.
        if (key === "pivot") open = true;
        walk(value);
      }
    }
  };
  walk(spec);
  return { names, open };
}

/** vega-lite reads "a.b" as a path into nested objects; "a\.b" is the field named "a.b". */
function unescapeField(field: string): string {
  return field.replace(/\\(.)/g, "$1");
}

/**
 * Every `field` (and `groupby` name) must be a column of the data or a name a transform
 * makes: vega-lite draws nothing, silently, for a misspelt one. The first wrong one is
 * reported at its path with the nearest column.
 */
function checkFields(
  spec: ReportSpec,
  section: VegaLiteSection,
  rows: Map<string, QueryResult>,
): void {
  const columns = [...new Set([...rows.values()].flatMap((r) => r.columns.map((c) => c.name)))];
  const { names, open } = producedNames(section.spec);
  if (open) return;
  const known = new Set([...columns, ...names]);
  const where = (path: SpecPath) => [...section.path, "vega_lite", ...path];
  const check = (name: string, path: SpecPath) => {
    if (known.has(unescapeField(name)) || known.has(name)) return;
    const source = [...rows.entries()].map(([, r]) =>
      r.name === "table" ? "the table" : `query '${r.name}'`,
    );
    throw specError(
      spec,
      where(path),
      `in ${[...new Set(source)].join(" or ")}: ${notFound("column", unescapeField(name), columns)}`,
      "A field names a column of the chart's data, or a name a transform makes with `as`.",
    );
  };
  const walk = (node: Json, path: SpecPath) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, [...path, i]);
      });
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "config" || key === "params" || key === "data") continue;
      if (key === "field" && typeof value === "string") check(value, [...path, key]);
      else if (key === "groupby" && Array.isArray(value))
        value.forEach((name, i) => {
          if (typeof name === "string") check(name, [...path, key, i]);
        });
      else walk(value, [...path, key]);
    }
  };
  walk(section.spec, []);
}

/** Deep merge of `over` onto `base` (maps merge, everything else replaces). */
function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = out[key];
    out[key] = isObject(under) && isObject(value) ? merge(under, value) : value;
  }
  return out;
}

/** The report's theme under the spec's own config, with the report's fonts kept throughout. */
function themed(loc: FormatLocale, own: Json | undefined): JsonObject {
  const theme = chartConfig(loc) as unknown as JsonObject;
  const config = isObject(own) ? merge(theme, own) : theme;
  config.font = FONT_STACK;
  for (const part of ["axis", "legend", "header"] as const) {
    const block = isObject(config[part]) ? config[part] : {};
    config[part] = { ...block, labelFont: FONT_STACK, titleFont: FONT_STACK };
  }
  config.title = { ...(isObject(config.title) ? config.title : {}), font: FONT_STACK };
  return config;
}

/** The spec to draw at `width`: data filled in, theme merged, sized when it sets no size. */
function drawable(
  section: VegaLiteSection,
  rows: Map<string, QueryResult>,
  loc: FormatLocale,
  width: number,
): TopLevelSpec {
  const spec = withData(section.spec, section, (key) => ({
    values: (rows.get(key)?.rows ?? []) as JsonObject[],
  }));
  // The page shows the title and description (and the SVG's <title> and <desc> carry them).
  delete spec.title;
  delete spec.description;
  spec.config = themed(loc, spec.config);
  // A single view (not a facet, concat or repeat, which vega-lite cannot fit to a width).
  const encoding = isObject(spec.encoding) ? spec.encoding : {};
  const single =
    ("mark" in spec || "layer" in spec) &&
    !("facet" in encoding || "row" in encoding || "column" in encoding);
  if (single && !("width" in spec)) {
    spec.width = width;
    if (!("autosize" in spec)) spec.autosize = { type: "fit", contains: "padding" };
  }
  if (single && !("height" in spec)) spec.height = PLOT_HEIGHT;
  return spec as unknown as TopLevelSpec;
}

const MARK_WORDS: Record<string, string> = {
  bar: "Bar chart",
  line: "Line chart",
  area: "Area chart",
  point: "Scatter plot",
  circle: "Scatter plot",
  square: "Scatter plot",
  rect: "Heat map",
  arc: "Pie chart",
  tick: "Strip plot",
  boxplot: "Box plot",
  errorbar: "Error bars",
  errorband: "Error band",
  trail: "Trail chart",
  text: "Text chart",
  rule: "Rule chart",
  geoshape: "Map",
};

/** A channel in words: its title, else its field, else what it counts. */
function channelWords(channel: Json | undefined): string | undefined {
  if (!isObject(channel)) return undefined;
  if (typeof channel.title === "string") return channel.title.toLowerCase();
  const field = typeof channel.field === "string" ? fieldTitle(unescapeField(channel.field)) : "";
  const aggregate = typeof channel.aggregate === "string" ? channel.aggregate : undefined;
  if (aggregate === "count") return "count of rows";
  if (field === "") return undefined;
  return aggregate === undefined ? field.toLowerCase() : `${aggregate} of ${field.toLowerCase()}`;
}

/**
 * "Bar chart of mean of temp by station and year, from the table's 1,200 rows." from the
 * spec's (or its first layer's) mark and encoding; "Custom chart from query 'q' (5 rows)."
 * when they say too little.
 */
export function describeVegaLite(
  section: VegaLiteSection,
  rows: Map<string, QueryResult>,
  loc: FormatLocale,
): string {
  const spec = section.spec;
  const first = Array.isArray(spec.layer) && isObject(spec.layer[0]) ? spec.layer[0] : spec;
  const mark = isObject(first.mark) ? first.mark.type : first.mark;
  const encoding = isObject(first.encoding)
    ? first.encoding
    : isObject(spec.encoding)
      ? spec.encoding
      : {};
  const chart = (typeof mark === "string" && MARK_WORDS[mark]) || "Custom chart";
  const sources = [...new Set([...rows.values()])].map((r) =>
    r.name === "table"
      ? `the table's ${formatInteger(r.rows.length, loc)} rows`
      : `query ${r.name} (${formatInteger(r.rows.length, loc)} rows)`,
  );
  const value = channelWords(encoding.y) ?? channelWords(encoding.theta);
  const keys = [encoding.x, encoding.color, encoding.column, encoding.row, encoding.facet]
    .map(channelWords)
    .filter((w): w is string => w !== undefined);
  const x = channelWords(encoding.x);
  const what =
    value !== undefined && keys.length > 0 && value !== x
      ? ` of ${value} by ${keys.filter((k) => k !== value).join(" and ")}`
      : keys.length > 0
        ? ` of ${keys.join(" and ")}`
        : "";
  return `${chart}${what}, from ${sources.join(" and ")}.`;
}

/** A query's rows as text, formatted like the report's tables. */
function queryTable(result: QueryResult, loc: FormatLocale): ChartTable {
  return {
    columns: result.columns.map((c) => fieldTitle(c.name)),
    rows: result.rows.map((row) =>
      result.columns.map((c) =>
        formatKey(
          row[c.name],
          c.type === "string" || c.type === "boolean" ? undefined : c.type,
          loc,
        ),
      ),
    ),
  };
}

interface SceneMark {
  role?: string;
  items?: { datum?: Record<string, unknown>; items?: SceneMark[] }[];
}

/**
 * The values behind the drawn marks, as text: what the spec's transforms made of the table's
 * rows (one row per bar, point or line vertex), for the chart's accessible table.
 */
export async function marksTable(spec: TopLevelSpec, loc: FormatLocale): Promise<ChartTable> {
  const view = chartView(spec);
  try {
    await view.runAsync();
    const datums: Record<string, unknown>[] = [];
    const walk = (mark: SceneMark) => {
      for (const item of mark.items ?? []) {
        if (mark.role === "mark" && item.datum !== undefined) datums.push(item.datum);
        for (const child of item.items ?? []) walk(child);
      }
    };
    walk((view.scenegraph() as unknown as { root: SceneMark }).root);
    // vega's selection ids are bookkeeping; vega-lite's own names (`__count`) are values.
    const keys = [...new Set(datums.flatMap((d) => Object.keys(d)))].filter(
      (key) => !key.startsWith("_vgsid_"),
    );
    const cell = (value: unknown) =>
      value instanceof Date
        ? formatKey(value.toISOString(), "timestamp", loc)
        : formatKey(value as string | number | boolean | null, undefined, loc);
    return {
      columns: keys.map(fieldTitle),
      rows: datums.map((datum) => keys.map((key) => cell(datum[key]))),
    };
  } finally {
    view.finalize();
  }
}

/** What sectionChart needs of a `vega_lite` section: checked, described, drawable at any width. */
export function vegaLiteChart(
  spec: ReportSpec,
  summary: Summary,
  section: VegaLiteSection,
  index: number,
): {
  description: string;
  specFor: (width: number) => TopLevelSpec;
  /** The query's rows; for the table, undefined: the drawn marks' values (marksTable). */
  table?: ChartTable;
} {
  if (schema === undefined) throw new Error("prepareVegaLite must run before a vega_lite chart");
  const loc: FormatLocale = { locale: spec.locale, currency: spec.currency };
  const rows = dataRows(spec, summary, section, index);
  const named = withData(section.spec, section, (key) => ({ name: key }));
  const [problem] = specProblems(schema, named);
  if (problem !== undefined)
    throw specError(
      spec,
      [...section.path, "vega_lite", ...problem.path],
      problem.message,
      SPEC_HINT,
    );
  checkFields(spec, section, rows);
  const specFor = (width: number) => drawable(section, rows, loc, width);
  try {
    // Compile and lay out once now, so vega-lite's own errors stop the build at this section.
    chartView(specFor(880)).finalize();
  } catch (error) {
    throw specError(
      spec,
      [...section.path, "vega_lite"],
      `Vega-Lite cannot draw this spec: ${(error as Error).message}`,
      SPEC_HINT,
    );
  }
  return {
    description: section.description ?? describeVegaLite(section, rows, loc),
    specFor,
    ...(!Object.values(section.data).some((d) => "table" in d) && {
      table: queryTable([...rows.values()][0], loc),
    }),
  };
}
