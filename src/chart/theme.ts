// The Vega `config` every chart shares: the page's font, colours that read on light and dark
// backgrounds, and number/date locales taken from Intl so axes speak the report's locale.
import type { Config } from "vega-lite";
import type { FormatLocale } from "../format.ts";
import { FONT_FAMILY } from "./text-metrics.ts";

/** The font stack in the SVG; Inter comes first and is embedded by the page. */
export const FONT_STACK = `${FONT_FAMILY}, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;

/** Mid-tone categorical colours (Tableau 10) that keep contrast on white and near-black. */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/** Axis label size in px; measured with the real font, so layout matches the page. */
export const LABEL_SIZE = 11;
/** Longest axis or legend label, in px, before it is cut with an ellipsis. */
export const LABEL_LIMIT = 180;

/**
 * Total width in px of a chart's desktop and print rendering. The page stretches it to the
 * report column (theme.css: at most 72rem minus 2 × 2.5rem padding = 1072 px, so text grows
 * to at most 13.4 px) and shows it from 50rem up, where the column is ≥ 736 px (text ≥ 9.2 px).
 */
export const WIDE_WIDTH = 880;
/**
 * Total width in px of a chart's phone rendering, shown below 50rem: a 320 px screen's column
 * (288 px) still draws 11 px text at 9.3 px; theme.css caps it at 1.5× (510 px) on tablets.
 */
export const NARROW_WIDTH = 340;
/** Charts narrower than this are laid out for a phone: shorter labels, fewer ticks. */
export const COMPACT_BELOW = 480;

/** Text and rules use `currentColor`, so inline SVG takes the page's (light or dark) text colour. */
export function chartConfig(loc: FormatLocale): Config {
  const ink = "currentColor";
  return {
    font: FONT_STACK,
    background: "transparent",
    padding: 4,
    aria: false,
    customFormatTypes: true,
    locale: localeConfig(loc),
    view: { stroke: null },
    mark: { color: PALETTE[0] },
    bar: { color: PALETTE[0], cornerRadiusEnd: 1 },
    line: { color: PALETTE[0], strokeWidth: 2 },
    area: { color: PALETTE[0], opacity: 0.75, line: true },
    point: { color: PALETTE[0], filled: true, size: 36 },
    range: { category: PALETTE },
    axis: {
      labelFont: FONT_STACK,
      labelFontSize: LABEL_SIZE,
      labelColor: ink,
      labelSeparation: 4,
      labelLimit: LABEL_LIMIT,
      titleFont: FONT_STACK,
      titleFontSize: LABEL_SIZE,
      titleFontWeight: 600,
      titleColor: ink,
      domainColor: ink,
      domainOpacity: 0.45,
      tickColor: ink,
      tickOpacity: 0.45,
      gridColor: ink,
      gridOpacity: 0.12,
    },
    legend: {
      labelFont: FONT_STACK,
      labelFontSize: LABEL_SIZE,
      labelColor: ink,
      labelLimit: LABEL_LIMIT,
      titleFont: FONT_STACK,
      titleFontSize: LABEL_SIZE,
      titleFontWeight: 600,
      titleColor: ink,
    },
    // Facet panel headers: vega's default is black, unreadable on the dark page.
    header: {
      labelFont: FONT_STACK,
      labelColor: ink,
      titleFont: FONT_STACK,
      titleFontSize: LABEL_SIZE,
      titleFontWeight: 600,
      titleColor: ink,
    },
    title: { font: FONT_STACK, color: ink, fontWeight: 600 },
  };
}

type LocaleConfig = NonNullable<Config["locale"]>;

/** d3 locales by locale and currency: building them asks Intl for dozens of formatters. */
const localeConfigs = new Map<string, LocaleConfig>();

/** The number and time locales for `loc`, built once per locale and currency (a copy each call). */
function localeConfig(loc: FormatLocale): LocaleConfig {
  const key = `${loc.locale}\u0000${loc.currency}`;
  let config = localeConfigs.get(key);
  if (config === undefined) {
    config = { number: numberLocale(loc), time: timeLocale(loc.locale) };
    localeConfigs.set(key, config);
  }
  return structuredClone(config);
}

type D3NumberLocale = NonNullable<NonNullable<Config["locale"]>["number"]>;
type D3TimeLocale = NonNullable<NonNullable<Config["locale"]>["time"]>;

/** d3-format's locale, read off Intl's formatting of sample numbers. */
export function numberLocale(loc: FormatLocale): D3NumberLocale {
  const parts = new Intl.NumberFormat(loc.locale).formatToParts(1234567.5);
  const group = parts.find((p) => p.type === "group")?.value ?? ",";
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  const money = new Intl.NumberFormat(loc.locale, { style: "currency", currency: loc.currency });
  const moneyParts = money.formatToParts(1);
  const first = moneyParts.findIndex((p) => p.type === "integer");
  const last = moneyParts.findLastIndex((p) => p.type === "fraction" || p.type === "integer");
  const prefix = moneyParts
    .slice(0, first)
    .map((p) => p.value)
    .join("");
  const suffix = moneyParts
    .slice(last + 1)
    .map((p) => p.value)
    .join("");
  return { decimal, thousands: group, grouping: [3], currency: [prefix, suffix] };
}

/** d3-time-format's locale: names of months and days from Intl (UTC, so no day shifts). */
export function timeLocale(locale: string): D3TimeLocale {
  const names = (options: Intl.DateTimeFormatOptions, dates: Date[]) => {
    const format = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
    return dates.map((d) => format.format(d));
  };
  const months = Array.from({ length: 12 }, (_, m) => new Date(Date.UTC(2024, m, 1)));
  // 2024-01-07 was a Sunday; d3 lists days from Sunday.
  const days = Array.from({ length: 7 }, (_, d) => new Date(Date.UTC(2024, 0, 7 + d)));
  const periods = names({ hour: "numeric", hour12: true }, [
    new Date(Date.UTC(2024, 0, 1, 9)),
    new Date(Date.UTC(2024, 0, 1, 21)),
  ]).map((text) => text.replace(/[\d\s\u202f]/g, "") || "AM");
  const [am, pm] = periods;
  return {
    dateTime: "%x, %X",
    date: "%Y-%m-%d",
    time: "%H:%M:%S",
    periods: [am, pm === am ? "PM" : pm],
    days: names({ weekday: "long" }, days) as D3TimeLocale["days"],
    shortDays: names({ weekday: "short" }, days) as D3TimeLocale["shortDays"],
    months: names({ month: "long" }, months) as D3TimeLocale["months"],
    shortMonths: names({ month: "short" }, months) as D3TimeLocale["shortMonths"],
  };
}
