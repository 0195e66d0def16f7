// The few tables of a font file that text measurement reads (cmap, hmtx, GPOS kerning), found
// in WOFF 1 (templates/fonts/) or plain TTF/OTF bytes. Parsing just these, instead of the
// whole font with opentype.js, takes a few ms where opentype.js took ~160 ms to load and
// 40-75 ms per face (of the ~0.4 s charts stage of a 1M-row profile).
import { inflateSync } from "node:zlib";

const WOFF = 0x774f4646;

/** A table's tag ("cmap") as the 32-bit number the table directory stores. */
export function tableTag(tag: string): number {
  return (
    ((tag.charCodeAt(0) << 24) |
      (tag.charCodeAt(1) << 16) |
      (tag.charCodeAt(2) << 8) |
      tag.charCodeAt(3)) >>>
    0
  );
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The table `tag` of a WOFF 1 or TTF/OTF font, unpacked; undefined when the font lacks it. */
export function findTable(bytes: Uint8Array, tag: number): DataView | undefined {
  const data = view(bytes);
  if (data.getUint32(0) === WOFF) {
    const count = data.getUint16(12);
    for (let i = 0; i < count; i++) {
      const entry = 44 + i * 20;
      if (data.getUint32(entry) !== tag) continue;
      const offset = data.getUint32(entry + 4);
      const compressed = data.getUint32(entry + 8);
      const length = data.getUint32(entry + 12);
      const raw = bytes.subarray(offset, offset + compressed);
      return view(compressed < length ? inflateSync(raw) : raw);
    }
    return undefined;
  }
  const count = data.getUint16(4);
  for (let i = 0; i < count; i++) {
    const entry = 12 + i * 16;
    if (data.getUint32(entry) !== tag) continue;
    const offset = data.getUint32(entry + 8);
    return new DataView(bytes.buffer, bytes.byteOffset + offset, data.getUint32(entry + 12));
  }
  return undefined;
}
