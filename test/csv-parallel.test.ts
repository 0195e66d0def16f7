// The multi-threaded CSV path (csv.ts with worker threads) against the one-thread reader:
// small chunks force record boundaries next to quoted newlines, doubled quotes and quotes
// inside unquoted fields; the tables must match column by column, and errors must name
// the same line in the file.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Table } from "apache-arrow";
import { ReportError } from "../src/errors.ts";
import { lastRecordEnd } from "../src/read/csv/csv-chunks.ts";
import { CsvWorkerPool } from "../src/read/csv/csv-pool.ts";
import { type ReadCsvOptions, readCsv } from "../src/read/csv/read-csv.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const THREADS = 2;

/** Options that send every chunk but the first to the (started) workers. */
function parallel(chunkBytes: number): Partial<ReadCsvOptions> & Record<string, number> {
  return { threads: THREADS, chunkBytes, minParallelBytes: 0 };
}

function columns(table: Table): Record<string, { type: string; values: unknown[] }> {
  const result: Record<string, { type: string; values: unknown[] }> = {};
  for (const field of table.schema.fields) {
    const values = [...table.getChild(field.name)!].map((value) => value ?? null);
    result[field.name] = { type: String(field.type), values };
  }
  return result;
}

async function errorOf(data: Uint8Array, options: Record<string, unknown>): Promise<ReportError> {
  try {
    await readCsv(data, { name: "data.csv", ...options });
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${error}`);
    return error;
  }
  assert.fail("expected readCsv to throw");
}

/** A deterministic file with every kind of record boundary trouble, one row per id. */
function awkwardCsv(rows: number): string {
  const lines = ["id,name,amount,flag,note,late"];
  for (let i = 1; i <= rows; i++) {
    const name =
      i % 7 === 0
        ? `"multi\nline ${i}"`
        : i % 5 === 0
          ? `"say ""hi"", ${i}"`
          : i % 11 === 0
            ? `5'11" tall ${i}` // a quote inside an unquoted field is text
            : `name${i % 13}`;
    // Integers at first, a decimal late in the file: the column widens in a later chunk.
    const amount = i === rows - 3 ? "2.5" : String(i * 3);
    const flag = i % 3 === 0 ? "" : i % 2 === 0 ? "true" : "false";
    const note = i % 9 === 0 ? '"a,b\r\nc"' : i % 4 === 0 ? "NA" : `n${i % 3}`;
    // Empty through the sample, then integers.
    const late = i > rows / 2 ? String(i) : "";
    lines.push(`${i},${name},${amount},${flag},${note},${late}`);
  }
  return `${lines.join("\n")}\n`;
}

describe("readCsv on worker threads", () => {
  before(async () => {
    const pool = await CsvWorkerPool.shared(THREADS);
    assert.ok(pool, "worker_threads and src/read/csv-worker.ts should be available under node");
    pool.warm();
    const started = Date.now();
    while (!pool.ready) {
      assert.ok(Date.now() - started < 60_000, "the CSV workers did not start within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("finds record ends outside quoted fields only", () => {
    const text = bytes('a,b\n1,"x\ny"\n2,5\'11"\n3,"q""\n"\n4');
    // Line ends at 3 (header), 8 (inside quotes), 11, 19, 26 (inside quotes), 28.
    assert.equal(lastRecordEnd(text, 0, text.length, 0x2c), 29);
    assert.equal(lastRecordEnd(text, 0, 27, 0x2c), 20);
    assert.equal(lastRecordEnd(text, 0, 10, 0x2c), 4);
    assert.equal(lastRecordEnd(text, 0, 3, 0x2c), -1);
  });

  for (const chunkBytes of [61, 97, 256, 4096]) {
    it(`matches the one-thread table with ${chunkBytes}-byte chunks`, async () => {
      const data = bytes(awkwardCsv(3000));
      const oneNotices: string[] = [];
      const manyNotices: string[] = [];
      const one = await readCsv(data, {
        name: "a.csv",
        threads: 1,
        sampleRows: 20,
        onNotice: (m) => oneNotices.push(m),
      });
      const many = await readCsv(data, {
        name: "a.csv",
        sampleRows: 20,
        onNotice: (m) => manyNotices.push(m),
        ...parallel(chunkBytes),
      });
      assert.equal(many.numRows, 3000);
      const expected = columns(one);
      const actual = columns(many);
      assert.deepEqual(Object.keys(actual), Object.keys(expected));
      for (const name of Object.keys(expected)) {
        assert.equal(actual[name].type, expected[name].type, `type of ${name}`);
        assert.deepEqual(actual[name].values, expected[name].values, `values of ${name}`);
      }
      // Independent checks of the awkward values.
      assert.equal(actual.name.values[6], "multi\nline 7");
      assert.equal(actual.name.values[4], 'say "hi", 5');
      assert.equal(actual.name.values[10], `5'11" tall 11`);
      assert.equal(actual.note.values[8], "a,b\r\nc");
      assert.equal(actual.amount.type, "Float64");
      assert.equal(actual.amount.values[2996], 2.5);
      assert.equal(actual.late.values[2999], 3000);
      assert.deepEqual(manyNotices, oneNotices);
      assert.ok(manyNotices.some((m) => /"amount" has "2\.5"/.test(m)));
    });
  }

  it("streams: the same table when the input arrives in uneven pieces", async () => {
    const data = bytes(awkwardCsv(2000));
    async function* pieces() {
      for (let at = 0, k = 0; at < data.length; k++) {
        const size = [1, 7, 300, 33, 1024][k % 5];
        yield data.slice(at, at + size);
        at += size;
      }
    }
    const one = await readCsv(data, { name: "a.csv", threads: 1 });
    const many = await readCsv(pieces(), { name: "a.csv", ...parallel(128) });
    assert.deepEqual(columns(many), columns(one));
  });

  it("names the line of a ragged row late in the file", async () => {
    const lines = ["a,b,c"];
    for (let i = 1; i <= 5000; i++) lines.push(i % 500 === 0 ? `"x\ny",2,3` : `${i},2,3`);
    const bad = 4321;
    lines[bad] = "1,2";
    const text = `${lines.join("\n")}\n`;
    // Physical line: count line ends before the ragged row, independently of the reader.
    const at = text.indexOf("\n1,2\n") + 1;
    let line = 1;
    for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    const error = await errorOf(bytes(text), parallel(200));
    assert.match(
      error.message,
      new RegExp(`^data\\.csv, line ${line}: 2 fields, but the header \\(line 1\\) has 3`),
    );
    const single = await errorOf(bytes(text), { threads: 1 });
    assert.equal(error.message, single.message);
  });

  it("names the line of an unterminated quote and of invalid UTF-8 in later chunks", async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${i},x`);
    const quote = bytes(`a,b\n${rows.join("\n")}\n7,"open\nstill open\n`);
    const quoteError = await errorOf(quote, parallel(128));
    assert.match(quoteError.message, /line 402: a quoted field starts here/);

    const head = bytes(`a,b\n${rows.join("\n")}\n9,`);
    const broken = new Uint8Array(head.length + 3);
    broken.set(head);
    broken.set([0xff, 0x0a, 0x31], head.length);
    const utf8Error = await errorOf(broken, parallel(128));
    assert.equal(
      utf8Error.message,
      `data.csv, line 402: invalid UTF-8 at byte offset ${head.length}; the file must be UTF-8 text.`,
    );
  });
});
