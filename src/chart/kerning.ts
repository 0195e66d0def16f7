// Pair kerning from a font's GPOS table. opentype.js 2.0 skips Extension lookups (GPOS
// lookup type 9), which is where Inter keeps almost all of its kerning, so its
// getKerningValue returns 0 for pairs like "AV"; browsers apply that kerning, so we read it.
import { findTable } from "./font-tables.ts";

const GPOS = 0x47504f53;
const KERN = 0x6b65726e;

/** Kerning between two glyph indices in font units (0 when none); from WOFF or TTF/OTF bytes. */
export function readPairKerning(bytes: Uint8Array): (left: number, right: number) => number {
  const gpos = findTable(bytes, GPOS);
  if (gpos === undefined) return () => 0;
  const subtables = kernSubtables(gpos);
  const cache = new Map<number, number>();
  return (left, right) => {
    const key = left * 65536 + right;
    let value = cache.get(key);
    if (value === undefined) {
      value = 0;
      for (const lookup of subtables) value += lookupPair(gpos, lookup, left, right);
      cache.set(key, value);
    }
    return value;
  };
}

/** Per kern lookup (in lookup order), the offsets of its pair-positioning subtables. */
function kernSubtables(gpos: DataView): number[][] {
  const featureList = gpos.getUint16(6);
  const lookupList = gpos.getUint16(8);
  const indices = new Set<number>();
  const featureCount = gpos.getUint16(featureList);
  for (let i = 0; i < featureCount; i++) {
    const record = featureList + 2 + i * 6;
    if (gpos.getUint32(record) !== KERN) continue;
    const feature = featureList + gpos.getUint16(record + 4);
    const count = gpos.getUint16(feature + 2);
    for (let j = 0; j < count; j++) indices.add(gpos.getUint16(feature + 4 + j * 2));
  }
  const lookups: number[][] = [];
  for (const index of [...indices].sort((a, b) => a - b)) {
    const lookup = lookupList + gpos.getUint16(lookupList + 2 + index * 2);
    const type = gpos.getUint16(lookup);
    const count = gpos.getUint16(lookup + 4);
    const offsets: number[] = [];
    for (let j = 0; j < count; j++) {
      let subtable = lookup + gpos.getUint16(lookup + 6 + j * 2);
      let subtableType = type;
      if (type === 9) {
        subtableType = gpos.getUint16(subtable + 2);
        subtable += gpos.getUint32(subtable + 4);
      }
      if (subtableType === 2) offsets.push(subtable);
    }
    if (offsets.length > 0) lookups.push(offsets);
  }
  return lookups;
}

function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v !== 0; v >>= 1) count += v & 1;
  return count;
}

/** XAdvance of the first glyph's value record for one pair, from the first subtable that applies. */
function lookupPair(gpos: DataView, subtables: number[], left: number, right: number): number {
  for (const subtable of subtables) {
    const format = gpos.getUint16(subtable);
    const coverageIndex = coverage(gpos, subtable + gpos.getUint16(subtable + 2), left);
    if (coverageIndex < 0) continue;
    const valueFormat1 = gpos.getUint16(subtable + 4);
    const valueFormat2 = gpos.getUint16(subtable + 6);
    const size1 = 2 * bitCount(valueFormat1 & 0xff);
    const size2 = 2 * bitCount(valueFormat2 & 0xff);
    const xAdvance = (record: number) =>
      valueFormat1 & 0x4 ? gpos.getInt16(record + 2 * bitCount(valueFormat1 & 0x3)) : 0;
    if (format === 1) {
      const pairSet = subtable + gpos.getUint16(subtable + 10 + coverageIndex * 2);
      const count = gpos.getUint16(pairSet);
      const stride = 2 + size1 + size2;
      let lo = 0;
      let hi = count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const second = gpos.getUint16(pairSet + 2 + mid * stride);
        if (second === right) return xAdvance(pairSet + 2 + mid * stride + 2);
        if (second < right) lo = mid + 1;
        else hi = mid - 1;
      }
      // A format 1 subtable applies only to the pairs it lists; try the next one.
      continue;
    }
    if (format === 2) {
      const class1 = classOf(gpos, subtable + gpos.getUint16(subtable + 8), left);
      const class2 = classOf(gpos, subtable + gpos.getUint16(subtable + 10), right);
      const class1Count = gpos.getUint16(subtable + 12);
      const class2Count = gpos.getUint16(subtable + 14);
      if (class1 >= class1Count || class2 >= class2Count) return 0;
      const record = subtable + 16 + (class1 * class2Count + class2) * (size1 + size2);
      return xAdvance(record);
    }
  }
  return 0;
}

function coverage(gpos: DataView, table: number, glyph: number): number {
  const format = gpos.getUint16(table);
  const count = gpos.getUint16(table + 2);
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (format === 1) {
      const g = gpos.getUint16(table + 4 + mid * 2);
      if (g === glyph) return mid;
      if (g < glyph) lo = mid + 1;
      else hi = mid - 1;
    } else {
      const range = table + 4 + mid * 6;
      const start = gpos.getUint16(range);
      const end = gpos.getUint16(range + 2);
      if (glyph < start) hi = mid - 1;
      else if (glyph > end) lo = mid + 1;
      else return gpos.getUint16(range + 4) + glyph - start;
    }
  }
  return -1;
}

function classOf(gpos: DataView, table: number, glyph: number): number {
  const format = gpos.getUint16(table);
  if (format === 1) {
    const start = gpos.getUint16(table + 2);
    const count = gpos.getUint16(table + 4);
    return glyph >= start && glyph < start + count
      ? gpos.getUint16(table + 6 + (glyph - start) * 2)
      : 0;
  }
  const count = gpos.getUint16(table + 2);
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = table + 4 + mid * 6;
    const start = gpos.getUint16(range);
    const end = gpos.getUint16(range + 2);
    if (glyph < start) hi = mid - 1;
    else if (glyph > end) lo = mid + 1;
    else return gpos.getUint16(range + 4);
  }
  return 0;
}
