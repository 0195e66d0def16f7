// Ascending sort of a Float64Array by radix, for the profile's one sort per numeric column:
// V8's built-in TypedArray sort takes about half a second for a million doubles, this about a
// tenth of that. Each double's bits become an unsigned 64-bit key in the same order (negative
// numbers have every bit flipped, others only the sign bit), sorted by four stable passes of
// 16 bits; a pass whose digit is the same for every value (the low bits of whole numbers and
// dates) is skipped. The order is exactly TypedArray#sort's, -0 before +0; NaN must not occur.
// Whole numbers, whole days in ms and short decimals (prices in cents) over a range no wider
// than twice their count are counted instead: one counting pass and one pass writing back.

/** Below this many values the built-in sort is quicker than filling the digit counts. */
const RADIX_FROM = 2048;
const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;
const PASSES = 4;
/** A day in ms: dates held as epoch ms are counted per day. */
const DAY_MS = 86_400_000;
/** Decimals of up to six places are counted in steps of 10^-places. */
const MAX_SCALE = 1e6;
/** Keys beyond 2^52 would not add up exactly. */
const MAX_KEY = 2 ** 52;

/**
 * Sorts `values` ascending in place (no NaN) and returns it. `scratch`, when at least
 * 2 × values.length long, is used instead of allocating the passes' second buffer.
 */
export function sortNumbers(values: Float64Array, scratch?: Uint32Array): Float64Array {
  const n = values.length;
  if (n < RADIX_FROM) return values.sort();
  if (ascending(values)) return values; // ids and timestamps often come in order
  if (countSorted(values, scratch)) return values;
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  // Little-endian: word 2i is the low half of value i, word 2i + 1 the high half.
  const counts = new Int32Array(BUCKETS * PASSES);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = words[i];
    let hi = words[i + 1];
    if (hi >= 0x80000000) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    words[i] = lo;
    words[i + 1] = hi;
    counts[lo & 0xffff]++;
    counts[BUCKETS + (lo >>> 16)]++;
    counts[2 * BUCKETS + (hi & 0xffff)]++;
    counts[3 * BUCKETS + (hi >>> 16)]++;
  }
  let from = words;
  let to: Uint32Array | undefined;
  for (let pass = 0; pass < PASSES; pass++) {
    const base = pass * BUCKETS;
    // Exclusive prefix sums turn counts into each bucket's first slot; skip a one-bucket pass.
    let total = 0;
    let single = false;
    for (let d = 0; d < BUCKETS; d++) {
      const count = counts[base + d];
      if (count === n) single = true;
      counts[base + d] = total;
      total += count;
    }
    if (single) continue;
    to ??= scratch !== undefined && scratch.length >= 2 * n ? scratch : new Uint32Array(2 * n);
    const target = from === words ? to : words;
    const word = pass >> 1; // 0: low half, 1: high half
    const shift = (pass & 1) * DIGIT_BITS;
    for (let i = 0; i < 2 * n; i += 2) {
      const lo = from[i];
      const hi = from[i + 1];
      const digit = ((word === 0 ? lo : hi) >>> shift) & 0xffff;
      const at = 2 * counts[base + digit]++;
      target[at] = lo;
      target[at + 1] = hi;
    }
    from = target;
  }
  // The scratch may be longer than this column (it is shared by a table's columns).
  if (from !== words) words.set(from.subarray(0, 2 * n));
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = words[i + 1];
    if (hi >= 0x80000000) words[i + 1] = (hi & 0x7fffffff) >>> 0;
    else {
      words[i] = ~words[i] >>> 0;
      words[i + 1] = ~hi >>> 0;
    }
  }
  return values;
}

/**
 * Sorts `values` by counting when each is a whole number of steps, the steps spanning at most
 * 2n slots: whole numbers (steps of 1), whole days in ms, or decimals of up to six places
 * (prices, scores: v = k / 10^d exactly as the double it is). Each value is rebuilt from its
 * slot exactly as it was (checked for every value before any is written), so the result is
 * bit for bit the sorted input; -0, NaN, infinities and other values leave `values` untouched
 * and return false. The counts go in `scratch` when it is long enough.
 */
function countSorted(values: Float64Array, scratch?: Uint32Array): boolean {
  const n = values.length;
  // Each pass is its own small function: V8 optimizes a loop alone far sooner than one of
  // several in a long function, and every pass here runs once per column.
  let span = wholeSpan(values);
  let days = false;
  if (span !== undefined) days = isDay(span.min) && isDay(span.max) && wholeDays(values);
  else span = decimalSpan(values);
  if (span === undefined) return false;
  const { scale } = span;
  const low = days ? span.min / DAY_MS : Math.round(span.min * scale);
  const high = days ? span.max / DAY_MS : Math.round(span.max * scale);
  const slots = high - low + 1;
  if (!(slots <= 2 * n) || !(Math.abs(low) <= MAX_KEY && Math.abs(high) <= MAX_KEY)) return false;
  const counts =
    scratch !== undefined && scratch.length >= slots
      ? scratch.fill(0, 0, slots)
      : new Uint32Array(slots);
  if (days) countDays(values, counts, low);
  else if (scale === 1) countWhole(values, counts, low);
  else if (!countDecimals(values, counts, low, scale)) return false;
  if (days) writeDays(values, counts, low, slots);
  else writeScaled(values, counts, low, slots, scale);
  return true;
}

/** The least and greatest value, and the scale that makes every value whole (k / scale). */
interface Span {
  min: number;
  max: number;
  scale: number;
}

function isDay(v: number): boolean {
  return Math.floor(v / DAY_MS) * DAY_MS === v;
}

/** The span of `values` when all are whole numbers (no -0, NaN or infinity); else undefined. */
function wholeSpan(values: Float64Array): Span | undefined {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== Math.floor(v) || (v === 0 && 1 / v < 0)) return undefined;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, scale: 1 };
}

function wholeDays(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!isDay(values[i])) return false;
  return true;
}

/** The span of `values` when each is k / 10^d for whole k, d up to six; else undefined. */
function decimalSpan(values: Float64Array): Span | undefined {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let scale = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 0 && 1 / v < 0) return undefined;
    while (Math.round(v * scale) / scale !== v) {
      if (scale >= MAX_SCALE) return undefined;
      scale *= 10;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, scale };
}

function countDays(values: Float64Array, counts: Uint32Array, low: number): void {
  for (let i = 0; i < values.length; i++) counts[values[i] / DAY_MS - low]++;
}

function countWhole(values: Float64Array, counts: Uint32Array, low: number): void {
  for (let i = 0; i < values.length; i++) counts[values[i] - low]++;
}

/** Counts k = v × scale; false (counts spoilt, values untouched) when some v is not k / scale. */
function countDecimals(values: Float64Array, counts: Uint32Array, low: number, scale: number) {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const k = Math.round(v * scale);
    // A value found exact at a coarser scale is checked again at the final one.
    if (k / scale !== v) return false;
    counts[k - low]++;
  }
  return true;
}

// Whole keys below 2^52: each value is rebuilt exactly as it was counted.
function writeDays(values: Float64Array, counts: Uint32Array, low: number, slots: number): void {
  let at = 0;
  for (let slot = 0; slot < slots; slot++) {
    const value = (low + slot) * DAY_MS;
    for (let c = counts[slot]; c > 0; c--) values[at++] = value;
  }
}

function writeScaled(
  values: Float64Array,
  counts: Uint32Array,
  low: number,
  slots: number,
  scale: number,
): void {
  let at = 0;
  for (let slot = 0; slot < slots; slot++) {
    const value = (low + slot) / scale;
    for (let c = counts[slot]; c > 0; c--) values[at++] = value;
  }
}

/** True when `values` is in TypedArray#sort's order already (-0 before +0). */
function ascending(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) {
    const previous = values[i - 1];
    const value = values[i];
    if (value < previous || (value === 0 && previous === 0 && 1 / value < 1 / previous)) {
      return false;
    }
  }
  return true;
}
