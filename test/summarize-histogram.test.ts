// Histograms that show the data: on generated heavy-tailed columns the drawn bins must hold
// the body of the rows, and the rows left out must be exactly those outside the drawn edges.
// Expected figures are counted here from the raw values, not taken from src/summarize.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Float64, Int32, Table, vectorFromArray } from "apache-arrow";
import { binTips, outsideLabels } from "../src/chart/describe.ts";
import { histogramSpec } from "../src/chart/spec.ts";
import { renderSvg } from "../src/chart/svg.ts";
import type { HistogramSection } from "../src/config/spec.ts";
import { summarize } from "../src/summarize/index.ts";
import type { HistogramBin } from "../src/summarize/summary.ts";
import { specOf } from "./summarize-reference.ts";

/** Mulberry32: a small seeded generator, so every run tests the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const N = 20_000;
const rand = random(42);
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
// Order sizes: mostly 1–10 units, 0.5% bulk orders of 100–500 units (the sample report's shape).
const quantity = Array.from({ length: N }, () =>
  rand() < 0.005 ? 100 + Math.floor(rand() * 400) : 1 + Math.floor(-3 * Math.log(1 - rand())),
);
// Revenue: log-normal, positive and heavy-tailed (σ = 1.5: the top 1% is ~30× the median).
const revenue = Array.from({ length: N }, () => Math.exp(3 + 1.5 * normal()));
// Temperatures with a few sensor glitches far below and above.
const temperature = Array.from({ length: N }, (_, i) =>
  i % 997 === 0 ? -500 : i % 991 === 0 ? 900 : 20 + 5 * normal(),
);

const table = new Table({
  quantity: vectorFromArray(quantity, new Int32()),
  revenue: vectorFromArray(revenue, new Float64()),
  temperature: vectorFromArray(temperature, new Float64()),
});

function profileOf(name: string) {
  const spec = specOf({ sections: [{ kind: "profile", columns: "all", path: ["sections", 0] }] });
  const profile = summarize(table, spec).columns.find((c) => c.name === name);
  assert.ok(profile?.histogram, `a histogram of ${name}`);
  return profile;
}

/** Counts the raw values inside and outside the drawn edges. */
function outside(values: number[], bins: HistogramBin[], halfOpenTop: boolean) {
  const lo = Number(bins[0].start);
  const hi = Number(bins[bins.length - 1].end);
  const below = values.filter((v) => v < lo).length;
  const above = values.filter((v) => (halfOpenTop ? v >= hi : v > hi)).length;
  return { below, above, inside: values.length - below - above };
}

const total = (bins: HistogramBin[]) => bins.reduce((sum, bin) => sum + bin.count, 0);
const tallest = (bins: HistogramBin[]) => Math.max(...bins.map((bin) => bin.count));

describe("histograms that show the data", () => {
  it("cuts a few huge orders off a linear range and counts them as overflow", () => {
    const profile = profileOf("quantity");
    const bins = profile.histogram ?? [];
    assert.equal(profile.histogramScale, "linear");
    const expected = outside(quantity, bins, true);
    const bulk = quantity.filter((q) => q >= 100).length;
    // The drawn bins hold at least 99% of the rows; every bulk order is outside them.
    assert.ok(expected.inside / N >= 0.99, `drawn share ${expected.inside / N}`);
    assert.ok(expected.above >= bulk, `${expected.above} above, ${bulk} bulk orders`);
    assert.equal(profile.histogramAbove, expected.above);
    assert.equal(profile.histogramBelow, expected.below);
    assert.equal(total(bins), expected.inside);
    assert.equal(total(bins) + expected.above + expected.below, N);
    // No single spike: the tallest bar holds under half of the rows, and at least 5 bars.
    assert.ok(tallest(bins) < N / 2, `tallest bin ${tallest(bins)} of ${N}`);
    assert.ok(bins.length >= 5, `${bins.length} bins`);
  });

  it("draws positive heavy-tailed values on a log scale, every row in a bin", () => {
    const profile = profileOf("revenue");
    const bins = profile.histogram ?? [];
    assert.equal(profile.histogramScale, "log");
    const expected = outside(revenue, bins, false);
    assert.deepEqual(expected, { below: 0, above: 0, inside: N });
    assert.equal(total(bins), N);
    // Equal ratios: every bin's end / start is the same (to the 3 digits of its edges).
    const ratios = bins.map((bin) => Number(bin.end) / Number(bin.start));
    for (const ratio of ratios) assert.ok(Math.abs(ratio / ratios[0] - 1) < 0.02, `ratio ${ratio}`);
    assert.ok(tallest(bins) < N / 4, `tallest bin ${tallest(bins)} of ${N}`);
  });

  it("counts outliers on both sides of a linear range", () => {
    const profile = profileOf("temperature");
    const bins = profile.histogram ?? [];
    assert.equal(profile.histogramScale, "linear");
    const expected = outside(temperature, bins, false);
    const glitchesLow = temperature.filter((t) => t === -500).length;
    const glitchesHigh = temperature.filter((t) => t === 900).length;
    assert.ok(expected.below >= glitchesLow && expected.above >= glitchesHigh);
    assert.equal(profile.histogramBelow, expected.below);
    assert.equal(profile.histogramAbove, expected.above);
    assert.equal(total(bins), expected.inside);
    // Stated share: the drawn bins hold at least 99% of the rows.
    assert.ok(expected.inside / N >= 0.99, `drawn share ${expected.inside / N}`);
  });

  it("follows a section's `scale: linear` and `range: [lo, hi]`", () => {
    const section = (parts: Partial<HistogramSection>): HistogramSection => ({
      kind: "histogram",
      title: "h",
      column: "revenue",
      path: ["sections", 0],
      ...parts,
    });
    const spec = specOf({
      sections: [section({ scale: "linear" }), section({ range: [0, 100] })],
    });
    const summary = summarize(table, spec);
    const shapes = summary.histogramShapes ?? {};
    assert.equal(shapes["0"].scale, "linear");
    const ranged = { bins: summary.histograms?.["1"] ?? [], ...shapes["1"] };
    assert.equal(ranged.scale, "linear");
    assert.equal(ranged.bins[0].start, 0);
    assert.equal(ranged.bins[ranged.bins.length - 1].end, 100);
    const expected = outside(revenue, ranged.bins, false);
    assert.equal(ranged.above, expected.above);
    assert.equal(ranged.above, revenue.filter((v) => v > 100).length);
    assert.equal(ranged.below, 0);
    assert.equal(total(ranged.bins), N - ranged.above);
  });

  it("draws the values outside as two end bars labelled with the rows outside the edges", async () => {
    const profile = profileOf("temperature");
    const bins = profile.histogram ?? [];
    const expected = outside(temperature, bins, false);
    const loc = { locale: "en-US", currency: "USD" };
    for (const sparkline of [false, true]) {
      const svg = await renderSvg(
        histogramSpec(profile, {
          ...loc,
          sparkline,
          tips: binTips(profile, loc, sparkline),
          outside: outsideLabels(profile, loc),
        }),
      );
      const paths = [...svg.matchAll(/<path ([^>]*)>/g)].map((m) => [
        m[0],
        m[1],
        /aria-label="([^"]*)"/.exec(m[1])?.[1],
      ]);
      const ends = paths.filter((p) => p[1]?.includes('stroke-dasharray="3,2"'));
      assert.deepEqual(
        ends.map((p) => p[2]),
        [
          `below ${bins[0].start}: ${expected.below.toLocaleString("en-US")} values`,
          `above ${bins[bins.length - 1].end}: ${expected.above.toLocaleString("en-US")} values`,
        ],
      );
      // Left of the first drawn bin and right of the last, with a gap.
      const x = (p: (string | undefined)[]) => Number(/d="M([\d.-]+),/.exec(p[1] ?? "")?.[1]);
      const w = (p: (string | undefined)[]) => Number(/h([\d.]+)v/.exec(p[1] ?? "")?.[1]);
      const body = paths.filter((p) => p[2] !== undefined && !p[1]?.includes("stroke-dasharray"));
      assert.equal(body.length, bins.length, "one bar per bin");
      const left = Math.min(...body.map(x));
      const right = Math.max(...body.map((p) => x(p) + w(p)));
      assert.ok(x(ends[0]) + w(ends[0]) < left - 1, "the underflow bar stands apart, left");
      assert.ok(x(ends[1]) > right + 1, "the overflow bar stands apart, right");
      const labels = [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/g)].map((m) =>
        m[1]
          .replace(/<[^>]+>/g, " ")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/\s+/g, " ")
          .trim(),
      );
      const counts = [expected.below, expected.above].map((n) => n.toLocaleString("en-US"));
      if (sparkline) for (const count of counts) assert.ok(labels.includes(count), `${labels}`);
      else {
        assert.ok(labels.includes(`< ${bins[0].start} ${counts[0]}`), `${labels}`);
        assert.ok(labels.includes(`> ${bins[bins.length - 1].end} ${counts[1]}`), `${labels}`);
      }
    }
  });
});
