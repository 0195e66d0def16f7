// Reading only the columns a report uses. The reader: types.parquet (arrow-rs) has nested
// columns, so read whole it goes to parquet-wasm; its flat columns picked alone go through
// the JavaScript decoder, and must come out as arrow-rs's reader gives them (values, time
// units and zones). The picker: a definition's queries, KPIs and sections name the columns.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DataType, type Table } from "apache-arrow";
import { loadReportSpec } from "../src/config/index.ts";
import { ReportError } from "../src/errors.ts";
import { readTable } from "../src/read/index.ts";
import { openLocalFile } from "../src/source/open.ts";
import { columnPicker } from "../src/summarize/used-columns.ts";
import { column, defaultLimits, fixture, recordingLog } from "./read-helpers.ts";

const FLAT = ["id", "big", "amount", "day", "ts_utc", "ts_ny", "ts_ns", "name", "flag", "score"];

async function read(
  pick?: string[],
  limits = defaultLimits,
): Promise<{ table: Table; verbose: string[] }> {
  const log = recordingLog();
  const table = await readTable(await openLocalFile(fixture("types.parquet")), {
    csv: {},
    limits,
    log,
    pickColumns: pick && {
      key: pick.join(","),
      pick: (names) => names.filter((n) => pick.includes(n)),
    },
  });
  return { table, verbose: log.lines };
}

describe("Parquet: only the columns a report uses", () => {
  test("flat columns picked from types.parquet: the JavaScript decoder gives what arrow-rs gives", async () => {
    const whole = await read();
    assert.ok(
      whole.verbose.some((line) => /parquet-wasm/.test(line)),
      "the whole file goes to parquet-wasm",
    );
    const picked = await read(FLAT);
    assert.ok(!picked.verbose.some((line) => /parquet-wasm/.test(line)), picked.verbose.join("\n"));
    assert.deepEqual(
      picked.table.schema.fields.map((f) => f.name),
      FLAT,
    );
    for (const name of FLAT) {
      assert.deepEqual(column(picked.table, name), column(whole.table, name), name);
      const ours = picked.table.getChild(name)!.type;
      const theirs = whole.table.getChild(name)!.type;
      if (DataType.isTimestamp(theirs)) {
        assert.ok(DataType.isTimestamp(ours), name);
        assert.equal(ours.unit, theirs.unit, `${name}: unit`);
        assert.equal(ours.timezone ?? null, theirs.timezone ?? null, `${name}: zone`);
      }
    }
  });

  test("one picked column: the others are not in the table", async () => {
    const { table } = await read(["score"]);
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ["score"],
    );
    assert.deepEqual(column(table, "score"), [1.5, -2.25, null, 1e300]);
  });

  test("max_columns counts the file's columns, not the picked ones", async () => {
    await assert.rejects(
      read(["score"], { ...defaultLimits, max_columns: 11 }),
      (error: unknown) => {
        assert.ok(error instanceof ReportError);
        assert.match(error.message, /types\.parquet: the schema: more than 11 columns/);
        return true;
      },
    );
    assert.equal((await read(["score"], { ...defaultLimits, max_columns: 12 })).table.numCols, 1);
  });

  test("the picker takes the columns a definition names, and every column for profile: all", async () => {
    const dir = mkdtempSync(join(tmpdir(), "used-columns-"));
    try {
      const write = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const some = await loadReportSpec(
        write(
          "some.yml",
          [
            "title: T",
            "source: { file: data.parquet }",
            "queries:",
            "  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }",
            "columns:",
            "  margin: revenue - cost",
            "sections:",
            "  - kpis: [{ label: Units, value: sum(units) }, { label: Margin, value: sum(margin) }]",
            "  - chart: { title: R, query: by_region, mark: bar, x: region, y: revenue }",
            "  - histogram: { title: P, column: price }",
            "",
          ].join("\n"),
        ),
        {},
      );
      const picker = columnPicker(some);
      assert.ok(picker);
      assert.deepEqual(
        picker.pick(["id", "region", "revenue", "cost", "units", "price", "notes"]),
        ["region", "revenue", "cost", "units", "price"],
      );
      const all = await loadReportSpec(
        write("all.yml", "title: T\nsource: { file: data.parquet }\nsections:\n  - profile: all\n"),
        {},
      );
      assert.equal(columnPicker(all), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
