// A KPI's values over the last runs as a tiny inline SVG line: no axes, no script, drawn in
// currentColor so it follows the tile's text colour (light and dark themes alike). Vega would
// add nothing at this size, so the path is computed here; the numbers are in <desc>. With
// `labels`, each point is a dot whose <title> names it, so hovering shows it without script.
import { escapeMarkup } from "../markup.ts";

export interface Sparkline {
  svg: string;
  /** How many runs it spans. */
  runs: number;
}

const WIDTH = 120;
const HEIGHT = 28;
const PAD = 3;

/**
 * A sparkline of `values` (oldest first; null = no value that run), or undefined when fewer
 * than two runs have a value. `description` becomes the SVG's <desc>; `labels` (one per
 * value, e.g. "Mar 2024: $120k") give every point a hover title.
 */
export function sparkline(
  values: readonly (number | null)[],
  id: string,
  title: string,
  description: string,
  labels?: readonly string[],
): Sparkline | undefined {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length < 2) return undefined;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const x = (i: number) => PAD + ((WIDTH - 2 * PAD) * i) / Math.max(1, values.length - 1);
  const y = (v: number) =>
    max === min ? HEIGHT / 2 : PAD + ((HEIGHT - 2 * PAD) * (max - v)) / (max - min);
  const round = (n: number) => Math.round(n * 10) / 10;
  let path = "";
  let pen = false;
  for (const [i, v] of values.entries()) {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    path += `${pen ? "L" : "M"}${round(x(i))},${round(y(v))}`;
    pen = true;
  }
  const lastIndex = values.length - 1;
  const last = values[lastIndex];
  const dot =
    last === null || !Number.isFinite(last)
      ? ""
      : `<circle cx="${round(x(lastIndex))}" cy="${round(y(last))}" r="2.5" fill="currentColor"/>`;
  const points =
    labels === undefined
      ? ""
      : values
          .map((v, i) =>
            v === null || !Number.isFinite(v) || i === lastIndex
              ? ""
              : `<circle cx="${round(x(i))}" cy="${round(y(v))}" r="1.5" fill="currentColor"><title>${escapeMarkup(labels[i] ?? "")}</title></circle>`,
          )
          .join("");
  const lastTitle =
    labels === undefined ? "" : `<title>${escapeMarkup(labels[lastIndex] ?? "")}</title>`;
  const dotMark =
    dot === "" || lastTitle === "" ? dot : dot.replace("/>", `>${lastTitle}</circle>`);
  const svg =
    `<svg class="sparkline" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">` +
    `<title id="${id}-title">${escapeMarkup(title)}</title><desc id="${id}-desc">${escapeMarkup(description)}</desc>` +
    `<path d="${path}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>${points}${dotMark}</svg>`;
  return { svg, runs: values.length };
}
