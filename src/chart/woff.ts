// WOFF 1 → TrueType/OpenType bytes. The page embeds Inter as WOFF (templates/fonts/), but the
// PNG rasteriser for email (src/chart/png.ts) reads only TTF/OTF. A WOFF 1 file is the same
// sfnt tables, each zlib-compressed when that saved space, so unpacking is a few lines with
// node:zlib (available under Deno too) and ships no second copy of the font.
import { inflateSync } from "node:zlib";

const WOFF_SIGNATURE = 0x774f4646; // "wOFF"
const WOFF_HEADER = 44;
const WOFF_ENTRY = 20;
const SFNT_HEADER = 12;
const SFNT_ENTRY = 16;

interface Table {
  tag: number;
  checksum: number;
  data: Uint8Array;
}

/** The sfnt (TTF or OTF) font packed in a WOFF 1 file; throws on anything else. */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (woff.byteLength < WOFF_HEADER || view.getUint32(0) !== WOFF_SIGNATURE) {
    throw new Error("not a WOFF 1 font (no wOFF signature)");
  }
  const flavor = view.getUint32(4);
  const numTables = view.getUint16(12);
  const tables: Table[] = [];
  for (let i = 0; i < numTables; i++) {
    const at = WOFF_HEADER + i * WOFF_ENTRY;
    const offset = view.getUint32(at + 4);
    const compLength = view.getUint32(at + 8);
    const origLength = view.getUint32(at + 12);
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? new Uint8Array(inflateSync(stored)) : stored;
    if (data.byteLength !== origLength) {
      throw new Error(`WOFF table ${i} unpacks to ${data.byteLength} bytes, not ${origLength}`);
    }
    tables.push({ tag: view.getUint32(at), checksum: view.getUint32(at + 16), data });
  }
  tables.sort((a, b) => a.tag - b.tag);

  const pad = (n: number) => (n + 3) & ~3;
  let size = SFNT_HEADER + numTables * SFNT_ENTRY;
  for (const table of tables) size += pad(table.data.byteLength);
  const out = new Uint8Array(size);
  const sfnt = new DataView(out.buffer);
  const log2 = Math.floor(Math.log2(numTables));
  sfnt.setUint32(0, flavor);
  sfnt.setUint16(4, numTables);
  sfnt.setUint16(6, 2 ** log2 * SFNT_ENTRY);
  sfnt.setUint16(8, log2);
  sfnt.setUint16(10, numTables * SFNT_ENTRY - 2 ** log2 * SFNT_ENTRY);
  let offset = SFNT_HEADER + numTables * SFNT_ENTRY;
  for (const [i, table] of tables.entries()) {
    const at = SFNT_HEADER + i * SFNT_ENTRY;
    sfnt.setUint32(at, table.tag);
    sfnt.setUint32(at + 4, table.checksum);
    sfnt.setUint32(at + 8, offset);
    sfnt.setUint32(at + 12, table.data.byteLength);
    out.set(table.data, offset);
    offset += pad(table.data.byteLength);
  }
  return out;
}
