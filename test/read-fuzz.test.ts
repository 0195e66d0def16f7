// Thousands of generated and damaged inputs through readTable: valid CSV and JSON must give
// exactly the generated rows; damaged CSV, JSON, Parquet and Arrow IPC must give either a
// table or a ReportError that names the file (never another exception or a hang); and any
// truncated Parquet or IPC file must be an error, never a shorter table. Then random
// structural extremes (width, depth, length, repetition) against random limits, in a child
// process with a CPU-time and memory ceiling per case: each must end in a table or in a
// ReportError that names the file and says where or which limit. Seeded: the same inputs
// every run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import type { Table } from "apache-arrow";
import { mulberry32 } from "../scripts/seeded-random.ts";
import { ReportError } from "../src/errors.ts";
import type { Limits } from "../src/limits.ts";
import { readTable } from "../src/read/index.ts";
import {
  type ChildCase,
  defaultLimits,
  fixture,
  memorySource,
  readInChild,
  recordingLog,
} from "./read-helpers.ts";

type Random = ReturnType<typeof mulberry32>;
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];
const int = (random: Random, n: number) => Math.floor(random() * n);

/** Where a message may point: a line, a byte offset, or a whole-file statement. */
const LOCATED =
  /line \d+|byte \d+|\d+ bytes|compressed byte|empty|truncated|not a Parquet file|magic|footer|cannot be decoded|not a readable Arrow|no columns|no header|no records|holds only|damaged/;

interface Outcome {
  table?: Table;
  error?: ReportError;
}

async function attempt(name: string, bytes: Uint8Array, chunkSize: number): Promise<Outcome> {
  try {
    const table = await readTable(memorySource(name, bytes, { chunkSize }), {
      csv: {},
      limits: defaultLimits,
      log: recordingLog(),
    });
    return { table };
  } catch (error) {
    if (!(error instanceof ReportError)) {
      assert.fail(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    assert.ok(error.message.includes(name), `the message names the file: ${error.message}`);
    assert.match(error.message, LOCATED, `the message says where: ${error.message}`);
    return { error };
  }
}

const WORDS = [
  "a",
  "Oslo",
  "x y",
  "é",
  "日本",
  "1",
  "-2",
  "3.5",
  "2024-01-31",
  "true",
  "",
  "NA",
  'q"uote',
  "com,ma",
  "new\nline",
];

function csvField(random: Random): string {
  const kind = int(random, 6);
  if (kind === 0) return String(int(random, 2000) - 1000);
  if (kind === 1) return (random() * 100 - 50).toFixed(int(random, 4));
  const word = pick(random, WORDS);
  return /[",\n]/.test(word) || random() < 0.1 ? `"${word.replace(/"/g, '""')}"` : word;
}

/** A valid CSV of `rows` data rows (quoted commas, quotes and line breaks included). */
function makeCsv(random: Random): { text: string; rows: number } {
  const columns = 1 + int(random, 6);
  const rows = 1 + int(random, 60);
  const header = Array.from({ length: columns }, (_, c) => `col${c}`).join(",");
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    const fields = Array.from({ length: columns }, () => csvField(random));
    // A lone empty field would be a blank line, which CSV readers skip.
    if (columns === 1 && fields[0] === "") fields[0] = '""';
    lines.push(fields.join(","));
  }
  return {
    text: `${lines.join(random() < 0.5 ? "\n" : "\r\n")}${random() < 0.5 ? "\n" : ""}`,
    rows,
  };
}

function jsonValue(random: Random, depth = 0): unknown {
  const kind = int(random, depth > 1 ? 6 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return int(random, 2000) - 1000;
    case 2:
      return random() * 1e6;
    case 3:
      return random() < 0.5;
    case 4:
      return pick(random, WORDS);
    case 5:
      return `2024-0${1 + int(random, 9)}-1${int(random, 10)}`;
    case 6:
      return [jsonValue(random, depth + 1), jsonValue(random, depth + 1)];
    default:
      return { k: jsonValue(random, depth + 1), "}{": pick(random, WORDS) };
  }
}

/** Valid NDJSON or a JSON array of `rows` records, with keys that come and go. */
function makeJson(random: Random): { text: string; rows: number; array: boolean } {
  const rows = 1 + int(random, 40);
  const keys = ["id", "name", "v", "when", "nested", "ü"];
  const records = Array.from({ length: rows }, (_, r) => {
    const record: Record<string, unknown> = { id: r };
    for (const key of keys.slice(1)) if (random() < 0.7) record[key] = jsonValue(random);
    return record;
  });
  const array = random() < 0.5;
  const text = array
    ? JSON.stringify(records, null, random() < 0.5 ? 2 : undefined)
    : records.map((record) => JSON.stringify(record)).join(random() < 0.5 ? "\n" : "\r\n");
  return { text, rows, array };
}

/** Byte-level damage: flips, deletions, insertions, duplication, truncation. */
function mutate(random: Random, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + int(random, 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = int(random, out.length);
    switch (int(random, 5)) {
      case 0:
        out[at] = int(random, 256);
        break;
      case 1:
        out.splice(at, 1 + int(random, 8));
        break;
      case 2:
        out.splice(
          at,
          0,
          pick(random, [0x22, 0x2c, 0x0a, 0x7b, 0x7d, 0x5b, 0x5d, 0x5c, 0xff, 0x00]),
        );
        break;
      case 3:
        out.splice(at, 0, ...out.slice(at, at + int(random, 30)));
        break;
      default:
        out.length = at;
    }
  }
  return Uint8Array.from(out);
}

const encode = (text: string) => new TextEncoder().encode(text);

const KiB = 1024;
const MiB = 1024 * KiB;

/** Limits low enough that the extremes below cross them about half the time. */
function randomLimits(random: Random): Partial<Limits> {
  return {
    max_columns: pick(random, [500, 5_000, 10_000]),
    max_nesting: pick(random, [10, 100, 500]),
    max_record_bytes: pick(random, [64 * KiB, MiB, 16 * MiB]),
    max_input_bytes: pick(random, [MiB, 16 * MiB, 4 * 1024 * MiB]),
  };
}

/** A header of `count` names: distinct, all the same, or empty. */
function names(random: Random, count: number): string[] {
  const style = int(random, 3);
  return Array.from({ length: count }, (_, c) =>
    style === 0 ? `c${c}` : style === 1 ? "same" : "",
  );
}

/** One input at a structural extreme; the name's extension says its format. */
function extremeInput(random: Random, k: number): { name: string; text: string } {
  switch (int(random, 4)) {
    case 0: {
      // Width: many columns (and repeated or empty names), a few rows.
      const columns = pick(random, [1, 100, 2_000, 6_000, 12_000]);
      const rows = 1 + int(random, 4);
      if (random() < 0.5) {
        const header = names(random, columns).join(",");
        const row = () => Array.from({ length: columns }, (_, c) => (c % 3 ? c : "x")).join(",");
        return {
          name: `wide-${k}.csv`,
          text: `${header}\n${Array.from({ length: rows }, row).join("\n")}\n`,
        };
      }
      const record = (r: number) =>
        `{${Array.from({ length: columns }, (_, c) => `"k${(c + r * int(random, 2) * columns) % (columns * 2)}":${c}`).join(",")}}`;
      return {
        name: `wide-${k}.ndjson`,
        text: Array.from({ length: rows }, (_, r) => record(r)).join("\n"),
      };
    }
    case 1: {
      // Depth: arrays or objects nested around a value, in NDJSON or an array.
      const depth = pick(random, [5, 50, 99, 101, 499, 501, 3_000, 20_000]);
      const inner = random() < 0.5 ? "1" : "123456789012345678901234567890";
      const value =
        random() < 0.5
          ? `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`
          : `${'{"a":'.repeat(depth)}${inner}${"}".repeat(depth)}`;
      const record = `{"id":1,"v":${value}}`;
      return random() < 0.5
        ? { name: `deep-${k}.ndjson`, text: `{"id":0}\n${record}\n` }
        : { name: `deep-${k}.json`, text: `[{"id":0},${record}]` };
    }
    case 2: {
      // Length: one long field, string or number.
      const length = pick(random, [20, 400, 5_000, 100 * KiB, 2 * MiB, 5 * MiB]);
      const digits = "9".repeat(length);
      const letters = "é".repeat(length >> 1);
      switch (int(random, 4)) {
        case 0:
          return { name: `long-${k}.csv`, text: `a,b\n1,${digits}\n2,3\n` };
        case 1:
          return { name: `long-${k}.csv`, text: `a,b\n1,"${letters}\n${letters}"\n` };
        case 2:
          return { name: `long-${k}.ndjson`, text: `{"a":1}\n{"a":-${digits}.5}\n` };
        default:
          return { name: `long-${k}.json`, text: `[{"a":"${letters}","n":${digits}}]` };
      }
    }
    default: {
      // Repetition: one byte many times, alone or after a valid start.
      const byte = pick(random, [",", "\n", '"', "{", "[", "a", "0", " ", "}"]);
      const run = byte.repeat(pick(random, [KiB, 64 * KiB, MiB, 4 * MiB]));
      const ext = pick(random, ["csv", "ndjson", "json"]);
      const start = ext === "csv" ? "a,b\n1,2\n" : ext === "json" ? '[{"a":1},' : '{"a":1}\n';
      return { name: `repeat-${k}.${ext}`, text: random() < 0.5 ? run : start + run };
    }
  }
}

describe("read fuzz", () => {
  test("valid CSV gives exactly the generated rows, in any chunking; damaged CSV never crashes", async () => {
    const random = mulberry32(20261128);
    // 1,200 inputs: with this seed, the last one to reach code no earlier input reached is
    // number 1,167; the 1,500 this loop ran before reached no more of src/ (V8 block coverage
    // of both runs compared) and no other kind of error message (the same eight).
    for (let k = 0; k < 1200; k++) {
      const { text, rows } = makeCsv(random);
      const bytes = encode(text);
      const chunk = 1 + int(random, 64);
      const valid = await attempt(`valid-${k}.csv`, bytes, chunk);
      assert.ok(valid.table, `valid-${k}.csv: ${valid.error?.message}\n${text}`);
      assert.equal(valid.table.numRows, rows, `valid-${k}.csv row count\n${text}`);
      await attempt(`damaged-${k}.csv`, mutate(random, bytes), chunk);
    }
  });

  test("valid NDJSON and JSON arrays give exactly the generated rows; damaged JSON never crashes", async () => {
    const random = mulberry32(7);
    for (let k = 0; k < 1200; k++) {
      const { text, rows, array } = makeJson(random);
      const bytes = encode(text);
      const chunk = 1 + int(random, 80);
      const name = `valid-${k}.${array ? "json" : "ndjson"}`;
      const valid = await attempt(name, bytes, chunk);
      assert.ok(valid.table, `${name}: ${valid.error?.message}`);
      assert.equal(valid.table.numRows, rows, name);
      assert.deepEqual(
        Array.from({ length: rows }, (_, r) => Number(valid.table!.getChild("id")!.get(r))),
        Array.from({ length: rows }, (_, r) => r),
      );
      await attempt(`damaged-${k}.${array ? "json" : "ndjson"}`, mutate(random, bytes), chunk);
    }
  });

  test("random structural extremes: a table or a clear error, under CPU and memory ceilings", async () => {
    const random = mulberry32(15_015);
    const cases: ChildCase[] = [];
    for (let k = 0; k < 48; k++) {
      const { name, text } = extremeInput(random, k);
      const zipped = random() < 0.3;
      cases.push({
        name: zipped ? `${name}.gz` : name,
        bytes: zipped ? gzipSync(text) : encode(text),
        chunkSize: pick(random, [4 * KiB, 64 * KiB, MiB]),
        limits: randomLimits(random),
      });
    }
    // Ceilings far above what any case needs (the largest input is 5 MiB), far below a hang.
    const outcomes = await readInChild(cases, { caseSeconds: 15, heapMiB: 512 });
    assert.equal(outcomes.length, cases.length);
    const limitErrors = new Set<string>();
    for (const outcome of outcomes) {
      assert.equal(outcome.crash, undefined, `${outcome.name}: ${outcome.crash}`);
      assert.ok(outcome.peakMiB! < 1536, `${outcome.name}: peak RSS ${outcome.peakMiB} MiB`);
      if (outcome.message === undefined) {
        assert.ok(outcome.rows! > 0 && outcome.columns! > 0, outcome.name);
        continue;
      }
      assert.ok(outcome.message.includes(outcome.name), `names the file: ${outcome.message}`);
      const limit = /\(limit (max_\w+)\)$/.exec(outcome.message);
      if (limit) limitErrors.add(limit[1]);
      assert.ok(limit || LOCATED.test(outcome.message), `says where: ${outcome.message}`);
      assert.ok(outcome.hint, `has a hint: ${outcome.message}`);
    }
    // The seed reaches every reader limit at least once.
    assert.deepEqual([...limitErrors].sort(), [
      "max_columns",
      "max_input_bytes",
      "max_nesting",
      "max_record_bytes",
    ]);
  });

  const binaries = [
    "types.parquet",
    "types-zstd.parquet",
    "rows.parquet",
    "types.arrow",
    "types.arrows",
    "types-zstd.arrow",
    "types-lz4.arrows",
    "rows-lz4.arrow",
  ];

  test("every truncated Parquet or Arrow IPC file is a ReportError, never a shorter table", async () => {
    const random = mulberry32(99);
    for (const name of binaries) {
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      const cuts = new Set<number>([
        0,
        1,
        4,
        8,
        bytes.length - 1,
        bytes.length - 6,
        bytes.length - 8,
      ]);
      while (cuts.size < 120) cuts.add(int(random, bytes.length));
      for (const cut of cuts) {
        const outcome = await attempt(`cut-${cut}-${name}`, bytes.subarray(0, cut), 4096);
        assert.ok(outcome.error, `cut-${cut}-${name} was read as ${outcome.table?.numRows} rows`);
      }
    }
  });

  test("damaged Parquet and Arrow IPC files give a table or a ReportError", async () => {
    const random = mulberry32(4242);
    for (const name of binaries) {
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      for (let k = 0; k < 150; k++) {
        const damaged = bytes.slice();
        for (let j = 1 + int(random, 6); j > 0; j--)
          damaged[int(random, damaged.length)] = int(random, 256);
        await attempt(`flip-${k}-${name}`, damaged, 65536);
      }
    }
  });
});
