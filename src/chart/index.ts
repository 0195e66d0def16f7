// The chart stage: every chart the report's sections ask for, plus a small histogram per
// profiled numeric or date column (the first max_profile_charts of them), rendered to
// accessible inline SVG.

import type { TopLevelSpec } from "vega-lite";
import { isNumeric, isTemporal } from "../column-type.ts";
import type { ChartSection, FieldPath, HistogramSection, ReportSpec } from "../config/spec.ts";
import { ReportError } from "../errors.ts";
import type { FormatLocale } from "../format.ts";
import { packagePath } from "../package-root.ts";
import { cutText } from "../summarize/cut-text.ts";
import { notFound, specError, specLimitError } from "../summarize/spec-error.ts";
import type { ColumnProfile, ColumnType, QueryResult, Summary } from "../summarize/summary.ts";
import {
  binTips,
  type ChartTable,
  chartTable,
  describeChart,
  describeHistogram,
  histogramNote,
  histogramTable,
  outsideLabels,
  rowTips,
} from "./describe.ts";
import { chartSpec, histogramSpec, stackOf } from "./spec.ts";
import { accessibleSvg, hoistFill, renderSvg, resetSvgIds, useTextMeasurer } from "./svg.ts";
import { textMeasurerFor } from "./text-metrics.ts";
import { NARROW_WIDTH, WIDE_WIDTH } from "./theme.ts";
import { marksTable, prepareVegaLite, vegaLiteChart } from "./vega-lite.ts";

export type { ChartTable } from "./describe.ts";
export { chartSpec, histogramSpec } from "./spec.ts";
export { accessibleSvg, renderSvg, standaloneSvg } from "./svg.ts";
export { NARROW_WIDTH, WIDE_WIDTH } from "./theme.ts";

/** One chart, ready for the templates. */
export interface RenderedChart {
  /** Unique on the page; also the prefix of every id inside the SVG. */
  id: string;
  title: string;
  /** One sentence saying what the chart shows (the SVG's <desc>). */
  description: string;
  /**
   * Inline SVG at WIDE_WIDTH, for desktops, print and email: role="img", <title>, <desc>; no
   * xmlns (see standaloneSvg for files).
   */
  svg: string;
  /**
   * The same chart laid out for a phone (NARROW_WIDTH, fewer ticks, shorter labels), its id
   * `${id}-narrow`. Chart and histogram sections have one; profile sparklines do not. The page
   * shows exactly one of the two (theme.css), so only the visible one reaches screen readers.
   */
  narrow?: string;
  /** What the reader must know to read it: values not drawn, a log scale. */
  note?: string;
  /** The chart's numbers as formatted text, for a visually hidden or <details> table. */
  table: ChartTable;
}

export interface ChartSet {
  /** By index into ReportSpec.sections, for `chart` and `histogram` sections. */
  charts: Map<number, RenderedChart>;
  /**
   * Sparkline histograms for profile cards, by column name: the first max_profile_charts
   * numeric and date columns in profile order.
   */
  histograms: Map<string, RenderedChart>;
  /** What the reader of the report should know, e.g. that histograms stopped at the limit. */
  notices: string[];
  /** Wall time in ms: the first SVG (includes vega warm-up), all of them, and how many SVGs (each variant counts). */
  timing: { firstMs: number; totalMs: number; count: number };
}

export interface RenderChartsOptions {
  /** Folder holding the Inter .woff files; default the bundled templates/fonts/. */
  fontsDir?: string;
}

/** The package's templates/fonts/. */
export function defaultFontsDir(): string {
  return packagePath("templates", "fonts");
}

function locale(spec: ReportSpec): FormatLocale {
  return { locale: spec.locale, currency: spec.currency };
}

function queryOf(spec: ReportSpec, summary: Summary, section: ChartSection): QueryResult {
  const result = summary.queries[section.query];
  if (result !== undefined) return result;
  throw specError(
    spec,
    [...section.path, "query"],
    notFound("query", section.query, Object.keys(summary.queries)),
    "Name a query defined under `queries:` in the report definition.",
  );
}

function checkFields(spec: ReportSpec, section: ChartSection, result: QueryResult): void {
  const names = result.columns.map((c) => c.name);
  const fields: [FieldPath, string | undefined][] = [
    [["x"], section.x],
    [["y"], section.y],
    [["color"], section.color],
    [["facet", "row"], section.facet?.row],
    [["facet", "column"], section.facet?.column],
    [["sort"], section.sort === "none" ? undefined : section.sort?.column],
  ];
  for (const [field, name] of fields) {
    if (name === undefined || names.includes(name)) continue;
    throw specError(
      spec,
      [...section.path, ...field],
      notFound(`column of query '${section.query}'`, name, names),
      "A chart can use the query's group keys and measures.",
    );
  }
  const typeOf = (name: string) => result.columns.find((c) => c.name === name)?.type;
  const yType = typeOf(section.y);
  if (yType !== "integer" && yType !== "float") {
    throw specError(
      spec,
      [...section.path, "y"],
      `'${section.y}' is a ${yType} column; y must be a number (one of the query's measures).`,
    );
  }
  checkSort(spec, section, typeOf);
  if (section.yScale === "log") checkPositive(spec, section, result);
  if (section.colors !== undefined && section.color !== undefined) {
    const color = section.color;
    const series = [...new Set(result.rows.map((row) => row[color]).filter((v) => v !== null))].map(
      String,
    );
    for (const key of Object.keys(section.colors)) {
      if (series.includes(key)) continue;
      throw specError(
        spec,
        [...section.path, "colors", key],
        `${notFound(`value of '${color}' in query '${section.query}'`, key, series)}`,
        "colors names the series (values of the color column) to colour.",
      );
    }
  }
}

/** `sort` orders a category axis, by a number column (or by the category itself). */
function checkSort(
  spec: ReportSpec,
  section: ChartSection,
  typeOf: (name: string) => ColumnType | undefined,
): void {
  const sort = section.sort;
  if (sort === undefined || sort === "none") return;
  const xType = typeOf(section.x);
  if (section.mark !== "bar" && (isTemporal(xType) || isNumeric(xType))) {
    throw specError(
      spec,
      [...section.path, "sort"],
      `x ('${section.x}') is a ${xType} axis, drawn in its own order; sort orders categories`,
      "Remove sort, or draw the chart as bars (mark: bar) to order its bars.",
    );
  }
  const type = typeOf(sort.column);
  if (sort.column !== section.x && type !== "integer" && type !== "float") {
    throw specError(
      spec,
      [...section.path, "sort"],
      `'${sort.column}' is a ${type} column; categories are sorted by a number (a measure) or by x itself`,
      `sort: -${section.y}   (largest first)`,
    );
  }
}

/** A log scale has no place for zero or negative values: each is refused by name. */
function checkPositive(spec: ReportSpec, section: ChartSection, result: QueryResult): void {
  const bad = result.rows.filter(
    (row) => typeof row[section.y] === "number" && !((row[section.y] as number) > 0),
  );
  if (bad.length === 0) return;
  const first = bad[0];
  const where = [section.x, section.color]
    .filter((name): name is string => name !== undefined)
    .map((name) => `${name} ${String(first[name])}`)
    .join(", ");
  throw specError(
    spec,
    [...section.path, "y", "scale"],
    `a log scale needs values above 0, but ${bad.length} of '${section.y}' ${bad.length === 1 ? "is" : "are"} 0 or below (first: ${String(first[section.y])} at ${where})`,
    "Use a linear scale (remove scale: log), or filter those rows out in the query.",
  );
}

/**
 * The profile of the column the definition calls `name`. Profile names from the data are cut
 * to max_text_chars, so the definition's name is cut the same way to find them.
 */
function profileNamed(spec: ReportSpec, summary: Summary, name: string): ColumnProfile | undefined {
  const cut = cutText(name, spec.limits.max_text_chars);
  return summary.columns.find((c) => c.name === cut);
}

/**
 * A chart of a query's every group must stay drawable: 100,000 bars take minutes and
 * gigabytes in vega. Past max_chart_rows the build stops, naming the chart.
 */
function checkRows(spec: ReportSpec, section: ChartSection, result: QueryResult): void {
  const limit = spec.limits.max_chart_rows;
  if (result.rows.length <= limit) return;
  const error = specLimitError(spec, section.path, "max_chart_rows");
  throw new ReportError(error.message, {
    hint: `Give query '${section.query}' a \`limit:\` to chart only its first groups. ${error.hint ?? ""}`,
  });
}

function profileOf(spec: ReportSpec, summary: Summary, section: HistogramSection): ColumnProfile {
  const profile = profileNamed(spec, summary, section.column);
  if (profile === undefined) {
    throw specError(
      spec,
      [...section.path, "column"],
      notFound(
        "column",
        section.column,
        summary.columns.map((c) => c.name),
      ),
    );
  }
  if (profile.histogram === undefined) {
    throw specError(
      spec,
      [...section.path, "column"],
      `'${section.column}' is a ${profile.type} column; a histogram needs numbers or dates.`,
      "Use a profile section to see its top values.",
    );
  }
  return profile;
}

/** The columns the report's profile sections show, in order, without repeats. */
export function profiledColumns(spec: ReportSpec, summary: Summary): ColumnProfile[] {
  const seen = new Set<ColumnProfile>();
  const out: ColumnProfile[] = [];
  const add = (profile: ColumnProfile | undefined) => {
    if (profile === undefined || seen.has(profile)) return;
    seen.add(profile);
    out.push(profile);
  };
  for (const section of spec.sections) {
    if (section.kind !== "profile") continue;
    // Linear in the columns: a table may have tens of thousands.
    if (section.columns === "all") summary.columns.forEach(add);
    else for (const name of section.columns) add(profileNamed(spec, summary, name));
  }
  return out;
}

/** The notice for profile histograms stopped at max_profile_charts; undefined when none were. */
export function profileChartsNotice(drawn: number, eligible: number): string | undefined {
  if (eligible <= drawn) return undefined;
  const n = (value: number) => value.toLocaleString("en-US");
  return (
    `Histograms are drawn for the first ${n(drawn)} of ${n(eligible)} numeric and date columns ` +
    `(limit max_profile_charts); the other ${n(eligible - drawn)} are profiled without one. ` +
    `To draw them all, set \`limits: { max_profile_charts: ${eligible} }\` in the report definition.`
  );
}

/** A chart or histogram section, ready to render at any width. */
export interface SectionChart {
  id: string;
  title: string;
  description: string;
  /** The section's Vega-Lite spec laid out for a total width in px. */
  specFor: (width: number) => TopLevelSpec;
  table: ChartTable;
  /** A histogram's note about its scale or range, shown under it. */
  note?: string;
  /** `table` is to be read off the drawn marks (a vega_lite chart of the table's raw rows). */
  tableFromMarks?: boolean;
}

/**
 * Section `index` as a chart (undefined for sections that are not charts or histograms);
 * `measure` sizes text (the real font once renderCharts or useTextMeasurer has run).
 */
export function sectionChart(
  spec: ReportSpec,
  summary: Summary,
  index: number,
  measure?: (text: string, size: number) => number,
): SectionChart | undefined {
  const loc = locale(spec);
  const section = spec.sections[index];
  const id = `chart-${index + 1}`;
  if (section?.kind === "chart") {
    const result = queryOf(spec, summary, section);
    checkFields(spec, section, result);
    checkRows(spec, section, result);
    const query = spec.queries[section.query];
    const xUnit = query?.groupBy.find((key) => key.name === section.x)?.unit;
    const keepOrder = query?.sort.some((key) => key.name === section.x) ?? false;
    const op = query?.measures.find((m) => m.name === section.y)?.op;
    const additive = op === "sum" || op === "count";
    const options = { ...loc, measure, xUnit, keepOrder, additive };
    const table = chartTable(section, result, loc, xUnit);
    const tips = rowTips(table);
    return {
      id,
      title: section.title,
      description:
        section.description ??
        describeChart(section, result, loc, xUnit, stackOf(section, additive)),
      specFor: (width) => chartSpec(section, result, { ...options, width, tips }),
      table,
    };
  }
  if (section?.kind === "vega_lite") {
    const chart = vegaLiteChart(spec, summary, section, index);
    return {
      id,
      title: section.title,
      description: chart.description,
      specFor: chart.specFor,
      table: chart.table ?? { columns: [], rows: [] },
      ...(chart.table === undefined && { tableFromMarks: true }),
    };
  }
  if (section?.kind === "histogram") {
    const own = summary.histograms?.[index];
    const shape = summary.histogramShapes?.[index];
    const profile: ColumnProfile = { ...profileOf(spec, summary, section) };
    if (own !== undefined) {
      profile.histogram = own;
      profile.histogramScale = shape?.scale ?? "linear";
      profile.histogramBelow = shape?.below ?? 0;
      profile.histogramAbove = shape?.above ?? 0;
    }
    const note = histogramNote(profile, loc);
    return {
      id,
      title: section.title,
      description: section.description ?? describeHistogram(profile, loc),
      specFor: (width) =>
        histogramSpec(profile, {
          ...loc,
          width,
          tips: binTips(profile, loc),
          outside: outsideLabels(profile, loc),
        }),
      table: histogramTable(profile, loc),
      ...(note !== undefined && { note }),
    };
  }
  return undefined;
}

/** What sectionChart needs loaded first: Vega-Lite's schema, when a `vega_lite` section is there. */
export async function prepareCharts(spec: ReportSpec): Promise<void> {
  await prepareVegaLite(spec);
}

/** Render every chart and histogram section, and the profile sparklines, to inline SVG. */
export async function renderCharts(
  spec: ReportSpec,
  summary: Summary,
  options: RenderChartsOptions = {},
): Promise<ChartSet> {
  const loc = locale(spec);
  const measurer = await textMeasurerFor(options.fontsDir ?? defaultFontsDir());
  useTextMeasurer(measurer);
  resetSvgIds();
  const measure = (text: string, size: number) => measurer.width(text, size);
  const start = performance.now();
  let firstMs = 0;
  let count = 0;
  const time = async (render: () => Promise<string>) => {
    const svg = await render();
    if (count++ === 0) firstMs = performance.now() - start;
    return svg;
  };
  /** A section's wide (desktop, print) and narrow (phone) renderings, with unique ids. */
  const renderBoth = async (
    id: string,
    title: string,
    description: string,
    specFor: (width: number) => TopLevelSpec,
  ) => ({
    id,
    title,
    description,
    svg: accessibleSvg(await time(() => renderSvg(specFor(WIDE_WIDTH))), id, title, description),
    narrow: accessibleSvg(
      await time(() => renderSvg(specFor(NARROW_WIDTH))),
      `${id}-narrow`,
      title,
      description,
    ),
  });

  const charts = new Map<number, RenderedChart>();
  await prepareCharts(spec);
  for (const index of spec.sections.keys()) {
    const section = sectionChart(spec, summary, index, measure);
    if (section === undefined) continue;
    charts.set(index, {
      ...(section.note !== undefined && { note: section.note }),
      ...(await renderBoth(section.id, section.title, section.description, section.specFor)),
      table: section.tableFromMarks
        ? await marksTable(section.specFor(WIDE_WIDTH), loc)
        : section.table,
    });
  }

  const histograms = new Map<string, RenderedChart>();
  const maxCharts = spec.limits.max_profile_charts;
  let eligible = 0;
  for (const [index, profile] of profiledColumns(spec, summary).entries()) {
    if (profile.histogram === undefined || profile.histogram.length === 0) continue;
    if (++eligible > maxCharts) continue;
    // Short: the id prefixes every id inside the SVG, and a wide table has hundreds of them.
    const id = `hist-${index + 1}`;
    const title = `Distribution of ${profile.name}`;
    const description = describeHistogram(profile, loc);
    const note = histogramNote(profile, loc);
    const svg = await time(() =>
      renderSvg(
        histogramSpec(profile, {
          ...loc,
          sparkline: true,
          tips: binTips(profile, loc, true),
          outside: outsideLabels(profile, loc),
        }),
      ),
    );
    histograms.set(profile.name, {
      ...(note !== undefined && { note }),
      id,
      title,
      description,
      svg: hoistFill(accessibleSvg(svg, id, title, description)),
      table: histogramTable(profile, loc),
    });
  }
  const notice = profileChartsNotice(Math.min(eligible, maxCharts), eligible);
  return {
    charts,
    histograms,
    notices: notice === undefined ? [] : [notice],
    timing: { firstMs, totalMs: performance.now() - start, count },
  };
}
