// Exact order statistics and moments over sorted or plain Float64Arrays.

/** The p-quantile (0..1) of ascending `sorted`: type 7 (pandas, numpy, DuckDB quantile_cont). */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Number of distinct values in ascending `sorted`. */
export function distinctSorted(sorted: Float64Array): number {
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}

export interface Moments {
  mean: number;
  /** Sample standard deviation (n - 1); NaN below 2 values. */
  std: number;
  /** Adjusted Fisher-Pearson sample skewness (pandas `skew`); NaN below 3 values, 0 when constant. */
  skewness: number;
}

/** Mean, std and skewness in two passes (the second around the mean, for accuracy). */
export function moments(values: Float64Array): Moments {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
  }
  const std = n >= 2 ? Math.sqrt(m2 / (n - 1)) : Number.NaN;
  let skewness = Number.NaN;
  if (n >= 3) {
    const variance = m2 / n;
    // A relative floor, so that rounding noise in a constant column does not read as skew.
    skewness =
      variance <= 1e-14 * mean * mean || variance === 0
        ? 0
        : ((Math.sqrt(n * (n - 1)) / (n - 2)) * (m3 / n)) / variance ** 1.5;
  }
  return { mean, std, skewness };
}
