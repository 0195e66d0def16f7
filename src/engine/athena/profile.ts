// The column profile in Athena, in four statements whatever the number of columns (batched
// per BATCH columns): (1) counts, missing, approx_distinct, min, max, mean, zeros and
// approx_percentile per column; (2) with the means and the histogram edges chosen from (1),
// the central moments (std, skewness) and every histogram bin as a count_if; (3) the top
// values of the text columns, all in one statement (grouping sets: one scan); (4) the exact
// count of duplicate rows. Each is one scan of the table.
// The edges are chosen as src/summarize/histogram.ts chooses them, from the data's estimated
// quartiles instead of its exact ones; the counts within those edges are exact.
import { DAY_MS, isoDate, isoTimestamp } from "../../calendar.ts";
import type { HistogramSection, ReportSpec } from "../../config/spec.ts";
import { cutText } from "../../summarize/cut-text.ts";
import {
  FENCE,
  HEAVY_TAIL_RATIO,
  type HistogramChoice,
  shapedHistogram,
  timeUnitFor,
} from "../../summarize/histogram.ts";
import { type ColumnStats, TOP_VALUES } from "../../summarize/profile.ts";
import type {
  ColumnProfile,
  HistogramBin,
  HistogramShape,
  Quantiles,
  TopValue,
} from "../../summarize/summary.ts";
import { addBuckets, type BucketUnit, bucketStart } from "../../time-buckets.ts";
import type { AthenaSession } from "./client.ts";
import { present, type SqlColumn, temporal } from "./columns.ts";
import { num } from "./sql.ts";

/** Columns per statement: Athena takes statements up to 256 kB. */
const BATCH = 40;
/** The quantiles a profile shows, plus p99 for the choice of a log scale. */
const PERCENTILES = [0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** What the profile needs from the first scan, per column. */
interface FirstScan {
  count: number;
  distinct: number;
  min?: number;
  max?: number;
  minPositive?: number;
  mean?: number;
  zeros?: number;
  infinite?: number;
  trues?: number;
  /** By PERCENTILES. */
  percentiles: (number | undefined)[];
}

/** Bins chosen from the first scan: edges, whether the last bin is half-open, the shape. */
interface BinPlan {
  edges: number[];
  halfOpen: boolean;
  scale: "linear" | "log";
  /** Chosen from estimates (the scale or the fences): the bins may differ from exact ones. */
  approximate: boolean;
}

export interface AthenaProfile {
  rows: number;
  stats: ColumnStats[];
  duplicates: number;
  histograms: Record<string, HistogramBin[]>;
  shapes: Record<string, HistogramShape>;
}

/** A result row's cells by column name, read as numbers (null for NULL). */
type Row = Map<string, number | null>;

/** Profiles `columns` of the table `from` (a FROM clause) with `where` applied to every row. */
export async function profileInAthena(
  session: AthenaSession,
  from: string,
  columns: readonly SqlColumn[],
  spec: ReportSpec,
): Promise<AthenaProfile> {
  const batches = chunk(
    columns.map((column, index) => ({ column, index })),
    BATCH,
  );
  // Each batch reads its columns' expressions once, in a subquery, and aggregates those.
  const over = (batch: readonly { column: SqlColumn; index: number }[]) =>
    `(SELECT ${batch.flatMap(({ column, index }) => projection(column, index)).join(", ") || '1 AS "one"'} FROM ${from}) AS "p"`;
  const projected = columns.map((column, index) => projected_(column, index));
  let rows = 0;
  const first = new Array<FirstScan>(columns.length);
  for (const [b, batch] of batches.entries()) {
    const label = `profile statistics${batches.length > 1 ? ` ${b + 1}/${batches.length}` : ""}`;
    const result = await session.run(
      `SELECT ${['count(*) AS "rows"', ...batch.flatMap(({ index }) => firstScanSelect(projected[index], index))].join(", ")} FROM ${over(batch)}`,
      label,
    );
    const row = numberRow(result.columns, result.rows[0]);
    rows = row.get("rows") ?? 0;
    for (const { column, index } of batch) first[index] = readFirstScan(row, column, index);
  }
  if (columns.length === 0) {
    const result = await session.run(`SELECT count(*) AS "rows" FROM ${from}`, "row count");
    rows = numberRow(result.columns, result.rows[0]).get("rows") ?? 0;
  }

  // The histograms' edges, chosen from the first scan.
  const plans = columns.map((column, i) => profilePlan(column, first[i]));
  const sections = sectionPlans(spec, columns, first);
  const second = new Map<string, number | null>();
  const wanted = columns
    .map((column, index) => ({ column, index }))
    .filter(({ column, index }) => column.number !== undefined && first[index].count > 0);
  const sectionList = [...sections.entries()];
  const secondBatches = chunk(wanted, BATCH);
  for (const [b, batch] of secondBatches.entries()) {
    const parts = batch.flatMap(({ index }) =>
      secondScanSelect(projected[index], index, first[index], plans[index]),
    );
    const read = [...batch];
    // The sections' own histograms ride along with the first batch.
    if (b === 0) {
      for (const [key, { column, plan }] of sectionList) {
        const index = columns.indexOf(column);
        parts.push(...binSelects(projected[index], `s${key}`, plan));
        if (!read.some((r) => r.index === index)) read.push({ column, index });
      }
    }
    if (parts.length === 0) continue;
    const label = `profile histograms${secondBatches.length > 1 ? ` ${b + 1}/${secondBatches.length}` : ""}`;
    const result = await session.run(`SELECT ${parts.join(", ")} FROM ${over(read)}`, label);
    for (const [k, v] of numberRow(result.columns, result.rows[0])) second.set(k, v);
  }

  const tops = await topValues(session, over, columns, first);
  const everything = columns.map((column, index) => ({ column, index }));
  const duplicates = await duplicateRows(session, over(everything), projected, rows);
  const maxText = spec.limits.max_text_chars;
  const stats = columns.map((column, i) => {
    const s = assemble(column, i, rows, first[i], plans[i], second, tops.get(i) ?? []);
    s.profile.name = cutText(s.profile.name, maxText);
    for (const top of s.profile.top ?? []) top.value = cutText(top.value, maxText);
    return s;
  });
  const histograms: Record<string, HistogramBin[]> = {};
  const shapes: Record<string, HistogramShape> = {};
  for (const [key, { plan }] of sectionList) {
    const { bins, below, above } = readBins(second, `s${key}`, plan);
    histograms[key] = bins;
    shapes[key] = { scale: plan.scale, below, above };
  }
  return { rows, stats, duplicates, histograms, shapes };
}

/** The expressions of column `i` a profile statement reads: "v<i>", "x<i>", "f<i>". */
function projection(column: SqlColumn, i: number): string[] {
  const parts = [`${column.value} AS "v${i}"`];
  if (column.number !== undefined) parts.push(`${column.number} AS "x${i}"`);
  if (column.infinite !== undefined) parts.push(`${column.infinite} AS "f${i}"`);
  return parts;
}

/** Column `i` as the projection names it. */
function projected_(column: SqlColumn, i: number): SqlColumn {
  return {
    ...column,
    value: `"v${i}"`,
    ...(column.number === undefined ? {} : { number: `"x${i}"` }),
    ...(column.infinite === undefined ? {} : { infinite: `"f${i}"` }),
  };
}

function firstScanSelect(column: SqlColumn, i: number): string[] {
  const parts = [`count_if(${present(column)}) AS "n${i}"`];
  const n = column.number;
  if (n === undefined || column.kind === "category") {
    parts.push(`approx_distinct(${column.value}) AS "d${i}"`);
    return parts;
  }
  if (column.type === "boolean") {
    parts.push(`count_if(${column.value}) AS "t${i}"`);
    return parts;
  }
  parts.push(
    `approx_distinct(${n}) AS "d${i}"`,
    `min(${n}) AS "lo${i}"`,
    `max(${n}) AS "hi${i}"`,
    ...PERCENTILES.map((p, k) => `approx_percentile(${n}, ${num(p)}) AS "q${i}_${k}"`),
  );
  if (!temporal(column)) {
    parts.push(
      `avg(${n}) AS "mean${i}"`,
      `count_if(${n} = 0E0) AS "z${i}"`,
      `min(CASE WHEN ${n} > 0E0 THEN ${n} END) AS "pos${i}"`,
    );
  }
  if (column.infinite !== undefined) parts.push(`count_if(${column.infinite}) AS "inf${i}"`);
  return parts;
}

function readFirstScan(row: Row, column: SqlColumn, i: number): FirstScan {
  const get = (name: string) => row.get(name) ?? undefined;
  const scan: FirstScan = {
    count: get(`n${i}`) ?? 0,
    distinct: get(`d${i}`) ?? 0,
    percentiles: PERCENTILES.map((_, k) => get(`q${i}_${k}`)),
  };
  if (column.type === "boolean") {
    scan.trues = get(`t${i}`) ?? 0;
    scan.distinct = (scan.trues > 0 ? 1 : 0) + (scan.count - scan.trues > 0 ? 1 : 0);
  }
  scan.min = get(`lo${i}`);
  scan.max = get(`hi${i}`);
  scan.mean = get(`mean${i}`);
  scan.zeros = get(`z${i}`);
  scan.minPositive = get(`pos${i}`);
  scan.infinite = get(`inf${i}`);
  return scan;
}

/** The bins of a profile histogram: by calendar unit for dates, shaped for numbers. */
function profilePlan(column: SqlColumn, scan: FirstScan): BinPlan | undefined {
  if (column.number === undefined || column.type === "boolean") return undefined;
  if (scan.count === 0 || scan.min === undefined || scan.max === undefined) return undefined;
  if (temporal(column)) {
    const unit = timeUnitFor(scan.min, scan.max, column.type === "timestamp");
    const edges = [bucketStart(scan.min, unit)];
    while (edges[edges.length - 1] <= scan.max)
      edges.push(addBuckets(edges[edges.length - 1], unit, 1));
    return { edges, halfOpen: true, scale: "linear", approximate: false };
  }
  return numberPlan(column.type === "integer", scan, {});
}

/**
 * Edges as shapedHistogram chooses them for the data, from the estimated quartiles: the scale
 * (log for positive heavy-tailed data), the range cut at Tukey's far-out fences, nice steps.
 */
function numberPlan(integer: boolean, scan: FirstScan, choice: HistogramChoice): BinPlan {
  const min = scan.min as number;
  const max = scan.max as number;
  const [p5, q1, p50, q3, , p99] = scan.percentiles.map((p) => p ?? Number.NaN);
  let scale: "linear" | "log";
  let estimated = false;
  if (choice.scale !== undefined && choice.scale !== "auto") scale = choice.scale;
  else if (choice.range !== undefined || min <= 0) scale = "linear";
  else {
    estimated = true;
    if (integer && p5 < 10) scale = "linear";
    else scale = p99 / p50 >= HEAVY_TAIL_RATIO ? "log" : "linear";
  }
  let lo: number;
  let hi: number;
  if (choice.range !== undefined) [lo, hi] = choice.range;
  else if (scale === "log") [lo, hi] = [scan.minPositive ?? min, max];
  else {
    const iqr = q3 - q1;
    [lo, hi] =
      iqr > 0 && Number.isFinite(iqr)
        ? [Math.max(min, q1 - FENCE * iqr), Math.min(max, q3 + FENCE * iqr)]
        : [min, max];
    if (lo > min || hi < max) estimated = true;
  }
  if (scale === "log") lo = Math.max(lo, scan.minPositive ?? Number.POSITIVE_INFINITY);
  // shapedHistogram picks its edges from the smallest and largest value drawn: [lo, hi] here.
  const shaped = shapedHistogram(Float64Array.of(lo, hi), integer, {
    bins: choice.bins,
    scale,
    range: [lo, hi],
  });
  const edges = [...shaped.bins.map((bin) => Number(bin.start)), Number(shaped.bins.at(-1)?.end)];
  const last = edges[edges.length - 1];
  return {
    edges,
    halfOpen: integer && shaped.scale === "linear" && last > edges[0],
    scale: shaped.scale,
    approximate: estimated,
  };
}

/** Histogram sections with their own bins, scale or range, by section index. */
function sectionPlans(
  spec: ReportSpec,
  columns: readonly SqlColumn[],
  first: readonly FirstScan[],
): Map<string, { column: SqlColumn; plan: BinPlan }> {
  const plans = new Map<string, { column: SqlColumn; plan: BinPlan }>();
  spec.sections.forEach((section, index) => {
    if (section.kind !== "histogram") return;
    const { bins, scale, range } = section as HistogramSection;
    if (bins === undefined && scale === undefined && range === undefined) return;
    const i = columns.findIndex((c) => c.name === section.column);
    const column = columns[i];
    if (column?.kind !== "number" || temporal(column) || column.type === "boolean") return;
    const scan = first[i];
    if (scan.count === 0) return;
    plans.set(String(index), {
      column,
      plan: numberPlan(column.type === "integer", scan, { bins, scale, range }),
    });
  });
  return plans;
}

function secondScanSelect(
  column: SqlColumn,
  i: number,
  scan: FirstScan,
  plan: BinPlan | undefined,
): string[] {
  const parts: string[] = [];
  const n = column.number as string;
  if (!temporal(column) && column.type !== "boolean" && scan.mean !== undefined) {
    const d = `(${n} - ${num(scan.mean)})`;
    parts.push(`sum(${d} * ${d}) AS "m2_${i}"`, `sum(${d} * ${d} * ${d}) AS "m3_${i}"`);
  }
  if (plan !== undefined) parts.push(...binSelects(column, `b${i}`, plan));
  return parts;
}

/** count_if per bin, and the values below the first edge and above the last. */
function binSelects(column: SqlColumn, prefix: string, plan: BinPlan): string[] {
  const n = column.number as string;
  const { edges, halfOpen } = plan;
  const last = edges.length - 2;
  const parts = edges.slice(0, -1).map((start, k) => {
    const end = edges[k + 1];
    const upper = k < last || halfOpen ? `${n} < ${num(end)}` : `${n} <= ${num(end)}`;
    return `count_if(${n} >= ${num(start)} AND ${upper}) AS "${prefix}_${k}"`;
  });
  const top = edges[edges.length - 1];
  parts.push(
    `count_if(${n} < ${num(edges[0])}) AS "${prefix}_below"`,
    `count_if(${halfOpen ? `${n} >= ${num(top)}` : `${n} > ${num(top)}`}) AS "${prefix}_above"`,
  );
  return parts;
}

function readBins(
  row: Row,
  prefix: string,
  plan: BinPlan,
): { bins: HistogramBin[]; below: number; above: number } {
  const bins = plan.edges.slice(0, -1).map((start, k) => ({
    start,
    end: plan.edges[k + 1],
    count: row.get(`${prefix}_${k}`) ?? 0,
  }));
  return { bins, below: row.get(`${prefix}_below`) ?? 0, above: row.get(`${prefix}_above`) ?? 0 };
}

/**
 * The TOP_VALUES most frequent values of every text column, in one statement and one scan: one
 * grouping set per column over the projected values, told apart by grouping(), ranked per column.
 */
async function topValues(
  session: AthenaSession,
  over: (batch: readonly { column: SqlColumn; index: number }[]) => string,
  columns: readonly SqlColumn[],
  first: readonly FirstScan[],
): Promise<Map<number, TopValue[]>> {
  const tops = new Map<number, TopValue[]>();
  const text = columns
    .map((column, index) => ({ column, index }))
    .filter(({ column, index }) => column.kind === "category" && first[index].count > 0);
  if (text.length === 0) return tops;
  // grouping("v<i>") is 0 exactly in column i's set; its missing values form a NULL group.
  const whens = (then: (i: number) => string) =>
    text.map(({ index }) => `WHEN grouping("v${index}") = 0 THEN ${then(index)}`).join(" ");
  const sets = text.map(({ index }) => `("v${index}")`).join(", ");
  const grouped = `SELECT CASE ${whens(String)} END AS "c", CASE ${whens((i) => `CAST("v${i}" AS VARCHAR)`)} END AS "v", count(*) AS "n" FROM ${over(text)} GROUP BY GROUPING SETS (${sets})`;
  const result = await session.run(
    `SELECT "c", "v", "n" FROM (SELECT "c", "v", "n", row_number() OVER (PARTITION BY "c" ORDER BY "n" DESC, "v" ASC) AS "r" FROM (${grouped}) AS "g" WHERE "v" IS NOT NULL) AS "t" WHERE "r" <= ${TOP_VALUES}`,
    "profile top values",
  );
  for (const [c, v, n] of result.rows) {
    const index = Number(c);
    const list = tops.get(index) ?? [];
    list.push({ value: v ?? "", count: Number(n) });
    tops.set(index, list);
  }
  return tops;
}

/** Rows that are exact copies of an earlier row (missing equal to missing), counted exactly. */
async function duplicateRows(
  session: AthenaSession,
  from: string,
  columns: readonly SqlColumn[],
  rows: number,
): Promise<number> {
  if (columns.length === 0 || rows < 2) return 0;
  const keys = columns.map((c) => c.number ?? c.value).join(", ");
  const result = await session.run(
    `SELECT coalesce(sum("n" - 1), 0) AS "d" FROM (SELECT count(*) AS "n" FROM ${from} GROUP BY ${keys}) AS "g"`,
    "duplicate rows",
  );
  return Number(result.rows[0]?.[0] ?? 0);
}

function assemble(
  column: SqlColumn,
  i: number,
  rows: number,
  scan: FirstScan,
  plan: BinPlan | undefined,
  second: Row,
  top: TopValue[],
): ColumnStats {
  const profile: ColumnProfile = {
    name: column.name,
    type: column.type,
    count: scan.count,
    missing: rows - scan.count,
    distinct: scan.count === 0 ? 0 : scan.distinct,
  };
  if (column.kind === "category") {
    profile.top = sortTop(top);
    if (scan.count > 0) profile.approximate = ["distinct"];
    return { profile };
  }
  if (scan.infinite !== undefined && scan.infinite > 0) profile.infinite = scan.infinite;
  if (scan.count === 0) return { profile };
  if (column.type === "boolean") {
    const trues = scan.trues ?? 0;
    profile.top = sortTop([
      { value: "true", count: trues },
      { value: "false", count: scan.count - trues },
    ]);
    return { profile };
  }
  const approximate: NonNullable<ColumnProfile["approximate"]> = ["distinct", "quantiles"];
  const min = scan.min as number;
  const max = scan.max as number;
  const bins = plan === undefined ? undefined : readBins(second, `b${i}`, plan);
  if (temporal(column)) {
    const format =
      column.type === "date"
        ? (ms: number) => isoDate(Math.floor(ms / DAY_MS) * DAY_MS)
        : isoTimestamp;
    profile.min = format(min);
    profile.max = format(max);
    profile.quantiles = quantiles(scan, format);
    const unit = timeUnitFor(min, max, column.type === "timestamp") as BucketUnit;
    profile.histogramUnit = unit;
    const label = unit === "hour" ? isoTimestamp : isoDate;
    profile.histogram = (bins?.bins ?? []).map((b) => ({
      start: label(Number(b.start)),
      end: label(Number(b.end)),
      count: b.count,
    }));
    profile.approximate = approximate;
    return { profile };
  }
  profile.min = min;
  profile.max = max;
  profile.mean = scan.mean;
  const n = scan.count;
  const m2 = second.get(`m2_${i}`) ?? 0;
  const m3 = second.get(`m3_${i}`) ?? 0;
  if (n >= 2) profile.std = Math.sqrt(m2 / (n - 1));
  profile.quantiles = quantiles(scan, (v) => v);
  profile.zeros = scan.zeros ?? 0;
  if (bins !== undefined && plan !== undefined) {
    profile.histogram = bins.bins;
    profile.histogramScale = plan.scale;
    profile.histogramBelow = bins.below;
    profile.histogramAbove = bins.above;
    if (plan.approximate) approximate.push("histogram");
  }
  profile.approximate = approximate;
  // Adjusted Fisher-Pearson skewness, as src/summarize/quantiles.ts computes it.
  const mean = scan.mean ?? 0;
  if (n < 3) return { profile };
  const variance = m2 / n;
  const skewness =
    variance <= 1e-14 * mean * mean || variance === 0
      ? 0
      : ((Math.sqrt(n * (n - 1)) / (n - 2)) * (m3 / n)) / variance ** 1.5;
  return Number.isFinite(skewness) ? { profile, skewness } : { profile };
}

function quantiles<T extends number | string>(
  scan: FirstScan,
  format: (v: number) => T,
): Quantiles {
  const at = (k: number) => format(scan.percentiles[k] ?? Number.NaN);
  return { p5: at(0), p25: at(1), p50: at(2), p75: at(3), p95: at(4) };
}

/** By count descending then value ascending; zero counts dropped (as profile.ts's topOf). */
function sortTop(values: TopValue[]): TopValue[] {
  return values
    .filter((v) => v.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, TOP_VALUES);
}

/** The first row of a result as numbers by column name. */
function numberRow(
  columns: readonly { name: string }[],
  row: readonly (string | null)[] | undefined,
): Row {
  const out: Row = new Map();
  columns.forEach((c, k) => {
    const v = row?.[k];
    out.set(c.name, v === null || v === undefined ? null : Number(v));
  });
  return out;
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
