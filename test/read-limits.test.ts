// Hostile input against the readers' limits (src/limits.ts): every case is real bytes that
// once hung, crashed or ran out of memory, and must now end in a table or in the limit's
// ReportError naming the file and line. Cases that hung run in a child process with a time
// ceiling (readInChild), so a regression fails instead of hanging the suite.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import {
  Bool,
  type Data,
  Field,
  Int32,
  List,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { ReportError } from "../src/errors.ts";
import { type Limits, limitsFromEnv } from "../src/limits.ts";
import { tableNotices, withNotices } from "../src/read/columns/read-notices.ts";
import { tableFromColumns } from "../src/read/columns/table.ts";
import { readTable } from "../src/read/index.ts";
import { column, fixture, memorySource, readInChild, recordingLog } from "./read-helpers.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const MiB = 1024 * 1024;

/** Reads bytes in `chunkSize` pieces with the default limits but those given. */
async function read(
  name: string,
  bytes: Uint8Array | string,
  limits: Partial<Limits> = {},
  chunkSize = 65_536,
): Promise<Table> {
  return readTable(memorySource(name, bytes, { chunkSize }), {
    csv: {},
    log: recordingLog(),
    limits: { ...limitsFromEnv({}), ...limits },
  });
}

/** The ReportError a read ends in. */
async function readError(
  name: string,
  bytes: Uint8Array | string,
  limits: Partial<Limits> = {},
  chunkSize = 65_536,
): Promise<ReportError> {
  try {
    const table = await read(name, bytes, limits, chunkSize);
    assert.fail(`${name} was read as ${table.numRows} rows × ${table.numCols} columns`);
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    return error;
  }
}

/**
 * A zstd frame written by hand from RFC 8878: a raw block holding `head`, then `runs` RLE
 * blocks of 128 KiB of `byte` each (4 bytes of input apiece). The zstd tool decodes it.
 */
function zstdRunFrame(head: string, byte: number, runs: number): Uint8Array {
  const header = (size: number, type: number, last: boolean) => {
    const value = (size << 3) | (type << 1) | (last ? 1 : 0);
    return [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff];
  };
  const text = encode(head);
  // Magic; descriptor 0 (no content size, no checksum); window 2^(10+7) = 128 KiB.
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38, ...header(text.length, 0, false), ...text];
  for (let k = 0; k < runs; k++) out.push(...header(131_072, 1, k === runs - 1), byte);
  return Uint8Array.from(out);
}

describe("a JSON number of any length (issue 15.1)", () => {
  test("400 and 100,000 digits read as numbers, in NDJSON and arrays, without hanging", async () => {
    const digits400 = `1${"0".repeat(400)}`;
    const outcomes = await readInChild(
      [
        { name: "n400.ndjson", bytes: encode(`{"a":${digits400}}\n`) },
        { name: "n400.json", bytes: encode(`[{"a":${digits400}}]`) },
        { name: "n1e5.ndjson", bytes: encode(`{"a":-${"7".repeat(100_000)}.5e-3,"b":1}\n`) },
        // A long digit run inside a string sends the record to the exact parser too.
        { name: "s.ndjson", bytes: encode(`{"s":"${"9".repeat(5000)}","n":${digits400}}\n`) },
      ],
      { caseSeconds: 20, heapMiB: 256 },
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.crash, undefined, `${outcome.name}: ${outcome.crash}`);
      assert.equal(outcome.message, undefined, `${outcome.name}: ${outcome.message}`);
      assert.equal(outcome.rows, 1, outcome.name);
    }
    // Safe to read here now: the values are JSON.parse's.
    const table = await read("n.ndjson", `{"a":${digits400},"b":1${"0".repeat(300)}}\n`);
    assert.deepEqual(column(table, "a"), [JSON.parse(digits400)]);
    assert.deepEqual(column(table, "b"), [JSON.parse(`1${"0".repeat(300)}`)]);
    const exact = await read("x.ndjson", '{"a":9223372036854775807}\n{"a":-9007199254740993}\n');
    assert.deepEqual(column(exact, "a"), [9223372036854775807n, -9007199254740993n]);
  });
});

describe("decompression bombs and endless records (issue 15.4)", () => {
  test("gzip: the decompressed bytes stop at max_input_bytes", async () => {
    const bomb = gzipSync(`a,b\n1,2\n${"\n".repeat(32 * MiB)}`);
    const error = await readError("bomb.csv.gz", bomb, { max_input_bytes: 4 * MiB });
    assert.equal(
      error.message,
      "bomb.csv.gz: more than 4,194,304 bytes of data read from one file, after decompression (limit max_input_bytes)",
    );
    assert.match(error.hint ?? "", /max_input_bytes: 16777216/);
    // Under the limit, the same file is read (the blank lines are skipped).
    const table = await read("bomb.csv.gz", bomb, { max_input_bytes: 64 * MiB });
    assert.equal(table.numRows, 1);
  });

  test("zstd: 512 MiB from 16 KiB of RLE blocks stops at the limit, in bounded memory", async () => {
    const bomb = zstdRunFrame("a,b\n1,2\n", 0x0a, 4096);
    const [outcome] = await readInChild(
      [{ name: "bomb.csv.zst", bytes: bomb, limits: { max_input_bytes: 8 * MiB } }],
      { caseSeconds: 30, heapMiB: 256 },
    );
    assert.equal(outcome.crash, undefined, outcome.crash);
    assert.equal(
      outcome.message,
      "bomb.csv.zst: more than 8,388,608 bytes of data read from one file, after decompression (limit max_input_bytes)",
    );
    // A read that held the 512 MiB would peak far above this.
    assert.ok(outcome.peakMiB! < 400, `peak RSS ${outcome.peakMiB} MiB`);
    // The frame is fine under a higher limit: 8 header bytes and 4 MiB of blank lines.
    const table = await read("ok.csv.zst", zstdRunFrame("a,b\n1,2\n", 0x0a, 32));
    assert.deepEqual(column(table, "b"), [2]);
  });

  test("CSV without line ends stops at max_record_bytes, naming the line", async () => {
    const header = await readError("flat.csv", "a".repeat(3 * MiB), { max_record_bytes: MiB });
    assert.equal(
      header.message,
      "flat.csv, line 1: more than 1,048,576 bytes in one record (a CSV line or a JSON record) (limit max_record_bytes)",
    );
    const later = await readError(
      "later.csv",
      `a,b\n1,2\n\n"${"x".repeat(3 * MiB)}`,
      { max_record_bytes: MiB },
      4096,
    );
    assert.match(later.message, /^later\.csv, line 4: more than 1,048,576 bytes in one record/);
    // A gzip of a file without line ends: the record limit stops it, well before the input one.
    const zipped = await readError("flat.csv.gz", gzipSync("x".repeat(40 * MiB)), {
      max_record_bytes: 2 * MiB,
    });
    assert.match(zipped.message, /^flat\.csv\.gz, line 1: .*\(limit max_record_bytes\)$/);
    // A record just under the limit is read.
    const fits = await read("fits.csv", `a\n${"y".repeat(MiB - 100)}\n`, {
      max_record_bytes: MiB,
    });
    assert.equal((column(fits, "a")[0] as string).length, MiB - 100);
  });

  test("a JSON record that never ends stops at max_record_bytes, naming its line", async () => {
    const ndjson = await readError(
      "open.ndjson",
      `{"a":1}\n{"a":2}\n{"a":"${"z".repeat(3 * MiB)}`,
      { max_record_bytes: MiB },
      8192,
    );
    assert.match(
      ndjson.message,
      /^open\.ndjson, line 3: more than 1,048,576 bytes in one record .*\(limit max_record_bytes\)$/,
    );
    const array = await readError("open.json", `[\n{"a":1},\n{"a":[${"1,".repeat(MiB)}`, {
      max_record_bytes: MiB,
    });
    assert.match(array.message, /^open\.json, line 3: more than 1,048,576 bytes in one record/);
  });
});

describe("nesting (issue 15.4)", () => {
  const deep = (levels: number, inner = "1") =>
    `{"a":${'{"b":'.repeat(levels - 1)}${inner}${"}".repeat(levels)}`;

  test("a JSON record nested 3,000 deep is the max_nesting error, not a stack overflow", async () => {
    const error = await readError("deep.ndjson", `{"x":1}\n${deep(3000)}\n`);
    assert.equal(
      error.message,
      "deep.ndjson, line 2: more than 100 levels of nesting in a JSON value (limit max_nesting)",
    );
    const arrays = await readError("deep.json", `[{"a":${"[".repeat(3000)}${"]".repeat(3000)}}]`);
    assert.match(arrays.message, /^deep\.json, line 1: more than 100 levels of nesting/);
    // The exact-integer parser takes the same limit.
    const digits = await readError("digits.ndjson", `${deep(40, "12345678901234567890")}\n`, {
      max_nesting: 30,
    });
    assert.match(digits.message, /^digits\.ndjson, line 1: more than 30 levels of nesting/);
  });

  test("nesting up to the limit reads, as JSON text", async () => {
    // The record is level 1, so 100 levels in all: 99 below the record.
    const table = await read("ok.ndjson", `${deep(99, "12345678901234567890")}\n`);
    const text = column(table, "a")[0] as string;
    assert.equal(
      text,
      JSON.stringify(JSON.parse(deep(99, '"N"')).a).replace('"N"', "12345678901234567890"),
    );
    const over = await readError("over.ndjson", `${deep(101)}\n`);
    assert.match(over.message, /more than 100 levels of nesting/);
  });

  test("Arrow IPC and Parquet: a type nested past max_nesting is refused by its schema", async () => {
    // list<list<list<int32>>> in a column: 4 levels with the record.
    let type: List | Int32 = new Int32();
    let data: Data = makeData({ type, length: 1, nullCount: 0, data: new Int32Array([7]) });
    for (let level = 0; level < 3; level++) {
      const child: List | Int32 = type;
      type = new List(new Field("item", child, true));
      data = makeData({
        type,
        length: 1,
        nullCount: 0,
        valueOffsets: new Int32Array([0, 1]),
        child: data,
      });
    }
    const field = new Field("nested", type, true);
    const struct = makeData({
      type: new Struct([field]),
      length: 1,
      nullCount: 0,
      children: [data],
    });
    const ipc = tableToIPC(new Table([new RecordBatch(new Schema([field]), struct)]), "file");
    const error = await readError("nested.arrow", ipc, { max_nesting: 3 });
    assert.match(
      error.message,
      /^nested\.arrow: column "nested" \(List<List<List<Int32>>>\): more than 3 levels of nesting/,
    );
    const table = await read("nested.arrow", ipc, { max_nesting: 4 });
    assert.deepEqual(column(table, "nested"), ["[[[7]]]"]);
    // types.parquet has list<utf8> and struct columns (2 levels with the record).
    const parquet = new Uint8Array(readFileSync(fixture("types.parquet")));
    const flat = await readError("types.parquet", parquet, { max_nesting: 1 });
    assert.match(flat.message, /^types\.parquet: column "tags" .*\(limit max_nesting\)$/);
  });
});

describe("width (issue 15.5)", () => {
  const header = (count: number, name = (c: number) => `c${c}`) =>
    Array.from({ length: count }, (_, c) => name(c)).join(",");

  test("a CSV header wider than max_columns stops at the header, naming the line", async () => {
    const error = await readError("wide.csv", `\n${header(10_001)}\n${"1,".repeat(10_000)}1\n`);
    assert.equal(
      error.message,
      "wide.csv, line 2: more than 10,000 columns in the data (limit max_columns)",
    );
    // 100,000 columns in 2.5 MB, the size that once ran for minutes: stopped at the header.
    const huge = await readError("huge.csv", `${header(100_000)}\n${"1,".repeat(99_999)}1\n`);
    assert.match(huge.message, /^huge\.csv, line 1: more than 10,000 columns/);
  });

  test("JSON keys past max_columns, and Parquet/IPC schemas, are refused", async () => {
    const record = (from: number, count: number) =>
      JSON.stringify(
        Object.fromEntries(Array.from({ length: count }, (_, k) => [`k${from + k}`, k])),
      );
    const keys = await readError("keys.ndjson", `${record(0, 50)}\n${record(50, 60)}\n`, {
      max_columns: 100,
    });
    assert.equal(
      keys.message,
      "keys.ndjson, line 2: more than 100 columns in the data (limit max_columns)",
    );
    const parquet = new Uint8Array(readFileSync(fixture("types.parquet")));
    const schema = await readError("types.parquet", parquet, { max_columns: 11 });
    assert.match(schema.message, /^types\.parquet: the schema: more than 11 columns/);
    assert.equal((await read("types.parquet", parquet, { max_columns: 12 })).numCols, 12);
  });

  test("20,000 repeats of one header name are renamed in linear time (a 20 s CPU ceiling)", async () => {
    const text = `${header(20_000, () => "a")}\n${"1,".repeat(19_999)}1\n`;
    // The names come from the child's table: a second read here would cost as much again.
    const [outcome] = await readInChild(
      [{ name: "repeat.csv", bytes: encode(text), limits: { max_columns: 20_000 }, names: true }],
      { caseSeconds: 20, heapMiB: 512 },
    );
    assert.equal(outcome.crash, undefined, outcome.crash);
    assert.equal(outcome.columns, 20_000);
    const names = outcome.names ?? [];
    assert.deepEqual(names.slice(0, 3), ["a", "a_2", "a_3"]);
    assert.equal(names[19_999], "a_20000");
    assert.equal(new Set(names).size, 20_000);
  });

  test("10,000 columns (the default limit) read, with every value in place", async () => {
    const rows = 50;
    const lines = [header(10_000)];
    for (let r = 0; r < rows; r++) lines.push(header(10_000, (c) => String(r * 10_000 + c)));
    const table = await read("w10k.csv", `${lines.join("\n")}\n`);
    assert.equal(table.numCols, 10_000);
    assert.equal(table.numRows, rows);
    assert.equal(table.getChild("c9999")!.get(49), 49 * 10_000 + 9999);
    assert.equal(table.getChild("c0")!.get(0), 0);
  });
});

/**
 * The Parquet file with every row count in its footer set to `rows`: FileMetaData.num_rows
 * (field 3), each RowGroup.num_rows (4 → 3) and each ColumnMetaData.num_values (4 → 1 → 3 → 5),
 * ids from parquet.thrift. `fileRows` sets the file's count apart. The footer is walked here
 * from the Thrift compact protocol spec (not with the reader's own parser), the i64 varints
 * rewritten, and the footer length before the closing "PAR1" fixed.
 */
function withRowCounts(file: Uint8Array, rows: bigint, fileRows = rows): Uint8Array {
  const n = file.length;
  const length = new DataView(file.buffer, file.byteOffset + n - 8, 4).getUint32(0, true);
  const footer = file.subarray(n - 8 - length, n - 8);
  const edits: { start: number; end: number; value: bigint }[] = [];
  const targets: Record<string, bigint> = { "3": fileRows, "4.3": rows, "4.1.3.5": rows };
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = footer[at++];
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value;
    }
  };
  const skip = (type: number, path: string): void => {
    if (type === 1 || type === 2) return; // booleans live in the field header
    if (type === 3) at += 1;
    else if (type === 4 || type === 5) varint();
    else if (type === 6) {
      const start = at;
      varint();
      if (path in targets) edits.push({ start, end: at, value: targets[path] });
    } else if (type === 7) at += 8;
    else if (type === 8) {
      const size = Number(varint());
      at += size;
    } else if (type === 9 || type === 10) {
      const header = footer[at++];
      const size = header >> 4 === 15 ? Number(varint()) : header >> 4;
      const element = header & 0x0f;
      for (let k = 0; k < size; k++) {
        if (element === 1 || element === 2) at += 1;
        else skip(element, path);
      }
    } else if (type === 11) {
      const size = Number(varint());
      const types = size > 0 ? footer[at++] : 0;
      for (let k = 0; k < size; k++) {
        skip(types >> 4, path);
        skip(types & 0x0f, path);
      }
    } else if (type === 12) struct(path);
    else throw new Error(`compact type ${type} at footer byte ${at}`);
  };
  const struct = (path: string): void => {
    let id = 0;
    for (let header = footer[at++]; header !== 0; header = footer[at++]) {
      if (header >> 4 === 0) {
        const z = varint();
        id = Number(z & 1n ? -((z + 1n) >> 1n) : z >> 1n);
      } else id += header >> 4;
      skip(header & 0x0f, path === "" ? String(id) : `${path}.${id}`);
    }
  };
  struct("");
  assert.equal(at, footer.length, "the walk ends where the footer does");
  assert.ok(edits.length >= 3, "the file, a row group and a column chunk count rows");
  const zigzag = (v: bigint) => (v >= 0n ? v << 1n : (-v << 1n) - 1n);
  const varintBytes = (v: bigint) => {
    const out: number[] = [];
    for (; v >= 0x80n; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
    out.push(Number(v));
    return out;
  };
  const parts: number[] = [...file.subarray(0, n - 8 - length)];
  let from = 0;
  const rewritten: number[] = [];
  for (const edit of edits) {
    rewritten.push(...footer.subarray(from, edit.start), ...varintBytes(zigzag(edit.value)));
    from = edit.end;
  }
  rewritten.push(...footer.subarray(from));
  const size = rewritten.length;
  parts.push(...rewritten, size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24);
  parts.push(0x50, 0x41, 0x52, 0x31);
  return Uint8Array.from(parts);
}

describe("row counts in a Parquet footer", () => {
  // Two rows of an int32 and a double column, in one row group (make-fixtures.ts).
  const file = new Uint8Array(readFileSync(fixture("dataset/year=2023/month=12/part-0.parquet")));
  const name = "part-0.parquet";

  /** The read's ReportError and its verbose log lines. */
  async function footerError(bytes: Uint8Array): Promise<{ error: ReportError; lines: string[] }> {
    const log = recordingLog();
    try {
      const table = await readTable(memorySource(name, bytes), {
        csv: {},
        log,
        limits: limitsFromEnv({}),
      });
      assert.fail(`read as ${table.numRows} rows`);
    } catch (error) {
      if (!(error instanceof ReportError)) throw error;
      return { error, lines: log.lines };
    }
  }

  test("the rewritten footer with its own counts still reads", async () => {
    const table = await read(name, withRowCounts(file, 2n));
    assert.deepEqual(column(table, "v"), [1, 2]);
    assert.deepEqual(column(table, "s"), [0.5, 1.5]);
  });

  test("2^40 rows is the max_input_bytes error before any decoding, not parquet-wasm", async () => {
    const { error, lines } = await footerError(withRowCounts(file, 2n ** 40n));
    // At least 4 + 8 bytes a row for int32 and double: 12 × 2^40.
    assert.equal(
      error.message,
      `${name}: the Parquet footer's 1,099,511,627,776 rows of 2 columns (at least 13,194,139,533,312 bytes decoded): more than 4,294,967,296 bytes of data read from one file, after decompression (limit max_input_bytes)`,
    );
    assert.match(error.hint ?? "", /max_input_bytes: 17179869184/);
    assert.deepEqual(
      lines.filter((line) => /parquet-wasm/.test(line)),
      [],
    );
  });

  test("negative, unsafe and disagreeing row counts are refused, not handed to parquet-wasm", async () => {
    const cases: [Uint8Array, RegExp][] = [
      [withRowCounts(file, -1n), /row group 1 says -1 rows/],
      [withRowCounts(file, 2n ** 60n), /row group 1 says 1152921504606846976 rows/],
      [withRowCounts(file, 2n, 3n), /row groups hold 2 rows, but the file says 3/],
    ];
    for (const [bytes, message] of cases) {
      const { error, lines } = await footerError(bytes);
      assert.match(error.message, new RegExp(`^${name}: the Parquet footer`));
      assert.match(error.message, message);
      assert.ok(error.hint);
      assert.deepEqual(
        lines.filter((line) => /parquet-wasm/.test(line)),
        [],
      );
    }
  });
});

test("tableFromColumns makes the table Arrow's RecordBatch constructor made, without it", () => {
  const names = ["n", "s", "10", "b"];
  const vectors = [
    makeVector(new Float64Array([1.5, 2, 3])),
    vectorFromArray(["x", null, "z"], new Utf8()),
    vectorFromArray([7, null, 9], new Int32()),
    vectorFromArray([true, false, null], new Bool()),
  ];
  const notices = [[], ["read as text"], [], ["2 values read as missing"]];
  const made = tableFromColumns(names, vectors, 3, notices);
  // The old path: the same fields and Struct data through the constructor (Schema.assign).
  const fields = names.map((name, c) =>
    withNotices(new Field(name, vectors[c].type, true), notices[c]),
  );
  const data = makeData({
    type: new Struct(fields),
    length: 3,
    nullCount: 0,
    children: vectors.map((v) => v.data[0]),
  });
  const old = new Table([new RecordBatch(new Schema(fields), data)]);
  assert.ok(made.batches[0] instanceof RecordBatch);
  assert.deepEqual(made.batches[0].metadata, new Map());
  assert.deepEqual(
    made.schema.fields.map((f) => [f.name, String(f.type), f.nullable, [...f.metadata]]),
    old.schema.fields.map((f) => [f.name, String(f.type), f.nullable, [...f.metadata]]),
  );
  assert.deepEqual(
    made.schema.fields.map((f) => f.name),
    names,
  );
  assert.deepEqual(tableNotices(made), ["read as text", "2 values read as missing"]);
  assert.deepEqual(made.getChild("s")?.toArray(), ["x", null, "z"]);
  assert.deepEqual(made.getChild("b")?.toArray(), [true, false, null]);
  assert.deepEqual(tableToIPC(made), tableToIPC(old));
  assert.deepEqual(made.toArray().map(String), old.toArray().map(String));
});
