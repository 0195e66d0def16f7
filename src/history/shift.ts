// How far a numeric column's distribution moved between two runs, from the histograms each
// run stored: the Kolmogorov–Smirnov distance, the largest gap between the two cumulative
// distributions (0 = the same, 1 = no overlap). KS rather than the population stability
// index because it needs no shared bins (each run bins its own range), has no empty-bin
// blow-up, and reads as a share: 0.2 means a fifth of the values crossed over. Values are
// taken as spread evenly within a bin; a bin with start = end is a point mass.
import type { HistogramBin } from "../summarize/summary.ts";

interface Bin {
  start: number;
  end: number;
  count: number;
}

function numeric(bins: readonly HistogramBin[]): Bin[] {
  return bins.map((b) => ({
    start: typeof b.start === "number" ? b.start : Date.parse(b.start),
    end: typeof b.end === "number" ? b.end : Date.parse(b.end),
    count: b.count,
  }));
}

/** Share of the values ≤ x (`below`: < x), values spread evenly within each bin. */
function cdf(bins: readonly Bin[], total: number, x: number, below: boolean): number {
  let sum = 0;
  for (const bin of bins) {
    if (bin.end === bin.start) {
      if (below ? bin.start < x : bin.start <= x) sum += bin.count;
    } else if (x >= bin.end) {
      sum += bin.count;
    } else if (x > bin.start) {
      sum += (bin.count * (x - bin.start)) / (bin.end - bin.start);
    }
  }
  return sum / total;
}

/** The KS distance between two histograms; undefined when either is empty. */
export function ksDistance(
  before: readonly HistogramBin[],
  after: readonly HistogramBin[],
): number | undefined {
  const a = numeric(before);
  const b = numeric(after);
  const totalA = a.reduce((s, bin) => s + bin.count, 0);
  const totalB = b.reduce((s, bin) => s + bin.count, 0);
  if (totalA === 0 || totalB === 0) return undefined;
  // Both CDFs are piecewise linear between the edges (steps at point masses), so the largest
  // gap sits at an edge, approached from the left or the right.
  const edges = new Set<number>();
  for (const bin of [...a, ...b]) {
    edges.add(bin.start);
    edges.add(bin.end);
  }
  let distance = 0;
  for (const x of edges) {
    for (const below of [false, true]) {
      distance = Math.max(distance, Math.abs(cdf(a, totalA, x, below) - cdf(b, totalB, x, below)));
    }
  }
  return Math.min(1, distance);
}
