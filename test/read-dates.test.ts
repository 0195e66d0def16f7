// Non-ISO dates and declared column types (issue 10, item 3). Values are written here from
// known parts (seeded random dates) and the expected instants come from Date.UTC of those
// parts; DuckDB's strptime reads the same texts as a second, independent parser. Covered:
// the strptime directives on their own, automatic recognition in CSV and JSON (one
// column per common form), an ambiguous day/month file, a file whose 13+ decides the
// order, declared types and formats with a bad value (error, or missing with on_error:
// null), unknown declared names, declared types over an Arrow file, and the definition's
// own checks of `source.columns`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Table, tableFromArrays, tableToIPC } from "apache-arrow";
import { parseReportSpec } from "../src/config/load.ts";
import type { ColumnDeclaration } from "../src/config/spec.ts";
import { ReportError } from "../src/errors.ts";
import { tableNotices } from "../src/read/columns/read-notices.ts";
import { readTable } from "../src/read/index.ts";
import type { DataSource } from "../src/source/data-source.ts";
import { compileFormat, parseDateWith, parseTimestampWith } from "../src/strptime.ts";
import { column, defaultLimits, memorySource, recordingLog } from "./read-helpers.ts";

const DAY = 86_400_000;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

interface Parts {
  y: number;
  m: number;
  d: number;
  H: number;
  M: number;
  S: number;
  /** UTC offset in minutes, for forms with a zone. */
  zone: number;
}

/** A deterministic generator (mulberry32), so a failure names the same values every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` dates and times; the first has day 13+ so day/month orders are told apart. */
function sampleParts(count: number, seed: number): Parts[] {
  const next = random(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return Array.from({ length: count }, (_, k) => {
    const y = pick(1971, 2060);
    const m = pick(1, 12);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const d = k === 0 ? pick(13, last) : pick(1, last);
    const zone = (pick(-12, 14) * 60) | 0;
    return { y, m, d, H: pick(0, 23), M: pick(0, 59), S: pick(0, 59), zone };
  });
}

const utcDays = (p: Parts) => Date.UTC(p.y, p.m - 1, p.d) / DAY;
const utcMs = (p: Parts) => Date.UTC(p.y, p.m - 1, p.d, p.H, p.M, p.S) - p.zone * 60_000;
const h12 = (p: Parts) => `${p.H % 12 === 0 ? 12 : p.H % 12}:${pad(p.M)} ${p.H < 12 ? "AM" : "PM"}`;
const weekday = (p: Parts) => WEEKDAYS[new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay()];
const zoneText = (minutes: number) =>
  `${minutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;

/** A common way of writing dates: how to write one, and the strptime format that reads it. */
interface Form {
  name: string;
  format: string;
  /** The same format in DuckDB's dialect, where it differs (DuckDB's %b is abbreviations only). */
  duckdb?: string;
  kind: "date" | "timestamp";
  write: (p: Parts) => string;
  /** Not recognized unless declared (`20240102` is an integer to type inference). */
  declaredOnly?: boolean;
}

const FORMS: Form[] = [
  {
    name: "Jan 1 2000",
    format: "%b %d %Y",
    kind: "date",
    write: (p) => `${MONTHS[p.m - 1].slice(0, 3)} ${p.d} ${p.y}`,
  },
  {
    name: "January 1, 2000",
    format: "%b %d, %Y",
    duckdb: "%B %d, %Y",
    kind: "date",
    write: (p) => `${MONTHS[p.m - 1]} ${p.d}, ${p.y}`,
  },
  {
    name: "1 Jan 2000",
    format: "%d %b %Y",
    kind: "date",
    write: (p) => `${p.d} ${MONTHS[p.m - 1].slice(0, 3)} ${p.y}`,
  },
  {
    name: "01/02/2024 (month first)",
    format: "%m/%d/%Y",
    kind: "date",
    write: (p) => `${pad(p.m)}/${pad(p.d)}/${p.y}`,
  },
  {
    name: "02/01/2024 (day first)",
    format: "%d/%m/%Y",
    kind: "date",
    write: (p) => `${pad(p.d)}/${pad(p.m)}/${p.y}`,
  },
  {
    name: "2024/01/02",
    format: "%Y/%m/%d",
    kind: "date",
    write: (p) => `${p.y}/${pad(p.m)}/${pad(p.d)}`,
  },
  {
    name: "02.01.2024",
    format: "%d.%m.%Y",
    kind: "date",
    write: (p) => `${pad(p.d)}.${pad(p.m)}.${p.y}`,
  },
  {
    name: "20240102",
    format: "%Y%m%d",
    kind: "date",
    write: (p) => `${p.y}${pad(p.m)}${pad(p.d)}`,
    declaredOnly: true,
  },
  {
    name: "2024-01-02 1:45",
    format: "%Y-%m-%d %H:%M",
    kind: "timestamp",
    write: (p) => `${p.y}-${pad(p.m)}-${pad(p.d)} ${p.H}:${pad(p.M)}`,
  },
  {
    name: "01/02/2024 1:45 PM",
    format: "%m/%d/%Y %I:%M %p",
    kind: "timestamp",
    write: (p) => `${pad(p.m)}/${pad(p.d)}/${p.y} ${h12(p)}`,
  },
  {
    name: "Mon, 01 Jan 2024 13:45:00 +0100 (RFC 2822)",
    format: "%a, %d %b %Y %H:%M:%S %z",
    kind: "timestamp",
    write: (p) =>
      `${weekday(p)}, ${pad(p.d)} ${MONTHS[p.m - 1].slice(0, 3)} ${p.y} ${pad(p.H)}:${pad(p.M)}:${pad(p.S)} ${zoneText(p.zone)}`,
  },
];

/** The expected value of a form's text: days for dates, ms for timestamps (minutes dropped). */
function expectedValue(form: Form, p: Parts): number {
  if (form.kind === "date") return utcDays(p);
  const seconds = form.format.includes("%S") ? p.S : 0;
  const zone = form.format.includes("%z") ? p.zone : 0;
  return utcMs({ ...p, S: seconds, zone });
}

/** What the Arrow accessor gives: ms since the epoch for both dates and timestamps. */
function expectedMs(form: Form, p: Parts): number {
  return form.kind === "date" ? utcDays(p) * DAY : expectedValue(form, p);
}

const bytes = (text: string) => new TextEncoder().encode(text);

async function read(
  name: string,
  text: string,
  columns?: ColumnDeclaration[],
): Promise<{ table: Table; warnings: string[] }> {
  const log = recordingLog();
  const table = await readTable(memorySource(name, text, { chunkSize: 97 }), {
    csv: {},
    limits: defaultLimits,
    log,
    columns,
  });
  return { table, warnings: log.warnings };
}

/** The error a read raises (it must raise a ReportError). */
async function readError(
  name: string,
  text: string,
  columns?: ColumnDeclaration[],
): Promise<ReportError> {
  try {
    await read(name, text, columns);
  } catch (error) {
    assert.ok(error instanceof ReportError, String(error));
    return error;
  }
  assert.fail("expected a ReportError");
}

function declare(
  name: string,
  type: ColumnDeclaration["type"],
  extra: Partial<ColumnDeclaration> = {},
): ColumnDeclaration {
  return { name, type, onError: "fail", where: `r.yml:9:5: source.columns.${name}`, ...extra };
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

describe("strptime formats", () => {
  // One DuckDB for the comparisons below.
  let duck: DuckDBConnection;
  before(async () => {
    duck = await (await DuckDBInstance.create(":memory:")).connect();
  });
  after(() => duck.closeSync());

  test("each common form reads as Date.UTC of its parts, and as DuckDB's strptime reads it", async () => {
    const parts = sampleParts(40, 7);
    for (const form of FORMS) {
      const format = compileFormat(form.format);
      const texts = parts.map(form.write);
      const ours = texts.map((text) => {
        const b = bytes(text);
        return form.kind === "date"
          ? parseDateWith(format, b, 0, b.length)
          : parseTimestampWith(format, b, 0, b.length);
      });
      assert.deepEqual(
        ours,
        parts.map((p) => expectedValue(form, p)),
        `${form.name}: ${texts.slice(0, 3).join(" | ")}`,
      );
      const rows = texts.map((text) => `('${text}')`).join(", ");
      const result = await duck.runAndReadAll(
        `SELECT epoch_ms(strptime(t, '${form.duckdb ?? form.format}')) AS ms FROM (VALUES ${rows}) v(t)`,
      );
      const theirs = result.getRowObjects().map((row) => Number(row.ms));
      assert.deepEqual(
        ours.map((value) => (form.kind === "date" ? value * DAY : value)),
        theirs,
        `${form.name} against DuckDB`,
      );
    }
  });

  test("12-hour clock, day of year, fractions, two-digit years and zones, as DuckDB reads them", async () => {
    const cases: [string, string][] = [
      ["12/31/1999 12:00 AM", "%m/%d/%Y %I:%M %p"],
      ["12/31/1999 12:59 pm", "%m/%d/%Y %I:%M %p"],
      ["2024 060", "%Y %j"],
      ["2023 365", "%Y %j"],
      ["2024-02-29 23:59:59.987654", "%Y-%m-%d %H:%M:%S.%f"],
      ["01/02/68", "%m/%d/%y"],
      ["01/02/69", "%m/%d/%y"],
      ["2024-06-01T08:00:00-0530", "%Y-%m-%dT%H:%M:%S%z"],
      ["2024-06-01 08:00 +05:45", "%Y-%m-%d %H:%M %z"],
      ["Saturday, June 1, 2024", "%A, %B %d, %Y"],
      ["100% 2024-06-01", "100%% %Y-%m-%d"],
    ];
    for (const [text, written] of cases) {
      const format = compileFormat(written);
      const b = bytes(text);
      const ours = parseTimestampWith(format, b, 0, b.length);
      const result = await duck.runAndReadAll(
        `SELECT epoch_ms(strptime('${text}', '${written}')) AS ms`,
      );
      assert.equal(ours, Number(result.getRowObjects()[0].ms), `${text} as ${written}`);
    }
  });

  test("values that do not exist or do not fit read as NaN", () => {
    const cases: [string, string][] = [
      ["02/30/2024", "%m/%d/%Y"], // no 30 February
      ["02/29/2023", "%m/%d/%Y"], // not a leap year
      ["13/01/2024", "%m/%d/%Y"],
      ["Jan 1 2000 extra", "%b %d %Y"],
      ["Janu 1 2000", "%b %d %Y"],
      ["2023 366", "%Y %j"],
      ["01/02/2024 1:45 XM", "%m/%d/%Y %I:%M %p"],
      ["24/01/2024 25:00", "%d/%m/%Y %H:%M"],
      ["01/02/2024 13:45 PM", "%m/%d/%Y %I:%M %p"],
      ["2024-01-02 10:00 +2400", "%Y-%m-%d %H:%M %z"],
    ];
    for (const [text, written] of cases) {
      const format = compileFormat(written);
      const b = bytes(text);
      assert.ok(Number.isNaN(parseTimestampWith(format, b, 0, b.length)), `${text} as ${written}`);
    }
  });

  test("formats that cannot work are refused with the reason", () => {
    const refused: [string, RegExp][] = [
      ["%d/%m", /no year/],
      ["%Y-%m", /needs a month .* and a day/],
      ["%Y-%m-%d %Q", /%Q is not a known directive/],
      ["%Y-%m-%d %", /lone %/],
      ["%Y-%m-%d %H:%M %p", /%p needs a 12-hour %I/],
      ["%Y %Y-%m-%d", /repeats/],
    ];
    for (const [text, reason] of refused) {
      assert.throws(() => compileFormat(text), reason, text);
    }
  });
});

describe("recognition of non-ISO dates", () => {
  test("CSV: a column per common form becomes dates or timestamps, each with a notice naming its format", async () => {
    const parts = sampleParts(30, 11);
    const header = FORMS.map((_, k) => `c${k}`).join(",");
    const lines = parts.map((p) => FORMS.map((form) => csvCell(form.write(p))).join(","));
    const text = `${header}\n${lines.join("\n")}\n`;
    const declared = FORMS.flatMap((form, k) =>
      form.declaredOnly ? [declare(`c${k}`, form.kind, { format: form.format })] : [],
    );
    const { table, warnings } = await read("forms.csv", text, declared);
    FORMS.forEach((form, k) => {
      const name = `c${k}`;
      const type = String(table.schema.fields[k].type);
      assert.match(type, form.kind === "date" ? /^Date/ : /^Timestamp/, `${form.name}: ${type}`);
      assert.deepEqual(
        column(table, name),
        parts.map((p) => expectedMs(form, p)),
        form.name,
      );
      if (form.declaredOnly) return;
      const notice = warnings.find((w) => w.includes(`column "${name}"`));
      assert.ok(notice?.includes(`in the form ${form.format}`), `${form.name}: ${notice}`);
    });
    // The first row has a day of 13 or more: the day-first column says so, naming line 2.
    const dayFirst = FORMS.findIndex((form) => form.format === "%d/%m/%Y");
    assert.match(
      warnings.find((w) => w.includes(`column "c${dayFirst}"`)) ?? "",
      /day first, because "\d\d\/\d\d\/\d{4}" on line 2 does not fit %m\/%d\/%Y \(month first\)/,
    );
    // The notices travel with the table, for the report.
    assert.equal(tableNotices(table).length, FORMS.filter((f) => !f.declaredOnly).length);
  });

  test("an ambiguous day/month column stays text, with a notice asking for the format", async () => {
    const text = "when,amount\n01/02/2024,1\n03/04/2024,2\n12/11/2024,3\n,4\n";
    const { table, warnings } = await read("ambiguous.csv", text);
    assert.match(String(table.schema.fields[0].type), /Utf8/);
    assert.deepEqual(column(table, "when"), ["01/02/2024", "03/04/2024", "12/11/2024", null]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ambiguous\.csv: column "when" is read as text/);
    assert.match(warnings[0], /both %m\/%d\/%Y \(month first\) and %d\/%m\/%Y \(day first\)/);
    assert.match(warnings[0], /format: "%d\/%m\/%Y"/);
    assert.deepEqual(tableNotices(table), warnings);
  });

  test("a month-first value late in the sample decides the order, naming its line", async () => {
    const rows = ["01/02/2024", "03/04/2024", "05/06/2024", "07/25/2024"];
    const { table, warnings } = await read("late.csv", `d\n${rows.join("\n")}\n`);
    assert.deepEqual(
      column(table, "d"),
      [
        [2024, 1, 2],
        [2024, 3, 4],
        [2024, 5, 6],
        [2024, 7, 25],
      ].map(([y, m, d]) => Date.UTC(y, m - 1, d)),
    );
    assert.match(
      warnings[0],
      /month first, because "07\/25\/2024" on line 5 does not fit %d\/%m\/%Y/,
    );
  });

  test("mixed forms and plain text stay text without a notice", async () => {
    const text = "a,b\nJan 1 2000,apple\n01/02/2024,pear 12\n";
    const { table, warnings } = await read("mixed.csv", text);
    assert.deepEqual(column(table, "a"), ["Jan 1 2000", "01/02/2024"]);
    assert.deepEqual(column(table, "b"), ["apple", "pear 12"]);
    assert.deepEqual(warnings, []);
  });

  test("CSV: a later value the recognized format does not read turns the column to text", async () => {
    // One sampled row chooses the format; "soon" arrives after it.
    const text = "d\n13/01/2024\n14/01/2024\nsoon\n";
    const small = await readTableWithSample("later.csv", text, 1);
    assert.deepEqual(column(small.table, "d"), ["2024-01-13", "2024-01-14", "soon"]);
    assert.match(
      small.warnings.at(-1) ?? "",
      /line 4: column "d" has "soon", which is not a date in the form %d\/%m\/%Y; the column is read as text/,
    );
  });

  test("JSON: recognized forms, an ambiguous column, and a column with a number stay apart", async () => {
    const parts = sampleParts(12, 5);
    const rfc = FORMS.find((form) => form.format.startsWith("%a"))!;
    const us = FORMS.find((form) => form.format === "%m/%d/%Y %I:%M %p")!;
    const records = parts.map((p, k) =>
      JSON.stringify({
        rfc: rfc.write(p),
        us: us.write(p),
        ambiguous: `${pad((k % 12) + 1)}/01/2024`,
        mixed: k === 3 ? 7 : `${pad(p.d)} ${MONTHS[p.m - 1]} ${p.y}`,
      }),
    );
    const { table, warnings } = await read("events.ndjson", `${records.join("\n")}\n`);
    assert.deepEqual(
      column(table, "rfc"),
      parts.map((p) => expectedMs(rfc, p)),
    );
    assert.deepEqual(
      column(table, "us"),
      parts.map((p) => expectedMs(us, p)),
    );
    assert.match(String(table.schema.fields[2].type), /Utf8/);
    assert.match(String(table.schema.fields[3].type), /Utf8/);
    assert.ok(
      warnings.some((w) =>
        /column "rfc" is read as timestamps in the form %a, %d %b %Y %H:%M:%S %z/.test(w),
      ),
    );
    assert.ok(
      warnings.some((w) => /column "ambiguous" is read as text: every value fits both/.test(w)),
    );
    assert.ok(!warnings.some((w) => w.includes('"mixed"')));
  });
});

/** A CSV read that samples only `rows` rows to choose column types. */
async function readTableWithSample(name: string, text: string, rows: number) {
  const { readCsv } = await import("../src/read/csv/read-csv.ts");
  const warnings: string[] = [];
  const table = await readCsv(bytes(text), {
    name,
    sampleRows: rows,
    onNotice: (message) => warnings.push(message),
  });
  return { table, warnings };
}

describe("declared column types", () => {
  const when = declare("when", "timestamp", { format: "%d/%m/%Y %H:%M" });

  test("CSV: declared types and formats parse every value", async () => {
    const text = [
      "date,id,amount,when,flag",
      "Mar 05 2001,007,1.5,13/01/2024 09:30,yes",
      "Dec 31 1999,12,2,01/02/2024 23:05,NO",
      ",0042,007,,1",
    ].join("\n");
    const { table, warnings } = await read("typed.csv", `${text}\n`, [
      declare("date", "date", { format: "%b %d %Y" }),
      declare("id", "string"),
      declare("amount", "float"),
      when,
      declare("flag", "boolean"),
    ]);
    assert.deepEqual(column(table, "date"), [Date.UTC(2001, 2, 5), Date.UTC(1999, 11, 31), null]);
    assert.deepEqual(column(table, "id"), ["007", "12", "0042"]);
    assert.deepEqual(column(table, "amount"), [1.5, 2, 7]);
    assert.deepEqual(column(table, "when"), [
      Date.UTC(2024, 0, 13, 9, 30),
      Date.UTC(2024, 1, 1, 23, 5),
      null,
    ]);
    assert.deepEqual(column(table, "flag"), [true, false, true]);
    assert.deepEqual(warnings, []);
  });

  test("CSV: a value the declared format does not read names the file, line, column and value", async () => {
    const text = "id,when\n1,13/01/2024 09:30\n2,2024-01-14 10:00\n";
    const error = await readError("typed.csv", text, [when]);
    assert.equal(
      error.message,
      'typed.csv, line 3: column "when" has "2024-01-14 10:00", which is not a timestamp in the form %d/%m/%Y %H:%M (declared at r.yml:9:5: source.columns.when).',
    );
    assert.match(error.hint ?? "", /on_error: null/);
    // A value that a recognized form reads gets that form as the hint.
    const other = await readError("typed.csv", "when\nJan 5 2024\n", [declare("when", "date")]);
    assert.match(other.message, /"Jan 5 2024", which is not an ISO date \(YYYY-MM-DD\)/);
    assert.match(other.hint ?? "", /set format: "%b %d %Y"/);
  });

  test("CSV and JSON: on_error: null reads bad values as missing and counts them in a notice", async () => {
    const lenient = { ...when, onError: "null" as const };
    const csv = await read("typed.csv", "when\n13/01/2024 09:30\nlater\nNA\nnever\n", [lenient]);
    assert.deepEqual(column(csv.table, "when"), [Date.UTC(2024, 0, 13, 9, 30), null, null, null]);
    assert.deepEqual(csv.warnings, [
      'typed.csv: column "when": 2 values that are not a timestamp in the form %d/%m/%Y %H:%M read as missing (on_error: null); the first is "later" (line 3).',
    ]);
    assert.deepEqual(tableNotices(csv.table), csv.warnings);
    const json = await read(
      "typed.json",
      '[{"when": "13/01/2024 09:30"},\n{"when": "later"},\n{"when": 5}]',
      [lenient],
    );
    assert.deepEqual(column(json.table, "when"), [Date.UTC(2024, 0, 13, 9, 30), null, null]);
    assert.match(json.warnings[0], /2 values .* the first is "later" \(line 2\)/);
  });

  test("JSON: declared types, and a bad value's line", async () => {
    const records = [
      { date: "05/03/2001", id: 7, amount: "1.25", n: 3 },
      { date: "31/12/1999", id: 12, amount: 2, n: 3_000_000_000 },
    ];
    const text = records.map((r) => JSON.stringify(r)).join("\n");
    const { table } = await read("typed.ndjson", text, [
      declare("date", "date", { format: "%d/%m/%Y" }),
      declare("id", "string"),
      declare("amount", "float"),
      declare("n", "integer"),
    ]);
    assert.deepEqual(column(table, "date"), [Date.UTC(2001, 2, 5), Date.UTC(1999, 11, 31)]);
    assert.deepEqual(column(table, "id"), ["7", "12"]);
    assert.deepEqual(column(table, "amount"), [1.25, 2]);
    assert.deepEqual(column(table, "n"), [3n, 3_000_000_000n]);
    const error = await readError("typed.ndjson", `${text}\n{"date": "31/02/2000"}\n`, [
      declare("date", "date", { format: "%d/%m/%Y" }),
    ]);
    assert.match(
      error.message,
      /^typed\.ndjson, line 3: column "date" has "31\/02\/2000", which is not a date in the form %d\/%m\/%Y/,
    );
  });

  test("a declared column the file lacks is an error with the nearest name", async () => {
    const csv = await readError("orders.csv", "order_date,amount\n2024-01-01,1\n", [
      declare("order_dat", "date"),
    ]);
    assert.match(
      csv.message,
      /^r\.yml:9:5: source\.columns\.order_dat: orders\.csv has no column 'order_dat'; did you mean 'order_date'\? Its columns: 'order_date', 'amount'\./,
    );
    const json = await readError("orders.json", '[{"order_date": "2024-01-01"}]', [
      declare("Order_date", "date"),
    ]);
    assert.match(json.message, /did you mean 'order_date'\?/);
  });

  test("Arrow: text is parsed, integers become numbers, a number declared as a date is refused", async () => {
    const arrow = tableFromArrays({
      when: ["13/01/2024", "01/02/2024", null],
      units: Int32Array.from([1, 2, 3]),
      code: Int32Array.from([20240113, 20240201, 20240302]),
    });
    const file = tableToIPC(arrow, "file");
    const log = recordingLog();
    const table = await readTable(memorySource("typed.arrow", file), {
      csv: {},
      limits: defaultLimits,
      log,
      columns: [
        declare("when", "date", { format: "%d/%m/%Y" }),
        declare("units", "float"),
        declare("code", "string"),
      ],
    });
    assert.deepEqual(column(table, "when"), [Date.UTC(2024, 0, 13), Date.UTC(2024, 1, 1), null]);
    assert.match(String(table.schema.fields[1].type), /Float64/);
    assert.deepEqual(column(table, "units"), [1, 2, 3]);
    assert.deepEqual(column(table, "code"), ["20240113", "20240201", "20240302"]);
    await assert.rejects(
      readTable(memorySource("typed.arrow", file), {
        csv: {},
        limits: defaultLimits,
        log,
        columns: [declare("units", "date")],
      }),
      (error: unknown) =>
        error instanceof ReportError &&
        /source\.columns\.units: column "units" is integer in typed\.arrow \(Int32\), which cannot be read as date/.test(
          error.message,
        ),
    );
  });
});

describe("declared types across a dataset", () => {
  const part = (key: string, text: string): DataSource => ({
    ...memorySource(`s3://bucket/days/${key}`, text),
    name: `days/${key}`,
  });
  const dataset = (): DataSource => ({
    label: "s3://bucket/days/",
    name: "days/",
    // One file's days are all 12 or less (ambiguous: text); the other's decide (dates).
    parts: [part("a.csv", "day,n\n01/02/2024,1\n"), part("b.csv", "day,n\n13/02/2024,2\n")],
    body: () => {
      throw new Error("not read");
    },
  });
  const options = (columns?: ColumnDeclaration[]) => ({
    csv: {},
    limits: defaultLimits,
    log: recordingLog(),
    columns,
  });

  test("files read differently are an error whose hint is a declaration; declared, they agree", async () => {
    await assert.rejects(readTable(dataset(), options()), (error: unknown) => {
      assert.ok(error instanceof ReportError);
      assert.match(
        error.message,
        /Column "day" is text .* but date .*; the files of a dataset must agree/,
      );
      assert.match(error.hint ?? "", /Declare its type under source\.columns/);
      return true;
    });
    const table = await readTable(
      dataset(),
      options([declare("day", "date", { format: "%d/%m/%Y" })]),
    );
    assert.deepEqual(column(table, "day"), [Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 13)]);
    // A name no file has is an error once the whole dataset is read, not per file.
    await assert.rejects(
      readTable(dataset(), options([declare("days", "date")])),
      /source\.columns\.days: s3:\/\/bucket\/days\/ has no column 'days'; did you mean 'day'\?/,
    );
  });
});

describe("source.columns in the definition", () => {
  const definition = (columns: string) =>
    `title: t\nsource:\n  file: data.csv\n  columns:\n${columns}\nsections:\n  - profile: all\n`;
  const load = (columns: string) => parseReportSpec(definition(columns), "r.yml", {});
  const failure = (columns: string): ReportError => {
    try {
      load(columns);
    } catch (error) {
      assert.ok(error instanceof ReportError);
      return error;
    }
    assert.fail("expected a ReportError");
  };

  test("types, formats, aliases and on_error read into the spec, located", () => {
    const spec = load(
      [
        '    date: { type: date, format: "%b %d %Y" }',
        "    id: { type: text }",
        "    amount: number",
        "    when: { type: timestamp, format: '%d/%m/%Y %H:%M', on_error: null }",
      ].join("\n"),
    );
    assert.deepEqual(spec.source.columns, [
      {
        name: "date",
        type: "date",
        format: "%b %d %Y",
        onError: "fail",
        where: "r.yml:5:5: source.columns.date",
      },
      { name: "id", type: "string", onError: "fail", where: "r.yml:6:5: source.columns.id" },
      { name: "amount", type: "float", onError: "fail", where: "r.yml:7:5: source.columns.amount" },
      {
        name: "when",
        type: "timestamp",
        format: "%d/%m/%Y %H:%M",
        onError: "null",
        where: "r.yml:8:5: source.columns.when",
      },
    ]);
  });

  test("mistakes are located errors with a hint", () => {
    const typo = failure("    date: { type: dat }");
    assert.match(
      typo.message,
      /^r\.yml:5:19: source\.columns\.date\.type: 'dat' is not a column type; did you mean 'date'\?/,
    );
    const directive = failure('    date: { type: date, format: "%d/%q/%Y" }');
    assert.match(
      directive.message,
      /^r\.yml:5:33: source\.columns\.date\.format: '%d\/%q\/%Y' is not a usable date format: %q is not a known directive/,
    );
    assert.match(directive.hint ?? "", /%Y %y %m %d %e %b %B %a %A %H %I %M %S %f %p %z %j %%/);
    const numberFormat = failure('    n: { type: integer, format: "%Y" }');
    assert.match(
      numberFormat.message,
      /source\.columns\.n\.format: a format applies to date and timestamp columns, not integer/,
    );
    const action = failure("    n: { type: integer, on_error: skip }");
    assert.match(
      action.message,
      /source\.columns\.n\.on_error: expected null or fail, found 'skip'/,
    );
    const both = failure("    a: { type: dat }\n    b: { type: date, format: '%d/%m' }");
    assert.match(both.message, /2 problems/);
    assert.match(
      both.message,
      /source\.columns\.a\.type: 'dat'[\s\S]*source\.columns\.b\.format: .*no year/,
    );
    const missing = failure("    n: { format: '%Y-%m-%d' }");
    assert.match(missing.message, /source\.columns\.n\.type: required field is missing/);
  });
});
