// Parquet and Arrow IPC (plain, ZSTD, LZ4) written by other tools, gzip/zstd text files, and
// format detection. Expected values are spelled out by hand from make-fixtures.ts.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { DataType, type Table, type Timestamp, TimeUnit } from "apache-arrow";
import { ReportError } from "../src/errors.ts";
import { detectFormat, formatFromName } from "../src/read/detect-format.ts";
import { readTable } from "../src/read/index.ts";
import {
  column,
  defaultLimits,
  fixture,
  memorySource,
  readFixture,
  recordingLog,
} from "./read-helpers.ts";

const DAY_MS = 86_400_000;

/** Every fixture holding the 4-row `types` table, with the writer that made it. */
const TYPES_FILES = [
  "types.parquet", // arrow-rs, snappy
  "types-zstd.parquet", // arrow-rs, zstd pages
  "types.arrow", // IPC file, uncompressed
  "types.arrows", // IPC stream, uncompressed
  "types-zstd.arrow", // IPC file, ZSTD buffers from the zstd CLI
  "types-lz4.arrows", // IPC stream, LZ4_FRAME buffers from the lz4 CLI
];

function checkTypesTable(table: Table): void {
  assert.equal(table.numRows, 4);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    [
      "id",
      "big",
      "amount",
      "day",
      "ts_utc",
      "ts_ny",
      "ts_ns",
      "name",
      "flag",
      "score",
      "tags",
      "point",
    ],
  );
  assert.deepEqual(column(table, "id"), [1, 2, 3, 4]);

  // INT64 stays Int64 and exact beyond 2^53, including both extremes.
  const big = table.getChild("big")!;
  assert.ok(DataType.isInt(big.type) && big.type.bitWidth === 64);
  assert.deepEqual(column(table, "big"), [2n ** 53n + 1n, -(2n ** 63n), null, 2n ** 63n - 1n]);

  // Decimal(10, 2) with its scale applied, negatives included.
  assert.deepEqual(column(table, "amount"), [12.34, -12.34, null, -0.05]);

  // Dates before 1970 (days since the epoch; the accessor gives milliseconds).
  const day = table.getChild("day")!;
  assert.ok(DataType.isDate(day.type));
  assert.deepEqual(column(table, "day"), [
    -DAY_MS,
    Date.UTC(1900, 0, 1),
    null,
    Date.UTC(2024, 1, 29),
  ]);

  // Timestamps keep their unit and time zone; raw values are exact.
  const tsUtc = table.getChild("ts_utc")!;
  assert.equal((tsUtc.type as Timestamp).unit, TimeUnit.MICROSECOND);
  assert.equal((tsUtc.type as Timestamp).timezone, "UTC");
  assert.deepEqual(rawInt64(table, "ts_utc"), [
    BigInt(Date.UTC(2024, 0, 1)) * 1000n + 123_456n,
    BigInt(Date.UTC(1969, 6, 20, 20, 17, 40)) * 1000n,
    null,
    0n,
  ]);
  const tsNy = table.getChild("ts_ny")!;
  assert.equal((tsNy.type as Timestamp).unit, TimeUnit.MILLISECOND);
  assert.equal((tsNy.type as Timestamp).timezone, "America/New_York");
  assert.deepEqual(rawInt64(table, "ts_ny"), [
    BigInt(Date.UTC(2024, 0, 1)),
    1_720_000_000_000n,
    null,
    -1n,
  ]);
  const tsNs = table.getChild("ts_ns")!;
  assert.equal((tsNs.type as Timestamp).unit, TimeUnit.NANOSECOND);
  assert.ok(!(tsNs.type as Timestamp).timezone);
  assert.deepEqual(rawInt64(table, "ts_ns"), [
    1n,
    BigInt(Date.UTC(2024, 0, 1)) * 1_000_000n + 1n,
    null,
    -1n,
  ]);

  assert.deepEqual(column(table, "name"), ["é", "", null, "日本"]);
  assert.deepEqual(column(table, "flag"), [true, false, null, true]);
  assert.deepEqual(column(table, "score"), [1.5, -2.25, null, 1e300]);

  // Nested columns become JSON text; the Int64 inside the struct stays exact.
  assert.ok(DataType.isUtf8(table.getChild("tags")!.type));
  assert.deepEqual(column(table, "tags"), ['["a","b"]', "[]", null, '["c\\"q"]']);
  assert.deepEqual(column(table, "point"), [
    '{"x":1.5,"y":9007199254740993}',
    '{"x":-1,"y":0}',
    null,
    '{"x":null,"y":3}',
  ]);
}

function rawInt64(table: Table, name: string): (bigint | null)[] {
  const vector = table.getChild(name)!;
  const out: (bigint | null)[] = [];
  for (const data of vector.data) {
    const values = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++)
      out.push(data.getValid(i) ? values[data.offset + i] : null);
  }
  return out;
}

describe("Parquet and Arrow IPC", () => {
  for (const name of TYPES_FILES) {
    test(`${name}: every edge value as written`, async () => {
      const { table, log } = await readFixture(name);
      checkTypesTable(table);
      assert.deepEqual(log.warnings, []);
    });
  }

  test("Parquet in 10 row groups (gzip pages) and LZ4 IPC in 10 batches: all rows, in order", async () => {
    for (const name of ["rows.parquet", "rows-lz4.arrow"]) {
      const { table } = await readFixture(name);
      assert.equal(table.numRows, 10_000, name);
      const n = column(table, "n") as number[];
      assert.ok(
        n.every((value, i) => value === i),
        `${name}: n is 0..9999`,
      );
      const half = column(table, "half") as number[];
      assert.ok(half.every((value, i) => value === i / 2));
      const labels = column(table, "label");
      assert.equal(labels.filter((v) => v === null).length, Math.ceil(10_000 / 7));
      assert.equal(labels[10], "L1");
    }
  });

  test("an IPC stream cut at a message boundary is reported as truncated, not read short", async () => {
    const bytes = readFileSync(fixture("types.arrows"));
    const cut = bytes.subarray(0, bytes.length - 8); // without the end-of-stream marker
    await assert.rejects(
      readTable(memorySource("cut.arrows", cut), {
        csv: {},
        limits: defaultLimits,
        log: recordingLog(),
      }),
      (error: unknown) =>
        error instanceof ReportError && /cut\.arrows.*truncated/.test(error.message),
    );
  });

  test("a Parquet file without its footer is reported as truncated", async () => {
    const bytes = readFileSync(fixture("types.parquet"));
    await assert.rejects(
      readTable(memorySource("cut.parquet", bytes.subarray(0, 1000)), {
        csv: {},
        limits: defaultLimits,
        log: recordingLog(),
      }),
      (error: unknown) =>
        error instanceof ReportError && /cut\.parquet.*truncated.*1000 bytes/.test(error.message),
    );
  });
});

describe("compressed text", () => {
  for (const name of ["sales.csv.gz", "sales.csv.zst", "sales.csv.zst.gz"]) {
    test(`${name}: decompressed by magic bytes and parsed`, async () => {
      const { table } = await readFixture(name);
      assert.deepEqual(column(table, "city"), ["Oslo", "Lima", "Quito, EC"]);
      assert.deepEqual(column(table, "qty"), [3, null, 7]);
      assert.deepEqual(column(table, "price"), [1.5, 2.25, -0.5]);
    });
  }

  test("gzip and zstd streamed in 1-byte chunks give the same table", async () => {
    for (const name of ["sales.csv.gz", "sales.csv.zst"]) {
      const bytes = readFileSync(fixture(name));
      const table = await readTable(memorySource(name, bytes, { chunkSize: 1 }), {
        csv: {},
        limits: defaultLimits,
        log: recordingLog(),
      });
      assert.deepEqual(column(table, "city"), ["Oslo", "Lima", "Quito, EC"]);
    }
  });

  test("a truncated gzip or zstd file is a ReportError with the byte offset", async () => {
    const text = `a,b\n${Array.from({ length: 5000 }, (_, i) => `${i},${(i * 31) % 97}`).join("\n")}\n`;
    for (const [tool, args] of [
      ["gzip", ["-n", "-c"]],
      ["zstd", ["-q", "-c"]],
    ] as const) {
      const whole = new Uint8Array(execFileSync(tool, [...args], { input: text }));
      const cut = whole.subarray(0, whole.length >> 1);
      await assert.rejects(
        readTable(memorySource(`x.csv.${tool}`, cut), {
          csv: {},
          limits: defaultLimits,
          log: recordingLog(),
        }),
        (error: unknown) =>
          error instanceof ReportError &&
          error.message.includes(
            `x.csv.${tool}: the ${tool} data is damaged or truncated at compressed byte`,
          ),
      );
    }
  });

  test("NDJSON inside gzip (Node's zlib as the independent compressor), streamed in small chunks", async () => {
    const text = '{"a": 1, "b": "x"}\n{"a": 2, "b": null}\n';
    const bytes = new Uint8Array(gzipSync(text));
    const table = await readTable(memorySource("events.ndjson.gz", bytes, { chunkSize: 5 }), {
      csv: {},
      limits: defaultLimits,
      log: recordingLog(),
    });
    assert.deepEqual(column(table, "a"), [1, 2]);
    assert.deepEqual(column(table, "b"), ["x", null]);
  });

  test("the definition's format reads a .txt file as TSV", async () => {
    const table = await readTable(memorySource("export.txt", "k\tv\na\t1\n"), {
      format: "tsv",
      csv: {},
      limits: defaultLimits,
      log: recordingLog(),
    });
    assert.deepEqual(column(table, "v"), [1]);
  });

  test("a .tsv file is read with tab as the delimiter", async () => {
    const { table } = await readFixture("sales.tsv");
    assert.deepEqual(column(table, "city"), ["Oslo", "Lima"]);
    assert.deepEqual(column(table, "qty"), [3, 4]);
  });
});

describe("format detection", () => {
  const head = (text: string | number[]) =>
    typeof text === "string" ? new TextEncoder().encode(text) : Uint8Array.from(text);
  const detect = (
    name: string,
    bytes: Uint8Array,
    extra: { contentType?: string; declared?: "csv" | "json" } = {},
  ) => detectFormat({ label: name, name, head: bytes, ...extra });

  test("by extension, through compression suffixes", () => {
    assert.equal(formatFromName("s3/key/data.csv.gz"), "csv");
    assert.equal(formatFromName("x.PARQUET"), "parquet");
    assert.equal(formatFromName("x.jsonl.zst"), "ndjson");
    assert.equal(formatFromName("x.feather"), "arrow");
    assert.equal(formatFromName("x.tab"), "tsv");
    assert.equal(formatFromName("x.txt"), undefined);
  });

  test("by Content-Type when the name says nothing", () => {
    assert.equal(
      detect("obj", head("a,b\n"), { contentType: "text/tab-separated-values; charset=utf-8" })
        .format,
      "tsv",
    );
    assert.equal(
      detect("obj", head("{}"), { contentType: "application/x-ndjson" }).format,
      "ndjson",
    );
  });

  test("by magic bytes when nothing is declared", () => {
    assert.equal(detect("obj", head("PAR1\x15\x04")).format, "parquet");
    assert.equal(detect("obj", head("ARROW1\0\0")).format, "arrow");
    assert.equal(detect("obj", head([0xff, 0xff, 0xff, 0xff, 0x10, 0x01, 0, 0])).format, "arrow");
    assert.equal(detect("obj", head('  [{"a":1}]')).format, "json");
    assert.equal(detect("obj", head('{"a":1}\n')).format, "ndjson");
    assert.equal(detect("obj", head("a,b\n1,2\n")).format, "csv");
  });

  test("the definition's format overrides the extension; a binary magic overrides both, with a notice", () => {
    assert.equal(detect("x.csv", head('{"a":1}'), { declared: "json" }).format, "json");
    const parquet = detect("x.csv", head("PAR1\x15"), { declared: "csv" });
    assert.equal(parquet.format, "parquet");
    assert.match(
      parquet.notice ?? "",
      /x\.csv is CSV by the definition's format, but its bytes are Parquet/,
    );
    const text = detect("x.parquet", head("a,b\n1,2\n"));
    assert.equal(text.format, "csv");
    assert.match(text.notice ?? "", /does not start with the Parquet magic/);
  });

  test("a .csv file that is Parquet is read, with a warning", async () => {
    const { table, log } = await readFixture("mislabeled.csv");
    checkTypesTable(table);
    assert.equal(log.warnings.length, 1);
    assert.match(
      log.warnings[0],
      /mislabeled\.csv is CSV by its extension, but its bytes are Parquet/,
    );
  });
});
