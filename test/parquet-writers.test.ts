// The JavaScript Parquet decoder against arrow-rs (parquet-wasm's writer and reader): one
// table written in v1 and v2 data pages, with every codec the decoder handles, dictionary
// encoding on and off, small pages (many per column chunk), small row groups, and a
// dictionary page limit small enough that the high-cardinality column falls back to plain
// pages part way through a chunk. Each file must be read by the JavaScript decoder (no
// fallback) and every value must equal what arrow-rs's own reader gives.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  Bool,
  DateDay,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import {
  Compression,
  initSync,
  readParquet,
  Table as WasmTable,
  WriterPropertiesBuilder,
  WriterVersion,
  writeParquet,
} from "parquet-wasm/esm";
import { parquetTable } from "../src/read/arrow/read-parquet.ts";

initSync({
  module: readFileSync(new URL(import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm"))),
});

const ROWS = 1200;

/** Deterministic values with nulls, repeats and a unique text per row. */
function sample(): Table {
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const pick = <T>(make: (i: number) => T, nullEvery = 0) =>
    Array.from({ length: ROWS }, (_, i) => (nullEvery && i % nullEvery === 3 ? null : make(i)));
  const bigs = pick((i) => BigInt(i) * 9_007_199_254_740_993n - 4n * 10n ** 18n, 11);
  return new Table({
    small: vectorFromArray(
      pick(() => Math.floor(random() * 40) - 20, 5),
      new Int32(),
    ),
    big: makeVector(
      makeData({
        type: new Int64(),
        length: ROWS,
        nullCount: bigs.filter((v) => v === null).length,
        nullBitmap: Uint8Array.from({ length: (ROWS + 7) >> 3 }, (_, b) => {
          let byte = 0;
          for (let k = 0; k < 8; k++) if (bigs[b * 8 + k] != null) byte |= 1 << k;
          return byte;
        }),
        data: BigInt64Array.from(bigs, (v) => v ?? 0n),
      }),
    ),
    price: vectorFromArray(
      pick(() => Math.round(random() * 1e6) / 100, 7),
      new Float64(),
    ),
    ratio: vectorFromArray(
      pick(() => random(), 0),
      new Float32(),
    ),
    flag: vectorFromArray(
      pick(() => random() < 0.3, 9),
      new Bool(),
    ),
    city: vectorFromArray(
      pick(() => ["Oslo", "Lima", "Åre", "日本", ""][Math.floor(random() * 5)], 6),
      new Utf8(),
    ),
    code: vectorFromArray(
      pick((i) => `id-${i * 7919}-${"x".repeat(i % 13)}`, 13),
      new Utf8(),
    ),
    day: vectorFromArray(
      pick((i) => new Date(Date.UTC(2020, 0, 1 + (i % 400))), 8),
      new DateDay(),
    ),
    at: vectorFromArray(
      pick((i) => new Date(1_700_000_000_000 + i * 3_600_123), 10),
      new TimestampMillisecond(),
    ),
  });
}

const table = sample();

function write(version: WriterVersion, compression: Compression, dictionary: boolean): Uint8Array {
  const properties = new WriterPropertiesBuilder()
    .setWriterVersion(version)
    .setCompression(compression)
    .setDictionaryEnabled(dictionary)
    .setDictionaryPageSizeLimit(600)
    .setDataPageSizeLimit(700)
    .setWriteBatchSize(97)
    .setMaxRowGroupSize(500)
    .build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), properties);
}

function values(t: Table, name: string): unknown[] {
  const vector = t.getChild(name)!;
  return Array.from({ length: vector.length }, (_, i) => vector.get(i));
}

const CODECS = [
  ["uncompressed", Compression.UNCOMPRESSED],
  ["snappy", Compression.SNAPPY],
  ["gzip", Compression.GZIP],
  ["zstd", Compression.ZSTD],
  ["brotli", Compression.BROTLI],
] as const;

describe("Parquet written by arrow-rs, read by the JavaScript decoder", () => {
  for (const [version, label] of [
    [WriterVersion.V1, "v1"],
    [WriterVersion.V2, "v2"],
  ] as const) {
    for (const [codec, compression] of CODECS) {
      for (const dictionary of [true, false]) {
        test(`${label} pages, ${codec}, dictionary ${dictionary ? "on" : "off"}: every value as arrow-rs reads it`, async () => {
          const bytes = write(version, compression, dictionary);
          const details: string[] = [];
          const ours = await parquetTable(bytes, {
            label: "t.parquet",
            onDetail: (m) => details.push(m),
          });
          assert.deepEqual(details, []);
          const theirs = tableFromIPC(readParquet(bytes).intoIPCStream());
          assert.equal(ours.numRows, ROWS);
          for (const field of table.schema.fields) {
            assert.deepEqual(values(ours, field.name), values(theirs, field.name), field.name);
          }
        });
      }
    }
  }
});
