// Exact duplicate rows: one hash per row over all columns, then exact comparison within
// a hash chain, so collisions never count.

import { type Column, settled } from "./columns.ts";

/** Rows that are exact copies (all columns, missing equal to missing) of an earlier row. */
export function countDuplicateRows(table: readonly Column[], rowCount: number): number {
  if (table.length === 0 || rowCount < 2) return 0;
  const columns = table.map(settled);
  const hashes = new Int32Array(rowCount).fill(0x2545f491);
  const scratch = new Float64Array(1);
  const words = new Int32Array(scratch.buffer);
  for (const column of columns) {
    if (column.kind === "category") {
      const { codes } = column;
      for (let i = 0; i < rowCount; i++) hashes[i] = mix(hashes[i], codes[i]);
    } else {
      const { values, valid } = column;
      for (let i = 0; i < rowCount; i++) {
        // Missing values are stored as 0; the validity bit tells them apart from a real 0.
        scratch[0] = values[i];
        const present = valid === null ? 1 : valid[i];
        hashes[i] = mix(mix(hashes[i], words[0] ^ present), words[1]);
      }
    }
  }
  // Open addressing on the hash: slot → first row of a chain of rows sharing that slot.
  let size = 1;
  while (size < rowCount * 2) size *= 2;
  const heads = new Int32Array(size).fill(-1);
  const next = new Int32Array(rowCount).fill(-1);
  let duplicates = 0;
  for (let i = 0; i < rowCount; i++) {
    const h = hashes[i];
    let slot = (h ^ (h >>> 16)) & (size - 1);
    // Probe to the slot holding rows of the same hash, or an empty one.
    while (heads[slot] >= 0 && hashes[heads[slot]] !== h) slot = (slot + 1) & (size - 1);
    let j = heads[slot];
    let copy = false;
    while (j >= 0) {
      if (sameRow(columns, i, j)) {
        copy = true;
        break;
      }
      j = next[j];
    }
    if (copy) duplicates++;
    else {
      next[i] = heads[slot];
      heads[slot] = i;
    }
  }
  return duplicates;
}

function mix(hash: number, value: number): number {
  return Math.imul(hash ^ value, 0x5bd1e995) ^ (hash >>> 15);
}

function sameRow(columns: readonly Column[], a: number, b: number): boolean {
  for (const column of columns) {
    if (column.kind === "category") {
      if (column.codes[a] !== column.codes[b]) return false;
    } else {
      if (column.values[a] !== column.values[b]) return false;
      if (column.valid !== null && column.valid[a] !== column.valid[b]) return false;
    }
  }
  return true;
}
