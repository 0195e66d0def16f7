// The change summary in words, one sentence per notable change, in the report's number
// format. The report's "Since the last run" section and the email both use these, so the
// two say the same thing.
import { assertNever } from "../assert-never.ts";
import {
  type FormatLocale,
  formatChange,
  formatInteger,
  formatNumber,
  formatPercent,
  formatStat,
  formatValue,
} from "../format.ts";
import type { Change, ChangeSummary } from "./changes.ts";

const q = (name: string | undefined) => `“${name ?? ""}”`;

/** One notable change as a sentence, e.g. `Rows fell 50%: 2,000 → 1,000.` */
export function describeChange(change: Change, loc: FormatLocale): string {
  const stat = (value: unknown) => formatStat(value, loc);
  switch (change.kind) {
    case "column_added":
      return `New column ${q(change.column)} (${String(change.after)}).`;
    case "column_removed":
      return `Column ${q(change.column)} (${String(change.before)}) is gone.`;
    case "column_retyped":
      return `Column ${q(change.column)} changed type: ${String(change.before)} → ${String(change.after)}.`;
    case "rows": {
      const before = Number(change.before);
      const after = Number(change.after);
      const verb = after < before ? "fell" : "rose";
      const by = before === 0 ? "" : ` ${formatPercent(Math.abs(after - before) / before, loc, 0)}`;
      return `Rows ${verb}${by}: ${formatInteger(before, loc)} → ${formatInteger(after, loc)}.`;
    }
    case "kpi": {
      const format = change.format ?? "number";
      const by = change.size === undefined ? "" : ` (${formatChange(change.size, loc)})`;
      return `${change.kpi}: ${formatValue(change.before, format, loc)} → ${formatValue(change.after, format, loc)}${by}.`;
    }
    case "shift":
      return `The distribution of ${q(change.column)} shifted (KS distance ${formatNumber(change.size, loc)}).`;
    case "mean":
      return `Mean of ${q(change.column)}: ${stat(change.before)} → ${stat(change.after)} (${formatNumber(change.size, loc, 1)} SD).`;
    case "quantiles":
      return `${change.detail} of ${q(change.column)}: ${stat(change.before)} → ${stat(change.after)}.`;
    case "missing":
      return `Missing values in ${q(change.column)}: ${formatPercent(change.before, loc)} → ${formatPercent(change.after, loc)}.`;
    case "new_category":
      return `${q(change.column)} has a new value, ${q(change.detail)} (${formatInteger(change.after, loc)} rows).`;
    case "vanished_category":
      return `${q(change.column)} no longer has ${q(change.detail)} (${formatInteger(change.before, loc)} rows last time).`;
    case "distinct":
      return `Distinct values of ${q(change.column)}: ${formatInteger(change.before, loc)} → ${formatInteger(change.after, loc)}.`;
    default:
      return assertNever(change.kind, "change kind");
  }
}

/** The section's lead sentence: how many notable changes, or that nothing notable changed. */
export function changesHeadline(summary: ChangeSummary): string {
  const n = summary.notable.length;
  if (n > 0) return `${n} notable ${n === 1 ? "change" : "changes"} since the last run.`;
  return summary.sameData
    ? "Nothing changed since the last run: the data is the same."
    : "Nothing notable changed since the last run.";
}
