// 200 random tables and queries: summarize against the naive reference.

import assert from "node:assert/strict";
import { it } from "node:test";
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import type {
  Filter,
  FilterOp,
  GroupKey,
  Measure,
  MeasureOp,
  QuerySpec,
  TimeUnit,
} from "../src/config/spec.ts";
import { summarize } from "../src/summarize/index.ts";
import { FILTER_OPS } from "../src/vocabulary.ts";
import {
  closeTo,
  dictionaryVector,
  filter,
  fixedVector,
  isMissing,
  isoDay,
  key,
  mean,
  measure,
  quantile7,
  query,
  type RefColumn,
  refQuery,
  sampleStd,
  specOf,
  topValues,
  type Value,
} from "./summarize-reference.ts";

let seed = 20261128;
function random(): number {
  // mulberry32: reproducible across runs.
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const maybeNull = <T>(make: () => T, share = 0.15): T | null => (random() < share ? null : make());

const DAY = 86_400_000;
const UNITS: TimeUnit[] = ["day", "week", "month", "quarter", "year"];

function randomTable(rows: number): { ref: RefColumn[]; table: Table } {
  const categories = Array.from(
    { length: 1 + Math.floor(random() * 5) },
    (_, i) => ["Nord", "Süd", "east", "West", "Ω"][i],
  );
  const k = Array.from({ length: rows }, () => maybeNull(() => pick(categories)));
  const s = Array.from({ length: rows }, () => maybeNull(() => pick(["a", "b", "ä", "B"])));
  const big = random() < 0.5;
  const i = Array.from({ length: rows }, () => maybeNull(() => Math.floor(random() * 10) - 3));
  const f = Array.from({ length: rows }, () =>
    maybeNull(() => (random() < 0.05 ? Number.NaN : Math.round(random() * 1000) / 8 - 20)),
  );
  const d = Array.from({ length: rows }, () =>
    maybeNull(() => Date.UTC(2022, 0, 1) + Math.floor(random() * 1100) * DAY),
  );
  const t = Array.from({ length: rows }, () =>
    maybeNull(() => Date.UTC(2023, 11, 20) + Math.floor(random() * 60 * 24) * 3_600_000),
  );
  const b = Array.from({ length: rows }, () => maybeNull(() => random() < 0.5));
  const ref: RefColumn[] = [
    { name: "k", type: "string", values: k },
    { name: "s", type: "string", values: s },
    { name: "i", type: "integer", values: i },
    { name: "f", type: "float", values: f },
    { name: "d", type: "date", values: d },
    { name: "t", type: "timestamp", values: t },
    { name: "b", type: "boolean", values: b },
  ];
  const table = new Table({
    k: dictionaryVector(k),
    s: vectorFromArray(s, new Utf8()),
    i: big
      ? fixedVector(
          new Int64(),
          i.map((v) => (v === null ? null : BigInt(v))),
          BigInt64Array,
        )
      : fixedVector(new Int32(), i, Int32Array),
    f: fixedVector(new Float64(), f, Float64Array),
    d: fixedVector(
      new DateDay(),
      d.map((v) => (v === null ? null : v / DAY)),
      Int32Array,
    ),
    t: fixedVector(
      new TimestampMillisecond(),
      t.map((v) => (v === null ? null : BigInt(v))),
      BigInt64Array,
    ),
    b: vectorFromArray(b, new Bool()),
  });
  return { ref, table };
}

function randomFilter(ref: RefColumn[]): Filter {
  const column = pick(ref);
  const ops: readonly FilterOp[] = FILTER_OPS;
  const op = pick(ops);
  const present = column.values.filter((v) => !isMissing(v));
  const sample = (): string | number | boolean => {
    const v = present.length > 0 ? pick(present) : column.type === "string" ? "a" : 1;
    if (column.type === "date") return isoDay(v as number);
    if (column.type === "timestamp") return new Date(v as number).toISOString();
    return v as string | number | boolean;
  };
  if (op === "is null" || op === "is not null") return filter(column.name, op);
  if (op === "in" || op === "not in") return filter(column.name, op, [sample(), sample()]);
  return filter(column.name, op, sample());
}

function randomQuery(ref: RefColumn[]): QuerySpec {
  const keys: GroupKey[] = [];
  const keyCount = Math.floor(random() * 3);
  const candidates = [
    () => key(pick(["k", "s", "i", "b"])),
    () => key("d", pick(UNITS)),
    () => key("t", pick(UNITS)),
  ];
  for (let n = 0; n < keyCount; n++) {
    const k = pick(candidates)();
    if (!keys.some((x) => x.name === k.name)) keys.push(k);
  }
  const options: [MeasureOp, string | undefined][] = [
    ["count", undefined],
    ["count", "f"],
    ["count_distinct", pick(["k", "s", "i", "d", "b"])],
    ["sum", pick(["i", "f", "b"])],
    ["mean", pick(["i", "f"])],
    ["min", pick(["i", "f", "k", "d", "t"])],
    ["max", pick(["i", "f", "s", "d", "t"])],
    ["median", pick(["i", "f", "d", "t"])],
  ];
  const measures: Measure[] = [];
  const measureCount = 1 + Math.floor(random() * 3);
  for (let n = 0; n < measureCount; n++) {
    const [op, column] = pick(options);
    measures.push(measure(`m${n}`, op, column));
  }
  const outputs = [...keys.map((k) => k.name), ...measures.map((m) => m.name)];
  const sort =
    random() < 0.5
      ? []
      : [{ name: pick(outputs), descending: random() < 0.5, path: [] as (string | number)[] }];
  const filters = Array.from({ length: Math.floor(random() * 3) }, () => randomFilter(ref));
  return query("q", {
    groupBy: keys,
    measures,
    filter: filters,
    sort,
    limit: random() < 0.3 ? Math.floor(random() * 5) : undefined,
  });
}

function checkProfiles(ref: RefColumn[], table: Table): void {
  const summary = summarize(table, specOf({}));
  assert.equal(summary.rows, ref[0].values.length);
  ref.forEach((column, c) => {
    const profile = summary.columns[c];
    const present = column.values.filter((v) => !isMissing(v)) as Exclude<Value, null>[];
    assert.equal(profile.count, present.length, column.name);
    assert.equal(profile.missing, column.values.length - present.length, column.name);
    assert.equal(profile.distinct, new Set(present).size, column.name);
    if (column.type === "string" || column.type === "boolean") {
      assert.deepEqual(profile.top ?? [], topValues(present.map(String)), column.name);
      return;
    }
    if (present.length === 0) return;
    const numbers = present as number[];
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    if (column.type === "date") {
      assert.equal(profile.min, isoDay(min));
      assert.equal(profile.max, isoDay(max));
    } else if (column.type === "timestamp") {
      assert.equal(profile.min, new Date(min).toISOString());
      assert.equal(profile.max, new Date(max).toISOString());
    } else {
      assert.equal(profile.min, min);
      assert.equal(profile.max, max);
      closeTo(profile.mean, mean(numbers), `${column.name} mean`);
      if (numbers.length > 1) closeTo(profile.std, sampleStd(numbers), `${column.name} std`);
      closeTo(profile.quantiles?.p5, quantile7(numbers, 0.05), `${column.name} p5`);
      closeTo(profile.quantiles?.p50, quantile7(numbers, 0.5), `${column.name} p50`);
      closeTo(profile.quantiles?.p95, quantile7(numbers, 0.95), `${column.name} p95`);
      const binned = profile.histogram?.reduce((a, bin) => a + bin.count, 0);
      // Values a histogram leaves out of its drawn range are counted below and above it.
      const left = (profile.histogramBelow ?? 0) + (profile.histogramAbove ?? 0);
      assert.equal((binned ?? 0) + left, numbers.length, `${column.name} histogram`);
    }
  });
}

it("agrees with the naive reference on 200 random tables and queries", () => {
  for (let n = 0; n < 200; n++) {
    const rows = Math.floor(random() * 80);
    const { ref, table } = randomTable(rows);
    checkProfiles(ref, table);
    const q = randomQuery(ref);
    const result = summarize(table, specOf({ queries: [q] })).queries.q;
    assert.deepEqual(result.rows, refQuery(ref, q), `table ${n}: ${JSON.stringify(q)}`);
  }
});
