// sortNumbers (src/summarize/sort-numbers.ts) against the built-in TypedArray sort, which the
// profile used before: the same order, bit for bit, on shapes that take each of its paths.

import assert from "node:assert/strict";
import { it } from "node:test";
import { mulberry32 } from "../scripts/seeded-random.ts";
import { sortNumbers } from "../src/summarize/sort-numbers.ts";

const random = mulberry32(7);

/** Sorts a copy both ways and checks every slot holds the same bits (so -0 and +0 differ). */
function agrees(values: Float64Array, label: string, scratch?: Uint32Array): void {
  const expected = values.slice().sort();
  const actual = sortNumbers(values.slice(), scratch);
  const a = new Uint32Array(actual.buffer);
  const e = new Uint32Array(expected.buffer);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i])
      assert.fail(`${label}: slot ${i >> 1} is ${actual[i >> 1]}, not ${expected[i >> 1]}`);
  }
}

const SHAPES: Record<string, () => number> = {
  "small integers": () => 1 + Math.floor(random() * 50),
  "ids up to 200,000": () => 1 + Math.floor(random() * 200_000),
  "prices in cents": () => Math.floor(random() * 100_000) / 100,
  "signed, wide range": () => (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20),
  "dates in ms": () => (18_262 + Math.floor(random() * 1826)) * 86_400_000,
  "negative and positive zero": () => (random() < 0.5 ? -0 : 0),
  "infinities, subnormals, extremes": () =>
    [
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      5e-324,
      -5e-324,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      -0,
      0,
      1,
      -1,
    ][Math.floor(random() * 10)],
  constant: () => 3.25,
  "ascending already": (() => {
    let next = -500;
    return () => (next += Math.floor(random() * 3));
  })(),
};

it("orders every shape of values as TypedArray#sort does, above and below the radix threshold", () => {
  for (const [label, next] of Object.entries(SHAPES)) {
    for (const n of [0, 1, 7, 2047, 2048, 50_000]) {
      agrees(Float64Array.from({ length: n }, next), `${label}, ${n} values`);
    }
  }
});

it("sorts a view into a larger buffer without touching the rest of it", () => {
  const buffer = Float64Array.from({ length: 10_000 }, () => random() * 100 - 50);
  const before = buffer.slice();
  const view = buffer.subarray(1000, 9000);
  const expected = view.slice().sort();
  assert.equal(sortNumbers(view), view);
  assert.deepEqual(view, expected);
  assert.deepEqual(buffer.subarray(0, 1000), before.subarray(0, 1000));
  assert.deepEqual(buffer.subarray(9000), before.subarray(9000));
});

it("sorts the same with a reused scratch buffer larger than it needs", () => {
  const scratch = new Uint32Array(2 * 60_000).fill(7);
  for (const n of [50_000, 3000]) {
    const values = Float64Array.from({ length: n }, () => (random() - 0.5) * 1e6);
    assert.deepEqual(sortNumbers(values.slice(), scratch), values.slice().sort());
  }
});

it("sorts every shape the same with a shared scratch longer than the column (a table's columns share one)", () => {
  // Shapes whose constant digits skip passes end after an odd number of passes, in the scratch.
  const scratch = new Uint32Array(2 * 60_000).fill(7);
  for (const [label, next] of Object.entries(SHAPES)) {
    agrees(Float64Array.from({ length: 3000 }, next), `${label}, shared scratch`, scratch);
  }
});

it("does not take +0 before -0 for sorted: zeros in order but for their signs are reordered", () => {
  const values = Float64Array.from({ length: 5000 }, (_, i) => (i < 2000 ? -1 : i < 4000 ? 0 : i));
  values[3000] = -0; // after +0s: the built-in sort puts every -0 first
  agrees(values, "+0 before -0");
  const sorted = sortNumbers(values.slice());
  assert.ok(Object.is(sorted[2000], -0));
});

it("counts whole numbers, whole days and short decimals as the built-in sort orders them, and leaves other mixes to radix", () => {
  const shapes: Record<string, () => number> = {
    "negative and positive whole numbers": () => Math.floor(random() * 2001) - 1000,
    "whole numbers wider than twice their count": () => Math.floor(random() * 10_000_000),
    "whole days in ms before 1970": () => (Math.floor(random() * 900) - 2000) * 86_400_000,
    "whole days with a few ms off the day": () =>
      (18_262 + Math.floor(random() * 1826)) * 86_400_000 + (random() < 0.01 ? 1 : 0),
    "whole numbers with a rare -0": () => (random() < 0.001 ? -0 : Math.floor(random() * 100)),
    "whole numbers with a rare half": () =>
      Math.floor(random() * 100) + (random() < 0.001 ? 0.5 : 0),
    "whole numbers beyond 2^53": () => 2 ** 60 + Math.floor(random() * 100) * 2 ** 10,
    "decimals of one to three places, negative too": () =>
      (Math.floor(random() * 200_001) - 100_000) / 10 ** (1 + Math.floor(random() * 3)),
    "decimals of six places": () => Math.floor(random() * 1_000_000) / 1_000_000,
    "sums of short decimals that are no short decimal": () =>
      Math.floor(random() * 100) / 10 + Math.floor(random() * 100) / 100,
    "decimals with a rare -0": () => (random() < 0.001 ? -0 : Math.floor(random() * 1000) / 100),
  };
  const scratch = new Uint32Array(2 * 60_000).fill(7);
  for (const [label, next] of Object.entries(shapes)) {
    for (const n of [2048, 50_000]) {
      agrees(Float64Array.from({ length: n }, next), `${label}, ${n} values`);
      agrees(Float64Array.from({ length: n }, next), `${label}, ${n} values, scratch`, scratch);
    }
  }
});
