// The change summary: what moved between the previous run and this one, and which of those
// moves are notable by the definition's thresholds (src/config/history.ts). Pure: two
// summary documents in, plain JSON out; the report and the email say it in words
// (describe.ts). docs/history.md explains each measure and why it is measured that way.
import type { ChangeThresholds } from "../config/spec.ts";
import type { ColumnProfile, KpiValue, Quantiles } from "../summarize/summary.ts";
import { CHANGE_KINDS, type ChangeKind, type ValueFormat } from "../vocabulary.ts";
import { type DataIdentity, type SummaryDocument, sameData } from "./document.ts";
import { ksDistance } from "./shift.ts";

/** One notable change. `before`/`after` are the figures compared; `size` is what met the threshold. */
export interface Change {
  kind: ChangeKind;
  /** The column, for column changes. */
  column?: string;
  /** The KPI's label, for `kpi`. */
  kpi?: string;
  /** The KPI's format, for `kpi`. */
  format?: ValueFormat;
  /** A quantile (p5 … p95) for `quantiles`; the category for new and vanished categories. */
  detail?: string;
  before?: number | string | null;
  after?: number | string | null;
  /** The measure compared with its threshold: a relative change, a KS distance, standard deviations or share points. */
  size?: number;
}

/** A KPI now and at the last run, notable or not (the tiles and the email show them all). */
export interface KpiDelta {
  section: number;
  label: string;
  format: ValueFormat;
  before: number | string | null;
  after: number | string | null;
  /** (after - before) / |before|; null when either is missing or not a number, or before is 0. */
  change: number | null;
  notable: boolean;
}

export interface ChangeSummary {
  previous: { builtAt: string; rows: number; data: DataIdentity };
  /** The previous run read the very same bytes (same hash, version or ETag). */
  sameData: boolean;
  /** Notable changes, most important first (the order of CHANGE_KINDS, then column order). */
  notable: Change[];
  kpis: KpiDelta[];
}

const QUANTILES = [
  "p5",
  "p25",
  "p50",
  "p75",
  "p95",
] as const satisfies readonly (keyof Quantiles)[];

const isNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

/** (after - before) / |before|, or null when it has no meaning. */
function relative(before: unknown, after: unknown): number | null {
  if (!isNumber(before) || !isNumber(after) || before === 0) return null;
  return (after - before) / Math.abs(before);
}

function missingShare(column: ColumnProfile): number {
  const total = column.count + column.missing;
  return total === 0 ? 0 : column.missing / total;
}

/** Change of `after` against `before` in `std`s; any change counts fully when std is 0. */
function inStd(before: number, after: number, std: number | undefined): number {
  if (before === after) return 0;
  return std === undefined || std === 0 ? Number.POSITIVE_INFINITY : Math.abs(after - before) / std;
}

/** Column statistics compared between two runs of the same column and type. */
function columnChanges(before: ColumnProfile, after: ColumnProfile, t: ChangeThresholds): Change[] {
  const found: Change[] = [];
  const column = after.name;
  // An integer column whose every value is distinct in both runs is taken as an identifier:
  // new ids every day are not a shifted distribution.
  const identifier =
    after.type === "integer" && before.distinct === before.count && after.distinct === after.count;
  const numeric = (after.type === "integer" || after.type === "float") && !identifier;
  if (numeric && before.histogram && after.histogram) {
    const ks = ksDistance(before.histogram, after.histogram);
    if (ks !== undefined && ks >= t.shift) found.push({ kind: "shift", column, size: ks });
  }
  if (numeric && isNumber(before.mean) && isNumber(after.mean)) {
    const size = inStd(before.mean, after.mean, before.std);
    if (size >= t.mean)
      found.push({ kind: "mean", column, before: before.mean, after: after.mean, size });
  }
  if (numeric && before.quantiles && after.quantiles) {
    let most: Change | undefined;
    for (const q of QUANTILES) {
      const b = before.quantiles[q];
      const a = after.quantiles[q];
      if (!isNumber(b) || !isNumber(a)) continue;
      const size = inStd(b, a, before.std);
      if (size >= t.quantiles && (most === undefined || size > (most.size ?? 0))) {
        most = { kind: "quantiles", column, detail: q, before: b, after: a, size };
      }
    }
    if (most !== undefined) found.push(most);
  }
  const missingBefore = missingShare(before);
  const missingAfter = missingShare(after);
  if (Math.abs(missingAfter - missingBefore) >= t.missing && missingAfter !== missingBefore) {
    found.push({
      kind: "missing",
      column,
      before: missingBefore,
      after: missingAfter,
      size: Math.abs(missingAfter - missingBefore),
    });
  }
  // A value is known to be new (or gone) only when the other run listed every value it had.
  const topBefore = before.top ?? [];
  const topAfter = after.top ?? [];
  const completeBefore = before.top !== undefined && topBefore.length === before.distinct;
  const completeAfter = after.top !== undefined && topAfter.length === after.distinct;
  const valuesBefore = new Set(topBefore.map((v) => v.value));
  const valuesAfter = new Set(topAfter.map((v) => v.value));
  if (completeBefore) {
    for (const v of topAfter)
      if (!valuesBefore.has(v.value))
        found.push({ kind: "new_category", column, detail: v.value, after: v.count });
  }
  if (completeAfter) {
    for (const v of topBefore)
      if (!valuesAfter.has(v.value))
        found.push({ kind: "vanished_category", column, detail: v.value, before: v.count });
  }
  // Distinct counts: columns whose every value is listed are covered by the categories above;
  // for unique-ish columns (ids, amounts) the distinct share is compared, so fewer rows alone
  // do not count as a change.
  if (!(completeBefore && completeAfter) && before.count > 0 && after.count > 0) {
    const shareBefore = before.distinct / before.count;
    const shareAfter = after.distinct / after.count;
    const uniqueish = shareBefore >= 0.5 && shareAfter >= 0.5;
    const size = uniqueish
      ? Math.abs(shareAfter - shareBefore) / shareBefore
      : Math.abs(relative(before.distinct, after.distinct) ?? 0);
    if (size >= t.distinct)
      found.push({
        kind: "distinct",
        column,
        before: before.distinct,
        after: after.distinct,
        size,
      });
  }
  return found;
}

function kpiKey(kpi: KpiValue): string {
  return `${kpi.section}\u0000${kpi.label}`;
}

/** KPIs present in both runs (same section and label), with their change. */
function kpiDeltas(before: KpiValue[], after: KpiValue[], t: ChangeThresholds): KpiDelta[] {
  const previous = new Map(before.map((kpi) => [kpiKey(kpi), kpi]));
  const deltas: KpiDelta[] = [];
  for (const kpi of after) {
    const old = previous.get(kpiKey(kpi));
    if (old === undefined) continue;
    const change = relative(old.value, kpi.value);
    const moved =
      change === null
        ? old.value !== kpi.value && (isNumber(old.value) || isNumber(kpi.value))
        : Math.abs(change) >= t.kpi;
    deltas.push({
      section: kpi.section,
      label: kpi.label,
      format: kpi.format,
      before: old.value,
      after: kpi.value,
      change,
      notable: moved,
    });
  }
  return deltas;
}

/** What changed from `previous` to `current`, and which of it is notable under `thresholds`. */
export function computeChanges(
  previous: SummaryDocument,
  current: SummaryDocument,
  thresholds: ChangeThresholds,
): ChangeSummary {
  const notable: Change[] = [];
  const before = new Map(previous.columns.map((c) => [c.name, c]));
  const after = new Map(current.columns.map((c) => [c.name, c]));
  for (const column of current.columns) {
    const old = before.get(column.name);
    if (old === undefined)
      notable.push({ kind: "column_added", column: column.name, after: column.type });
  }
  for (const column of previous.columns) {
    if (!after.has(column.name))
      notable.push({ kind: "column_removed", column: column.name, before: column.type });
  }
  for (const column of current.columns) {
    const old = before.get(column.name);
    if (old === undefined) continue;
    if (old.type !== column.type) {
      notable.push({
        kind: "column_retyped",
        column: column.name,
        before: old.type,
        after: column.type,
      });
      continue;
    }
    notable.push(...columnChanges(old, column, thresholds));
  }
  const rows = relative(previous.rows, current.rows);
  if (previous.rows !== current.rows && (rows === null || Math.abs(rows) >= thresholds.rows)) {
    notable.push({ kind: "rows", before: previous.rows, after: current.rows, size: rows ?? 1 });
  }
  const kpis = kpiDeltas(previous.kpis, current.kpis, thresholds);
  for (const kpi of kpis) {
    if (!kpi.notable) continue;
    notable.push({
      kind: "kpi",
      kpi: kpi.label,
      format: kpi.format,
      before: kpi.before,
      after: kpi.after,
      ...(kpi.change === null ? {} : { size: kpi.change }),
    });
  }
  // Stable sort: by kind in CHANGE_KINDS order; within a kind, the order found (column order).
  const rank = (change: Change) => CHANGE_KINDS.indexOf(change.kind);
  notable.sort((a, b) => rank(a) - rank(b));
  return {
    previous: { builtAt: previous.builtAt, rows: previous.rows, data: previous.data },
    sameData: sameData(previous.data, current.data),
    notable,
    kpis,
  };
}

/** Each KPI's values over `runs` (oldest first, the current run last), by section and label. */
export function kpiTrends(runs: readonly SummaryDocument[]): Map<string, (number | null)[]> {
  const trends = new Map<string, (number | null)[]>();
  const last = runs.at(-1);
  if (last === undefined) return trends;
  for (const kpi of last.kpis) {
    const key = kpiKey(kpi);
    trends.set(
      key,
      runs.map((run) => {
        const value = run.kpis.find((k) => kpiKey(k) === key)?.value;
        return isNumber(value) ? value : null;
      }),
    );
  }
  return trends;
}

/** The key kpiTrends uses for a KPI. */
export { kpiKey };
