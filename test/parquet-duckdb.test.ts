// The JavaScript Parquet decoder against DuckDB, an independent reader: DuckDB writes a
// 50,000-row slice of vega-datasets' flights-3m.parquet (plus derived DOUBLE, DATE, BOOLEAN,
// DECIMAL and nullable columns, in small row groups, ZSTD and Snappy), then the row count
// and every column's missing, distinct, min, max and mean from our read + profile must
// equal DuckDB's own aggregates over the same file. A plain copy of the first 40,000 rows
// (DuckDB's default writer settings) is checked the same way.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Table } from "apache-arrow";
import { profileSpec } from "../src/config/index.ts";
import { parquetTable } from "../src/read/arrow/read-parquet.ts";
import { summarize } from "../src/summarize/index.ts";
import type { ColumnProfile } from "../src/summarize/summary.ts";

const FLIGHTS = join(
  import.meta.dirname,
  "..",
  "node_modules",
  "vega-datasets",
  "data",
  "flights-3m.parquet",
);
const dir = mkdtempSync(join(tmpdir(), "parquet-duckdb-"));

// Derived columns cover the other physical types; every seventh delay is missing.
const SLICE = `
  SELECT date, CASE WHEN delay % 7 = 0 THEN NULL ELSE delay END AS delay, distance, origin,
         destination, delay / 3.0 AS ratio, CAST(date AS DATE) AS day, delay > 0 AS late,
         CAST(distance / 7 AS DECIMAL(10, 2)) AS amount, CAST(delay AS INTEGER) AS delay32,
         CASE WHEN distance % 5 = 0 THEN NULL ELSE origin END AS maybe_origin
  FROM read_parquet('${FLIGHTS}') LIMIT 50000`;

let db: DuckDBInstance;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const connection = await db.connect();
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** DuckDB's figures for each column of a Parquet file. */
async function duckdbProfile(
  path: string,
): Promise<{ rows: number; columns: Map<string, Record<string, unknown>> }> {
  const names = (await rows(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).map((r) => ({
    name: String(r.column_name),
    type: String(r.column_type),
  }));
  const columns = new Map<string, Record<string, unknown>>();
  for (const { name, type } of names) {
    const q = `"${name}"`;
    const numeric = /INT|DOUBLE|DECIMAL|FLOAT/.test(type);
    const temporal = /DATE|TIMESTAMP/.test(type);
    const [row] = await rows(
      `SELECT count(*) - count(${q}) AS missing, count(DISTINCT ${q}) AS distinct,
        ${numeric ? `min(${q})::DOUBLE AS min, max(${q})::DOUBLE AS max, avg(${q}) AS mean` : ""}
        ${temporal ? `epoch_ms(min(${q})::TIMESTAMP) AS min, epoch_ms(max(${q})::TIMESTAMP) AS max` : ""}
        ${!numeric && !temporal ? "NULL AS min" : ""}
       FROM read_parquet('${path}')`,
    );
    columns.set(name, { ...row, type });
  }
  const [count] = await rows(`SELECT count(*) AS n FROM read_parquet('${path}')`);
  return { rows: Number(count.n), columns };
}

/** Our read (the JavaScript decoder, never the parquet-wasm fallback) and profile. */
async function ours(path: string): Promise<{ table: Table; profiles: ColumnProfile[] }> {
  const details: string[] = [];
  const table = await parquetTable(new Uint8Array(readFileSync(path)), {
    label: path,
    onDetail: (message) => details.push(message),
  });
  assert.deepEqual(details, [], "read by the JavaScript decoder");
  return { table, profiles: summarize(table, profileSpec(path, {})).columns };
}

function close(actual: unknown, expected: unknown, what: string): void {
  const a = Number(actual);
  const e = Number(expected);
  assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${what}: ours ${a}, DuckDB ${e}`);
}

async function compare(path: string): Promise<void> {
  const expected = await duckdbProfile(path);
  const { table, profiles } = await ours(path);
  assert.equal(table.numRows, expected.rows);
  assert.deepEqual(
    profiles.map((p) => p.name),
    [...expected.columns.keys()],
  );
  for (const profile of profiles) {
    const reference = expected.columns.get(profile.name)!;
    const what = `${path.split("/").pop()} ${profile.name} (${String(reference.type)})`;
    assert.equal(profile.missing, Number(reference.missing), `${what}: missing`);
    assert.equal(profile.count, expected.rows - Number(reference.missing), `${what}: count`);
    assert.equal(profile.distinct, Number(reference.distinct), `${what}: distinct`);
    if (reference.min === null || reference.min === undefined) continue;
    if (profile.type === "date" || profile.type === "timestamp") {
      close(
        Date.parse(`${String(profile.min)}${profile.type === "date" ? "T00:00:00Z" : ""}`),
        reference.min,
        `${what}: min`,
      );
      close(
        Date.parse(`${String(profile.max)}${profile.type === "date" ? "T00:00:00Z" : ""}`),
        reference.max,
        `${what}: max`,
      );
      continue;
    }
    close(profile.min, reference.min, `${what}: min`);
    close(profile.max, reference.max, `${what}: max`);
    close(profile.mean, reference.mean, `${what}: mean`);
  }
}

describe("Parquet decoded in JavaScript matches DuckDB", () => {
  before(async () => {
    db = await DuckDBInstance.create(":memory:");
    for (const [name, codec] of [
      ["slice-zstd.parquet", "zstd"],
      ["slice-snappy.parquet", "snappy"],
    ]) {
      await rows(
        `COPY (${SLICE}) TO '${join(dir, name)}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 12000)`,
      );
    }
    await rows(
      `COPY (SELECT * FROM read_parquet('${FLIGHTS}') LIMIT 40000) TO '${join(dir, "head.parquet")}' (FORMAT parquet)`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ["slice-zstd.parquet", "slice-snappy.parquet", "head.parquet"]) {
    test(`${name}, written by DuckDB: row count and each column's missing, distinct, min, max, mean`, async () => {
      await compare(join(dir, name));
    });
  }
});
