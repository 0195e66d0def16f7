import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DataType, type Table } from "apache-arrow";
import { ReportError } from "../src/errors.ts";
import { tableNotices } from "../src/read/columns/read-notices.ts";
import { type ReadCsvOptions, readCsv } from "../src/read/csv/read-csv.ts";

const input = (name: string) => readFileSync(new URL(`input/csv/${name}`, import.meta.url));
const bytes = (text: string) => new TextEncoder().encode(text);

/** Every column as a plain array of its values (null for missing). */
function columns(table: Table): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  for (const field of table.schema.fields) {
    result[field.name] = [...table.getChild(field.name)!].map((value) => value ?? null);
  }
  return result;
}

function typeOf(table: Table, name: string): string {
  return String(table.schema.fields.find((field) => field.name === name)!.type);
}

async function* chunked(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const size of sizes) {
    yield data.subarray(at, at + size);
    at += size;
  }
  if (at < data.length) yield data.subarray(at);
}

async function readError(data: Uint8Array, options: Partial<ReadCsvOptions> = {}) {
  try {
    await readCsv(data, { name: "data.csv", ...options });
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${error}`);
    return error;
  }
  assert.fail("expected readCsv to throw");
}

describe("readCsv type inference", () => {
  it("infers integer, float, boolean, date, timestamp and string columns", async () => {
    const table = await readCsv(input("types.csv"), { name: "types.csv" });
    assert.equal(table.numRows, 4);
    assert.equal(typeOf(table, "id"), "Int32");
    assert.equal(typeOf(table, "price"), "Float64");
    assert.equal(typeOf(table, "active"), "Bool");
    assert.equal(typeOf(table, "day"), "Date32<DAY>");
    assert.equal(typeOf(table, "at"), "Timestamp<MILLISECOND, UTC>");
    assert.equal(typeOf(table, "city"), "Dictionary<Int32, Utf8>");
    assert.equal(typeOf(table, "note"), "Utf8");
    assert.deepEqual(columns(table), {
      id: [1, 2, 3, -4],
      price: [1.5, -0.25, null, 1000],
      active: [true, false, true, false],
      day: [Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 29), null, 0],
      at: [
        Date.UTC(2024, 0, 31, 12),
        Date.UTC(2024, 1, 29, 21, 59, 59, 123),
        Date.UTC(2024, 2, 1),
        90 * 60_000 + 500,
      ],
      city: ["Paris", "Paris", null, "Paris"],
      note: ["first", "second", null, "fourth"],
    });
  });

  it("keeps leading-zero numbers and yes/no as text, invalid dates too", async () => {
    const table = await readCsv(
      bytes("zip,answer,day\n02134,yes,2023-02-29\n10001,no,2023-02-28\n"),
      {
        name: "t.csv",
      },
    );
    assert.deepEqual(columns(table), {
      zip: ["02134", "10001"],
      answer: ["yes", "no"],
      day: ["2023-02-29", "2023-02-28"],
    });
  });

  it("stores integers beyond Int32 as Int64, exactly, and beyond Int64 as Float64", async () => {
    const table = await readCsv(
      bytes("big,huge\n9007199254740993,1\n-3000000000,99999999999999999999\n"),
      { name: "t.csv" },
    );
    assert.equal(typeOf(table, "big"), "Int64");
    assert.deepEqual(columns(table).big, [9007199254740993n, -3000000000n]);
    assert.equal(typeOf(table, "huge"), "Float64");
    assert.deepEqual(columns(table).huge, [1, 1e20]);
  });

  it("says where an integer too large for Int64 is read as a float, and how to keep it exact", async () => {
    const notices: string[] = [];
    const text = [
      "ok,huge,late,gone,exact",
      "9223372036854775807,1,1,99999999999999999999,99999999999999999999",
      "-9223372036854775808,99999999999999999999,2,1,x",
      "1,2,18446744073709551616,x,1",
      "2,99999999999999999998,3,1,2",
    ].join("\n");
    const table = await readCsv(bytes(text), {
      name: "big.csv",
      sampleRows: 2,
      onNotice: (message) => notices.push(message),
    });
    assert.deepEqual(
      table.schema.fields.map((field) => String(field.type)),
      ["Int64", "Float64", "Float64", "Utf8", "Utf8"],
    );
    // The loss it warns of: two different integers read as one float.
    assert.equal(columns(table).huge[1], columns(table).huge[3]);
    const about = (column: string) => notices.filter((n) => n.includes(`column "${column}"`));
    const wide = (column: string) => about(column).filter((n) => n.includes("64 bits"));
    assert.deepEqual(about("ok"), []);
    assert.deepEqual(about("huge"), [
      'big.csv, line 3: column "huge" has 99999999999999999999, an integer too large for 64 bits, read as a floating-point number. Floats keep about 15 significant digits: integers that differ only after those read as equal. If the column holds identifiers, declare it as text (source.columns: { "huge": text }).',
    ]);
    // Found after the sample, as it widens the column: not "which is not an integer".
    assert.equal(about("late").length, 1);
    assert.match(
      about("late")[0],
      /^big\.csv, line 4: column "late" has 18446744073709551616, an integer too large for 64 bits/,
    );
    // Read as a float before a later value made the column text: it stays rounded, so told.
    assert.equal(wide("gone").length, 1);
    assert.equal(columns(table).gone[0], "100000000000000000000");
    // Text already in the sample: every value is kept as written, and nothing is said.
    assert.deepEqual(about("exact"), []);
    assert.equal(columns(table).exact[0], "99999999999999999999");
    // The report shows the notices too (they travel in the table's field metadata).
    assert.deepEqual(
      tableNotices(table).filter((n) => n.includes("64 bits")),
      [...about("huge"), ...about("late"), ...wide("gone")],
    );

    const declared = await readCsv(bytes(text), {
      name: "big.csv",
      columns: [
        { name: "huge", type: "string", onError: "fail", where: "r.yml:4:5: source.columns.huge" },
      ],
    });
    assert.deepEqual(columns(declared).huge, [
      "1",
      "99999999999999999999",
      "2",
      "99999999999999999998",
    ]);
  });

  it("treats the default null tokens as missing, and custom ones instead when given", async () => {
    const text = "n\n1\nNA\nN/A\nnull\nNULL\nNaN\n-\n\n2\n";
    const table = await readCsv(bytes(text.replace("\n\n", '\n""\n')), { name: "t.csv" });
    assert.equal(typeOf(table, "n"), "Int32");
    assert.deepEqual(columns(table).n, [1, null, null, null, null, null, null, null, 2]);

    const custom = await readCsv(bytes("n,s\n1,missing\nmissing,NA\n3,\n"), {
      name: "t.csv",
      nullValues: ["missing"],
    });
    assert.deepEqual(columns(custom), { n: [1, null, 3], s: [null, "NA", null] });
  });

  it("makes low-cardinality strings a dictionary and distinct ones Utf8", async () => {
    const rows = Array.from({ length: 100 }, (_, k) => `${["red", "green", "blue"][k % 3]},id${k}`);
    const table = await readCsv(bytes(`color,key\n${rows.join("\n")}\n`), { name: "t.csv" });
    assert.ok(DataType.isDictionary(table.schema.fields[0].type));
    assert.equal(typeOf(table, "key"), "Utf8");
    assert.deepEqual(columns(table).color.slice(0, 4), ["red", "green", "blue", "red"]);
    assert.equal(columns(table).key[99], "id99");
  });

  it("widens a column when a later value does not fit, with a notice", async () => {
    const notices: string[] = [];
    const text = [
      "n,m,d,s,f",
      "1,1,2024-01-01,true,1.50",
      "2,2,2024-01-02,false,2",
      "3000000000,2.5,2024-01-03T10:00:00Z,maybe,abc",
      "x,3,,TRUE,",
    ].join("\n");
    const table = await readCsv(bytes(text), {
      name: "w.csv",
      sampleRows: 2,
      onNotice: (message) => notices.push(message),
    });
    assert.equal(typeOf(table, "n"), "Utf8");
    assert.equal(typeOf(table, "m"), "Float64");
    assert.equal(typeOf(table, "d"), "Timestamp<MILLISECOND, UTC>");
    assert.deepEqual(columns(table), {
      n: ["1", "2", "3000000000", "x"],
      m: [1, 2, 2.5, 3],
      d: [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3, 10), null],
      // Values read before the widening keep their canonical text.
      s: ["true", "false", "maybe", "TRUE"],
      f: ["1.5", "2", "abc", null],
    });
    assert.equal(notices.length, 5);
    assert.ok(notices.some((n) => n.includes("w.csv, line 5") && n.includes('column "n"')));
    assert.ok(notices.some((n) => n.includes("line 4") && n.includes('column "m"')));
  });

  it("starts a column that is empty in the whole sample from its first value", async () => {
    const table = await readCsv(bytes("a,b\n1,\n2,\n3,4.5\n"), { name: "t.csv", sampleRows: 1 });
    assert.equal(typeOf(table, "b"), "Float64");
    assert.deepEqual(columns(table).b, [null, null, 4.5]);
    const allNull = await readCsv(bytes("a,b\n1,\n2,NA\n"), { name: "t.csv" });
    assert.equal(typeOf(allNull, "b"), "Utf8");
    assert.deepEqual(columns(allNull).b, [null, null]);
  });
});

describe("readCsv syntax", () => {
  it("reads quoted fields with delimiters, doubled quotes and newlines", async () => {
    const table = await readCsv(input("quoted.csv"), { name: "quoted.csv" });
    assert.deepEqual(columns(table), {
      name: ["Desk Lamp, LED", '27" Monitor', "café"],
      desc: ['the "best" lamp', "line one\nline two", null],
      qty: [2, 1, 3],
    });
  });

  it("strips a UTF-8 BOM and reads CRLF line ends, keeping CRLF inside quotes", async () => {
    const table = await readCsv(input("bom-crlf.csv"), { name: "bom-crlf.csv" });
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ["a", "b"],
    );
    assert.deepEqual(columns(table), { a: [1, 2], b: ["x", "y\r\nz"] });
  });

  it("detects semicolon and tab delimiters, and takes an explicit one", async () => {
    const semicolon = await readCsv(input("semicolon.csv"), { name: "semicolon.csv" });
    assert.deepEqual(columns(semicolon), { a: [1, 3], b: ["2,5", "4,5"], c: ["x", "y"] });
    const tab = await readCsv(input("tab.tsv"), { name: "tab.tsv" });
    assert.deepEqual(columns(tab), { a: [1, 2], b: ["hello, world", "tab\there"] });
    const pipe = await readCsv(bytes("a|b,c\n1|2,3\n"), { name: "t.csv", delimiter: "|" });
    assert.deepEqual(columns(pipe), { a: [1], "b,c": ["2,3"] });
  });

  it("skips blank lines and reads a last line without a line end", async () => {
    const table = await readCsv(bytes("a,b\n1,x\n\n\r\n2,y\n3,"), { name: "t.csv" });
    assert.deepEqual(columns(table), { a: [1, 2, 3], b: ["x", "y", null] });
  });

  it("makes empty and duplicate header names unique, with a notice each", async () => {
    const notices: string[] = [];
    const table = await readCsv(bytes("a,,a, b \n1,2,3,4\n"), {
      name: "h.csv",
      onNotice: (message) => notices.push(message),
    });
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ["a", "column_2", "a_2", "b"],
    );
    assert.equal(notices.length, 2);
    assert.ok(notices.every((n) => n.startsWith("h.csv, line 1:")));
  });

  it("gives the same table whatever the chunk boundaries", async () => {
    for (const name of ["types.csv", "quoted.csv", "bom-crlf.csv", "tab.tsv"]) {
      const data = input(name);
      const expected = columns(await readCsv(data, { name }));
      for (let split = 0; split <= data.length; split++) {
        const table = await readCsv(chunked(data, [split]), { name });
        assert.deepEqual(columns(table), expected, `${name} split at ${split}`);
      }
      const ones = await readCsv(chunked(data, Array(data.length).fill(1)), { name });
      assert.deepEqual(columns(ones), expected, `${name} in 1-byte chunks`);
    }
  });
});

describe("readCsv errors", () => {
  it("rejects an empty file", async () => {
    const error = await readError(input("empty.csv"), { name: "empty.csv" });
    assert.match(error.message, /^empty\.csv is empty \(0 bytes\)/);
  });

  it("rejects a header without data rows", async () => {
    const error = await readError(input("header-only.csv"), { name: "header-only.csv" });
    assert.match(
      error.message,
      /^header-only\.csv: line 1 is a header with 3 columns, but no data rows/,
    );
  });

  it("names the line and both field counts of a ragged row", async () => {
    const error = await readError(input("ragged.csv"), { name: "ragged.csv" });
    assert.match(error.message, /^ragged\.csv, line 3: 2 fields, but the header \(line 1\) has 3/);
    const more = await readError(bytes("a,b\n1,2\n\n1,2,3\n"));
    assert.match(more.message, /^data\.csv, line 4: 3 fields, but the header \(line 1\) has 2/);
    assert.match(more.hint ?? "", /quoted/);
  });

  it("names the line where an unterminated quote starts", async () => {
    const error = await readError(input("unterminated.csv"), { name: "unterminated.csv" });
    assert.match(error.message, /^unterminated\.csv, line 2: a quoted field starts here/);
  });

  it("names the line and byte offset of invalid UTF-8", async () => {
    const error = await readError(input("latin1.csv"), { name: "latin1.csv" });
    assert.match(error.message, /^latin1\.csv, line 3: invalid UTF-8 at byte offset 14/);
    const split = await readCsv(chunked(input("latin1.csv"), [14]), { name: "latin1.csv" }).catch(
      (e: unknown) => e,
    );
    assert.ok(split instanceof ReportError);
    assert.match(split.message, /line 3: invalid UTF-8 at byte offset 14/);
    const truncated = await readError(Uint8Array.from([0x61, 0x0a, 0x62, 0x0a, 0xc3]));
    assert.match(truncated.message, /^data\.csv, line 3: invalid UTF-8 at byte offset 4/);
  });

  it("rejects text after a closing quote and a bad delimiter option", async () => {
    const after = await readError(bytes('a,b\n1,"x"y\n'));
    assert.match(after.message, /^data\.csv, line 2: unexpected text after the closing quote/);
    const delimiter = await readError(bytes("a\n1\n"), { delimiter: "::" });
    assert.match(delimiter.message, /^data\.csv: the CSV delimiter must be one ASCII character/);
  });
});

describe("readCsv with padded fields", () => {
  it("reads blank-only and blank-padded null tokens as missing, keeping the column's type", async () => {
    const text = "n,d,s\n1,2024-01-01,a\n   ,\t, NA \n3,2024-01-03,  \n";
    const table = await readCsv(new TextEncoder().encode(text), { name: "padded.csv" });
    assert.ok(DataType.isInt(table.getChild("n")!.type), String(table.getChild("n")!.type));
    assert.ok(DataType.isDate(table.getChild("d")!.type), String(table.getChild("d")!.type));
    assert.deepEqual(table.getChild("n")!.toArray().length, 3);
    assert.equal(table.getChild("n")!.get(1), null);
    assert.equal(table.getChild("d")!.get(1), null);
    assert.equal(table.getChild("s")!.get(1), null);
    assert.equal(table.getChild("s")!.get(2), null);
    assert.equal(table.getChild("s")!.get(0), "a");
  });
});

describe("readCsv with CR-only line ends", () => {
  it("stops with a message that names the file and says how to convert it", async () => {
    await assert.rejects(
      readCsv(new TextEncoder().encode("a,b\r1,2\r3,4\r"), { name: "mac.csv" }),
      (error: unknown) =>
        error instanceof ReportError &&
        /mac\.csv ends its lines with CR only/.test(error.message) &&
        /tr '\\r' '\\n'/.test(error.hint ?? ""),
    );
  });
});

/** A deterministic file with every kind of record-boundary trouble, one row per id. */
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
    // Integers at first, a decimal late in the file: the column widens long after the sample.
    const amount = i === rows - 3 ? "2.5" : String(i * 3);
    const flag = i % 3 === 0 ? "" : i % 2 === 0 ? "true" : "false";
    const note = i % 9 === 0 ? '"a,b\r\nc"' : i % 4 === 0 ? "NA" : `n${i % 3}`;
    // Empty through the sample, then integers.
    const late = i > rows / 2 ? String(i) : "";
    lines.push(`${i},${name},${amount},${flag},${note},${late}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The bytes in pieces of 1, 7, 300, 33 and 1024 bytes, in turn. */
async function* unevenPieces(data: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0, k = 0; at < data.length; k++) {
    const size = [1, 7, 300, 33, 1024][k % 5];
    yield data.slice(at, at + size);
    at += size;
  }
}

describe("readCsv on long awkward input", () => {
  it("reads quoted line breaks, doubled quotes and late widenings the same in any pieces", async () => {
    const data = bytes(awkwardCsv(3000));
    const wholeNotices: string[] = [];
    const pieceNotices: string[] = [];
    const whole = await readCsv(data, {
      name: "a.csv",
      sampleRows: 20,
      onNotice: (m) => wholeNotices.push(m),
    });
    const pieces = await readCsv(unevenPieces(data), {
      name: "a.csv",
      sampleRows: 20,
      onNotice: (m) => pieceNotices.push(m),
    });
    assert.equal(pieces.numRows, 3000);
    assert.deepEqual(columns(pieces), columns(whole));
    assert.deepEqual(pieceNotices, wholeNotices);
    // Independent checks of the awkward values.
    const values = columns(pieces);
    assert.equal(values.name[6], "multi\nline 7");
    assert.equal(values.name[4], 'say "hi", 5');
    assert.equal(values.name[10], `5'11" tall 11`);
    assert.equal(values.note[8], "a,b\r\nc");
    assert.equal(typeOf(pieces, "amount"), "Float64");
    assert.equal(values.amount[2996], 2.5);
    assert.equal(values.late[2999], 3000);
    assert.ok(pieceNotices.some((m) => /"amount" has "2\.5"/.test(m)));
  });

  it("names the physical line of a ragged row late in the file", async () => {
    const lines = ["a,b,c"];
    for (let i = 1; i <= 5000; i++) lines.push(i % 500 === 0 ? `"x\ny",2,3` : `${i},2,3`);
    lines[4321] = "1,2";
    const text = `${lines.join("\n")}\n`;
    // Physical line: count line ends before the ragged row, independently of the reader.
    const at = text.indexOf("\n1,2\n") + 1;
    let line = 1;
    for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    const error = await readError(bytes(text));
    assert.match(
      error.message,
      new RegExp(`^data\\.csv, line ${line}: 2 fields, but the header \\(line 1\\) has 3`),
    );
  });

  it("names the line of an unterminated quote and of invalid UTF-8 late in a stream", async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${i},x`);
    const quote = bytes(`a,b\n${rows.join("\n")}\n7,"open\nstill open\n`);
    const quoteError = await readCsv(unevenPieces(quote), { name: "data.csv" }).catch((e) => e);
    assert.ok(quoteError instanceof ReportError);
    assert.match(quoteError.message, /line 402: a quoted field starts here/);

    const head = bytes(`a,b\n${rows.join("\n")}\n9,`);
    const broken = new Uint8Array(head.length + 3);
    broken.set(head);
    broken.set([0xff, 0x0a, 0x31], head.length);
    const utf8Error = await readCsv(unevenPieces(broken), { name: "data.csv" }).catch((e) => e);
    assert.ok(utf8Error instanceof ReportError);
    assert.equal(
      utf8Error.message,
      `data.csv, line 402: invalid UTF-8 at byte offset ${head.length}; the file must be UTF-8 text.`,
    );
  });
});
