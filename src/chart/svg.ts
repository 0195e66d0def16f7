// Vega-Lite spec → SVG string on the server, measuring text with the real font, then made
// ready to inline in HTML: accessible name and description, ids unique on the page.
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import * as vl from "vega-lite";
import type { ValueFormat } from "../config/spec.ts";
import { type FormatLocale, formatCompact, formatDate, formatValue } from "../format.ts";
import { escapeMarkup } from "../markup.ts";
import { FIT_FUNCTION, FORMAT_FUNCTION, type FormatParam } from "./spec.ts";
import type { TextMeasurer } from "./text-metrics.ts";
import { FONT_STACK } from "./theme.ts";

/** What vega passes to a text measurer: a text item's font properties. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
}

interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
}

// vega re-exports vega-scenegraph's textMetrics, but its typings omit it.
const textMetrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;

let measurer: TextMeasurer | undefined;

function fontSize(item: TextItem): number {
  return item.fontSize == null ? 11 : Number(item.fontSize) || 0;
}

/**
 * Raw width of one line. vega calls this both to size a text item and, inside its label
 * truncation, for candidate prefixes; returning the untruncated width is right for the
 * second and, because our charts cut labels themselves (reportFit, labelLimit 0), for the first.
 */
function measuredWidth(item: TextItem, text: unknown): number {
  const line = text == null ? "" : String(text).trim();
  if (measurer === undefined) return Math.floor(0.8 * line.length * fontSize(item));
  return measurer.width(line, fontSize(item), item.fontWeight ?? 400);
}

/** `text` cut with "…" to fit `limit` px at `size`/`weight`, measured like the page draws it. */
export function fitText(text: string, limit: number, size: number, weight: number | string = 400) {
  const width = (s: string) =>
    measurer === undefined ? 0.8 * size * s.length : measurer.width(s, size, weight);
  if (width(text) <= limit) return text;
  const room = limit - width("…");
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (width(text.slice(0, mid)) <= room) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo).trimEnd()}…`;
}

function formatForAxis(value: unknown, param: FormatParam): string {
  const loc: FormatLocale = { locale: param.locale, currency: param.currency };
  if (param.format === "date") return formatDate(value, loc, param.unit);
  if (param.style === "compact") return formatCompact(value, loc, param.format as ValueFormat);
  return formatValue(value, param.format, loc);
}

let installed = false;

/** Route vega's text measurement and our expression functions to `font` (once per process). */
export function useTextMeasurer(font: TextMeasurer | undefined): void {
  measurer = font;
  textMetrics.width = measuredWidth;
  if (installed) return;
  installed = true;
  vega.expressionFunction(FORMAT_FUNCTION, formatForAxis);
  vega.expressionFunction(
    FIT_FUNCTION,
    (text: unknown, limit: number, size: number, weight: number) =>
      fitText(text == null ? "" : String(text), limit, size, weight),
  );
}

/**
 * Number vega's clip paths and gradients from 1 again. Its counters are process-wide, so
 * without this a report's SVG would depend on what the process rendered before it (preview
 * rebuilds, tests sharing a process).
 */
export function resetSvgIds(): void {
  vega.resetSVGDefIds();
}

/**
 * vega's loader with loading turned off: a chart is drawn from the data in its spec only, so
 * nothing (a data URL, an image) is fetched while building, whatever a spec asks for.
 */
const offlineLoader = Object.assign(Object.create(vega.loader()), {
  load: (uri: string) => Promise.reject(new Error(`charts are drawn offline; not loading ${uri}`)),
  sanitize: (uri: string) =>
    Promise.reject(new Error(`charts are drawn offline; not loading ${uri}`)),
}) as ReturnType<typeof vega.loader>;

/** The headless vega View that renderSvg draws: compiled with the report's functions, not run. */
export function chartView(spec: TopLevelSpec): vega.View {
  if (!installed) useTextMeasurer(measurer);
  // Warnings (e.g. "Dropping fit-y" for step-sized bars) would interleave with the build log.
  const logger = vega.logger(vega.Error);
  return new vega.View(vega.parse(vl.compile(spec, { logger }).spec), {
    renderer: "none",
    logLevel: vega.Error,
    loader: offlineLoader,
  });
}

/** Render a Vega-Lite spec to an SVG string (no DOM, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = chartView(spec);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Make vega's SVG ready to inline: ids prefixed with `id` (vega numbers clip paths from 1 in
 * every chart), role="img" named by a <title> and described by a <desc> (vega's own ARIA
 * roles inside are dropped: an img's children are presentational), the font family set once
 * on the root, and no xmlns (the HTML parser puts <svg> in the SVG namespace; the page must
 * not name external URLs).
 */
export function accessibleSvg(svg: string, id: string, title: string, description: string): string {
  const prefixed = svg
    // A mark's description (its values, see TIP_FIELD) becomes its <title>: a tooltip on hover
    // with no script. vega writes it, attribute-escaped, as aria-label.
    .replace(
      /<(path|circle|rect|line|text)\b([^>]*?)\saria-label="([^"]*)"([^>]*?)(\/?)>/g,
      (_, tag: string, before: string, label: string, after: string, empty: string) =>
        `<${tag}${before}${after}><title>${label}</title>${empty === "/" ? `</${tag}>` : ""}`,
    )
    .replace(/\s(role|aria-[\w-]+)="[^"]*"/g, "")
    // vega's bookkeeping: scene-graph classes and the transparent background's rectangle.
    .replace(/<path class="(background|foreground)"[^>]*\/>/g, "")
    .replace(/\sclass="(mark-|role-|marks|background|foreground)[^"]*"/g, "")
    // Coordinates to a tenth of a pixel: vega writes 15 digits, a third of a small chart's bytes.
    .replace(/\s(d|transform)="([^"]*)"/g, (_, name: string, value: string) => {
      const short = value.replace(/-?\d+\.\d{2,}/g, (n) => String(Math.round(Number(n) * 10) / 10));
      return ` ${name}="${short}"`;
    })
    .replace(/\sopacity="1"/g, "")
    .replaceAll(` font-family="${escapeMarkup(FONT_STACK)}"`, "")
    .replace(/\sid="([^"]+)"/g, (_, name: string) => ` id="${id}-${name}"`)
    .replace(/url\(#([^)]+)\)/g, (_, name: string) => `url(#${id}-${name})`)
    .replace(/href="#([^"]+)"/g, (_, name: string) => `href="#${id}-${name}"`);
  const open = prefixed.indexOf(">", prefixed.indexOf("<svg"));
  if (open < 0) throw new Error("vega returned no <svg> element");
  const attributes = prefixed
    .slice(prefixed.indexOf("<svg") + 4, open)
    .replace(/\s+(xmlns(:\w+)?|version)="[^"]*"/g, "");
  return (
    `<svg id="${id}" role="img" aria-labelledby="${id}-title ${id}-desc"${attributes}` +
    ` font-family="${escapeMarkup(FONT_STACK)}">` +
    `<title id="${id}-title">${escapeMarkup(title)}</title>` +
    `<desc id="${id}-desc">${escapeMarkup(description)}</desc>` +
    prefixed.slice(open + 1)
  );
}

/**
 * A one-colour chart (a profile sparkline) with its fill set once on the root group instead of
 * on every bar: a wide table draws hundreds of them. Unchanged when it uses several fills.
 */
export function hoistFill(svg: string): string {
  const fills = new Set([...svg.matchAll(/\sfill="(#[0-9a-fA-F]{3,8})"/g)].map((m) => m[1]));
  if (fills.size !== 1 || !svg.includes(' fill="none"')) return svg;
  const [fill] = fills;
  return svg.replaceAll(` fill="${fill}"`, "").replace(' fill="none"', ` fill="${fill}"`);
}

/** The inline SVG as a standalone file (for email PNGs or downloads): adds the namespaces back. */
export function standaloneSvg(svg: string): string {
  return svg.replace(
    /^<svg/,
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"',
  );
}
