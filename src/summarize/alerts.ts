// Data-quality alerts in the spirit of ydata-profiling, from the column profiles.

import type { ColumnStats } from "./profile.ts";
import type { Alert } from "./summary.ts";

/** A column is "missing" when more than this share of its rows has no value. */
export const MISSING_SHARE = 0.2;
/** A string column has high cardinality above this many distinct values... */
export const HIGH_CARDINALITY_DISTINCT = 50;
/** ...that are also more than this share of its values. */
export const HIGH_CARDINALITY_SHARE = 0.5;
/** A numeric column is skewed when |sample skewness| exceeds this. */
export const SKEWNESS = 2;
/** A numeric column has many zeros when more than this share of its values is 0. */
export const ZEROS_SHARE = 0.5;

/** A share as a percentage; a real share below 0.1% says so instead of rounding to "0.0%". */
const percent = (share: number): string =>
  share > 0 && share < 0.001 ? "under 0.1%" : `${(share * 100).toFixed(1)}%`;
const count = (n: number): string => n.toLocaleString("en-US");

/**
 * Alerts for each column, then table-wide ones. A constant column gets no zeros or skew
 * alert (the constant one says it all); a string column whose values are all distinct is
 * taken for an identifier and gets no high-cardinality alert.
 */
export function findAlerts(
  stats: readonly ColumnStats[],
  rows: number,
  duplicateRows: number,
): Alert[] {
  const alerts: Alert[] = [];
  for (const { profile, skewness } of stats) {
    const column = profile.name;
    const missingShare = rows === 0 ? 0 : profile.missing / rows;
    if (missingShare > MISSING_SHARE) {
      alerts.push({
        kind: "missing",
        column,
        value: missingShare,
        message: `'${column}' is missing in ${count(profile.missing)} of ${count(rows)} rows (${percent(missingShare)}).`,
      });
    }
    const constant = profile.distinct === 1;
    if (constant) {
      const only = profile.top?.[0]?.value ?? profile.min;
      // Floats past 2^53 are whole numbers too far apart to tell neighbours from each other:
      // integers too large for Int64, read as floats, can look alike and not be.
      const blurred =
        profile.type === "float" && typeof only === "number" && Math.abs(only) >= 2 ** 53;
      alerts.push({
        kind: "constant",
        column,
        value: 1,
        message: blurred
          ? `'${column}' reads as one value (${String(only)}) in all ${count(profile.count)} non-missing rows, but its numbers are too large for floating-point numbers to tell apart, so they may differ. Declare the column as text to see them as written.`
          : `'${column}' has the same value${only === undefined ? "" : ` (${String(only)})`} in all ${count(profile.count)} non-missing rows.`,
      });
    }
    const uniqueShare = profile.count === 0 ? 0 : profile.distinct / profile.count;
    if (
      profile.type === "string" &&
      profile.distinct > HIGH_CARDINALITY_DISTINCT &&
      uniqueShare > HIGH_CARDINALITY_SHARE &&
      profile.distinct < profile.count
    ) {
      alerts.push({
        kind: "high_cardinality",
        column,
        value: profile.distinct,
        message: `'${column}' has ${count(profile.distinct)} distinct values (${percent(uniqueShare)} of its values).`,
      });
    }
    if (!constant && skewness !== undefined && Math.abs(skewness) > SKEWNESS) {
      alerts.push({
        kind: "skewed",
        column,
        value: skewness,
        message: `'${column}' is highly skewed (skewness ${skewness.toFixed(2)}).`,
      });
    }
    const zerosShare =
      profile.zeros === undefined || profile.count === 0 ? 0 : profile.zeros / profile.count;
    if (!constant && zerosShare > ZEROS_SHARE) {
      alerts.push({
        kind: "zeros",
        column,
        value: zerosShare,
        message: `'${column}' is 0 in ${count(profile.zeros ?? 0)} of ${count(profile.count)} values (${percent(zerosShare)}).`,
      });
    }
  }
  if (duplicateRows > 0) {
    alerts.push({
      kind: "duplicates",
      value: duplicateRows,
      message: `${count(duplicateRows)} rows (${percent(duplicateRows / rows)}) are exact copies of an earlier row.`,
    });
  }
  return alerts;
}
