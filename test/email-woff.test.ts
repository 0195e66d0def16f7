// WOFF → TTF for the PNG rasteriser: the unpacked font is a valid sfnt (every table's checksum
// as the font's own directory states it) and opentype.js reads the same glyphs from both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import opentype from "opentype.js";
import { FONT_FILES } from "../src/chart/text-metrics.ts";
import { woffToSfnt } from "../src/chart/woff.ts";

const toArrayBuffer = (bytes: Uint8Array) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** The OpenType table checksum: the sum of big-endian uint32 words, zero-padded. */
function checksum(bytes: Uint8Array): number {
  const padded = new Uint8Array((bytes.byteLength + 3) & ~3);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  let sum = 0;
  for (let i = 0; i < padded.byteLength; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  return sum;
}

for (const file of Object.values(FONT_FILES)) {
  test(`${file}: tables match their checksums and glyphs match the WOFF`, () => {
    const woff = new Uint8Array(readFileSync(`templates/fonts/${file}`));
    const ttf = woffToSfnt(woff);
    const view = new DataView(ttf.buffer, ttf.byteOffset, ttf.byteLength);
    assert.equal(view.getUint32(0), 0x00010000, "TrueType outlines");
    const numTables = view.getUint16(4);
    const tags: string[] = [];
    for (let i = 0; i < numTables; i++) {
      const at = 12 + 16 * i;
      const tag = String.fromCharCode(...ttf.subarray(at, at + 4));
      tags.push(tag);
      const data = ttf.slice(
        view.getUint32(at + 8),
        view.getUint32(at + 8) + view.getUint32(at + 12),
      );
      // head's checksum is taken with its checkSumAdjustment (bytes 8-11) zeroed.
      if (tag === "head") data.fill(0, 8, 12);
      assert.equal(checksum(data), view.getUint32(at + 4), `${tag} checksum`);
    }
    assert.deepEqual(tags, [...tags].sort(), "table records sorted by tag");
    for (const required of ["cmap", "glyf", "head", "hmtx", "loca", "name"]) {
      assert.ok(tags.includes(required), required);
    }

    const fromWoff = opentype.parse(toArrayBuffer(woff));
    const fromTtf = opentype.parse(toArrayBuffer(ttf));
    assert.equal(fromTtf.unitsPerEm, fromWoff.unitsPerEm);
    let total = 0;
    for (const char of "Revenue by region: $1,234.56 ▲ +18.4%") {
      const [a, b] = [fromWoff.charToGlyph(char), fromTtf.charToGlyph(char)];
      assert.equal(b.index, a.index, char);
      assert.equal(b.advanceWidth, a.advanceWidth, char);
      total += b.advanceWidth ?? 0;
    }
    assert.ok(total > 10 * fromTtf.unitsPerEm, "real glyphs, not .notdef");
  });
}

test("anything but WOFF 1 is refused", () => {
  assert.throws(() => woffToSfnt(new Uint8Array(64)), /not a WOFF 1 font/);
});
