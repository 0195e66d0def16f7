// The words and numbers behind each chart: a one-sentence description for screen readers
// (the SVG's <desc>) and the data as a table of formatted cells, so nothing is only visual.

import { isNumeric, isTemporal } from "../column-type.ts";
import type { ChartMark, ChartSection, ChartStack, TimeUnit } from "../config/spec.ts";
import {
  type FormatLocale,
  formatCompact,
  formatDate,
  formatInteger,
  formatNumber,
  formatStat,
  formatValue,
  MISSING,
} from "../format.ts";
import type { Cell, ColumnProfile, ColumnType, QueryResult } from "../summarize/summary.ts";
import { fieldTitle, type OutsideLabels, valueFormatOf } from "./spec.ts";

/** A chart's numbers as text: header cells and rows of formatted cells. */
export interface ChartTable {
  columns: string[];
  rows: string[][];
}

/** How a chart's series are drawn, by stack, in its description. */
const STACK_WORDS: Record<"bar" | "area", Record<ChartStack, string>> = {
  bar: { zero: "stacked", normalize: "stacked to 100%", none: "side by side" },
  area: { zero: "stacked", normalize: "stacked to 100%", none: "overlapping" },
};

const MARK_NAMES: Record<ChartMark, [chart: string, items: string]> = {
  bar: ["Bar chart", "bars"],
  line: ["Line chart", "points"],
  area: ["Area chart", "points"],
  point: ["Scatter plot", "points"],
};

function words(name: string): string {
  return name.replace(/[_-]+/g, " ").trim() || name;
}

/** One cell of a key column (x or color): dates by their bucket, numbers grouped. */
export function formatKey(
  value: Cell | undefined,
  type: ColumnType | undefined,
  loc: FormatLocale,
  unit?: TimeUnit,
): string {
  if (value === null || value === undefined) return MISSING;
  if (isTemporal(type)) return formatDate(value, loc, unit);
  // A whole-number key is a label (a year, a code): 2015, not 2,015.
  if (type === "integer") return String(value);
  if (typeof value === "number") return formatNumber(value, loc);
  return String(value);
}

/** "Bar chart of revenue by region, 5 bars; highest Europe ($1.2M), lowest Middle East & Africa ($200K)." */
export function describeChart(
  section: ChartSection,
  data: QueryResult,
  loc: FormatLocale,
  xUnit?: TimeUnit,
  stack?: ChartStack,
): string {
  const types = new Map(data.columns.map((c) => [c.name, c.type]));
  const [chart, items] = MARK_NAMES[section.mark];
  const by =
    section.color === undefined
      ? words(section.x)
      : `${words(section.x)} and ${words(section.color)}`;
  let text = `${chart} of ${words(section.y)} by ${by}, ${formatInteger(data.rows.length, loc)} ${items}`;
  if (section.color !== undefined) {
    const groups = new Set(data.rows.map((row) => row[section.color!])).size;
    text += ` in ${formatInteger(groups, loc)} ${words(section.color)} groups`;
    if (stack !== undefined)
      text += `, ${STACK_WORDS[section.mark === "bar" ? "bar" : "area"][stack]}`;
  }
  const points = data.rows.filter(
    (row) => typeof row[section.y] === "number" && Number.isFinite(row[section.y]),
  );
  if (points.length === 0) return `${text}; no values.`;
  const xType = types.get(section.x);
  const label = (row: Record<string, Cell>) => {
    const x = formatKey(row[section.x], xType, loc, xUnit);
    return section.color === undefined
      ? x
      : `${x}, ${formatKey(row[section.color], types.get(section.color), loc)}`;
  };
  if (isTemporal(xType) || isNumeric(xType)) {
    const keys = data.rows
      .map((row) => row[section.x])
      .filter((v) => v !== null && v !== undefined);
    const sorted = [...keys].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0));
    if (sorted.length > 1) {
      text += ` from ${formatKey(sorted[0], xType, loc, xUnit)} to ${formatKey(sorted[sorted.length - 1], xType, loc, xUnit)}`;
    }
  }
  if (section.yScale === "log") text += ", on a log scale";
  const panels = [section.facet?.row, section.facet?.column].filter(
    (name): name is string => name !== undefined,
  );
  if (panels.length > 0) {
    const count = new Set(data.rows.map((row) => panels.map((p) => String(row[p])).join("\u0000")))
      .size;
    text += `, in ${formatInteger(count, loc)} panels by ${panels.map(words).join(" and ")}`;
  }
  const format = valueFormatOf(types.get(section.y), section.format);
  let high = points[0];
  let low = points[0];
  for (const row of points) {
    if ((row[section.y] as number) > (high[section.y] as number)) high = row;
    if ((row[section.y] as number) < (low[section.y] as number)) low = row;
  }
  const value = (row: Record<string, Cell>) => formatCompact(row[section.y], loc, format);
  if (points.length === 1) return `${text}; ${label(high)} (${value(high)}).`;
  return `${text}; highest ${label(high)} (${value(high)}), lowest ${label(low)} (${value(low)}).`;
}

/** The rows behind a chart, in the query's order, with x (and color) and y formatted. */
export function chartTable(
  section: ChartSection,
  data: QueryResult,
  loc: FormatLocale,
  xUnit?: TimeUnit,
): ChartTable {
  const types = new Map(data.columns.map((c) => [c.name, c.type]));
  const format = valueFormatOf(types.get(section.y), section.format);
  // The panels' keys first (as the chart is read), then x and color, then the value.
  const facetKeys = [section.facet?.row, section.facet?.column].filter(
    (name): name is string => name !== undefined && name !== section.x && name !== section.color,
  );
  const color = section.color !== section.x ? section.color : undefined;
  const columns = [
    ...facetKeys.map(fieldTitle),
    section.xTitle ?? fieldTitle(section.x),
    ...(color === undefined ? [] : [fieldTitle(color)]),
    section.yTitle ?? fieldTitle(section.y),
  ];
  const rows = data.rows.map((row) => {
    const cells = facetKeys.map((key) => formatKey(row[key], types.get(key), loc));
    cells.push(formatKey(row[section.x], types.get(section.x), loc, xUnit));
    if (color !== undefined) cells.push(formatKey(row[color], types.get(color), loc));
    cells.push(formatValue(row[section.y], format, loc));
    return cells;
  });
  return { columns, rows };
}

function binEdge(value: number | string, profile: ColumnProfile, loc: FormatLocale): string {
  if (isTemporal(profile.type)) return formatDate(value, loc);
  // Tiny values (0.000123) keep three significant digits rather than rounding to 0.
  return profile.type === "integer" ? formatNumber(value, loc, 0) : formatStat(value, loc);
}

/** "Histogram of price, 20 bins from 0 to 100; most values (1,234) between 40 and 45." */
export function describeHistogram(profile: ColumnProfile, loc: FormatLocale): string {
  const bins = profile.histogram ?? [];
  const name = words(profile.name);
  if (bins.length === 0) return `Histogram of ${name}: no values.`;
  let peak = bins[0];
  for (const bin of bins) if (bin.count > peak.count) peak = bin;
  const first = binEdge(bins[0].start, profile, loc);
  const last = binEdge(bins[bins.length - 1].end, profile, loc);
  return (
    `Histogram of ${name}, ${formatInteger(bins.length, loc)} bins from ${first} to ${last}; ` +
    `most values (${formatInteger(peak.count, loc)}) between ${binEdge(peak.start, profile, loc)} and ${binEdge(peak.end, profile, loc)}.`
  );
}

/**
 * What a histogram leaves out of its bins or scales, in words: "12 values above 40 and 3 below 0
 * are counted in the separate bars at the ends. Log scale: each bar spans the same ratio."
 * Undefined when it bins every value linearly.
 */
export function histogramNote(profile: ColumnProfile, loc: FormatLocale): string | undefined {
  const bins = profile.histogram ?? [];
  if (bins.length === 0) return undefined;
  const parts: string[] = [];
  const below = profile.histogramBelow ?? 0;
  const above = profile.histogramAbove ?? 0;
  const values = (n: number) => `${formatInteger(n, loc)} ${n === 1 ? "value" : "values"}`;
  const outside: string[] = [];
  if (above > 0) outside.push(`${values(above)} above ${aboveEdge(profile, loc)}`);
  if (below > 0) outside.push(`${values(below)} below ${binEdge(bins[0].start, profile, loc)}`);
  if (outside.length > 0) {
    const max =
      profile.max === undefined ? "" : `; the largest is ${binEdge(profile.max, profile, loc)}`;
    const range = above > 0 && below === 0 ? max : "";
    const verb = above + below === 1 ? "is" : "are";
    // Numbers outside are drawn as separate end bars (spec.ts); dates are left out.
    const where = isTemporal(profile.type)
      ? "not shown"
      : `counted in the separate ${outside.length === 1 ? "bar" : "bars"} at the ${outside.length === 1 ? "end" : "ends"}`;
    parts.push(`${outside.join(" and ")} ${verb} ${where}${range}.`);
  }
  if (profile.histogramScale === "log") {
    parts.push(
      "Log scale: each bar spans the same ratio, chosen because a few values are far larger than most.",
    );
  }
  const note = parts.join(" ").trim();
  return note === "" ? undefined : note;
}

/** The largest value a histogram draws: integer bins are half-open, so one below their last edge. */
function aboveEdge(profile: ColumnProfile, loc: FormatLocale): string {
  const bins = profile.histogram ?? [];
  const end = Number(bins[bins.length - 1].end);
  const integerBins = profile.type === "integer" && profile.histogramScale !== "log";
  return binEdge(integerBins ? end - 1 : end, profile, loc);
}

/** The under/overflow bars' labels ("< 0", "> 39") and hover titles; absent sides have none. */
export function outsideLabels(profile: ColumnProfile, loc: FormatLocale): OutsideLabels {
  const bins = profile.histogram ?? [];
  const out: OutsideLabels = {};
  if (bins.length === 0 || isTemporal(profile.type)) return out;
  const values = (n: number) => `${formatInteger(n, loc)} ${n === 1 ? "value" : "values"}`;
  const below = profile.histogramBelow ?? 0;
  const above = profile.histogramAbove ?? 0;
  if (below > 0) {
    const edge = binEdge(bins[0].start, profile, loc);
    out.below = {
      label: `< ${edge}`,
      count: formatInteger(below, loc),
      tip: `below ${edge}: ${values(below)}`,
    };
  }
  if (above > 0) {
    const edge = aboveEdge(profile, loc);
    out.above = {
      label: `> ${edge}`,
      count: formatInteger(above, loc),
      tip: `above ${edge}: ${values(above)}`,
    };
  }
  return out;
}

/** Each bin in words, for its bar's hover title: "10 – 20: 1,234 values" ("10–20: 1,234" when `short`). */
export function binTips(profile: ColumnProfile, loc: FormatLocale, short = false): string[] {
  return (profile.histogram ?? []).map((bin) => {
    const from = binEdge(bin.start, profile, loc);
    const to = binEdge(bin.end, profile, loc);
    const count = formatInteger(bin.count, loc);
    return short
      ? `${from}–${to}: ${count}`
      : `${from} – ${to}: ${count} ${bin.count === 1 ? "value" : "values"}`;
  });
}

/** Each row of a chart's table in words ("Europe, Online: $1.2M"), for its mark's hover title. */
export function rowTips(table: ChartTable): string[] {
  return table.rows.map((cells) => `${cells.slice(0, -1).join(", ")}: ${cells[cells.length - 1]}`);
}

/** A histogram's bins as rows: from, to, count; values it does not draw as rows of their own. */
export function histogramTable(profile: ColumnProfile, loc: FormatLocale): ChartTable {
  const bins = profile.histogram ?? [];
  const rows = bins.map((bin) => [
    binEdge(bin.start, profile, loc),
    binEdge(bin.end, profile, loc),
    formatInteger(bin.count, loc),
  ]);
  const below = profile.histogramBelow ?? 0;
  const above = profile.histogramAbove ?? 0;
  if (below > 0 && profile.min !== undefined) {
    rows.unshift([
      binEdge(profile.min, profile, loc),
      `below ${binEdge(bins[0].start, profile, loc)}`,
      formatInteger(below, loc),
    ]);
  }
  if (above > 0 && profile.max !== undefined) {
    rows.push([
      `above ${aboveEdge(profile, loc)}`,
      binEdge(profile.max, profile, loc),
      formatInteger(above, loc),
    ]);
  }
  return { columns: ["From", "To", "Count"], rows };
}
