// Template helpers: Intl formatting in the report's locale and currency, plus the few
// comparisons the default templates need. Registered on a private Handlebars environment.
import type Handlebars from "handlebars";
import {
  type FormatLocale,
  formatBytes,
  formatChange,
  formatCompact,
  formatCurrency,
  formatDate,
  formatDateTime,
  formatInteger,
  formatKpi,
  formatNumber,
  formatPercent,
  formatStat,
  formatValue,
} from "../format.ts";
import { isOneOf, TIME_UNITS, VALUE_FORMATS, type ValueFormat } from "../vocabulary.ts";

type HandlebarsEnv = typeof Handlebars;

/** Handlebars passes an options hash as the last argument; drop it. */
function args(list: unknown[]): unknown[] {
  return list.slice(0, -1);
}

function isFormat(value: unknown): value is ValueFormat {
  return isOneOf(VALUE_FORMATS, value);
}

/** Register the formatting and logic helpers on `env` for one locale and currency. */
export function registerHelpers(env: HandlebarsEnv, loc: FormatLocale): void {
  const helpers: Record<string, (...list: unknown[]) => unknown> = {
    /** {{number x}} or {{number x 1}}: grouped, up to 2 (or N) fraction digits. */
    number: (...list) => {
      const [value, digits] = args(list);
      return formatNumber(value, loc, typeof digits === "number" ? digits : 2);
    },
    integer: (...list) => formatInteger(args(list)[0], loc),
    /** {{approx profile "distinct"}}: "≈ " when an engine estimated that figure (engine: athena). */
    approx: (...list) => {
      const [profile, field] = args(list);
      const listed = (profile as { approximate?: unknown } | undefined)?.approximate;
      return Array.isArray(listed) && listed.includes(field) ? "≈\u2009" : "";
    },
    /** {{percent share}}: 0.123 → "12.3%". */
    percent: (...list) => {
      const [value, digits] = args(list);
      const places = typeof digits === "number" ? digits : 1;
      // A real share too small to show says so rather than rounding to "0%".
      const smallest = 0.5 * 10 ** -(places + 2);
      if (typeof value === "number" && value > 0 && value < smallest)
        return `<${formatPercent(2 * smallest, loc, places)}`;
      return formatPercent(value, loc, places);
    },
    currency: (...list) => formatCurrency(args(list)[0], loc),
    /** {{compact x "currency"}}: "$1.2M". */
    compact: (...list) => {
      const [value, format] = args(list);
      return formatCompact(value, loc, isFormat(format) ? format : "number");
    },
    /** {{date iso}} or {{date iso "month"}}. */
    date: (...list) => {
      const [value, unit] = args(list);
      return formatDate(value, loc, isOneOf(TIME_UNITS, unit) ? unit : undefined);
    },
    datetime: (...list) => formatDateTime(args(list)[0], loc),
    bytes: (...list) => formatBytes(args(list)[0], loc),
    /** {{change 0.05}} → "+5%". */
    change: (...list) => formatChange(args(list)[0], loc),
    /** {{format value "currency"}}: by a KPI's or column's declared format. */
    format: (...list) => {
      const [value, format] = args(list);
      return formatValue(value, isFormat(format) ? format : "number", loc);
    },
    /** {{kpi value "currency"}}: the full figure, or its compact form when that would not fit a tile. */
    kpi: (...list) => {
      const [value, format] = args(list);
      return formatKpi(value, isFormat(format) ? format : "number", loc);
    },
    /** {{stat value type}}: a profile statistic, as a date for date columns. */
    stat: (...list) => {
      const [value, type] = args(list);
      return type === "date" || type === "timestamp"
        ? formatDate(value, loc)
        : formatStat(value, loc);
    },
    /** {{quantile value type}}: like stat, but numbers of 10,000 and more compact ("102K"), so a card's quantile row never wraps mid-number. */
    quantile: (...list) => {
      const [value, type] = args(list);
      if (type === "date" || type === "timestamp") return formatDate(value, loc);
      return typeof value === "number" && Math.abs(value) >= 10_000
        ? formatCompact(value, loc, "number")
        : formatStat(value, loc);
    },
    /** {{#if (has x)}}: true for 0 and "", false only for null and undefined. */
    has: (...list) => {
      const [value] = args(list);
      return value !== null && value !== undefined;
    },
    eq: (...list) => {
      const [a, b] = args(list);
      return a === b;
    },
    gt: (...list) => {
      const [a, b] = args(list);
      return typeof a === "number" && typeof b === "number" && a > b;
    },
    lt: (...list) => {
      const [a, b] = args(list);
      return typeof a === "number" && typeof b === "number" && a < b;
    },
    /** {{#if (or a b)}} */
    or: (...list) => args(list).some(Boolean),
    and: (...list) => args(list).every(Boolean),
  };
  for (const [name, helper] of Object.entries(helpers)) env.registerHelper(name, helper);
}
