// The fields of a `chart:` section: which columns go on which channel (`x: region` or
// `x: { field: region, title: Sales region }`), and the options that shape the chart (stack,
// grouped bars, facets, sort, log scale, fixed colours). Every combination that would draw
// something misleading or nothing at all is refused here, at the field's line.
import {
  CHART_MARKS,
  CHART_OFFSETS,
  CHART_SCALES,
  CHART_STACKS,
  type ChartScale,
  VALUE_FORMATS,
} from "../vocabulary.ts";
import { didYouMean } from "./closest.ts";
import { isCssColor } from "./css-color.ts";
import { type Checker, describe, Fields, quoted, scalarText } from "./fields.ts";
import type { ChartFacet, ChartSort, FieldPath, QuerySpec, SectionSpecOf } from "./spec.ts";

/** The fields a `chart:` section may have. */
export const CHART_FIELDS = [
  "title",
  "description",
  "query",
  "mark",
  "x",
  "y",
  "color",
  "format",
  "stack",
  "offset",
  "facet",
  "sort",
  "colors",
] as const;

export const CHART_HINT =
  "chart: { title: Revenue by region, query: by_region, mark: bar, x: region, y: revenue }";

const CHANNEL_FIELDS = { x: ["field", "title"], y: ["field", "title", "scale"] } as const;

/** What the section reader already read: the title, the query and where the section sits. */
export interface ChartBasics {
  title: string;
  queryName: string;
  query: QuerySpec;
  path: FieldPath;
}

/** One channel as written: a column name, or `{ field, title, scale }`. */
interface Channel {
  field: string;
  title?: string;
  scale?: ChartScale;
}

/** Read the fields of a chart section after its title and query (see CHART_FIELDS). */
export function readChartFields(
  checker: Checker,
  fields: Fields,
  basics: ChartBasics,
): SectionSpecOf["chart"] {
  const { queryName, query } = basics;
  const columns = [...query.groupBy.map((g) => g.name), ...query.measures.map((m) => m.name)];
  const checkColumn = (name: string, node: Parameters<typeof quoted>[0], path: FieldPath) => {
    if (!columns.includes(name)) {
      checker.fail(
        node.pos,
        path,
        `${quoted(node, name)} is not a column of query '${queryName}'${didYouMean(name, columns)}`,
        `Its columns are ${columns.join(", ")}.`,
      );
    }
    return name;
  };
  const channel = (key: "x" | "y"): Channel => {
    const node = fields.node(key);
    if (node?.kind === "map") {
      const map = new Fields(
        checker,
        node,
        fields.at(key),
        CHANNEL_FIELDS[key],
        `${key}: { field: ${columns[0] ?? "region"}, title: ${key === "x" ? "Sales region" : "Revenue (USD)"} }`,
      );
      const field = map.requiredText("field", `One of the query's columns: ${columns.join(", ")}.`);
      const out: Channel = { field: checkColumn(field, map.node("field")!, map.at("field")) };
      const title = map.text("title");
      if (title !== undefined) out.title = title;
      if (key === "y") {
        const scale = map.oneOf("scale", CHART_SCALES);
        if (scale !== undefined) out.scale = scale;
      }
      return out;
    }
    const field = fields.requiredText(key, `One of the query's columns: ${columns.join(", ")}.`);
    return { field: checkColumn(field, fields.node(key)!, fields.at(key)) };
  };
  const mark =
    fields.oneOf("mark", CHART_MARKS) ?? fields.missing("mark", `mark: ${CHART_MARKS.join(" | ")}`);
  const x = channel("x");
  const y = channel("y");
  const section: SectionSpecOf["chart"] = {
    kind: "chart",
    title: basics.title,
    query: queryName,
    mark,
    x: x.field,
    y: y.field,
    path: basics.path,
  };
  if (x.title !== undefined) section.xTitle = x.title;
  if (y.title !== undefined) section.yTitle = y.title;
  if (y.scale !== undefined) section.yScale = y.scale;
  const color = fields.text("color");
  if (color !== undefined)
    section.color = checkColumn(color, fields.node("color")!, fields.at("color"));
  const description = fields.text("description");
  if (description !== undefined) section.description = description;
  const format = fields.oneOf("format", VALUE_FORMATS);
  if (format !== undefined) section.format = format;

  const needsColor = (key: string, what: string) => {
    if (section.color === undefined)
      checker.fail(
        fields.node(key)!.pos,
        fields.at(key),
        `${what} needs \`color\`: it applies to the series that color splits the chart into`,
        `Add color: <a column of query '${queryName}'>, or remove ${key}.`,
      );
  };
  const stack = fields.oneOf("stack", CHART_STACKS);
  if (stack !== undefined) {
    if (mark !== "bar" && mark !== "area")
      checker.fail(
        fields.node("stack")!.pos,
        fields.at("stack"),
        `stack applies to bar and area charts, not ${mark}`,
        "Remove stack, or use mark: bar or mark: area.",
      );
    needsColor("stack", "stack");
    section.stack = stack;
  }
  const offset = fields.oneOf("offset", CHART_OFFSETS);
  if (offset !== undefined) {
    if (mark !== "bar")
      checker.fail(
        fields.node("offset")!.pos,
        fields.at("offset"),
        `offset (grouped bars) applies to bar charts, not ${mark}`,
        "Remove offset, or use mark: bar.",
      );
    needsColor("offset", "offset");
    if (stack === "zero" || stack === "normalize")
      checker.fail(
        fields.node("offset")!.pos,
        fields.at("offset"),
        `offset: color sets bars side by side, which contradicts stack: ${stack}`,
        "Keep one: offset: color for grouped bars, or stack for stacked ones.",
      );
    section.offset = offset;
  }
  if (y.scale === "log" && (stack === "zero" || stack === "normalize")) {
    checker.fail(
      fields.node("stack")!.pos,
      fields.at("stack"),
      `stack: ${stack} cannot be drawn on a log scale (y.scale: log): stacked lengths would not add up`,
      "Use stack: none (or offset: color for bars), or a linear scale.",
    );
  }
  const facet = readFacet(checker, fields, checkColumn);
  if (facet !== undefined) section.facet = facet;
  const sort = readSort(checker, fields, section, checkColumn);
  if (sort !== undefined) section.sort = sort;
  const colorsNode = fields.node("colors");
  if (colorsNode !== undefined) {
    needsColor("colors", "colors");
    section.colors = readColors(checker, colorsNode, fields.at("colors"));
  }
  return section;
}

type CheckColumn = (name: string, node: Parameters<typeof quoted>[0], path: FieldPath) => string;

const FACET_HINT =
  "facet: { column: region, columns: 3 }   or   facet: { row: year, column: region }";

/** `facet: { row, column, columns }`. */
function readFacet(
  checker: Checker,
  fields: Fields,
  checkColumn: CheckColumn,
): ChartFacet | undefined {
  const node = fields.node("facet");
  if (node === undefined) return undefined;
  const map = new Fields(
    checker,
    node,
    fields.at("facet"),
    ["row", "column", "columns"],
    FACET_HINT,
  );
  const facet: ChartFacet = {};
  for (const key of ["row", "column"] as const) {
    const name = map.text(key);
    if (name !== undefined) facet[key] = checkColumn(name, map.node(key)!, map.at(key));
  }
  if (facet.row === undefined && facet.column === undefined)
    checker.fail(node.pos, fields.at("facet"), "give row, column or both", FACET_HINT);
  const columns = map.integer("columns", 1, 50);
  if (columns !== undefined) {
    if (facet.row !== undefined || facet.column === undefined)
      checker.fail(
        map.node("columns")!.pos,
        map.at("columns"),
        "columns wraps the panels of `column` into rows; it cannot be combined with `row`",
        "facet: { column: region, columns: 3 }",
      );
    facet.columns = columns;
  }
  return facet;
}

/** `sort: -revenue`, `sort: y`, `sort: x` (by the category's own order) or `sort: none`. */
function readSort(
  checker: Checker,
  fields: Fields,
  section: SectionSpecOf["chart"],
  checkColumn: CheckColumn,
): ChartSort | undefined {
  const node = fields.node("sort");
  if (node === undefined) return undefined;
  const text = scalarText(node)?.trim();
  if (node.kind !== "scalar" || text === undefined || text === "")
    return checker.fail(
      node.pos,
      fields.at("sort"),
      `expected a column to sort by, found ${describe(node)}`,
      "sort: -revenue   (largest first), sort: y, sort: x or sort: none",
    );
  if (text.toLowerCase() === "none") return "none";
  const descending = text.startsWith("-");
  const name = text.replace(/^[-+]\s*/, "");
  const aliases: Record<string, string> = { x: section.x, y: section.y };
  const column = aliases[name] ?? checkColumn(name, node, fields.at("sort"));
  return { column, descending };
}

/** `colors: { Europe: "#1f77b4", Asia: orange }`: a CSS colour per series. */
function readColors(
  checker: Checker,
  node: Parameters<typeof describe>[0],
  at: FieldPath,
): Record<string, string> {
  const hint = 'colors: { Europe: "#1f77b4", Asia: darkorange }   (quote hex colours in YAML)';
  if (node.kind !== "map" || node.entries.length === 0)
    return checker.fail(
      node.pos,
      at,
      `expected a map of series to colours, found ${describe(node)}`,
      hint,
    );
  const colors: Record<string, string> = {};
  for (const entry of node.entries) {
    const text = scalarText(entry.value);
    if (entry.value.kind !== "scalar" || text === undefined || !isCssColor(text))
      checker.fail(
        entry.value.pos,
        [...at, entry.key],
        entry.value.kind === "scalar" && entry.value.value === null
          ? "no colour given (in YAML an unquoted # starts a comment)"
          : `${describe(entry.value)} is not a CSS colour`,
        'Write a hex colour such as "#1f77b4" (quoted), rgb(31 119 180), or a CSS name such as steelblue.',
      );
    colors[entry.key] = text!.trim();
  }
  return colors;
}
