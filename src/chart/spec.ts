// Chart sections + summaries → Vega-Lite specs. Pure: no vega here, so specs can be tested
// as data. Number and date labels go through the `reportFormat` expression function and long
// category labels through `reportFit` (both registered by ./svg.ts) so they use Intl and the
// real font.
import type { TopLevelSpec } from "vega-lite";
import { isNumeric, isTemporal } from "../column-type.ts";
import type {
  ChartFacet,
  ChartMark,
  ChartSection,
  ChartStack,
  HistogramSection,
  TimeUnit,
  ValueFormat,
} from "../config/spec.ts";
import { type FormatLocale, formatDate } from "../format.ts";
import { niceStep } from "../summarize/histogram.ts";
import type { Cell, ColumnProfile, ColumnType, QueryResult } from "../summarize/summary.ts";
import {
  COMPACT_BELOW,
  chartConfig,
  LABEL_LIMIT,
  LABEL_SIZE,
  PALETTE,
  WIDE_WIDTH,
} from "./theme.ts";

/** Name of the vega expression function that formats numbers and dates with Intl. */
export const FORMAT_FUNCTION = "reportFormat";
/** The data field holding each mark's description, shown as its <title> tooltip (svg.ts). */
export const TIP_FIELD = "__tip";

/** Name of the vega expression function that cuts a label to a width with the real font. */
export const FIT_FUNCTION = "reportFit";

/** The `format` object passed to `reportFormat` (vega-lite custom format type). */
export interface FormatParam {
  /** "compact" for axes ("1.2M"), "full" for exact values. */
  style: "compact" | "full";
  format: ValueFormat;
  /** For dates: the bucket a value stands for (month → "Mar 2024"). */
  unit?: TimeUnit;
  locale: string;
  currency: string;
}

export interface ChartSpecOptions extends FormatLocale {
  /** Width in px of text at a size (default: vega's estimate); decides horizontal bars. */
  measure?: (text: string, size: number) => number;
  /** The time bucket of the x field when the query groups by a date (from its group key). */
  xUnit?: TimeUnit;
  /** Keep the rows' order for bars instead of sorting by value (the query sorts by x). */
  keepOrder?: boolean;
  /** Total SVG width in px; default WIDE_WIDTH. Below COMPACT_BELOW the layout suits a phone. */
  width?: number;
  /** One description per row, in order ("North America: $1.4M"): each mark's hover title. */
  tips?: readonly string[];
  /** y is a sum or count, so its `color` series add up and stack by default (stackOf). */
  additive?: boolean;
}

export interface HistogramSpecOptions extends FormatLocale {
  /** A sparkline for profile cards: no axes, 160 × 36 px. */
  sparkline?: boolean;
  width?: number;
  /** One description per bin ("10 – 20: 1,234"): each bar's hover title. */
  tips?: readonly string[];
  /** Values outside the bins, drawn as two lighter, dashed bars at the ends (describe.ts). */
  outside?: OutsideLabels;
}

/** One end's under/overflow bar: "< 0" or "> 39", its count and its hover title. */
export interface OutsideLabel {
  label: string;
  count: string;
  tip: string;
}

export interface OutsideLabels {
  below?: OutsideLabel;
  above?: OutsideLabel;
}

export const DEFAULT_WIDTH = WIDE_WIDTH;
const PLOT_HEIGHT = 240;
const BAR_STEP = 22;
/** A lying grouped bar's own height, in px: a category of three takes about 1.5 × BAR_STEP. */
const GROUPED_BAR_STEP = 11;
/** A legend entry's symbol, its gap to the label and the space after the label, in px. */
const LEGEND_SYMBOL = 34;
/** Above this many categories, bars lie down so each label gets its own line. */
const MAX_VERTICAL_BARS = 12;

type Encoding = Record<string, unknown>;
type FieldType = "quantitative" | "temporal" | "ordinal" | "nominal";

/**
 * A column name as a Vega-Lite field reference: `.`, `[` and `]` would otherwise read as a
 * path into nested objects ("region.name" → undefined), silently drawing a wrong chart.
 */
export function fieldRef(name: string): string {
  return name.replace(/[.[\]\\]/g, "\\$&");
}

/** "order_date" → "Order date": axis and table titles from field names. */
export function fieldTitle(name: string): string {
  const words = name.replace(/[_-]+/g, " ").trim();
  return words === "" ? name : words[0].toUpperCase() + words.slice(1);
}

/** The declared format of a measure column: the section's, else integer or number by type. */
export function valueFormatOf(type: ColumnType | undefined, declared?: ValueFormat): ValueFormat {
  if (declared !== undefined) return declared;
  return type === "integer" ? "integer" : "number";
}

function formatParam(
  options: FormatLocale,
  style: FormatParam["style"],
  format: ValueFormat,
  unit?: TimeUnit,
): FormatParam {
  const param: FormatParam = { style, format, locale: options.locale, currency: options.currency };
  if (unit !== undefined) param.unit = unit;
  return param;
}

function fitLabels(limit: number, weight = 400): string {
  return `${FIT_FUNCTION}(datum.label, ${limit}, ${LABEL_SIZE}, ${weight})`;
}

function isCompact(width: number): boolean {
  return width < COMPACT_BELOW;
}

/** Longest category or legend label in px: on a phone at most 40% of the chart's width. */
function labelLimitFor(width: number): number {
  return isCompact(width) ? Math.min(LABEL_LIMIT, Math.round(width * 0.4)) : LABEL_LIMIT;
}

/**
 * A tick-count hint for a horizontal value axis: about one label per 80 px. vega's default (one
 * per 40 px) makes more labels than fit, and hides every other one after drawing it anyway.
 */
function valueTicks(width: number): { tickCount: number } {
  return { tickCount: Math.max(2, Math.floor(width / 80)) };
}

function estimate(text: string, size: number): number {
  return 0.8 * size * text.length;
}

/** Tick intervals per time bucket, finest first: a chart uses the finest whose labels fit. */
const timeTicks: Partial<Record<TimeUnit, { interval: "month" | "year"; steps: number[] }>> = {
  month: { interval: "month", steps: [1, 2, 3, 6, 12, 24, 60] },
  quarter: { interval: "month", steps: [3, 6, 12, 24, 60] },
  year: { interval: "year", steps: [1, 2, 5, 10, 20, 50, 100] },
};

/** Room around each time label, in px, so neighbours never touch. */
const TIME_LABEL_GAP = 12;
/** What the value axis and paddings take from the width, roughly, before the plot starts. */
const VALUE_GUTTER = 64;

/**
 * Ticks for a time axis bucketed by `unit`: every `step` buckets, the smallest step at which
 * every label (measured as the axis formats it) fits in the plot's width. The first and last
 * labels sit flush with the plot's ends, so neighbours must be 1.5 labels apart, not 1:
 * closer, vega's overlap check would hide every other label (still drawn, at opacity 0).
 */
function timeTickCount(
  values: unknown[],
  unit: TimeUnit,
  width: number,
  options: FormatLocale & { measure: (text: string, size: number) => number },
): { interval: string; step: number } | undefined {
  const ticks = timeTicks[unit];
  if (ticks === undefined) return undefined;
  const times = values
    .map((v) => (typeof v === "string" || typeof v === "number" ? Date.parse(String(v)) : NaN))
    .filter((t) => Number.isFinite(t));
  if (times.length === 0) return { interval: ticks.interval, step: ticks.steps[0] };
  const first = new Date(Math.min(...times));
  const last = new Date(Math.max(...times));
  const months =
    (last.getUTCFullYear() - first.getUTCFullYear()) * 12 +
    last.getUTCMonth() -
    first.getUTCMonth();
  const span = ticks.interval === "year" ? Math.floor(months / 12) + 1 : months + 1;
  const label = Math.max(
    ...values.map((v) => options.measure(formatDate(v, options, unit), LABEL_SIZE)),
  );
  const intervals = Math.floor((width - VALUE_GUTTER) / (1.5 * label + TIME_LABEL_GAP));
  const step =
    ticks.steps.find((s) => Math.ceil((span - 1) / s) <= intervals) ?? ticks.steps.at(-1);
  return { interval: ticks.interval, step: step ?? 1 };
}

/**
 * How a chart's `color` series pile up. Written `stack:` wins; `offset: color` means side by
 * side; otherwise series of sums and counts stack (their total means something) and series of
 * anything else (means, medians, minima, maxima, distinct counts, ratios) do not: five yearly
 * averages piled up would draw a meaningless total. Undefined when nothing can stack: marks
 * other than bar and area, or no `color`.
 */
export function stackOf(section: ChartSection, additive: boolean): ChartStack | undefined {
  if (section.color === undefined || (section.mark !== "bar" && section.mark !== "area"))
    return undefined;
  if (section.stack !== undefined) return section.stack;
  if (section.offset !== undefined || section.yScale === "log") return "none";
  return additive ? "zero" : "none";
}

/** Space the value axis, its title and the row headers take beside faceted panels, in px. */
const FACET_GUTTER = 80;
/** Gap between faceted panels, in px (vega-lite's default spacing is 20). */
const FACET_SPACING = 16;
/** Height of one faceted panel, in px. */
const FACET_HEIGHT = 160;

/**
 * The panels' layout: how many columns of panels, each panel's width, and whether the last
 * row of a wrapped grid has empty cells.
 */
function facetLayout(
  facet: ChartFacet,
  rows: readonly Record<string, Cell>[],
  width: number,
): { columns: number; cellWidth: number; gaps: boolean } {
  const distinct = (field: string) => new Set(rows.map((row) => String(row[field]))).size;
  const panels = facet.column === undefined ? 1 : distinct(facet.column);
  const columns = Math.max(1, Math.min(facet.columns ?? panels, panels));
  const cellWidth = Math.max(
    60,
    Math.floor((width - FACET_GUTTER - (columns - 1) * FACET_SPACING) / columns),
  );
  const wrapped = facet.columns !== undefined && facet.column !== undefined;
  return { columns, cellWidth, gaps: wrapped && panels % columns !== 0 };
}

/** The Vega-Lite spec for a chart section over its query's result. */
export function chartSpec(
  section: ChartSection,
  data: QueryResult,
  options: ChartSpecOptions,
): TopLevelSpec;
/** The Vega-Lite spec for a histogram section over its column's pre-binned histogram. */
export function chartSpec(
  section: HistogramSection,
  data: ColumnProfile,
  options: ChartSpecOptions,
): TopLevelSpec;
export function chartSpec(
  section: ChartSection | HistogramSection,
  data: QueryResult | ColumnProfile,
  options: ChartSpecOptions,
): TopLevelSpec {
  if (section.kind === "histogram") return histogramSpec(data as ColumnProfile, options);
  return markSpec(section, data as QueryResult, options);
}

function markSpec(
  section: ChartSection,
  data: QueryResult,
  options: ChartSpecOptions,
): TopLevelSpec {
  const types = new Map(data.columns.map((c) => [c.name, c.type]));
  const xType = types.get(section.x);
  const yFormat = valueFormatOf(types.get(section.y), section.format);
  const width = options.width ?? DEFAULT_WIDTH;
  const measure = options.measure ?? estimate;
  const values: Record<string, Cell>[] = data.rows.map((row, i) =>
    options.tips === undefined ? { ...row } : { ...row, [TIP_FIELD]: options.tips[i] ?? "" },
  );

  const stack = stackOf(section, options.additive ?? false);
  const grouped = section.mark === "bar" && section.color !== undefined && stack === "none";
  const facet = section.facet;
  const layout = facet === undefined ? undefined : facetLayout(facet, values, width);
  /** The width of one plot: the whole chart's, or one panel's. */
  const plotWidth = layout?.cellWidth ?? width;
  const yAxis = {
    formatType: FORMAT_FUNCTION,
    format: formatParam(options, "compact", stack === "normalize" ? "percent" : yFormat),
  };
  const valueChannel = (axis: object) => {
    const channel: Encoding = {
      field: fieldRef(section.y),
      type: "quantitative",
      title:
        section.yTitle ??
        (stack === "normalize"
          ? `Share of ${fieldTitle(section.y).toLowerCase()}`
          : fieldTitle(section.y)),
      axis,
    };
    if (section.yScale === "log") channel.scale = { type: "log" };
    // Explicit either way: vega-lite stacks bars and areas with color by itself.
    if (stack !== undefined) channel.stack = stack === "none" ? null : stack;
    return channel;
  };

  let x: Encoding;
  let kind: FieldType;
  if (isTemporal(xType)) {
    kind = section.mark === "bar" ? "ordinal" : "temporal";
  } else if (isNumeric(xType)) {
    kind = section.mark === "bar" ? "ordinal" : "quantitative";
  } else {
    kind = "nominal";
  }
  const xTitle = section.xTitle ?? fieldTitle(section.x);
  if (kind === "temporal") {
    const ticks =
      options.xUnit === undefined
        ? undefined
        : timeTickCount(
            values.map((row) => row[section.x]),
            options.xUnit,
            width,
            { ...options, measure },
          );
    const axis: Encoding = { labelOverlap: true };
    if (ticks === undefined) {
      Object.assign(axis, valueTicks(width));
    } else {
      axis.tickCount = ticks;
      axis.formatType = FORMAT_FUNCTION;
      axis.format = formatParam(options, "full", "date", options.xUnit);
    }
    x = {
      field: fieldRef(section.x),
      type: "temporal",
      scale: { type: "utc" },
      title: xTitle,
      axis,
    };
  } else if (kind === "quantitative") {
    x = {
      field: fieldRef(section.x),
      type: "quantitative",
      title: xTitle,
      axis:
        xType === "integer"
          ? // Whole-number keys (years, codes) are labels: 2015, never 2K or 2,015.5.
            { format: "d", tickMinStep: 1, ...valueTicks(width) }
          : {
              formatType: FORMAT_FUNCTION,
              format: formatParam(options, "compact", "number"),
              ...valueTicks(width),
            },
      // Years are not quantities that start at zero.
      ...(xType === "integer" ? { scale: { zero: false } } : {}),
    };
  } else if (isTemporal(xType)) {
    // Date buckets as bars: one band each, in time order, labelled like "Mar 2024".
    x = {
      field: fieldRef(section.x),
      type: "ordinal",
      sort: "ascending",
      title: xTitle,
      axis: {
        formatType: FORMAT_FUNCTION,
        format: formatParam(options, "full", "date", options.xUnit),
        labelAngle: 0,
        labelOverlap: "greedy",
      },
    };
  } else {
    // Text keys along a line or area (years kept as text, say): in a narrow panel, every
    // label would overlap its neighbours, so those that would are left out.
    x = { field: fieldRef(section.x), type: kind, title: xTitle, axis: { labelOverlap: "greedy" } };
  }

  const encoding: Encoding = {};
  // ISO date strings are parsed explicitly: vega-lite's automatic parse does not cover every
  // channel, and an unparsed date field is silently filtered out as invalid.
  const parse: Record<string, string> = {};
  for (const field of [section.x, section.color]) {
    if (field !== undefined && isTemporal(types.get(field)) && kind === "temporal")
      parse[fieldRef(field)] = "date";
  }
  const labelLimit = labelLimitFor(width);
  const spec: Record<string, unknown> = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: Object.keys(parse).length > 0 ? { values, format: { parse } } : { values },
    config: chartConfig(options),
  };

  const categorical =
    section.mark === "bar" && (kind === "nominal" || kind === "ordinal") && !isTemporal(xType);
  /** Where the grouped bars' offset goes: beside the category, on its axis. */
  let offsetChannel: "xOffset" | "yOffset" = "xOffset";
  const height = facet === undefined ? PLOT_HEIGHT : FACET_HEIGHT;
  // Faceted views cannot be fitted to a width by vega-lite: each panel is sized instead.
  const fit = (type: "fit" | "fit-x") =>
    facet === undefined ? { type, contains: "padding" } : { type: "pad" };
  if (categorical) {
    const labels = [...new Set(values.map((row) => String(row[section.x] ?? "")))];
    const band = plotWidth / Math.max(1, labels.length);
    const longest = Math.max(0, ...labels.map((label) => measure(label, LABEL_SIZE)));
    const horizontal = labels.length > MAX_VERTICAL_BARS || longest > band - 8;
    const sort = categorySort(section, horizontal, options.keepOrder ?? false);
    const category = {
      ...x,
      sort,
      axis: { labelExpr: fitLabels(labelLimit), labelLimit: 0, labelAngle: 0 },
    };
    if (horizontal) {
      encoding.y = category;
      encoding.x = valueChannel({ ...yAxis, grid: true, ...valueTicks(plotWidth) });
      offsetChannel = "yOffset";
      // Grouped: the step is each bar's within its category (vega-lite's step "for" offset).
      spec.height = { step: grouped ? GROUPED_BAR_STEP : BAR_STEP };
      spec.width = plotWidth;
      spec.autosize = fit("fit-x");
    } else {
      encoding.x = category;
      encoding.y = valueChannel(yAxis);
      spec.width = plotWidth;
      spec.height = height;
      spec.autosize = fit("fit");
    }
  } else {
    encoding.x =
      section.sort === undefined ? x : { ...x, sort: categorySort(section, false, false) };
    encoding.y = valueChannel(yAxis);
    spec.width = plotWidth;
    spec.height = height;
    spec.autosize = fit("fit");
  }

  if (section.color !== undefined) {
    const colorType = types.get(section.color);
    const legend: Encoding = {
      labelExpr: fitLabels(labelLimit),
      labelLimit: 0,
      orient: "bottom",
      direction: "horizontal",
    };
    // A horizontal legend never wraps by itself: on a phone, or with many series, it would
    // run off the chart, so it is given columns that fit.
    const names = [...new Set(values.map((row) => String(row[section.color ?? ""] ?? "")))];
    const longest = Math.max(0, ...names.map((name) => measure(name, LABEL_SIZE)));
    const entry = Math.min(longest, labelLimit) + LEGEND_SYMBOL;
    if (isCompact(width) || names.length * entry > width - 8)
      legend.columns = Math.max(1, Math.floor((width - 8) / entry));
    encoding.color = {
      field: fieldRef(section.color),
      type: isTemporal(colorType) || isNumeric(colorType) ? "ordinal" : "nominal",
      title: fieldTitle(section.color),
      legend,
    };
  }

  if (section.color !== undefined && grouped) {
    const color = encoding.color as Encoding;
    encoding[offsetChannel] = { field: color.field, type: color.type };
  }
  if (section.color !== undefined && section.colors !== undefined) {
    (encoding.color as Encoding).scale = colorScale(
      values.map((row) => row[section.color ?? ""]),
      section.colors,
    );
  }
  if (facet !== undefined) {
    const header = (field: string) => ({
      field: fieldRef(field),
      type: "nominal",
      title: fieldTitle(field),
      header: { labelExpr: fitLabels(Math.max(40, plotWidth - 8), 600), labelFontWeight: 600 },
    });
    if (facet.columns !== undefined && facet.column !== undefined) {
      encoding.facet = { ...header(facet.column), columns: layout?.columns };
      // vega-lite draws a column's x axis at the grid's bottom, under an empty cell when the
      // last row is short, far from the panel it belongs to: each panel gets its own instead.
      if (layout?.gaps) spec.resolve = { axis: { x: "independent" } };
    } else {
      if (facet.row !== undefined) encoding.row = header(facet.row);
      if (facet.column !== undefined) encoding.column = header(facet.column);
    }
    spec.spacing = FACET_SPACING;
  }

  spec.mark = MARK_DEFS[section.mark](values.length);
  // Overlapping (unstacked) areas stay see-through, so none hides another.
  if (section.mark === "area" && section.color !== undefined && stack === "none")
    spec.mark = { ...(spec.mark as object), opacity: 0.4 };
  if (options.tips !== undefined) {
    spec.mark = { ...(spec.mark as object), aria: true };
    encoding.description = { field: TIP_FIELD };
  }
  spec.encoding = encoding;
  return spec as unknown as TopLevelSpec;
}

/**
 * The colour scale of a chart with fixed `colors`: every series in the data's sorted order
 * (vega-lite's own order for a nominal domain), the named ones in their colour and the rest
 * in the palette's colours that no named series took.
 */
export function colorScale(
  keys: readonly Cell[],
  colors: Readonly<Record<string, string>>,
): { domain: string[]; range: string[] } {
  const domain = [...new Set(keys.filter((k) => k !== null).map(String))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const taken = new Set(Object.values(colors).map((c) => c.toLowerCase()));
  const free = PALETTE.filter((c) => !taken.has(c));
  let next = 0;
  const range = domain.map((key) => colors[key] ?? free[next++ % Math.max(1, free.length)]);
  return { domain, range };
}

/**
 * The category axis's order: the written `sort` (by the category itself, or by a column's
 * total per category), else the query's order when it sorts by x, else largest y first.
 */
function categorySort(
  section: ChartSection,
  horizontal: boolean,
  keepOrder: boolean,
): null | string | Encoding {
  const sort = section.sort;
  if (sort === "none" || (sort === undefined && keepOrder)) return null;
  if (sort === undefined) return horizontal ? "-x" : "-y";
  const order = sort.descending ? "descending" : "ascending";
  if (sort.column === section.x) return order;
  return { field: fieldRef(sort.column), op: "sum", order };
}

/** Each mark's vega-lite definition for a chart of `rows` rows (a mark without one does not compile). */
const MARK_DEFS: Record<ChartMark, (rows: number) => Record<string, unknown>> = {
  bar: () => ({ type: "bar" }),
  // Points on a short line show where the values are.
  line: (rows) => (rows <= 40 ? { type: "line", point: true } : { type: "line" }),
  area: () => ({ type: "area" }),
  point: () => ({ type: "point" }),
};

/** The bins of a column profile as chart rows; dates stay ISO strings. */
export function histogramRows(
  profile: ColumnProfile,
): { start: number | string; end: number | string; count: number }[] {
  return (profile.histogram ?? []).map((bin) => ({
    start: bin.start,
    end: bin.end,
    count: bin.count,
  }));
}

/** An under/overflow bar: where it sits on the x scale, its count, label and title. */
interface OutsideRow {
  start: number;
  end: number;
  count: number;
  /** The middle of the bar on its scale, where its label is centred. */
  anchor: number;
  text: string;
  [TIP_FIELD]: string;
}

/**
 * The values outside the bins as two bars beyond the ends: each as wide as a few bins (a
 * ratio on a log scale), set apart by a gap so they do not read as part of the range.
 */
function outsideRows(
  profile: ColumnProfile,
  labels: OutsideLabels,
  log: boolean,
  sparkline: boolean,
): OutsideRow[] {
  const bins = profile.histogram ?? [];
  if (bins.length === 0) return [];
  const lo = Number(bins[0].start);
  const hi = Number(bins[bins.length - 1].end);
  const slotBins = Math.max(1, bins.length * (sparkline ? 0.12 : 0.07));
  // Positions t bins beyond an edge: linear steps of one bin, or ratios of one bin on log.
  const step = log ? Math.log(hi / lo) / bins.length : (hi - lo) / bins.length;
  const beyond = (edge: number, t: number) => (log ? edge * Math.exp(t * step) : edge + t * step);
  const gap = slotBins * 0.5;
  const middle = (a: number, b: number) => (log ? Math.sqrt(a * b) : (a + b) / 2);
  const rows: OutsideRow[] = [];
  const text = (label: OutsideLabel) =>
    sparkline ? label.count : `${label.label}\n${label.count}`;
  if (labels.below !== undefined) {
    const start = beyond(lo, -(gap + slotBins));
    rows.push({
      start,
      end: beyond(lo, -gap),
      count: profile.histogramBelow ?? 0,
      anchor: middle(start, beyond(lo, -gap)),
      text: text(labels.below),
      [TIP_FIELD]: labels.below.tip,
    });
  }
  if (labels.above !== undefined) {
    const end = beyond(hi, gap + slotBins);
    rows.push({
      start: beyond(hi, gap),
      end,
      count: profile.histogramAbove ?? 0,
      anchor: middle(beyond(hi, gap), end),
      text: text(labels.above),
      [TIP_FIELD]: labels.above.tip,
    });
  }
  return rows;
}

/** Axis ticks within [lo, hi] only, so none sits under an under/overflow bar. */
function axisValues(
  lo: number,
  hi: number,
  log: boolean,
  width: number,
  integer: boolean,
): number[] {
  if (log) {
    const out: number[] = [];
    for (let k = Math.ceil(Math.log10(lo)); 10 ** k <= hi; k++) out.push(10 ** k);
    return out.length >= 2 ? out : [lo, hi];
  }
  const step = niceStep(hi - lo, valueTicks(width).tickCount, integer);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** A pre-binned histogram (x/x2 from the bins' edges) of one column's profile. */
export function histogramSpec(profile: ColumnProfile, options: HistogramSpecOptions): TopLevelSpec {
  const temporal = isTemporal(profile.type);
  const sparkline = options.sparkline === true;
  // Log bins are not `binned` to vega-lite either: their bars need y2 and an exact domain.
  const log = !temporal && profile.histogramScale === "log";
  const bins = profile.histogram ?? [];
  const logDomain = bins.length === 0 ? undefined : [bins[0].start, bins[bins.length - 1].end];
  const width = options.width ?? (sparkline ? 160 : DEFAULT_WIDTH);
  const x: Encoding = temporal
    ? { field: "start", type: "temporal", scale: { type: "utc" } }
    : log
      ? {
          field: "start",
          type: "quantitative",
          scale: { type: "log", domain: logDomain, nice: false },
        }
      : { field: "start", type: "quantitative", bin: { binned: true } };
  x.title = fieldTitle(profile.name);
  const y: Encoding = { field: "count", type: "quantitative", title: "Count" };
  if (sparkline) {
    x.axis = null;
    y.axis = null;
  } else {
    y.axis = { formatType: FORMAT_FUNCTION, format: formatParam(options, "compact", "integer") };
    if (!temporal) {
      const format = profile.type === "integer" ? "integer" : "number";
      x.axis = {
        formatType: FORMAT_FUNCTION,
        format: formatParam(options, "compact", format),
        ...valueTicks(width),
      };
    } else {
      x.axis = { labelOverlap: true, ...valueTicks(width) };
    }
  }
  const config = chartConfig(options);
  if (sparkline) config.padding = 0;
  const { tips } = options;
  const tipped = <T extends object>(rows: T[]) =>
    tips === undefined ? rows : rows.map((row, i) => ({ ...row, [TIP_FIELD]: tips[i] ?? "" }));
  const ends = temporal ? [] : outsideRows(profile, options.outside ?? {}, log, sparkline);
  if (ends.length > 0) {
    // The scale spans the end bars too; ticks stay within the drawn bins' range.
    const lo = Number(bins[0].start);
    const hi = Number(bins[bins.length - 1].end);
    const domain = [
      Math.min(lo, ...ends.map((e) => e.start)),
      Math.max(hi, ...ends.map((e) => e.end)),
    ];
    x.bin = undefined;
    x.scale = log ? { type: "log", domain, nice: false } : { domain, nice: false, zero: false };
    if (!sparkline && x.axis !== null)
      x.axis = {
        ...(x.axis as object),
        values: axisValues(lo, hi, log, width, profile.type === "integer"),
      };
    const shared = { field: "start", type: "quantitative", scale: x.scale, title: x.title };
    const color = { value: PALETTE[0] };
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      config,
      width,
      height: sparkline ? 36 : PLOT_HEIGHT,
      autosize: { type: "fit", contains: "padding" },
      layer: [
        {
          data: { values: tipped(histogramRows(profile)) },
          mark: { type: "bar", binSpacing: 1, cornerRadiusEnd: 0, aria: tips !== undefined },
          encoding: {
            x,
            x2: { field: "end" },
            y,
            y2: { datum: 0 },
            ...(tips !== undefined && { description: { field: TIP_FIELD } }),
          },
        },
        {
          data: { values: ends },
          mark: {
            type: "bar",
            cornerRadiusEnd: 0,
            fillOpacity: 0.35,
            strokeDash: [3, 2],
            strokeWidth: 1,
            aria: true,
          },
          encoding: {
            x: shared,
            x2: { field: "end" },
            y: { field: "count", type: "quantitative" },
            y2: { datum: 0 },
            stroke: color,
            fill: color,
            description: { field: TIP_FIELD },
          },
        },
        {
          data: { values: ends },
          mark: {
            type: "text",
            align: "center",
            fill: "currentColor",
            // Both lines above the bar: the first line's baseline is lifted by the second's height.
            baseline: "bottom",
            dy: sparkline ? -2 : -2 - LABEL_SIZE - 2,
            lineBreak: "\n",
            fontSize: sparkline ? 9 : LABEL_SIZE,
            aria: false,
          },
          encoding: {
            x: { ...shared, field: "anchor" },
            y: { field: "count", type: "quantitative" },
            text: { field: "text" },
          },
        },
      ],
    } as unknown as TopLevelSpec;
  }
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: temporal
      ? {
          values: tipped(histogramRows(profile)),
          format: { parse: { start: "date", end: "date" } },
        }
      : { values: tipped(histogramRows(profile)) },
    config,
    width,
    height: sparkline ? 36 : PLOT_HEIGHT,
    autosize: { type: "fit", contains: "padding" },
    mark: { type: "bar", binSpacing: 1, cornerRadiusEnd: 0, aria: tips !== undefined },
    // Dates are not `binned` to vega-lite: without y2 it draws their bars as ticks at the count.
    encoding: {
      ...(temporal || log
        ? { x, x2: { field: "end" }, y, y2: { datum: 0 } }
        : { x, x2: { field: "end" }, y }),
      ...(tips !== undefined && { description: { field: TIP_FIELD } }),
    },
  };
  return spec as unknown as TopLevelSpec;
}
