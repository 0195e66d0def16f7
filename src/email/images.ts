// The email's charts: the chosen chart and histogram sections laid out for a 600 px mail
// column, through the same Vega-Lite → SVG path as the page, then rasterised to PNG at 2×.
import {
  accessibleSvg,
  prepareCharts,
  renderSvg,
  sectionChart,
  standaloneSvg,
} from "../chart/index.ts";
import { svgToPng } from "../chart/png.ts";
import { useTextMeasurer } from "../chart/svg.ts";
import { textMeasurerFor } from "../chart/text-metrics.ts";
import { emailOf } from "../config/email.ts";
import type { ReportSpec } from "../config/spec.ts";
import type { Summary } from "../summarize/summary.ts";

/** Width of the message's column in CSS px, the usual for HTML email. */
export const EMAIL_WIDTH = 600;
/** Padding either side of the column's content. */
export const EMAIL_PADDING = 24;
/** Charts fill the content width: 600 − 2 × 24. */
export const EMAIL_CHART_WIDTH = EMAIL_WIDTH - 2 * EMAIL_PADDING;
/** PNG pixels per CSS px, for sharp high-density screens. */
export const EMAIL_SCALE = 2;

/** One inline image of the message. */
export interface EmailImage {
  /** Content-ID, also the `cid:` the HTML refers to. */
  cid: string;
  png: Uint8Array;
  /** Shown at width × height CSS px; the PNG has EMAIL_SCALE × as many pixels. */
  width: number;
  height: number;
  title: string;
  /** The chart's one-sentence description: its alt text and its line in the text part. */
  description: string;
}

/** PNGs of the charts the `email:` block chooses, in its order. */
export async function emailImages(
  spec: ReportSpec,
  summary: Summary,
  options: { fontsDir: string },
): Promise<EmailImage[]> {
  const email = emailOf(spec);
  if (email.charts.length === 0) return [];
  const measurer = await textMeasurerFor(options.fontsDir);
  useTextMeasurer(measurer);
  await prepareCharts(spec);
  const measure = (text: string, size: number) => measurer.width(text, size);
  const images: EmailImage[] = [];
  for (const index of email.charts) {
    const chart = sectionChart(spec, summary, index, measure);
    if (chart === undefined) continue;
    const svg = await renderSvg(chart.specFor(EMAIL_CHART_WIDTH));
    const standalone = standaloneSvg(accessibleSvg(svg, chart.id, chart.title, chart.description));
    const png = await svgToPng(standalone, { fontsDir: options.fontsDir, scale: EMAIL_SCALE });
    images.push({
      cid: `${chart.id}.png`,
      png: png.png,
      width: png.width,
      height: png.height,
      title: chart.title,
      description: chart.description,
    });
  }
  return images;
}
