// Glyph lookup and advance widths straight from a font's cmap, hmtx, hhea, maxp and head
// tables: what text measurement needs of a face (src/chart/text-metrics.ts), read the way
// opentype.js 2.0 reads them (its cmap subtable choice, format 4/12/13 mapping, and glyph 0
// for code points without a glyph), which test/chart-fonts.test.ts checks code point by code
// point against opentype.js on the shipped fonts.
import { findTable, tableTag } from "./font-tables.ts";

/** A code point's glyph: its index (0 when the font has none) and advance in font units. */
export interface GlyphInfo {
  index: number;
  advance: number;
}

/** One face's metrics: units per em and each code point's glyph. */
export interface GlyphMetrics {
  unitsPerEm: number;
  glyph(codePoint: number): GlyphInfo;
}

/** Reads a face's glyph metrics from WOFF 1 or TTF/OTF bytes; throws when a table is missing. */
export function readGlyphMetrics(bytes: Uint8Array): GlyphMetrics {
  const table = (tag: string): DataView => {
    const found = findTable(bytes, tableTag(tag));
    if (found === undefined) throw new Error(`the font has no ${tag} table`);
    return found;
  };
  const unitsPerEm = table("head").getUint16(18);
  const glyphCount = table("maxp").getUint16(4);
  const metricCount = table("hhea").getUint16(34);
  const hmtx = table("hmtx");
  const map = glyphIndexMap(table("cmap"));
  const advanceOf = (index: number): number => hmtx.getUint16(4 * Math.min(index, metricCount - 1));
  return {
    unitsPerEm,
    glyph(codePoint) {
      const mapped = map.get(codePoint) ?? 0;
      // A glyph index past the font's glyphs is glyph 0, as opentype.js's charToGlyph gives.
      const index = mapped < glyphCount ? mapped : 0;
      return { index, advance: advanceOf(index) };
    },
  };
}

const PLATFORM_0_ENCODINGS = [0, 1, 2, 3, 4, 6];
const PLATFORM_3_ENCODINGS = [0, 1, 10];

/** Code point → glyph index from the cmap subtable opentype.js picks (the last Unicode one). */
function glyphIndexMap(cmap: DataView): Map<number, number> {
  const tables = cmap.getUint16(2);
  let offset = -1;
  for (let i = tables - 1; i >= 0 && offset < 0; i--) {
    const platform = cmap.getUint16(4 + i * 8);
    const encoding = cmap.getUint16(4 + i * 8 + 2);
    if (
      (platform === 3 && PLATFORM_3_ENCODINGS.includes(encoding)) ||
      (platform === 0 && PLATFORM_0_ENCODINGS.includes(encoding)) ||
      (platform === 1 && encoding === 0)
    )
      offset = cmap.getUint32(4 + i * 8 + 4);
  }
  if (offset < 0) throw new Error("the font has no Unicode cmap subtable");
  const format = cmap.getUint16(offset);
  const map = new Map<number, number>();
  if (format === 4) {
    const segments = cmap.getUint16(offset + 6) >> 1;
    const ends = offset + 14;
    const starts = ends + 2 * segments + 2;
    const deltas = starts + 2 * segments;
    const ranges = deltas + 2 * segments;
    // The last segment (the 0xFFFF terminator) is left out, as opentype.js leaves it.
    for (let s = 0; s < segments - 1; s++) {
      const end = cmap.getUint16(ends + 2 * s);
      const start = cmap.getUint16(starts + 2 * s);
      const delta = cmap.getInt16(deltas + 2 * s);
      const range = cmap.getUint16(ranges + 2 * s);
      for (let c = start; c <= end; c++) {
        let glyph: number;
        if (range !== 0) {
          glyph = cmap.getUint16(ranges + 2 * s + range + 2 * (c - start));
          if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
        } else glyph = (c + delta) & 0xffff;
        map.set(c, glyph);
      }
    }
    return map;
  }
  if (format === 12 || format === 13) {
    const groups = cmap.getUint32(offset + 12);
    for (let g = 0; g < groups; g++) {
      const at = offset + 16 + 12 * g;
      const first = cmap.getUint32(at);
      const last = cmap.getUint32(at + 4);
      const glyph = cmap.getUint32(at + 8);
      for (let c = first; c <= last; c++) map.set(c, format === 12 ? glyph + (c - first) : glyph);
    }
    return map;
  }
  throw new Error(`cmap format ${format} is not supported (only 4, 12 and 13)`);
}
