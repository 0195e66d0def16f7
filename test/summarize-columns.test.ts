// readColumns (src/summarize/columns.ts) on tables built from plain JS arrays: number columns
// read lazily from the Arrow buffers (ints, floats, Date32, over several chunks, with nulls)
// and dictionary string columns counted from their keys must give the same values, validity,
// codes and counts as the arrays they were built from, whether a step asks for the whole
// column or only its present values.
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  type DataType,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Table,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { readColumns, settled } from "../src/summarize/columns.ts";

const DAY = 86_400_000;

/** A vector of `values` in chunks of `size` rows. */
function chunked(values: unknown[], type: DataType, size: number): Vector {
  let vector: Vector | undefined;
  for (let at = 0; at < values.length; at += size) {
    const part: Vector = vectorFromArray(values.slice(at, at + size) as never[], type);
    vector = vector === undefined ? part : vector.concat(part);
  }
  if (vector === undefined) throw new Error("no values");
  return vector;
}

const ints = [3, null, -7, 0, 12, null, 5, 5, 2_000_000_000];
const floats = [1.5, null, -0.25, 1e300, null, 0, 2.75, 3, 4.125];
const days = [19_000, 19_001, null, 18_000, 0, -5, 19_000, null, 20_000];
const words = ["b", "a", null, "b", "c", "a", null, "a", "d"];

const table = new Table({
  ints: chunked(ints, new Int32(), 4),
  floats: chunked(floats, new Float64(), 4),
  days: chunked(
    days.map((d) => (d === null ? null : new Date(d * DAY))),
    new DateDay(),
    3,
  ),
  words: chunked(words, new Dictionary(new Utf8(), new Int32()), 5),
});

function expectNumbers(name: string, source: (number | null)[], scale = 1): void {
  const column = readColumns(table).find((c) => c.name === name);
  assert.ok(column?.kind === "number", name);
  const present = source.filter((v): v is number => v !== null).map((v) => v * scale);
  assert.equal(column.missing, source.length - present.length, `${name}: missing`);
  // Present values first, without building the whole column.
  assert.ok(column.present !== undefined, `${name} is read lazily`);
  assert.equal(column.present.count, present.length);
  const out = new Float64Array(present.length + 2).fill(99);
  column.present.copyTo(out);
  assert.deepEqual([...out.subarray(0, present.length)], present, `${name}: present values`);
  assert.deepEqual([...out.subarray(present.length)], [99, 99], `${name}: nothing past count`);
  // Then the whole column: 0 where missing, with its validity.
  assert.deepEqual(
    [...column.values],
    source.map((v) => (v === null ? 0 : v * scale)),
    `${name}: values`,
  );
  assert.deepEqual(
    column.valid === null ? null : [...column.valid],
    source.map((v) => (v === null ? 0 : 1)),
    `${name}: valid`,
  );
  // A settled copy holds plain fields with the same contents.
  const plain = settled(column);
  assert.equal(Object.getOwnPropertyDescriptor(plain, "values")?.get, undefined);
  assert.deepEqual(plain, { ...column });
}

it("reads int, float and Date32 columns over several chunks without copying until asked", () => {
  for (const name of ["ints", "floats", "days", "words"] as const)
    assert.ok((table.getChild(name)?.data.length ?? 0) > 1, `${name} has several chunks`);
  expectNumbers("ints", ints);
  expectNumbers("floats", floats);
  expectNumbers("days", days, DAY);
});

it("counts a dictionary column's labels from its keys and builds the same codes on demand", () => {
  const column = readColumns(table).find((c) => c.name === "words");
  assert.ok(column?.kind === "category");
  const expected = new Map<string, number>();
  for (const word of words) if (word !== null) expected.set(word, (expected.get(word) ?? 0) + 1);
  assert.equal(column.missing, words.filter((w) => w === null).length);
  assert.ok(column.labelCounts !== undefined);
  assert.deepEqual(
    new Map(column.labels.map((label, c) => [label, column.labelCounts?.[c]])),
    expected,
  );
  assert.deepEqual(
    [...column.codes].map((c) => (c < 0 ? null : column.labels[c])),
    words,
  );
});

it("reads a float column holding NaN eagerly, counting NaN as missing", () => {
  const nan = new Table({ x: vectorFromArray([1, Number.NaN, null, 2], new Float64()) });
  const [column] = readColumns(nan);
  assert.ok(column.kind === "number");
  assert.equal(column.present, undefined);
  assert.equal(column.missing, 2);
  assert.deepEqual([...column.values], [1, 0, 0, 2]);
});
