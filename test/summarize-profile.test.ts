import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Bool,
  DateDay,
  DateMillisecond,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  Utf8View,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { summarize } from "../src/summarize/index.ts";
import type { ColumnProfile } from "../src/summarize/summary.ts";
import {
  closeTo,
  dictionaryVector,
  fixedVector,
  isMissing,
  isoDay,
  mean,
  quantile7,
  type RefColumn,
  refBucket,
  sampleStd,
  specOf,
  topValues,
} from "./summarize-reference.ts";

const spec = specOf({});

function profiles(vectors: Record<string, Vector>): ColumnProfile[] {
  return summarize(new Table(vectors), spec).columns;
}

function profileOf(vector: Vector): ColumnProfile {
  return profiles({ x: vector })[0];
}

/** Compares a numeric profile with the naive reference over `values`. */
function checkNumbers(profile: ColumnProfile, values: (number | null)[]): void {
  const present = values.filter((v): v is number => !isMissing(v));
  assert.equal(profile.count, present.length);
  assert.equal(profile.missing, values.length - present.length);
  assert.equal(profile.distinct, new Set(present).size);
  assert.equal(profile.min, Math.min(...present));
  assert.equal(profile.max, Math.max(...present));
  closeTo(profile.mean, mean(present), "mean");
  closeTo(profile.std, sampleStd(present), "std");
  for (const [name, p] of [
    ["p5", 0.05],
    ["p25", 0.25],
    ["p50", 0.5],
    ["p75", 0.75],
    ["p95", 0.95],
  ] as const) {
    closeTo(profile.quantiles?.[name], quantile7(present, p), name);
  }
  assert.equal(profile.zeros, present.filter((v) => v === 0).length);
}

describe("profile: numbers", () => {
  it("matches hand-computed figures for 1, 2, 3, 4 and a null", () => {
    const p = profileOf(fixedVector(new Int32(), [1, 2, 3, null, 4], Int32Array));
    assert.equal(p.type, "integer");
    assert.equal(p.count, 4);
    assert.equal(p.missing, 1);
    assert.equal(p.distinct, 4);
    assert.equal(p.min, 1);
    assert.equal(p.max, 4);
    assert.equal(p.mean, 2.5);
    closeTo(p.std, Math.sqrt(5 / 3), "std");
    closeTo(p.quantiles?.p5, 1.15, "p5");
    closeTo(p.quantiles?.p25, 1.75, "p25");
    closeTo(p.quantiles?.p50, 2.5, "p50");
    closeTo(p.quantiles?.p75, 3.25, "p75");
    closeTo(p.quantiles?.p95, 3.85, "p95");
    assert.equal(p.zeros, 0);
    assert.equal(p.top, undefined);
  });

  it("reads every integer and float storage type the same way", () => {
    const small = [3, null, 0, 7, 7, 120, 1, 0];
    const cases: [string, Vector][] = [
      ["int8", fixedVector(new Int8(), small, Int8Array)],
      ["int16", fixedVector(new Int16(), small, Int16Array)],
      ["int32", fixedVector(new Int32(), small, Int32Array)],
      [
        "int64",
        fixedVector(
          new Int64(),
          small.map((v) => (v === null ? null : BigInt(v))),
          BigInt64Array,
        ),
      ],
      ["uint8", fixedVector(new Uint8(), small, Uint8Array)],
      ["uint16", fixedVector(new Uint16(), small, Uint16Array)],
      ["uint32", fixedVector(new Uint32(), small, Uint32Array)],
      [
        "uint64",
        fixedVector(
          new Uint64(),
          small.map((v) => (v === null ? null : BigInt(v))),
          BigUint64Array,
        ),
      ],
      ["float32", fixedVector(new Float32(), small, Float32Array)],
      ["float64", fixedVector(new Float64(), small, Float64Array)],
    ];
    const result = profiles(Object.fromEntries(cases));
    for (const profile of result) {
      assert.equal(
        profile.type,
        profile.name.startsWith("float") ? "float" : "integer",
        profile.name,
      );
      checkNumbers(profile, small);
    }
  });

  it("reads large and negative Int64 values exactly (both 32-bit halves)", () => {
    const values = [-5_000_000_000, 2 ** 40 + 3, -1, null, 9_007_199_254_740_991];
    const p = profileOf(
      fixedVector(
        new Int64(),
        values.map((v) => (v === null ? null : BigInt(v))),
        BigInt64Array,
      ),
    );
    assert.equal(p.min, -5_000_000_000);
    assert.equal(p.max, 9_007_199_254_740_991);
    assert.equal(p.quantiles?.p50, -1 + 0.5 * (2 ** 40 + 3 - -1));
  });

  it("counts NaN and ±Infinity as missing and notes the infinities", () => {
    const p = profileOf(
      vectorFromArray([1, Number.NaN, Number.POSITIVE_INFINITY, null, 2, Number.NEGATIVE_INFINITY]),
    );
    assert.equal(p.count, 2);
    assert.equal(p.missing, 4);
    assert.equal(p.infinite, 2);
    assert.equal(p.mean, 1.5);
    assert.equal(p.max, 2);
  });

  it("bins 0..99 into 20 bins of 5 on round boundaries", () => {
    const p = profileOf(
      fixedVector(
        new Int32(),
        Array.from({ length: 100 }, (_, i) => i),
        Int32Array,
      ),
    );
    assert.equal(p.histogram?.length, 20);
    p.histogram?.forEach((bin, i) => {
      assert.deepEqual(bin, { start: i * 5, end: i * 5 + 5, count: 5 });
    });
  });

  it("puts every float in the bin that holds it, on clean decimal boundaries", () => {
    const values = [0.1, 0.25, 0.3, 0.30000000000000004, 0.17, 0.2, 0.11];
    const p = profileOf(vectorFromArray(values));
    const bins = p.histogram ?? [];
    assert.equal(
      bins.reduce((a, b) => a + b.count, 0),
      values.length,
    );
    for (const bin of bins) {
      // Boundaries are multiples of 0.01, written without binary noise.
      assert.equal(String(bin.start).replace(/^0\./, "").length <= 2, true, String(bin.start));
      const inside = values.filter(
        (v) =>
          v >= Number(bin.start) &&
          (v < Number(bin.end) || (bin === bins[bins.length - 1] && v <= Number(bin.end))),
      );
      assert.equal(bin.count, inside.length, `bin ${bin.start}`);
    }
    assert.ok(
      Number(bins[0].start) <= 0.1 && Number(bins[bins.length - 1].end) >= 0.30000000000000004,
    );
  });

  it("gives a constant column one bin and no std for a single value", () => {
    assert.deepEqual(profileOf(vectorFromArray([5, 5, 5])).histogram, [
      { start: 5, end: 5, count: 3 },
    ]);
    const one = profileOf(vectorFromArray([5, null]));
    assert.equal(one.std, undefined);
    assert.equal(one.mean, 5);
  });

  it("leaves out the stats of a column with no values", () => {
    const p = profileOf(vectorFromArray([null, null], new Float64()));
    assert.deepEqual(p, { name: "x", type: "float", count: 0, missing: 2, distinct: 0 });
  });
});

describe("profile: strings and booleans", () => {
  const words = [
    "b",
    "a",
    null,
    "ü",
    "b",
    "c",
    "a",
    "b",
    "naïve",
    null,
    "a",
    "long string over twelve bytes",
  ];
  const expectedTop = topValues(words.filter((w): w is string => w !== null));

  for (const [name, vector] of [
    ["Utf8", vectorFromArray(words, new Utf8())],
    ["LargeUtf8", vectorFromArray(words, new LargeUtf8())],
    ["Utf8View", vectorFromArray(words, new Utf8View())],
    ["Dictionary", dictionaryVector(words)],
  ] as const) {
    it(`counts top values of ${name}`, () => {
      const p = profileOf(vector);
      assert.equal(p.type, "string");
      assert.equal(p.count, 10);
      assert.equal(p.missing, 2);
      assert.equal(p.distinct, 6);
      assert.deepEqual(p.top, expectedTop);
      assert.equal(p.mean, undefined);
      assert.equal(p.histogram, undefined);
    });
  }

  it("codes many distinct Utf8 values exactly, however their hashes collide", () => {
    const values = Array.from({ length: 20_000 }, (_, i) =>
      i % 7 === 0 ? null : `k${(i * 7919) % 9000}é`,
    );
    const present = values.filter((v): v is string => v !== null);
    const p = profileOf(vectorFromArray(values, new Utf8()));
    assert.equal(p.distinct, new Set(present).size);
    assert.deepEqual(p.top, topValues(present));
    const ascii = Array.from({ length: 20_000 }, (_, i) => `v${(i * 31) % 12_345}`);
    const q = profileOf(vectorFromArray(ascii, new LargeUtf8()));
    assert.equal(q.distinct, new Set(ascii).size);
    assert.deepEqual(q.top, topValues(ascii));
  });

  it("keeps the top 10 by count, ties by value", () => {
    const many = Array.from({ length: 30 }, (_, i) => `v${String(i % 15).padStart(2, "0")}`);
    many.push("v14", "v14", "v03");
    const p = profileOf(dictionaryVector(many));
    assert.equal(p.top?.length, 10);
    assert.deepEqual(p.top?.slice(0, 3), [
      { value: "v14", count: 4 },
      { value: "v03", count: 3 },
      { value: "v00", count: 2 },
    ]);
  });

  it("ignores dictionary entries no row uses", () => {
    const full = dictionaryVector(["a", "b", "c", "a"]);
    const p = profileOf(full.slice(0, 2));
    assert.equal(p.distinct, 2);
    assert.deepEqual(p.top, [
      { value: "a", count: 1 },
      { value: "b", count: 1 },
    ]);
  });

  it("counts booleans as true/false top values", () => {
    const p = profileOf(vectorFromArray([true, false, null, true, true], new Bool()));
    assert.equal(p.type, "boolean");
    assert.equal(p.count, 4);
    assert.equal(p.distinct, 2);
    assert.deepEqual(p.top, [
      { value: "true", count: 3 },
      { value: "false", count: 1 },
    ]);
  });
});

describe("profile: dates and timestamps", () => {
  const days = ["2024-01-03", "2023-12-30", null, "2024-01-10", "2024-01-03", "2024-02-01"];
  const ms = days.map((d) => (d === null ? null : Date.parse(`${d}T00:00:00Z`)));

  it("gives ISO min, max and quantiles (floored to the day) for DateDay and DateMillisecond", () => {
    const asDays = fixedVector(
      new DateDay(),
      ms.map((v) => (v === null ? null : v / 86_400_000)),
      Int32Array,
    );
    const asMs = fixedVector(
      new DateMillisecond(),
      ms.map((v) => (v === null ? null : BigInt(v))),
      BigInt64Array,
    );
    for (const p of profiles({ a: asDays, b: asMs })) {
      assert.equal(p.type, "date");
      assert.equal(p.count, 5);
      assert.equal(p.distinct, 4);
      assert.equal(p.min, "2023-12-30");
      assert.equal(p.max, "2024-02-01");
      const present = ms.filter((v): v is number => v !== null);
      const floorDay = (v: number) => isoDay(Math.floor(v / 86_400_000) * 86_400_000);
      assert.equal(p.quantiles?.p25, floorDay(quantile7(present, 0.25)));
      assert.equal(p.quantiles?.p75, floorDay(quantile7(present, 0.75)));
      assert.equal(p.mean, undefined);
      assert.equal(p.zeros, undefined);
    }
  });

  it("reads timestamps of every unit as the same instants", () => {
    const instants = [
      Date.UTC(2024, 0, 5, 10, 30),
      null,
      Date.UTC(2024, 0, 5, 12, 0, 1),
      Date.UTC(2024, 0, 6),
    ];
    const scaled = (factor: bigint) =>
      instants.map((v) => (v === null ? null : (BigInt(v) * factor) / 1000n));
    const result = profiles({
      s: fixedVector(new TimestampSecond(), scaled(1n), BigInt64Array),
      ms: fixedVector(new TimestampMillisecond(), scaled(1000n), BigInt64Array),
      us: fixedVector(new TimestampMicrosecond(), scaled(1_000_000n), BigInt64Array),
      ns: fixedVector(new TimestampNanosecond(), scaled(1_000_000_000n), BigInt64Array),
    });
    for (const p of result) {
      assert.equal(p.type, "timestamp", p.name);
      assert.equal(p.min, "2024-01-05T10:30:00.000Z", p.name);
      assert.equal(p.max, "2024-01-06T00:00:00.000Z", p.name);
      // Half way between 10:30 and 12:00:01.
      assert.equal(p.quantiles?.p25, "2024-01-05T11:15:00.500Z", p.name);
      assert.equal(p.histogramUnit, "hour", p.name);
    }
  });

  it("bins a two-year span by month, empty months included", () => {
    const values = [
      Date.UTC(2022, 0, 15),
      Date.UTC(2022, 0, 31),
      Date.UTC(2022, 5, 1),
      Date.UTC(2023, 11, 31),
    ];
    const p = profileOf(
      fixedVector(
        new DateDay(),
        values.map((v) => v / 86_400_000),
        Int32Array,
      ),
    );
    assert.equal(p.histogramUnit, "month");
    const bins = p.histogram ?? [];
    assert.equal(bins.length, 24);
    assert.deepEqual(bins[0], { start: "2022-01-01", end: "2022-02-01", count: 2 });
    assert.deepEqual(bins[5], { start: "2022-06-01", end: "2022-07-01", count: 1 });
    assert.deepEqual(bins[23], { start: "2023-12-01", end: "2024-01-01", count: 1 });
    for (const bin of bins) {
      const inBin = values.filter((v) => isoDay(refBucket(v, "month")) === bin.start).length;
      assert.equal(bin.count, inBin);
    }
  });

  it("bins ten days by day", () => {
    const values = Array.from({ length: 10 }, (_, i) => Date.UTC(2024, 2, 1 + i));
    const p = profileOf(
      fixedVector(
        new DateDay(),
        values.map((v) => v / 86_400_000),
        Int32Array,
      ),
    );
    assert.equal(p.histogramUnit, "day");
    assert.equal(p.histogram?.length, 10);
  });
});

describe("profile: chunked and sliced storage", () => {
  it("honours chunk offsets and null bitmaps across record batches", () => {
    const a = vectorFromArray([1, null, 3, 4, 5, 6, 7, 8, 9, 10], new Int32());
    const b = vectorFromArray([null, 20, 30], new Int32());
    const sliced = a.slice(1, 9); // null, 3..9; bitmap offset 1
    const joined = sliced.concat(b);
    const expected = [null, 3, 4, 5, 6, 7, 8, 9, null, 20, 30];
    const profile = profileOf(joined);
    checkNumbers(profile, expected);

    const words = dictionaryVector(["x", null, "y"]).concat(dictionaryVector(["z", "x", null]));
    const strings = profileOf(words);
    assert.equal(strings.missing, 2);
    assert.deepEqual(strings.top, [
      { value: "x", count: 2 },
      { value: "y", count: 1 },
      { value: "z", count: 1 },
    ]);

    const flags = vectorFromArray(
      [true, true, false, null, false, false, true, false, true],
      new Bool(),
    ).slice(3);
    assert.deepEqual(profileOf(flags).top, [
      { value: "false", count: 3 },
      { value: "true", count: 2 },
    ]);
  });
});

describe("summary.json", () => {
  it("is plain JSON: no BigInt, NaN or Infinity survive", () => {
    const table = new Table({
      id: fixedVector(new Int64(), [1n, 2n, null], BigInt64Array),
      f: vectorFromArray([Number.NaN, Number.POSITIVE_INFINITY, 1]),
      d: fixedVector(new DateDay(), [19000, null, 19001], Int32Array),
    });
    const summary = summarize(table, spec);
    assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
    assert.equal(summary.rows, 3);
  });

  it("profiles every column of a reference table", () => {
    const ref: RefColumn = { name: "n", type: "float", values: [2.5, null, -1, 4, 4, 0] };
    const p = profileOf(vectorFromArray(ref.values as (number | null)[], new Float64()));
    checkNumbers(p, ref.values as (number | null)[]);
  });
});
