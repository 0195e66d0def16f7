// NDJSON and JSON arrays of records: types from JSON, exact big integers, dates, nested
// values as JSON text, missing keys, chunk boundaries anywhere, and located errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DataType, type Table } from "apache-arrow";
import { ReportError } from "../src/errors.ts";
import { readJson } from "../src/read/json/read-json.ts";
import { column } from "./read-helpers.ts";

const read = (text: string, notices: string[] = []) =>
  readJson(new TextEncoder().encode(text), { name: "data.json", onNotice: (m) => notices.push(m) });

async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
}

const NDJSON = [
  '{"id": 1, "name": "Oslo", "price": 2, "when": "2024-01-31", "at": "2024-01-31T10:00:00Z", "ok": true, "tags": ["a", {"b": 1}]}',
  '{"id": 2, "name": "Li{m}a \\"x\\"", "price": 2.5, "when": "1969-12-31", "at": "2024-01-31T12:00:00+02:00", "ok": false, "tags": []}',
  "",
  '{"id": 9007199254740993, "name": null, "when": null, "extra": "late", "tags": null}\r',
  '{"id": -9223372036854775808, "price": -0.5, "ok": null}',
].join("\n");

function checkRecords(table: Table): void {
  assert.equal(table.numRows, 4);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    ["id", "name", "price", "when", "at", "ok", "tags", "extra"],
  );
  // Integers beyond 2^53 make the column Int64, exact.
  assert.ok(DataType.isInt(table.getChild("id")!.type));
  assert.deepEqual(column(table, "id"), [1n, 2n, 2n ** 53n + 1n, -(2n ** 63n)]);
  assert.deepEqual(column(table, "name"), ["Oslo", 'Li{m}a "x"', null, null]);
  // 2 then 2.5: the column widens to float without losing the first value.
  assert.ok(DataType.isFloat(table.getChild("price")!.type));
  assert.deepEqual(column(table, "price"), [2, 2.5, null, -0.5]);
  assert.ok(DataType.isDate(table.getChild("when")!.type));
  assert.deepEqual(column(table, "when"), [
    Date.UTC(2024, 0, 31),
    Date.UTC(1969, 11, 31),
    null,
    null,
  ]);
  assert.ok(DataType.isTimestamp(table.getChild("at")!.type));
  assert.deepEqual(column(table, "at"), [
    Date.UTC(2024, 0, 31, 10),
    Date.UTC(2024, 0, 31, 10),
    null,
    null,
  ]);
  assert.deepEqual(column(table, "ok"), [true, false, null, null]);
  assert.deepEqual(column(table, "tags"), ['["a",{"b":1}]', "[]", null, null]);
  // A key first seen in row 3 is missing before it.
  assert.deepEqual(column(table, "extra"), [null, null, "late", null]);
}

describe("NDJSON and JSON arrays", () => {
  test("NDJSON: types from JSON, exact Int64, dates, nested as JSON text, missing keys", async () => {
    checkRecords(await read(NDJSON));
  });

  test("a JSON array of the same records, pretty-printed, with a BOM", async () => {
    const array = `\uFEFF[\n  ${NDJSON.split("\n")
      .filter((line) => line.trim())
      .join(",\n  ")}\n]\n`;
    checkRecords(await read(array));
  });

  test("any chunk boundary gives the same table (every split point)", async () => {
    const bytes = new TextEncoder().encode(NDJSON);
    for (let cut = 1; cut < bytes.length; cut += 3) {
      checkRecords(
        await readJson(chunks(bytes, [cut, Math.min(bytes.length, cut + 7)]), { name: "x" }),
      );
    }
  });

  test("a value of another type turns the column to text, with a notice naming the line", async () => {
    const notices: string[] = [];
    const table = await read('{"a": 1}\n{"a": 2}\n{"a": "n/a"}\n{"a": {"k": [1]}}\n', notices);
    assert.deepEqual(column(table, "a"), ["1", "2", "n/a", '{"k":[1]}']);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /data\.json, line 3: "a" is "n\/a" here/);
  });

  test("integers beyond Int64 make a float column, with a notice saying where", async () => {
    const notices: string[] = [];
    const table = await read(
      '{"a": 1, "b": 9223372036854775807}\n{"a": 123456789012345678901234, "c": 99999999999999999999}\n{"c": "x"}\n',
      notices,
    );
    assert.ok(DataType.isFloat(table.getChild("a")!.type));
    assert.deepEqual(column(table, "a"), [1, Number("123456789012345678901234"), null]);
    const about = (name: string) => notices.filter((n) => n.includes(`"${name}"`));
    assert.deepEqual(about("a"), [
      'data.json, line 2: column "a" has 123456789012345678901234, an integer too large for 64 bits, read as a floating-point number. Floats keep about 15 significant digits: integers that differ only after those read as equal. If the column holds identifiers, declare it as text (source.columns: { "a": text }).',
    ]);
    // An Int64 column says nothing of it.
    assert.deepEqual(about("b"), []);
    // Read as a float before a later value made the column text: it stays rounded, so told.
    assert.equal(about("c").filter((n) => n.includes("64 bits")).length, 1);
    assert.deepEqual(column(table, "c"), [null, "100000000000000000000", "x"]);
    // Text first: the integer is kept as written, and nothing is said.
    const exact: string[] = [];
    const text = await read('{"d": "x"}\n{"d": 99999999999999999999}\n', exact);
    assert.deepEqual(column(text, "d"), ["x", "99999999999999999999"]);
    assert.ok(exact.every((n) => !n.includes("64 bits")));
  });

  const errors: [string, string, RegExp][] = [
    [
      "invalid JSON",
      '{"a": 1}\n{"a": 2}\n{"a": tru}\n',
      /data\.json, line 3 \(byte 18\): invalid JSON/,
    ],
    [
      "a truncated record",
      '{"a": 1}\n{"a": [1, 2',
      /line 2 .*ends inside a record that starts on line 2/,
    ],
    ["an unclosed array", '[{"a": 1},\n', /line 2 .*not closed/],
    [
      "a scalar element",
      '[{"a": 1}, 5]',
      /line 1 \(byte 11\): expected an element of the array that is a JSON object/,
    ],
    ["text after the array", '[{"a": 1}] x', /expected nothing after the closing \]/],
    ["an empty array", "[ ]", /the JSON array is empty/],
    ["an empty file", "", /data\.json is empty/],
    ["only empty objects", "{}\n{}\n", /every record is an empty object/],
    ["invalid UTF-8", '{"a": "\xff"}', /invalid UTF-8/],
  ];
  for (const [what, text, pattern] of errors) {
    test(`${what} is a ReportError with the line`, async () => {
      const bytes =
        what === "invalid UTF-8"
          ? Uint8Array.from(text, (c) => c.charCodeAt(0))
          : new TextEncoder().encode(text);
      await assert.rejects(readJson(bytes, { name: "data.json" }), (error: unknown) => {
        assert.ok(error instanceof ReportError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
});
