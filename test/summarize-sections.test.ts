// Section-specific summaries: a histogram section's own bin count.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Float64, Int32, Int64 } from "apache-arrow";
import type { Scalar } from "../src/config/spec.ts";
import { numberHistogram } from "../src/summarize/histogram.ts";
import { summarize } from "../src/summarize/index.ts";
import {
  dictionaryVector,
  filter,
  fixedVector,
  key,
  measure,
  query,
  specOf,
  tableOf,
} from "./summarize-reference.ts";

describe("histogram sections", () => {
  const values = Array.from({ length: 100 }, (_, i) => i); // 0..99
  const table = tableOf({
    n: fixedVector(new Int32(), values, Int32Array),
    x: fixedVector(
      new Float64(),
      values.map((v) => v / 10),
      Float64Array,
    ),
  });

  it("bins a column by the section's `bins`, on nice boundaries, counting every value once", () => {
    const spec = specOf({
      sections: [{ kind: "histogram", title: "n", column: "n", bins: 5, path: ["sections", 0] }],
    });
    const bins = summarize(table, spec).histograms?.["0"];
    assert.ok(bins, "a histogram for section 0");
    // 0..99 in about 5 bins: width 20 → [0,20) [20,40) [40,60) [60,80) [80,100], 20 values each.
    assert.deepEqual(
      bins.map((b) => [b.start, b.end, b.count]),
      [
        [0, 20, 20],
        [20, 40, 20],
        [40, 60, 20],
        [60, 80, 20],
        [80, 100, 20],
      ],
    );
  });

  it("leaves sections without `bins` to the profile's histogram", () => {
    const spec = specOf({
      sections: [{ kind: "histogram", title: "x", column: "x", path: ["sections", 0] }],
    });
    const summary = summarize(table, spec);
    assert.equal(summary.histograms, undefined);
    const total = summary.columns
      .find((c) => c.name === "x")
      ?.histogram?.reduce((s, b) => s + b.count, 0);
    assert.equal(total, 100);
  });
});

describe("histogram bins", () => {
  it("gives the top integer its own bin (a 1–5 rating shows five bars)", () => {
    const bins = numberHistogram(Float64Array.from([1, 2, 3, 4, 5, 5, 5, 5]), true);
    assert.deepEqual(
      bins.map((b) => [b.start, b.count]),
      [
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 4],
      ],
    );
  });

  it("opens on the bin holding the minimum, despite binary noise (0.3 / 0.1)", () => {
    const bins = numberHistogram(Float64Array.from([0.3, 1, 2.3]), false);
    assert.equal(bins[0].start, 0.3);
    assert.equal(bins[0].count, 1);
    assert.equal(
      bins.reduce((n, b) => n + b.count, 0),
      3,
    );
  });

  it("falls back to one bin when the span overflows", () => {
    const bins = numberHistogram(Float64Array.from([-1e308, 1e308]), false);
    assert.deepEqual(bins, [{ start: -1e308, end: 1e308, count: 2 }]);
  });
});

describe("64-bit integers beyond 2^53", () => {
  // Neighbouring ids that float64 cannot tell apart (all round to 1234567890123456768).
  const ids = [1234567890123456789n, 1234567890123456790n, 1234567890123456791n];
  const table = tableOf({
    id: fixedVector(new Int64(), ids, BigInt64Array),
    v: fixedVector(new Int32(), [1, 2, 3], Int32Array),
  });

  it("stay exact: three distinct ids, no duplicate rows, no constant alert", () => {
    const summary = summarize(table, specOf({}));
    const id = summary.columns.find((c) => c.name === "id");
    assert.equal(id?.type, "integer");
    assert.equal(id?.distinct, 3);
    assert.deepEqual(id?.top?.map((t) => t.value).sort(), ids.map(String).sort());
    assert.deepEqual(
      summary.alerts.filter((a) => a.column === "id" || a.kind === "duplicates"),
      [],
    );
  });

  it("refuse sums with a located message instead of adding rounded values", () => {
    const spec = specOf({
      queries: [query("q", { measures: [measure("s", "sum", "id")] })],
    });
    assert.throws(() => summarize(table, spec), /integers beyond ±2\^53/);
  });
});

describe("filters on text columns", () => {
  const table = tableOf({ zip: dictionaryVector(["02134", "1.50", "90210"]) });
  const byZip = (value: Scalar) =>
    specOf({
      queries: [
        query("q", {
          groupBy: [key("zip")],
          measures: [measure("n", "count")],
          filter: [filter("zip", "=", value)],
        }),
      ],
    });

  it("refuse an unquoted number, which has lost its spelling (02134 → 2134)", () => {
    assert.throws(
      () => summarize(table, byZip(2134)),
      (error: unknown) =>
        error instanceof Error &&
        /cannot compare text 'zip' with an integer using =/.test(error.message) &&
        /Quote the value as it is written in the data/.test(
          (error as { hint?: string }).hint ?? "",
        ),
    );
  });

  it("match quoted text exactly", () => {
    assert.deepEqual(summarize(table, byZip("02134")).queries.q.rows, [{ zip: "02134", n: 1 }]);
  });
});
