// Locale-aware formatting of report values with Intl, shared by the chart descriptions and
// data tables (src/chart) and the template helpers (src/render/helpers.ts).
import { assertNever } from "./assert-never.ts";
import type { TimeUnit, ValueFormat } from "./vocabulary.ts";

/** The report's locale (BCP 47) and currency (ISO 4217). */
export interface FormatLocale {
  locale: string;
  currency: string;
}

/** Shown for null, missing and non-finite values. */
export const MISSING = "–";

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (format === undefined) {
    // Dates are calendar dates (ISO strings in UTC): formatting in UTC keeps the day.
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
    cache.set(key, format);
  }
  return format;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A number with up to `digits` fraction digits (default 2), grouped. */
export function formatNumber(value: unknown, loc: FormatLocale, digits = 2): string {
  const n = toNumber(value);
  return n === undefined
    ? MISSING
    : numberFormat(loc.locale, { maximumFractionDigits: digits }).format(n);
}

/** A statistic of unknown scale: 2 fraction digits from 1 up, 3 significant digits below. */
export function formatStat(value: unknown, loc: FormatLocale): string {
  const n = toNumber(value);
  if (n === undefined) return value == null ? MISSING : String(value);
  const options: Intl.NumberFormatOptions =
    n !== 0 && Math.abs(n) < 1 ? { maximumSignificantDigits: 3 } : { maximumFractionDigits: 2 };
  return numberFormat(loc.locale, options).format(n);
}

/** A relative change (0.123) with its sign: "+12.3%", "−4%", "0%". */
export function formatChange(value: unknown, loc: FormatLocale): string {
  const n = toNumber(value);
  return n === undefined
    ? MISSING
    : numberFormat(loc.locale, {
        style: "percent",
        maximumFractionDigits: 1,
        signDisplay: "exceptZero",
      }).format(n);
}

/** A number rounded to an integer, grouped. */
export function formatInteger(value: unknown, loc: FormatLocale): string {
  return formatNumber(value, loc, 0);
}

/** A share (0.123) as a percentage ("12.3%"). */
export function formatPercent(value: unknown, loc: FormatLocale, digits = 1): string {
  const n = toNumber(value);
  return n === undefined
    ? MISSING
    : numberFormat(loc.locale, { style: "percent", maximumFractionDigits: digits }).format(n);
}

/** An amount in the report's currency, with the currency's usual fraction digits. */
export function formatCurrency(value: unknown, loc: FormatLocale): string {
  const n = toNumber(value);
  return n === undefined
    ? MISSING
    : numberFormat(loc.locale, { style: "currency", currency: loc.currency }).format(n);
}

/** A short form for axes and tiles: "1.2M", "$3.4K", "12%". */
export function formatCompact(value: unknown, loc: FormatLocale, format: ValueFormat = "number") {
  const n = toNumber(value);
  if (n === undefined) return MISSING;
  if (format === "percent") return formatPercent(n, loc, 0);
  const options: Intl.NumberFormatOptions = {
    notation: "compact",
    minimumFractionDigits: 0,
    maximumFractionDigits: 1,
  };
  if (format === "currency") Object.assign(options, { style: "currency", currency: loc.currency });
  return numberFormat(loc.locale, options).format(n);
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "number") return new Date(value);
  if (typeof value !== "string" || value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A date in the report's locale; `unit` (the time bucket of a grouped date) picks the
 * precision: month → "Mar 2024", quarter → "Q1 2024", year → "2024".
 */
export function formatDate(value: unknown, loc: FormatLocale, unit?: TimeUnit): string {
  const date = toDate(value);
  if (date === undefined) return value == null ? MISSING : String(value);
  switch (unit) {
    case "year":
      return dateFormat(loc.locale, { year: "numeric" }).format(date);
    case "quarter":
      return `Q${Math.floor(date.getUTCMonth() / 3) + 1} ${dateFormat(loc.locale, { year: "numeric" }).format(date)}`;
    case "month":
      return dateFormat(loc.locale, { year: "numeric", month: "short" }).format(date);
    case "week":
    case "day":
    case undefined:
      break;
    default:
      return assertNever(unit, "time unit");
  }
  const hasTime =
    typeof value === "string"
      ? /T\d\d:\d\d/.test(value) && !/T00:00(:00(\.0+)?)?Z?$/.test(value)
      : false;
  return hasTime
    ? dateFormat(loc.locale, { dateStyle: "medium", timeStyle: "short" }).format(date)
    : dateFormat(loc.locale, { dateStyle: "medium" }).format(date);
}

/** A date and time for "built at" lines, in UTC with the zone named. */
export function formatDateTime(value: unknown, loc: FormatLocale): string {
  const date = toDate(value);
  if (date === undefined) return MISSING;
  return dateFormat(loc.locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(date);
}

/** A byte count as "1.2 MB" (decimal units, like S3's console). */
export function formatBytes(value: unknown, loc: FormatLocale): string {
  const n = toNumber(value);
  if (n === undefined) return MISSING;
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return numberFormat(loc.locale, {
    style: "unit",
    unit: units[i],
    unitDisplay: i === 0 ? "long" : "short",
    maximumFractionDigits: i === 0 ? 0 : 1,
  }).format(v);
}

/** Any report value by its declared format; strings and booleans pass through. */
export function formatValue(value: unknown, format: ValueFormat, loc: FormatLocale): string {
  if (value === null || value === undefined) return MISSING;
  switch (format) {
    case "integer":
      return typeof value === "string" ? value : formatInteger(value, loc);
    case "currency":
      return typeof value === "string" ? value : formatCurrency(value, loc);
    case "percent":
      return typeof value === "string" ? value : formatPercent(value, loc);
    case "date":
      return formatDate(value, loc);
    case "number":
      return typeof value === "number" || typeof value === "bigint"
        ? formatNumber(value, loc)
        : String(value);
    default:
      return assertNever(format, "value format");
  }
}

/** Longest KPI figure shown in full; "$9,765,525.41" (13) becomes "$9.8M". */
const KPI_MAX_CHARS = 10;

/** A KPI figure as the tiles show it: in full, or compact when that would not fit a tile. */
export function formatKpi(value: unknown, format: ValueFormat, loc: FormatLocale): string {
  const full = formatValue(value, format, loc);
  return full.length > KPI_MAX_CHARS && typeof value === "number"
    ? formatCompact(value, loc, format)
    : full;
}
