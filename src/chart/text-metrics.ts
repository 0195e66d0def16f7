// Text width from the real font (Inter, shipped in templates/fonts/ and embedded in the page),
// so vega lays out axes and truncates labels as the browser will draw them. Pure JS: glyphs,
// advances (src/chart/glyph-metrics.ts) and kerning (kerning.ts) are read from the font's own
// tables; no canvas, no native addon.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReportError } from "../errors.ts";
import { type GlyphMetrics, readGlyphMetrics } from "./glyph-metrics.ts";
import { readPairKerning } from "./kerning.ts";

/** The weights shipped in templates/fonts/, by CSS font-weight. */
export const FONT_FILES: Readonly<Record<FontWeight, string>> = {
  400: "inter-latin-400-normal.woff",
  600: "inter-latin-600-normal.woff",
  700: "inter-latin-700-normal.woff",
};

export type FontWeight = 400 | 600 | 700;

/** The CSS family name the page declares with @font-face and the charts ask for. */
export const FONT_FAMILY = "Inter";

interface Face {
  metrics: GlyphMetrics;
  unitsPerEm: number;
  /** Glyph per code point; glyph 0 (.notdef) for code points the font lacks. */
  glyphs: Map<number, { index: number; advance: number }>;
  /** Pair kerning from GPOS, keyed by `${leftGlyph},${rightGlyph}`, in font units. */
  kerning: (left: number, right: number) => number;
  /** Widths of whole strings in font units (size-independent). */
  widths: Map<string, number>;
}

const MAX_CACHED_STRINGS = 20_000;
/** vega's own estimate per character, in ems (vega-scenegraph `_estimateWidth`). */
const ESTIMATE_EM = 0.8;

/** Measures text set in the shipped Inter faces. */
export class TextMeasurer {
  readonly #faces: Map<FontWeight, Face>;

  constructor(faces: Map<FontWeight, Face>) {
    this.#faces = faces;
  }

  /** Width in px of `text` at `size` px and CSS `weight`, as a browser lays it out. */
  width(text: string, size: number, weight: number | string = 400): number {
    if (size <= 0 || text === "") return 0;
    const face = this.#face(weight);
    let units = face.widths.get(text);
    if (units === undefined) {
      units = measureUnits(face, text);
      if (face.widths.size >= MAX_CACHED_STRINGS) face.widths.clear();
      face.widths.set(text, units);
    }
    return (units * size) / face.unitsPerEm;
  }

  #face(weight: number | string): Face {
    const w = cssWeight(weight);
    const pick: FontWeight = w >= 650 ? 700 : w >= 550 ? 600 : 400;
    return this.#faces.get(pick) ?? this.#faces.get(400)!;
  }
}

function cssWeight(weight: number | string): number {
  if (typeof weight === "number") return weight;
  if (weight === "bold" || weight === "bolder") return 700;
  const n = Number(weight);
  return Number.isFinite(n) ? n : 400;
}

function measureUnits(face: Face, text: string): number {
  let total = 0;
  let previous = -1;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    let glyph = face.glyphs.get(code);
    if (glyph === undefined) {
      glyph = face.metrics.glyph(code);
      face.glyphs.set(code, glyph);
    }
    if (glyph.index === 0) {
      // The browser falls back to another font here; vega's estimate is the best guess.
      total += ESTIMATE_EM * face.unitsPerEm;
      previous = -1;
      continue;
    }
    total += glyph.advance;
    if (previous >= 0) total += face.kerning(previous, glyph.index);
    previous = glyph.index;
  }
  return total;
}

/** Parse the shipped font files in `fontsDir` (templates/fonts/). */
export async function loadTextMeasurer(fontsDir: string): Promise<TextMeasurer> {
  const faces = new Map<FontWeight, Face>();
  for (const [weight, file] of Object.entries(FONT_FILES)) {
    const path = join(fontsDir, file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new ReportError(`Font file not found: ${path}`, {
        hint: "The default templates folder must contain fonts/ with the Inter .woff files.",
        cause: error,
      });
    }
    const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let metrics: GlyphMetrics;
    try {
      metrics = readGlyphMetrics(data);
    } catch (error) {
      throw new ReportError(`Font file ${path} cannot be read: ${(error as Error).message}`, {
        hint: "Restore the Inter .woff files of templates/fonts/ (reinstall the package).",
        cause: error,
      });
    }
    faces.set(Number(weight) as FontWeight, {
      metrics,
      unitsPerEm: metrics.unitsPerEm,
      glyphs: new Map(),
      kerning: readPairKerning(data),
      widths: new Map(),
    });
  }
  return new TextMeasurer(faces);
}

const loaded = new Map<string, Promise<TextMeasurer>>();

/** loadTextMeasurer, parsed once per folder for the life of the process. */
export function textMeasurerFor(fontsDir: string): Promise<TextMeasurer> {
  let measurer = loaded.get(fontsDir);
  if (measurer === undefined) {
    measurer = loadTextMeasurer(fontsDir);
    loaded.set(fontsDir, measurer);
    measurer.catch(() => loaded.delete(fontsDir));
  }
  return measurer;
}
