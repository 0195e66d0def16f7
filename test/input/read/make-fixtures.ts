// Writes the reader fixtures in this folder. Run: npx tsx test/input/read/make-fixtures.ts
// Parquet is written by arrow-rs (parquet-wasm's writer); Arrow IPC by apache-arrow's writer
// with its buffers compressed by the reference `zstd` and `lz4` command-line tools (Debian
// packages zstd, lz4), so our decoders are checked against independent encoders. gzip/zstd
// files come from the `gzip`/`zstd` tools. The expected values live, written by hand, in
// test/read-*.test.ts; keep the two in step.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Bool,
  CompressionType,
  compressionRegistry,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  makeVector,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import {
  Compression,
  initSync,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm/esm";

const here = dirname(fileURLToPath(import.meta.url));
const wasm = readFileSync(new URL(import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm")));
initSync({ module: wasm });

const write = (name: string, bytes: Uint8Array | string) => {
  const path = join(here, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
};
const tool = (command: string, args: string[], input: Uint8Array) =>
  new Uint8Array(execFileSync(command, args, { input, maxBuffer: 1 << 28 }));

function validity(values: unknown[]): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}

function decimal(values: (bigint | null)[], scale: number, precision: number): Vector {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v ?? 0n);
    for (let k = 0; k < 4; k++) {
      words[i * 4 + k] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return makeVector(
    makeData({
      type: new Decimal(scale, precision, 128),
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap: validity(values),
      data: words,
    }),
  );
}

function int64(values: (bigint | null)[], type = new Int64()): Vector {
  return makeVector(
    makeData({
      type,
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap: validity(values),
      data: BigInt64Array.from(values, (v) => v ?? 0n),
    }),
  );
}

// Four rows of edge values; the tests spell out the same values by hand.
const types = new Table({
  id: vectorFromArray([1, 2, 3, 4], new Int32()),
  big: int64([9007199254740993n, -9223372036854775808n, null, 9223372036854775807n]),
  amount: decimal([1234n, -1234n, null, -5n], 2, 10),
  // Days since 1970-01-01: 1969-12-31, 1900-01-01, null, 2024-02-29.
  day: makeVector(
    makeData({
      type: new DateDay(),
      length: 4,
      nullCount: 1,
      nullBitmap: validity([0, 0, null, 0]),
      data: new Int32Array([-1, -25567, 0, 19782]),
    }),
  ),
  ts_utc: int64(
    [1704067200123456n, -14182940000000n, null, 0n],
    new TimestampMicrosecond("UTC") as unknown as Int64,
  ),
  ts_ny: int64(
    [1704067200000n, 1720000000000n, null, -1n],
    new TimestampMillisecond("America/New_York") as unknown as Int64,
  ),
  ts_ns: int64([1n, 1704067200000000001n, null, -1n], new TimestampNanosecond() as unknown as Int64),
  name: vectorFromArray(["é", "", null, "日本"], new Utf8()),
  flag: vectorFromArray([true, false, null, true], new Bool()),
  score: vectorFromArray([1.5, -2.25, null, 1e300], new Float64()),
  tags: vectorFromArray(
    [["a", "b"], [], null, ['c"q']],
    new List(new Field("item", new Utf8(), true)),
  ),
  point: vectorFromArray(
    [{ x: 1.5, y: 9007199254740993n }, { x: -1, y: 0n }, null, { x: null, y: 3n }],
    new Struct([new Field("x", new Float64(), true), new Field("y", new Int64(), true)]),
  ),
});

function parquet(table: Table, compression: Compression, rowGroup?: number): Uint8Array {
  let builder = new WriterPropertiesBuilder().setCompression(compression);
  if (rowGroup) builder = builder.setMaxRowGroupSize(rowGroup);
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), builder.build());
}

rmSync(join(here, "generated"), { recursive: true, force: true });
write("generated/types.parquet", parquet(types, Compression.SNAPPY));
write("generated/types-zstd.parquet", parquet(types, Compression.ZSTD));
write("generated/types.arrow", tableToIPC(types, "file"));
write("generated/types.arrows", tableToIPC(types, "stream"));

// Compressed IPC: apache-arrow frames the buffers, the reference tools compress them.
compressionRegistry.set(CompressionType.ZSTD, {
  encode: (bytes) => tool("zstd", ["-q", "-c", "-3"], bytes),
});
compressionRegistry.set(CompressionType.LZ4_FRAME, {
  encode: (bytes) => tool("lz4", ["-q", "-c", "-BD"], bytes),
});
write(
  "generated/types-zstd.arrow",
  RecordBatchFileWriter.writeAll(types, { compressionType: CompressionType.ZSTD }).toUint8Array(true),
);
write(
  "generated/types-lz4.arrows",
  RecordBatchStreamWriter.writeAll(types, { compressionType: CompressionType.LZ4_FRAME }).toUint8Array(
    true,
  ),
);

// 10,000 rows in row groups of 1,000: n, n * 0.5 and a repeating label.
const many = 10_000;
const rows = new Table({
  n: vectorFromArray(
    Array.from({ length: many }, (_, i) => i),
    new Int32(),
  ),
  half: vectorFromArray(
    Array.from({ length: many }, (_, i) => i * 0.5),
    new Float64(),
  ),
  label: vectorFromArray(
    Array.from({ length: many }, (_, i) => (i % 7 === 0 ? null : `L${i % 3}`)),
    new Utf8(),
  ),
});
write("generated/rows.parquet", parquet(rows, Compression.GZIP, 1000));
write(
  "generated/rows-lz4.arrow",
  RecordBatchFileWriter.writeAll(rows.batches.length === 1 ? splitBatches(rows, 1000) : rows, {
    compressionType: CompressionType.LZ4_FRAME,
  }).toUint8Array(true),
);

function splitBatches(table: Table, size: number): Table {
  const parts: Table[] = [];
  for (let start = 0; start < table.numRows; start += size) parts.push(table.slice(start, start + size));
  return new Table(parts.flatMap((part) => part.batches));
}

// Text formats, compressed by the command-line tools.
const csv = "city,qty,price\nOslo,3,1.5\nLima,,2.25\n\"Quito, EC\",7,-0.5\n";
write("generated/sales.csv.gz", tool("gzip", ["-n", "-c"], new TextEncoder().encode(csv)));
write("generated/sales.csv.zst", tool("zstd", ["-q", "-c"], new TextEncoder().encode(csv)));
// gzip of zstd (two layers) and a file named .csv that is Parquet.
write(
  "generated/sales.csv.zst.gz",
  tool("gzip", ["-n", "-c"], tool("zstd", ["-q", "-c"], new TextEncoder().encode(csv))),
);
write("generated/mislabeled.csv", parquet(types, Compression.SNAPPY));
write("generated/sales.tsv", "city\tqty\nOslo\t3\nLima\t4\n");

// Hive-partitioned Parquet dataset (year/month), with a Spark-style _SUCCESS marker.
const part = (values: number[], score: number[]) =>
  new Table({
    v: vectorFromArray(values, new Int32()),
    s: vectorFromArray(score, new Float64()),
  });
write("generated/dataset/year=2023/month=12/part-0.parquet", parquet(part([1, 2], [0.5, 1.5]), Compression.SNAPPY));
write("generated/dataset/year=2024/month=01/part-0.parquet", parquet(part([3], [2.5]), Compression.ZSTD));
write("generated/dataset/year=2024/month=02/part-0.parquet", parquet(part([4, 5, 6], [3.5, 4.5, 5.5]), Compression.SNAPPY));
write("generated/dataset/_SUCCESS", "");
// CSV dataset whose files disagree in a compatible way (int vs float, one column missing).
write("generated/csv-dataset/region=north/a.csv", "id,x\n1,10\n2,20\n");
write("generated/csv-dataset/region=south/b.csv", "id,x,note\n3,2.5,hi\n");
// A conflict: x is a number in one file and text in the other.
write("generated/conflict/a.csv", "id,x\n1,10\n");
write("generated/conflict/b.csv", "id,x\n2,ten\n");

// LZ4 frames from the reference tool, in its different block modes, of one payload: text
// with long repeats (overlapping matches) and pseudo-random bytes (literal runs).
let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 24;
};
const text = Array.from({ length: 3000 }, (_, i) => `row ${i % 97},${"ab".repeat(i % 5)}\n`).join("");
const noise = Uint8Array.from({ length: 40_000 }, random);
const payload = new Uint8Array([...new TextEncoder().encode(text), ...noise, ...new Uint8Array(70_000)]);
write("generated/lz4/payload.bin", payload);
write("generated/lz4/default.lz4", tool("lz4", ["-q", "-c"], payload));
write("generated/lz4/dependent-64k.lz4", tool("lz4", ["-q", "-c", "-BD", "-B4"], payload));
write("generated/lz4/checksums.lz4", tool("lz4", ["-q", "-c", "-BX", "--content-size"], payload));
write("generated/lz4/no-frame-crc.lz4", tool("lz4", ["-q", "-c", "--no-frame-crc", "-9"], payload));
write("generated/lz4/empty.lz4", tool("lz4", ["-q", "-c"], new Uint8Array(0)));
