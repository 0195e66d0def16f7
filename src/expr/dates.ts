// Date functions of the expression language on epoch milliseconds (UTC), with Trino's
// meaning: year/quarter/month/day, ISO week and day of week (Monday = 1), date_trunc, and
// date_diff counting whole units between two instants.
import { civilFromDays, DAY_MS, daysFromCivil, daysInMonth } from "../calendar.ts";
import { bucketStart } from "../time-buckets.ts";
import type { DatePart } from "./ast.ts";

/** The extractions `year(d)`, `month(d)`, ... */
export const EXTRACTS = ["year", "quarter", "month", "week", "day", "day_of_week"] as const;
export type Extract = (typeof EXTRACTS)[number];

/** ISO day of week of a day count: Monday 1 … Sunday 7 (1970-01-01 was a Thursday). */
function isoDayOfWeek(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** ISO 8601 week number (1-53): the week holding the year's first Thursday is week 1. */
function isoWeek(days: number): number {
  const thursday = days - isoDayOfWeek(days) + 4;
  const jan1 = daysFromCivil(civilFromDays(thursday).year, 1, 1);
  return Math.floor((thursday - jan1) / 7) + 1;
}

/** The part `what` of the instant `ms`. */
export function extract(what: Extract, ms: number): number {
  const days = Math.floor(ms / DAY_MS);
  if (what === "day_of_week") return isoDayOfWeek(days);
  if (what === "week") return isoWeek(days);
  const { year, month, day } = civilFromDays(days);
  switch (what) {
    case "year":
      return year;
    case "quarter":
      return Math.floor((month - 1) / 3) + 1;
    case "month":
      return month;
    case "day":
      return day;
  }
}

/** `date_trunc(part, ms)`: the start of the period holding `ms` (weeks start on Monday). */
export function truncate(part: DatePart, ms: number): number {
  return bucketStart(ms, part);
}

/** `date_diff(part, a, b)`: whole `part`s from a to b (negative when b is before a). */
export function dateDiff(part: DatePart, a: number, b: number): number {
  if (part === "day") return Math.trunc((b - a) / DAY_MS);
  if (part === "week") return Math.trunc((b - a) / (7 * DAY_MS));
  if (b < a) return -dateDiff(part, b, a);
  const months = wholeMonths(a, b);
  if (part === "month") return months;
  return Math.trunc(months / (part === "quarter" ? 3 : 12));
}

/**
 * Whole months from a to b (a <= b): a month counts once its day and time come round again,
 * a day past the end of a shorter month reading as its last day (Jan 31 → Feb 29 is one).
 */
function wholeMonths(a: number, b: number): number {
  const daysA = Math.floor(a / DAY_MS);
  const daysB = Math.floor(b / DAY_MS);
  const x = civilFromDays(daysA);
  const y = civilFromDays(daysB);
  let months = (y.year - x.year) * 12 + (y.month - x.month);
  const dayA = Math.min(x.day, daysInMonth(y.year, y.month));
  const timeA = a - daysA * DAY_MS;
  const timeB = b - daysB * DAY_MS;
  if (y.day < dayA || (y.day === dayA && timeB < timeA)) months--;
  return months;
}
