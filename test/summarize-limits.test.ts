// The summarize side of the input limits, on Arrow tables built here: a query stops once its
// groups pass max_groups (with the query located in the definition), and every text value
// from the data is cut to max_text_chars code points. Expected cuts come from the string
// iterator (which walks code points), not from the code under test.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Int32, Table, Utf8, vectorFromArray } from "apache-arrow";
import { parseReportSpec } from "../src/config/load.ts";
import { ReportError } from "../src/errors.ts";
import { cutText } from "../src/summarize/cut-text.ts";
import { summarize } from "../src/summarize/index.ts";
import type { Summary } from "../src/summarize/summary.ts";
import { jsonPieces } from "../src/summarize/summary-json.ts";

/** A definition over the table below, with `extra` YAML appended (queries, limits). */
function spec(extra: string) {
  return parseReportSpec(`title: t\nsource: data.csv\n${extra}`, "r.yml", {});
}

/** 5,000 rows: a distinct id, and two keys of 50 values each whose pairs are all distinct. */
function gridTable(): Table {
  const n = 5000;
  const ids = Array.from({ length: n }, (_, i) => i);
  return new Table({
    id: vectorFromArray(ids, new Int32()),
    a: vectorFromArray(
      ids.map((i) => `a${i % 50}`),
      new Utf8(),
    ),
    b: vectorFromArray(
      ids.map((i) => `b${Math.floor(i / 50) % 50}`),
      new Utf8(),
    ),
  });
}

/** The line of `needle` in `text`, 1-based. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split("\n").length;
}

describe("max_groups", () => {
  const queries = `queries:
  by_id:
    group_by: [id]
    measures: { n: count() }
  by_pair:
    group_by: [a, b]
    measures: { n: count() }
`;
  const text = `title: t\nsource: data.csv\n${queries}`;

  it("stops a query on one key with more distinct values than the limit, naming it and its line", () => {
    const definition = spec(`${queries}limits: { max_groups: 1000 }\nsections: [profile: all]\n`);
    assert.throws(
      () => summarize(gridTable(), definition),
      (error: unknown) => {
        assert.ok(error instanceof ReportError, String(error));
        assert.equal(
          error.message,
          `r.yml:${lineOf(text, "by_id:") + 1}:5: queries.by_id: more than 1,000 groups in one query's result (limit max_groups)`,
        );
        assert.match(error.hint ?? "", /limits: \{ max_groups: 4000 \}/);
        return true;
      },
    );
  });

  it("stops a query whose key combinations pass the limit though each key is small", () => {
    // by_id alone fits; by_pair has 50 × 50 = 2,500 groups from keys of 50 values each.
    const definition = spec(`${queries}limits: { max_groups: 2499 }\nsections: [profile: all]\n`);
    const small = new Table({
      id: vectorFromArray(
        Array.from({ length: 5000 }, (_, i) => i % 7),
        new Int32(),
      ),
      a: gridTable().getChild("a")!,
      b: gridTable().getChild("b")!,
    });
    assert.throws(
      () => summarize(small, definition),
      (error: unknown) =>
        error instanceof ReportError &&
        /^r\.yml:\d+:\d+: queries\.by_pair: more than 2,499 groups/.test(error.message),
    );
  });

  it("lets a query with exactly max_groups groups through, whole", () => {
    const definition = spec(`${queries}limits: { max_groups: 5000 }\nsections: [profile: all]\n`);
    const summary = summarize(gridTable(), definition);
    assert.equal(summary.queries.by_id.rows.length, 5000);
    assert.equal(summary.queries.by_pair.rows.length, 2500);
  });
});

/** Every string in a JSON value, with the path it sits at. */
function strings(value: unknown, path = "$", out: [string, string][] = []): [string, string][] {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      strings(v, `${path}[${i}]`, out);
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push([`${path}.<key>`, k]);
      strings(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** The cut the brief asks for, by the string iterator: `max - 1` code points and "…". */
function expectedCut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join("")}…`;
}

describe("max_text_chars", () => {
  // An astral character (a surrogate pair) sits where a cut counted in UTF-16 units would
  // split it: 10 ASCII letters, then 🙂 as code point 11.
  const pair = `abcdefghij🙂${"é".repeat(5000)}`;
  const longName = `column_${"n".repeat(3000)}`;
  const table = new Table({
    t: vectorFromArray([pair, pair, "short", `${"z".repeat(40)}🙂🙂`], new Utf8()),
    [longName]: vectorFromArray(["x", "x", "y", "x"], new Utf8()),
    k: vectorFromArray([1, 2, 3, 4], new Int32()),
  });
  const definition = (max: number) =>
    spec(`queries:
  by_text:
    group_by: [t]
    measures: { n: count(), lowest: min(t), highest: max(t) }
limits: { max_text_chars: ${max} }
sections:
  - kpis: [{ label: First, value: "min(t)" }]
  - profile: all
`);

  for (const max of [1, 12, 50]) {
    it(`cuts every string from the data to ${max} code points, never splitting a pair`, () => {
      const summary: Summary = summarize(table, definition(max));
      for (const [path, text] of strings(summary)) {
        // Field names and kinds ("high_cardinality") are short; alert messages quote a name
        // and a value, each cut. The data's own texts run to thousands of characters.
        const bound = path.endsWith(".message") ? 2 * max + 200 : Math.max(max, 40);
        assert.ok([...text].length <= bound, `${path}: ${text.length} characters`);
        assert.doesNotMatch(text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, `${path}: lone surrogate`);
      }
      assert.equal(summary.columns[1].name, expectedCut(longName, max));
      assert.deepEqual(
        summary.columns[0].top?.map((t) => t.value),
        // By count, then ties by value ascending.
        [pair, "short", `${"z".repeat(40)}🙂🙂`].map((v) => expectedCut(v, max)),
      );
      const rows = summary.queries.by_text.rows;
      const twice = rows.find((r) => r.n === 2);
      assert.equal(twice?.t, expectedCut(pair, max));
      assert.equal(twice?.lowest, expectedCut(pair, max));
      assert.equal(twice?.highest, expectedCut(pair, max));
      // min by code-unit order is the full `pair`, cut afterwards.
      assert.equal(summary.kpis[0].value, expectedCut(pair, max));
    });
  }

  it("leaves text within the limit alone", () => {
    const summary = summarize(table, definition(20_000));
    assert.equal(summary.columns[1].name, longName);
    assert.equal(summary.columns[0].top?.[0].value, pair);
    assert.equal(summary.kpis[0].value, pair);
  });
});

describe("cutText", () => {
  it("agrees with the string iterator on random text of pairs, lone surrogates and BMP letters", () => {
    const alphabet = ["a", "é", "🙂", "\uD800", "\uDC00", "中", "𝄞"];
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    for (let trial = 0; trial < 2000; trial++) {
      const length = next() % 12;
      const text = Array.from({ length }, () => alphabet[next() % alphabet.length]).join("");
      const max = 1 + (next() % 8);
      assert.equal(cutText(text, max), expectedCut(text, max), JSON.stringify({ text, max }));
    }
  });
});

describe("summary.json in pieces", () => {
  it("is JSON.stringify(summary, null, 2) and a newline, for a real summary", () => {
    const definition = spec(`queries:
  by_pair:
    group_by: [a, b]
    measures: { n: count(), low: min(id) }
sections:
  - kpis: [{ label: Rows, value: count() }]
  - histogram: { title: Ids, column: id, bins: 7 }
  - profile: all
`);
    const summary = summarize(gridTable(), definition);
    const pieces: string[] = [];
    jsonPieces(summary, (piece) => pieces.push(piece));
    assert.ok(pieces.length > 1, "a summary of 2,500 rows comes in several pieces");
    assert.equal(pieces.join(""), `${JSON.stringify(summary, null, 2)}\n`);
    // Empty containers, undefined fields and values, nested arrays: as JSON.stringify does.
    const odd = { a: [], b: {}, c: undefined, d: [undefined, 1, [2, []]], e: { f: null } };
    const oddPieces: string[] = [];
    jsonPieces(odd, (piece) => oddPieces.push(piece));
    assert.equal(oddPieces.join(""), `${JSON.stringify(odd, null, 2)}\n`);
  });

  it("writes a summary whose JSON is longer than the longest string V8 can make", () => {
    // V8's limit is 2^29 - 24 characters on 64-bit builds. 600 rows that each hold the same
    // 1,000,000-character label (one string in memory) come to about 600 million.
    const label = "x".repeat(1_000_000);
    const rows = Array.from({ length: 600 }, (_, n) => ({ key: label, n }));
    const summary: Summary = {
      rows: 600,
      columns: [],
      queries: { q: { name: "q", columns: [], rows } },
      kpis: [],
      alerts: [],
    };
    const V8_MAX = 2 ** 29 - 24;
    let total = 0;
    let longest = 0;
    let pieces = 0;
    jsonPieces(summary, (piece) => {
      total += piece.length;
      longest = Math.max(longest, piece.length);
      pieces++;
    });
    assert.ok(total > V8_MAX, `${total} characters`);
    // No piece is longer than the longest value (the label, quoted) or PIECE_CHARS and a bit.
    assert.ok(longest <= label.length + 2, `longest piece ${longest}`);
    assert.ok(pieces >= 600);
  });
});
