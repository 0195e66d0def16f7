// ReportModel: everything the templates receive, assembled from the spec, the summaries,
// the source and the rendered charts. Raw values stay raw (helpers format them in the
// templates, so users can change formats); table cells are pre-formatted text.

import { assertNever } from "../assert-never.ts";
import type { ChartSet, RenderedChart } from "../chart/index.ts";
import { sparkline } from "../chart/sparkline.ts";
import { fieldTitle } from "../chart/spec.ts";
import { isNumeric } from "../column-type.ts";
import type {
  CellRule,
  CellTone,
  FieldPath,
  MeasureOp,
  ReportSpec,
  TableSection,
  ValueFormat,
} from "../config/spec.ts";
import {
  type FormatLocale,
  formatChange,
  formatDate,
  formatNumber,
  formatValue,
  MISSING,
} from "../format.ts";
import { type ChangeSummary, kpiKey } from "../history/changes.ts";
import { changesHeadline, describeChange } from "../history/describe.ts";
import { escapeMarkup, slug } from "../markup.ts";
import { cutText } from "../summarize/cut-text.ts";
import { notFound, specError } from "../summarize/spec-error.ts";
import type {
  Alert,
  Cell,
  ColumnProfile,
  KpiValue,
  QueryColumn,
  Summary,
} from "../summarize/summary.ts";
import { inlineValues } from "./inline-values.ts";
import { type FillValue, htmlToText, renderMarkdown, type TagStyles } from "./markdown.ts";

/** What the footer says about the data: from DataSource (src/source.ts). */
export interface SourceInfo {
  label: string;
  size?: number;
  etag?: string;
  /** ISO 8601. */
  lastModified?: string;
}

/** A KPI tile: the value, and its sparkline over the last runs when the history has them. */
export interface KpiTile extends KpiValue {
  /** Inline SVG (src/chart/sparkline.ts). */
  trend?: string;
  /** Runs the sparkline spans. */
  trendRuns?: number;
  /** With `compare: { sparkline: true }`: the measure per period (inline SVG). */
  periods?: string;
}

export interface KpisBlock {
  kind: "kpis";
  partial: "kpis";
  index: number;
  kpis: KpiTile[];
}

export interface ChartBlock {
  kind: "chart" | "vega_lite" | "histogram";
  partial: "chart";
  index: number;
  title: string;
  /** The section's `description`, Markdown rendered to HTML. */
  description?: string;
  chart: RenderedChart;
}

export interface TableColumn {
  name: string;
  title: string;
  /** Right-aligned, tabular figures. */
  numeric: boolean;
  /** How its cells are formatted (numeric columns). */
  format?: ValueFormat;
}

/** One formatted cell; `bar` is the value's share (0..1) of its column's largest, for in-cell bars. */
export interface TableCell {
  text: string;
  bar?: number;
  /** Past a `color:` threshold: the tone, its marker and what it means in words. */
  flag?: CellFlag;
}

/** A flagged cell: shown by tone (colour), by marker (shape) and by words for screen readers. */
export interface CellFlag {
  tone: CellTone;
  /** ▲/▼ for bad, △/▽ for good: direction and tone without colour. */
  mark: string;
  /** "above 10%, bad". */
  label: string;
}

export interface TableBlock {
  kind: "table";
  partial: "table";
  index: number;
  title: string;
  columns: TableColumn[];
  /** Formatted cells, in the query's order, at most `limit` rows. */
  rows: TableCell[][];
  /** With `totals: true`: one cell per column over every row of the query ("" where no total applies). */
  totals?: string[];
  /** Rows of the query result before the limit. */
  totalRows: number;
  truncated: boolean;
  /** The `color:` rules in words, with their markers, shown under the table. */
  legend?: string[];
}

export interface ProfileCard {
  /** Unique on the page, for in-page links from alerts. */
  id: string;
  profile: ColumnProfile;
  /** missing / (count + missing); 0 for an empty table. */
  missingShare: number;
  /** count of the top value / count, per top value, in order. */
  topShares: number[];
  histogram?: RenderedChart;
  alerts: Alert[];
}

export interface ProfileBlock {
  kind: "profile";
  partial: "profile";
  index: number;
  cards: ProfileCard[];
  /** Many columns: an overview table first, each card folded into a <details>. */
  wide: boolean;
}

/** Above this many columns a profile section leads with an overview table and folds its cards. */
export const WIDE_PROFILE_COLUMNS = 24;

export interface TextBlock {
  kind: "text";
  partial: "text";
  index: number;
  /** The text's Markdown rendered to HTML, inline values filled in (src/render/markdown.ts). */
  html: string;
  /** The text's paragraphs as written, for templates that show plain text. */
  paragraphs: string[];
}

/** A KPI against the last run, for the changes section's table. */
export interface KpiChangeRow {
  label: string;
  before: string;
  after: string;
  /** "+12.3%", or "" when it has no meaning. */
  change: string;
  direction: "up" | "down" | "flat";
  notable: boolean;
}

/** "Since the last run" (src/history): notable changes first, in words. */
export interface ChangesBlock {
  kind: "changes";
  partial: "changes";
  /** Index into ReportSpec.sections; -1 for the section shown without being placed. */
  index: number;
  /** Unique on the page. */
  id: string;
  title: string;
  /** False on the first run: nothing to compare with yet. */
  hasPrevious: boolean;
  headline: string;
  /** ISO 8601 time of the run compared with. */
  previousBuiltAt?: string;
  items: { kind: string; column?: string; text: string }[];
  kpis: KpiChangeRow[];
}

/** One section of the page, in the order of ReportSpec.sections; `partial` picks its template. */
export type RenderedSection =
  | KpisBlock
  | ChartBlock
  | TableBlock
  | ProfileBlock
  | TextBlock
  | ChangesBlock;

export interface ReportModel {
  title: string;
  /** The report's description as plain text (inline values filled in, Markdown read). */
  description?: string;
  /** The report's description, Markdown rendered to HTML. */
  descriptionHtml?: string;
  /** The <html lang>: the locale's language tag. */
  lang: string;
  locale: string;
  currency: string;
  /** ISO 8601. */
  generatedAt: string;
  source: SourceInfo;
  rows: number;
  columnCount: number;
  notices: string[];
  sections: RenderedSection[];
  /** Every alert, with `anchor` (a profile card's id) when its column has a card. */
  alerts: AlertItem[];
  /** Alerts about the whole table (no column). */
  tableAlerts: AlertItem[];
  /** With `pages:`, the navigation between them (src/render/pages.ts); absent on a one-page report. */
  pages?: PageLink[];
  /** With `pages:`, the page this model renders (`first`: index.html). */
  page?: PageInfo;
  /** Filled in by renderReport: the theme with the embedded font. */
  css?: string;
}

/** The page a model renders, in a report with `pages:`. */
export interface PageInfo {
  title: string;
  file: string;
  /** The first page, index.html: its <title> is the report's alone (publish names content by it). */
  first: boolean;
}

/** One entry of the navigation between the pages of a report. */
export interface PageLink {
  title: string;
  /** The page's file name, e.g. "products.html". */
  href: string;
  /** This is the page being shown (aria-current="page"). */
  current: boolean;
}

export interface AlertItem extends Alert {
  /** The id of the column's profile card. */
  anchor?: string;
  /** The link to that card: "#id" on its page, "other.html#id" from another page. */
  href?: string;
}

export interface AssembleInput {
  spec: ReportSpec;
  summary: Summary;
  source: {
    label: string;
    size?: number;
    etag?: string;
    lastModified?: Date | string;
  };
  charts: ChartSet;
  now: Date;
  /** Lines shown above the report (e.g. "Using the bundled sample data: no bucket configured"). */
  notices?: string[];
  /** What the run history says (src/history); absent when the report keeps none. */
  history?: HistoryInput;
}

export interface HistoryInput {
  /** Against the previous run; absent on the first run. */
  changes?: ChangeSummary;
  /** KPI values over the last runs, oldest first, by kpiKey (src/history/changes.ts). */
  trends: Map<string, (number | null)[]>;
  /** Show the changes section first when the definition places none. */
  autoSection: boolean;
}

/** Default rows shown by a table section without `limit`. */
export const DEFAULT_TABLE_ROWS = 100;

function langOf(locale: string): string {
  try {
    return new Intl.Locale(locale).toString();
  } catch {
    return "en";
  }
}

/**
 * The format of each numeric column of a table: the section's `columns:`, else a chart's over
 * the same query, else a KPI's with the same measure (sum(revenue) shown as currency there is
 * currency here), else percent for the mean of a true/false column.
 */
function columnFormats(
  spec: ReportSpec,
  summary: Summary,
  section: TableSection,
): Map<string, ValueFormat> {
  const formats = new Map<string, ValueFormat>();
  const query = spec.queries[section.query];
  const kpiFormats = new Map<string, ValueFormat>();
  for (const other of spec.sections) {
    if (other.kind === "kpis")
      for (const kpi of other.kpis) {
        const key = `${kpi.measure.op}(${kpi.measure.column ?? ""})`;
        if (!kpiFormats.has(key)) kpiFormats.set(key, kpi.format);
      }
  }
  for (const measure of query?.measures ?? []) {
    const key = `${measure.op}(${measure.column ?? ""})`;
    const fromKpi = kpiFormats.get(key);
    const source = summary.columns.find((c) => c.name === measure.column);
    if (fromKpi !== undefined && fromKpi !== "date") formats.set(measure.name, fromKpi);
    else if (measure.op === "mean" && source?.type === "boolean")
      formats.set(measure.name, "percent");
  }
  for (const other of spec.sections) {
    if (other.kind === "chart" && other.query === section.query && other.format !== undefined)
      formats.set(other.y, other.format);
  }
  for (const [name, format] of Object.entries(section.formats ?? {})) formats.set(name, format);
  return formats;
}

/** Markers per tone: filled for bad, outlined for good, so the tone does not rest on colour. */
const TONE_MARKS: Record<CellTone, { above: string; below: string }> = {
  bad: { above: "▲", below: "▼" },
  good: { above: "△", below: "▽" },
};

/** The flag of a value past its column's thresholds (strictly above or below), else undefined. */
export function cellFlag(
  value: number,
  rule: CellRule,
  format: (n: number) => string,
): CellFlag | undefined {
  const side =
    rule.above !== undefined && value > rule.above
      ? "above"
      : rule.below !== undefined && value < rule.below
        ? "below"
        : undefined;
  if (side === undefined) return undefined;
  const limit = side === "above" ? rule.above : rule.below;
  return {
    tone: rule.tone,
    mark: TONE_MARKS[rule.tone][side],
    label: `${side} ${format(limit ?? 0)}, ${rule.tone}`,
  };
}

/** Measures whose column total means something: sums and counts add up. */
const ADDITIVE_OPS: readonly MeasureOp[] = ["sum", "count"];

/** A table section as formatted cells (also the email's short table). */
export function tableBlock(
  spec: ReportSpec,
  summary: Summary,
  section: TableSection,
  index: number,
  loc: FormatLocale,
): TableBlock {
  const result = summary.queries[section.query];
  if (result === undefined) {
    throw specError(
      spec,
      [...section.path, "query"],
      notFound("query", section.query, Object.keys(summary.queries)),
      "Name a query defined under `queries:` in the report definition.",
    );
  }
  const query = spec.queries[section.query];
  const units = new Map(query?.groupBy.map((key) => [key.name, key.unit]) ?? []);
  const formats = columnFormats(spec, summary, section);
  const limit = section.limit ?? DEFAULT_TABLE_ROWS;
  const columns: TableColumn[] = result.columns.map((column) => {
    const numeric = isNumeric(column.type);
    const out: TableColumn = { name: column.name, title: fieldTitle(column.name), numeric };
    if (column.type === "integer" || column.type === "float")
      out.format = formats.get(column.name) ?? (column.type === "integer" ? "integer" : "number");
    return out;
  });
  const bars = new Set(section.bars ?? []);
  const largest = new Map<string, number>();
  for (const name of bars) {
    let max = 0;
    for (const row of result.rows) {
      const v = row[name];
      if (typeof v === "number" && Math.abs(v) > max) max = Math.abs(v);
    }
    largest.set(name, max);
  }
  const cellText = (value: Cell | undefined, column: QueryColumn, format?: ValueFormat) => {
    if (value === null || value === undefined) return MISSING;
    switch (column.type) {
      case "date":
      case "timestamp":
        return formatDate(value, loc, units.get(column.name));
      case "integer":
        // A whole-number group key is a label (a year, a code), not a quantity: 2015, not
        // 2,015, unless the definition gives it a format.
        if (units.has(column.name) && !formats.has(column.name)) return String(value);
        return formatValue(value, format ?? "number", loc);
      case "float":
        return formatValue(value, format ?? "number", loc);
      case "boolean":
        return String(value);
      case "string":
        return typeof value === "number" ? formatNumber(value, loc) : String(value);
      default:
        return assertNever(column.type, "column type");
    }
  };
  const rules = new Map(Object.entries(section.color ?? {}));
  for (const name of rules.keys()) {
    const column = result.columns.find((c) => c.name === name);
    if (column !== undefined && column.type !== "integer" && column.type !== "float") {
      throw specError(
        spec,
        [...section.path, "color", name],
        `'${name}' holds ${column.type} values; colouring compares numbers`,
        "Colour a measure such as sum(...) or mean(...), or remove this rule.",
      );
    }
  }
  const threshold = (n: number, i: number) => formatValue(n, columns[i].format ?? "number", loc);
  const rows = result.rows.slice(0, limit).map((row) =>
    result.columns.map((column, i): TableCell => {
      const value = row[column.name];
      const cell: TableCell = { text: cellText(value, column, columns[i].format) };
      const max = largest.get(column.name);
      if (max !== undefined && max > 0 && typeof value === "number")
        cell.bar = Number((Math.abs(value) / max).toFixed(4));
      const rule = rules.get(column.name);
      if (rule !== undefined && typeof value === "number") {
        const flag = cellFlag(value, rule, (n) => threshold(n, i));
        if (flag !== undefined) cell.flag = flag;
      }
      return cell;
    }),
  );
  const block: TableBlock = {
    kind: "table",
    partial: "table",
    index,
    title: section.title ?? fieldTitle(section.query),
    columns,
    rows,
    totalRows: result.rows.length,
    truncated: result.rows.length > limit,
  };
  if (rules.size > 0) {
    block.legend = [...rules].map(([name, rule]) => {
      const i = result.columns.findIndex((c) => c.name === name);
      const parts: string[] = [];
      if (rule.above !== undefined)
        parts.push(`${TONE_MARKS[rule.tone].above} above ${threshold(rule.above, i)}`);
      if (rule.below !== undefined)
        parts.push(`${TONE_MARKS[rule.tone].below} below ${threshold(rule.below, i)}`);
      return `${fieldTitle(name)}: ${parts.join(" or ")} (${rule.tone})`;
    });
  }
  if (section.totals === true) {
    const additive = new Set(
      (query?.measures ?? [])
        .filter((m) => m.op !== undefined && ADDITIVE_OPS.includes(m.op))
        .map((m) => m.name),
    );
    block.totals = result.columns.map((column, i) => {
      if (i === 0) return "Total";
      if (!additive.has(column.name)) return "";
      let sum = 0;
      for (const row of result.rows) {
        const v = row[column.name];
        if (typeof v === "number") sum += v;
      }
      return cellText(sum, column, columns[i].format);
    });
  }
  return block;
}

/** What the profile cards of one page share: the used ids, and lookups built once per page. */
interface CardContext {
  spec: ReportSpec;
  summary: Summary;
  charts: ChartSet;
  /** Card ids taken so far, and the next suffix to try per base id. */
  ids: Set<string>;
  nextSuffix: Map<string, number>;
  alertsByColumn: Map<string, Alert[]>;
}

function cardContext(spec: ReportSpec, summary: Summary, charts: ChartSet): CardContext {
  const alertsByColumn = new Map<string, Alert[]>();
  for (const alert of summary.alerts) {
    if (alert.column === undefined) continue;
    const list = alertsByColumn.get(alert.column);
    if (list === undefined) alertsByColumn.set(alert.column, [alert]);
    else list.push(alert);
  }
  return { spec, summary, charts, ids: new Set(), nextSuffix: new Map(), alertsByColumn };
}

/** The cards of one profile section; linear in the columns (a table may have tens of thousands). */
function profileCards(
  context: CardContext,
  columns: "all" | string[],
  path: ReportSpec["sections"][number]["path"],
): ProfileCard[] {
  const { spec, summary, charts, ids, nextSuffix, alertsByColumn } = context;
  const profiles =
    columns === "all"
      ? summary.columns
      : columns.map((name, i) => {
          // Profile names from the data are cut to max_text_chars; cut the definition's too.
          const cut = cutText(name, spec.limits.max_text_chars);
          const profile = summary.columns.find((c) => c.name === cut);
          if (profile !== undefined) return profile;
          throw specError(
            spec,
            [...path, i],
            notFound(
              "column",
              name,
              summary.columns.map((c) => c.name),
            ),
          );
        });
  return profiles.map((profile, i) => {
    const { name } = profile;
    const total = profile.count + profile.missing;
    const base = `column-${slug(name) || i + 1}`;
    let id = base;
    for (let n = nextSuffix.get(base) ?? 2; ids.has(id); n++) {
      id = `${base}-${n}`;
      nextSuffix.set(base, n + 1);
    }
    ids.add(id);
    const card: ProfileCard = {
      id,
      profile,
      missingShare: total === 0 ? 0 : profile.missing / total,
      topShares: (profile.top ?? []).map((top) =>
        profile.count === 0 ? 0 : top.count / profile.count,
      ),
      alerts: alertsByColumn.get(name) ?? [],
    };
    const histogram = charts.histograms.get(name);
    if (histogram !== undefined) card.histogram = histogram;
    return card;
  });
}

/** A KPI tile with its sparkline when the history holds two or more of its values. */
function kpiTile(
  kpi: KpiValue,
  id: string,
  history: HistoryInput | undefined,
  loc: FormatLocale,
): KpiTile {
  const values = history?.trends.get(kpiKey(kpi));
  if (values === undefined) return kpi;
  const known = values.filter((v) => v !== null);
  const from = formatValue(known[0], kpi.format, loc);
  const to = formatValue(known.at(-1), kpi.format, loc);
  const line = sparkline(
    values,
    id,
    `${kpi.label}, last ${values.length} runs`,
    `${kpi.label} over the last ${values.length} runs: from ${from} to ${to}.`,
  );
  return line === undefined ? kpi : { ...kpi, trend: line.svg, trendRuns: line.runs };
}

/** The measure per period of a KPI with `compare: { sparkline: true }`, every point titled. */
function withPeriods(tile: KpiTile, id: string, loc: FormatLocale): KpiTile {
  const series = tile.comparison?.series;
  if (series === undefined || series.length === 0) return tile;
  const unit = tile.comparison?.unit;
  const value = (v: number | null) => (v === null ? MISSING : formatValue(v, tile.format, loc));
  const labels = series.map((p) => `${formatDate(p.period, loc, unit)}: ${value(p.value)}`);
  const first = formatDate(series[0].period, loc, unit);
  const last = formatDate(series[series.length - 1].period, loc, unit);
  const line = sparkline(
    series.map((p) => p.value),
    id,
    `${tile.label} per ${unit ?? "period"}, ${first} to ${last}`,
    `${tile.label} per ${unit ?? "period"}: ${labels.join("; ")}.`,
    labels,
  );
  return line === undefined ? tile : { ...tile, periods: line.svg };
}

/** The "Since the last run" block; `taken` holds the blocks so far, for a unique id. */
function changesBlock(
  changes: ChangeSummary | undefined,
  index: number,
  title: string | undefined,
  loc: FormatLocale,
  taken: readonly RenderedSection[],
): ChangesBlock {
  const count = taken.filter((block) => block.kind === "changes").length;
  const block: ChangesBlock = {
    kind: "changes",
    partial: "changes",
    index,
    id: count === 0 ? "since-last-run" : `since-last-run-${count + 1}`,
    title: title ?? "Since the last run",
    hasPrevious: changes !== undefined,
    headline:
      changes === undefined
        ? "This is the first run in the history: changes show from the next build on."
        : changesHeadline(changes),
    items: [],
    kpis: [],
  };
  if (changes === undefined) return block;
  block.previousBuiltAt = changes.previous.builtAt;
  block.items = changes.notable.map((change) => {
    const item: ChangesBlock["items"][number] = {
      kind: change.kind,
      text: describeChange(change, loc),
    };
    if (change.column !== undefined) item.column = change.column;
    return item;
  });
  block.kpis = changes.kpis.map((kpi) => ({
    label: kpi.label,
    before: formatValue(kpi.before, kpi.format, loc),
    after: formatValue(kpi.after, kpi.format, loc),
    change: kpi.change === null ? "" : formatChange(kpi.change, loc),
    direction: kpi.change === null || kpi.change === 0 ? "flat" : kpi.change > 0 ? "up" : "down",
    notable: kpi.notable,
  }));
  return block;
}

/**
 * The chart with `text` as its SVGs' <desc> (what screen readers say): the description as
 * read, not its Markdown and placeholders as written.
 */
function withPlainDescription(chart: RenderedChart, text: string): RenderedChart {
  const desc = (svg: string) =>
    svg.replace(
      /(<desc id="[^"]*">)[\s\S]*?(<\/desc>)/,
      (_: string, open: string, close: string) => `${open}${escapeMarkup(text)}${close}`,
    );
  const plain: RenderedChart = { ...chart, description: text, svg: desc(chart.svg) };
  if (chart.narrow !== undefined) plain.narrow = desc(chart.narrow);
  return plain;
}

/** The inline values of the definition's texts, query cells formatted as their tables show them. */
export function inlineFill(
  spec: ReportSpec,
  summary: Summary,
  loc: FormatLocale,
): (path: FieldPath) => FillValue {
  return inlineValues(spec, summary, loc, (query, rows) => {
    const path = spec.queries[query]?.path ?? ["queries", query];
    const block = tableBlock(spec, summary, { kind: "table", query, path, limit: rows }, -1, loc);
    return block.rows.map((row) => row.map((cell) => cell.text));
  });
}

/**
 * Markdown of the definition rendered to HTML, its inline values filled from the summaries;
 * with `styles`, inline styles per tag (for email).
 */
export function markdownOf(
  spec: ReportSpec,
  summary: Summary,
  loc: FormatLocale,
  styles?: TagStyles,
): (text: string, path: FieldPath) => string {
  const fill = inlineFill(spec, summary, loc);
  return (text, path) => renderMarkdown(text, fill(path), styles);
}

function markWide(block: RenderedSection): RenderedSection {
  if (block.kind === "profile") block.wide = block.cards.length > WIDE_PROFILE_COLUMNS;
  return block;
}

/** Build the template model: sections in spec order with their KPIs, charts, tables and profiles. */
export function assembleModel(input: AssembleInput): ReportModel {
  const { spec, summary, charts } = input;
  const loc: FormatLocale = { locale: spec.locale, currency: spec.currency };
  const sections: RenderedSection[] = [];
  const cards = cardContext(spec, summary, charts);
  const markdown = markdownOf(spec, summary, loc);
  for (const [index, section] of spec.sections.entries()) {
    switch (section.kind) {
      case "kpis":
        sections.push({
          kind: "kpis",
          partial: "kpis",
          index,
          kpis: summary.kpis
            .filter((kpi) => kpi.section === index)
            .map((kpi, i) =>
              withPeriods(
                kpiTile(kpi, `kpi-${index}-${i}-trend`, input.history, loc),
                `kpi-${index}-${i}-periods`,
                loc,
              ),
            ),
        });
        break;
      case "chart":
      case "vega_lite":
      case "histogram": {
        const chart = charts.charts.get(index);
        if (chart === undefined)
          throw new Error(`renderCharts produced no chart for section ${index}`);
        const block: ChartBlock = {
          kind: section.kind,
          partial: "chart",
          index,
          title: section.title,
          chart,
        };
        if (section.description !== undefined) {
          block.description = markdown(section.description, [
            ...section.path,
            section.kind,
            "description",
          ]);
          block.chart = withPlainDescription(chart, htmlToText(block.description));
        }
        sections.push(block);
        break;
      }
      case "table":
        sections.push(tableBlock(spec, summary, section, index, loc));
        break;
      case "profile":
        sections.push({
          kind: "profile",
          partial: "profile",
          index,
          cards: profileCards(cards, section.columns, section.path),
          wide: false,
        });
        sections[sections.length - 1] = markWide(sections[sections.length - 1]);
        break;
      case "text":
        sections.push({
          kind: "text",
          partial: "text",
          index,
          html: markdown(section.text, [...section.path, "text"]),
          paragraphs: section.text
            .split(/\n\s*\n/)
            .map((p) => p.trim())
            .filter((p) => p !== ""),
        });
        break;
      case "changes":
        sections.push(changesBlock(input.history?.changes, index, section.title, loc, sections));
        break;
      default:
        assertNever(section, "section kind");
    }
  }
  const placed = spec.sections.some((section) => section.kind === "changes");
  if (!placed && input.history?.autoSection && input.history.changes !== undefined) {
    sections.unshift(changesBlock(input.history.changes, -1, undefined, loc, sections));
  }
  // Pick fields: the caller may pass a whole DataSource (with its body and credential source).
  const { label, size, etag, lastModified } = input.source;
  const info: SourceInfo = { label };
  if (size !== undefined) info.size = size;
  if (etag !== undefined) info.etag = etag;
  if (lastModified !== undefined) {
    info.lastModified = lastModified instanceof Date ? lastModified.toISOString() : lastModified;
  }
  const anchors = new Map<string, string>();
  for (const block of sections) {
    if (block.kind !== "profile") continue;
    for (const card of block.cards)
      if (!anchors.has(card.profile.name)) anchors.set(card.profile.name, card.id);
  }
  const alerts: AlertItem[] = summary.alerts.map((alert) => {
    const anchor = alert.column === undefined ? undefined : anchors.get(alert.column);
    return anchor === undefined ? { ...alert } : { ...alert, anchor, href: `#${anchor}` };
  });
  const model: ReportModel = {
    title: spec.title,
    lang: langOf(spec.locale),
    locale: spec.locale,
    currency: spec.currency,
    generatedAt: input.now.toISOString(),
    source: info,
    rows: summary.rows,
    columnCount: summary.columns.length,
    notices: [...(input.notices ?? []), ...charts.notices],
    sections,
    alerts,
    tableAlerts: alerts.filter((alert) => alert.column === undefined),
  };
  if (spec.description !== undefined) {
    model.descriptionHtml = markdown(spec.description, ["description"]);
    model.description = htmlToText(model.descriptionHtml);
  }
  return model;
}
