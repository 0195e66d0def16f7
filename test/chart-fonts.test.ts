// Glyph metrics read from the shipped fonts' own tables (src/chart/glyph-metrics.ts) against
// opentype.js, which text measurement used before: the same glyph and advance for every code
// point either maps, for code points neither maps, and the same units per em.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import opentype from "opentype.js";
import { readGlyphMetrics } from "../src/chart/glyph-metrics.ts";
import { FONT_FILES } from "../src/chart/text-metrics.ts";

const FONTS = join(dirname(fileURLToPath(import.meta.url)), "../templates/fonts");

it("gives every code point of each shipped face the glyph and advance opentype.js gives", async () => {
  for (const file of Object.values(FONT_FILES)) {
    const bytes = await readFile(join(FONTS, file));
    const font = opentype.parse(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    const ours = readGlyphMetrics(new Uint8Array(bytes));
    assert.equal(ours.unitsPerEm, font.unitsPerEm, file);
    let mapped = 0;
    // The Basic Multilingual Plane and the start of the next: Inter's latin subset and beyond.
    for (let code = 0; code < 0x11000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are no characters
      const glyph = font.charToGlyph(String.fromCodePoint(code));
      const mine = ours.glyph(code);
      if (mine.index !== glyph.index || mine.advance !== (glyph.advanceWidth ?? 0)) {
        assert.fail(
          `${file} U+${code.toString(16)}: glyph ${mine.index} advance ${mine.advance}, opentype.js ${glyph.index} ${glyph.advanceWidth}`,
        );
      }
      if (mine.index !== 0) mapped++;
    }
    assert.ok(mapped > 200, `${file}: only ${mapped} code points mapped`);
  }
});
