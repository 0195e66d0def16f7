import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateDay, Float64, Int32, Table, type Vector, vectorFromArray } from "apache-arrow";
import { summarize } from "../src/summarize/index.ts";
import type { Alert } from "../src/summarize/summary.ts";
import { closeTo, dictionaryVector, fixedVector, skewness, specOf } from "./summarize-reference.ts";

function alertsOf(vectors: Record<string, Vector>): Alert[] {
  return summarize(new Table(vectors), specOf({})).alerts;
}

/** The column alerts only: the tables below repeat rows on purpose. */
function columnAlerts(vectors: Record<string, Vector>): Alert[] {
  return alertsOf(vectors).filter((a) => a.kind !== "duplicates");
}

const kinds = (alerts: Alert[]) => alerts.map((a) => `${a.kind}:${a.column ?? "*"}`);

/** Rows that equal an earlier row, by a Set of JSON-encoded rows. */
function naiveDuplicates(columns: unknown[][]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (let r = 0; r < (columns[0]?.length ?? 0); r++) {
    const row = JSON.stringify(columns.map((c) => c[r]));
    if (seen.has(row)) duplicates++;
    else seen.add(row);
  }
  return duplicates;
}

describe("alerts", () => {
  it("flags a constant column, and only that", () => {
    const alerts = alertsOf({
      status: dictionaryVector(["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", null]),
      varied: vectorFromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], new Float64()),
    });
    assert.deepEqual(alerts, [
      {
        kind: "constant",
        column: "status",
        value: 1,
        message: "'status' has the same value (ok) in all 9 non-missing rows.",
      },
    ]);
  });

  it("does not call a column of numbers past 2^53 constant outright: floats cannot tell them apart", () => {
    // 2^63 - 1, 2^63 and 2^63 + 1 all read as the float 2^63 (a CSV's integers beyond Int64).
    const big = vectorFromArray([2 ** 63, 2 ** 63, 2 ** 63], new Float64());
    const [alert] = alertsOf({ big });
    assert.equal(alert.kind, "constant");
    assert.equal(
      alert.message,
      "'big' reads as one value (9223372036854776000) in all 3 non-missing rows, but its numbers are too large for floating-point numbers to tell apart, so they may differ. Declare the column as text to see them as written.",
    );
    // Just below 2^53 every whole number is its own float: a constant column is constant.
    const [exact] = alertsOf({ id: vectorFromArray([2 ** 53 - 1, 2 ** 53 - 1], new Float64()) });
    assert.match(exact.message, /^'id' has the same value \(9007199254740991\) in all 2/);
  });

  it("flags more than 20% missing, not exactly 20%", () => {
    const alerts = columnAlerts({
      a: vectorFromArray([1, null, null, null, 5, 6, 7, 8, 9, 10], new Float64()),
      b: vectorFromArray([1, null, null, 4, 5, 6, 7, 8, 9, 10], new Float64()),
    });
    assert.deepEqual(kinds(alerts), ["missing:a"]);
    assert.equal(alerts[0].value, 0.3);
    assert.equal(alerts[0].message, "'a' is missing in 3 of 10 rows (30.0%).");
  });

  it("flags high cardinality in strings, not in identifiers or few values", () => {
    const many = Array.from({ length: 100 }, (_, i) => `c${i % 60}`);
    const ids = Array.from({ length: 100 }, (_, i) => `id${i}`);
    const few = Array.from({ length: 100 }, (_, i) => `f${i % 40}`);
    const alerts = columnAlerts({
      many: dictionaryVector(many),
      ids: vectorFromArray(ids),
      few: dictionaryVector(few),
    });
    assert.deepEqual(kinds(alerts), ["high_cardinality:many"]);
    assert.equal(alerts[0].value, 60);
  });

  it("flags skewness above 2 with the sample skewness as value", () => {
    const skewed = [...Array.from({ length: 20 }, () => 1), 2, 3, 100];
    const symmetric = Array.from({ length: skewed.length }, (_, i) => i);
    const alerts = columnAlerts({
      skewed: fixedVector(new Int32(), skewed, Int32Array),
      symmetric: fixedVector(new Int32(), symmetric, Int32Array),
    });
    assert.deepEqual(kinds(alerts), ["skewed:skewed"]);
    closeTo(alerts[0].value, skewness(skewed), "skewness");
    assert.ok(alerts[0].value > 2);
  });

  it("flags more than half zeros, not exactly half, and not for a constant zero column", () => {
    const alerts = columnAlerts({
      mostly: vectorFromArray([0, 0, 0, 0, 0, 0, 1, 2, 3, 4], new Float64()),
      half: vectorFromArray([0, 0, 0, 0, 0, 1, 1, 2, 3, 4], new Float64()),
      all: vectorFromArray([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Float64()),
    });
    assert.deepEqual(kinds(alerts), ["zeros:mostly", "constant:all"]);
    assert.equal(alerts[0].value, 0.6);
  });

  it("counts rows that copy an earlier row, telling null from 0", () => {
    const n = [1, 1, null, 0, null, 2];
    const s = ["a", "a", "a", "a", "a", "b"];
    const d = [19000, 19000, 19000, 19000, 19000, null];
    const alerts = alertsOf({
      n: vectorFromArray(n, new Float64()),
      s: dictionaryVector(s),
      d: fixedVector(new DateDay(), d, Int32Array),
    }).filter((a) => a.kind === "duplicates");
    assert.deepEqual(alerts, [
      {
        kind: "duplicates",
        value: 2,
        message: "2 rows (33.3%) are exact copies of an earlier row.",
      },
    ]);
    assert.equal(naiveDuplicates([n, s, d]), 2);
  });

  it("counts duplicates like a Set of rows on random tables", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let t = 0; t < 50; t++) {
      const rows = 1 + Math.floor(random() * (t % 10 === 0 ? 3000 : 60));
      const a = Array.from({ length: rows }, () =>
        random() < 0.2 ? null : Math.floor(random() * 3),
      );
      const b = Array.from({ length: rows }, () =>
        random() < 0.2 ? null : ["x", "y"][Math.floor(random() * 2)],
      );
      const c = Array.from({ length: rows }, () =>
        random() < 0.1 ? null : Math.floor(random() * 2) / 2,
      );
      const alerts = alertsOf({
        a: fixedVector(new Int32(), a, Int32Array),
        b: vectorFromArray(b),
        c: vectorFromArray(c, new Float64()),
      });
      const found = alerts.find((x) => x.kind === "duplicates")?.value ?? 0;
      assert.equal(found, naiveDuplicates([a, b, c]), `table ${t}`);
    }
  });

  it("raises nothing on a clean table", () => {
    assert.deepEqual(
      alertsOf({
        x: vectorFromArray([1, 2, 3, 4, 5, 6], new Float64()),
        y: dictionaryVector(["a", "b", "a", "b", "c", "c"]),
      }),
      [],
    );
  });
});
