// Thousands of generated and damaged inputs through readTable: valid CSV and JSON must give
// exactly the generated rows; damaged CSV, JSON, Parquet and Arrow IPC must give either a
// table or a ReportError that names the file (never another exception or a hang); and any
// truncated Parquet or IPC file must be an error, never a shorter table. Seeded: the same
// inputs every run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Table } from "apache-arrow";
import { mulberry32 } from "../scripts/seeded-random.ts";
import { ReportError } from "../src/errors.ts";
import { readTable } from "../src/read/index.ts";
import { defaultLimits, fixture, memorySource, recordingLog } from "./read-helpers.ts";

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

describe("read fuzz", () => {
  test("valid CSV gives exactly the generated rows, in any chunking; damaged CSV never crashes", async () => {
    const random = mulberry32(20261128);
    for (let k = 0; k < 1500; k++) {
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
