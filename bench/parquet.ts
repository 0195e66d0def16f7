// Parquet → Arrow: our reader (readTable on a file source: stream, framing checks,
// parquet-wasm, IPC metadata checks, buffer validation, normalisation) against the bare
// library (readFileSync → parquet-wasm readParquet → intoIPCStream → tableFromIPC) on the
// same 1M-row, 8-column file (snappy), generated under bench/data/ on first use. Runs
// alternate, in one process after a warm-up; medians. The last line is JSON for bench/run.ts.
// Usage: npx tsx bench/parquet.ts [rows]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
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
  writeParquet,
} from "parquet-wasm/esm";
import { limitsFromEnv } from "../src/limits.ts";
import { readTable } from "../src/read/index.ts";
import { openLocalFile } from "../src/source/open.ts";

const rows = Number(process.argv[2] ?? 1_000_000);
const path = fileURLToPath(new URL(`data/bench-${rows / 1e6}m.parquet`, import.meta.url));
const RUNS = 5;

initSync({
  module: readFileSync(new URL(import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm"))),
});

function validity(n: number, everyNth: number): Uint8Array {
  const bits = new Uint8Array((n + 7) >> 3).fill(0xff);
  for (let i = 0; i < n; i += everyNth) bits[i >> 3] &= ~(1 << (i & 7));
  return bits;
}

/** The same shape as bench/generate.ts's CSV: ids, nullable numbers, categories, dates. */
function generate(): void {
  let seed = 1;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const id = new BigInt64Array(rows);
  const user = new Int32Array(rows);
  const qty = new Int32Array(rows);
  const price = new Float64Array(rows);
  const score = new Float64Array(rows);
  const category = new Int32Array(rows);
  const city = new Int32Array(rows);
  const day = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    id[i] = BigInt(i) + 10_000_000_000n;
    user[i] = Math.floor(random() * 50_000);
    qty[i] = 1 + Math.floor(random() * 20);
    price[i] = Math.round(random() * 100_000) / 100;
    score[i] = random() * 5;
    category[i] = Math.floor(random() ** 2 * 50);
    city[i] = Math.floor(random() * 10);
    day[i] = 19_000 + Math.floor(random() * 730);
  }
  const data = (type: Int32 | Float64 | Int64 | DateDay, values: ArrayLike<unknown>, nth = 0) =>
    makeVector(
      makeData({
        type: type as Int32,
        length: rows,
        nullCount: nth ? Math.ceil(rows / nth) : 0,
        nullBitmap: nth ? validity(rows, nth) : undefined,
        data: values as Int32Array,
      }),
    );
  const words = (names: string[], keys: Int32Array) =>
    makeVector(
      makeData({
        type: new Dictionary(new Utf8(), new Int32()),
        length: rows,
        nullCount: 0,
        data: keys,
        dictionary: vectorFromArray(names, new Utf8()),
      }),
    );
  const table = new Table({
    id: data(new Int64(), id),
    user_id: data(new Int32(), user),
    qty: data(new Int32(), qty, 33),
    price: data(new Float64(), price),
    score: data(new Float64(), score, 20),
    category: words(
      Array.from({ length: 50 }, (_, k) => `category_${String(k).padStart(2, "0")}`),
      category,
    ),
    city: words(
      ["Oslo", "Lima", "Quito", "Hanoi", "Accra", "Perth", "Cork", "Bern", "Riga", "Pune"],
      city,
    ),
    event_date: data(new DateDay(), day),
  });
  const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), props));
}

async function ours(): Promise<number> {
  const quiet = { info() {}, warn() {}, verbose() {} };
  const table = await readTable(await openLocalFile(path), {
    csv: {},
    log: quiet,
    limits: limitsFromEnv({}),
  });
  return table.numRows;
}

async function bare(): Promise<number> {
  const table = tableFromIPC(readParquet(readFileSync(path)).intoIPCStream());
  return table.numRows;
}

if (!existsSync(path)) {
  process.stderr.write(`generating ${path} …\n`);
  generate();
}
const size = readFileSync(path).length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
await ours();
await bare();
const times = { ours: [] as number[], bare: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  for (const [name, read] of [
    ["ours", ours],
    ["bare", bare],
  ] as const) {
    const started = performance.now();
    const count = await read();
    times[name].push(performance.now() - started);
    if (count !== rows) throw new Error(`${name} read ${count} rows, not ${rows}`);
  }
}
const oursMs = median(times.ours);
const bareMs = median(times.bare);
console.log(
  `Parquet → Arrow, ${rows.toLocaleString("en-US")} rows × 8 columns, ${(size / 1_048_576).toFixed(1)} MiB snappy: ` +
    `ours ${oursMs.toFixed(0)} ms, bare parquet-wasm ${bareMs.toFixed(0)} ms (medians of ${RUNS}, alternating)`,
);
console.log(JSON.stringify({ rows, bytes: size, oursMs, bareMs, ratio: oursMs / bareMs }));
