// Datasets: a local folder (Hive partitions, _SUCCESS skipped), S3-style parts, schema
// unification and conflicts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DataType } from "apache-arrow";
import { ReportError } from "../src/errors.ts";
import { readTable } from "../src/read/index.ts";
import { joinTypes, partitionValues } from "../src/read/read-dataset.ts";
import type { DataSource } from "../src/source/data-source.ts";
import { openLocalFile } from "../src/source/open.ts";
import { column, defaultLimits, fixture, memorySource, recordingLog } from "./read-helpers.ts";

const readFolder = async (name: string) =>
  readTable(await openLocalFile(fixture(name)), {
    csv: {},
    limits: defaultLimits,
    log: recordingLog(),
  });

describe("datasets", () => {
  test("a Hive-partitioned Parquet folder: partition columns typed as integers", async () => {
    const table = await readFolder("dataset");
    assert.deepEqual(
      table.schema.fields.map((f) => f.name),
      ["v", "s", "year", "month"],
    );
    assert.deepEqual(column(table, "v"), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(column(table, "s"), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    assert.ok(DataType.isInt(table.getChild("year")!.type));
    assert.deepEqual(column(table, "year"), [2023, 2023, 2024, 2024, 2024, 2024]);
    assert.deepEqual(column(table, "month"), [12, 12, 1, 2, 2, 2]);
  });

  test("CSV files that differ compatibly: int and float widen, a missing column is null", async () => {
    const table = await readFolder("csv-dataset");
    assert.deepEqual(column(table, "id"), [1, 2, 3]);
    assert.ok(DataType.isFloat(table.getChild("x")!.type));
    assert.deepEqual(column(table, "x"), [10, 20, 2.5]);
    assert.deepEqual(column(table, "note"), [null, null, "hi"]);
    assert.deepEqual(column(table, "region"), ["north", "north", "south"]);
  });

  test("a type conflict names both files", async () => {
    await assert.rejects(readFolder("conflict"), (error: unknown) => {
      assert.ok(error instanceof ReportError);
      assert.match(
        error.message,
        /Column "x" is integer \(Int32\) in .*conflict\/a\.csv but text \(.*\) in .*conflict\/b\.csv/,
      );
      return true;
    });
  });

  test("S3-style parts: partitions below the prefix, text partition values, default partition = null", async () => {
    const part = (key: string, text: string): DataSource => ({
      ...memorySource(`s3://bucket/sales/${key}`, text),
      name: `sales/${key}`,
    });
    const parts = [
      part("city=S%C3%A3o%20Paulo/day=2024-01-01/a.csv", "n\n1\n2\n"),
      part("city=__HIVE_DEFAULT_PARTITION__/day=2024-01-02/b.csv", "n\n3\n"),
      part("_SUCCESS", ""),
    ];
    const root: DataSource = {
      label: "s3://bucket/sales/",
      name: "sales/",
      parts,
      body: () => {
        throw new Error("not read");
      },
    };
    const table = await readTable(root, { csv: {}, limits: defaultLimits, log: recordingLog() });
    assert.deepEqual(column(table, "n"), [1, 2, 3]);
    assert.deepEqual(column(table, "city"), ["São Paulo", "São Paulo", null]);
    assert.deepEqual(column(table, "day"), ["2024-01-01", "2024-01-01", "2024-01-02"]);
  });

  test("files of two formats in one dataset are an error naming both", async () => {
    const root: DataSource = {
      label: "s3://b/p/",
      name: "p/",
      parts: [memorySource("s3://b/p/a.csv", "n\n1\n"), memorySource("s3://b/p/b.parquet", "x")],
      body: () => {
        throw new Error("not read");
      },
    };
    await assert.rejects(
      readTable(root, { csv: {}, limits: defaultLimits, log: recordingLog() }),
      /s3:\/\/b\/p\/a\.csv is CSV and s3:\/\/b\/p\/b\.parquet is Parquet/,
    );
  });

  test("partitionValues: only k=v folders below the root, URL-decoded", () => {
    assert.deepEqual(partitionValues("/data/x=1", "/data/x=1/year=2024/file.csv"), [
      ["year", "2024"],
    ]);
    assert.deepEqual(partitionValues("s3://b/p/", "s3://b/p/a%3Db=c%2Fd/f.parquet"), [
      ["a=b", "c/d"],
    ]);
    assert.deepEqual(partitionValues("/d", "/d/plain/file.csv"), []);
  });

  test("joinTypes widens compatible types and refuses the rest", async () => {
    const { Int16, Int32, Int64, Float32, Utf8, DateDay, TimestampMicrosecond, Bool, Dictionary } =
      await import("apache-arrow");
    assert.equal(String(joinTypes(new Int16(), new Int32())), "Int32");
    assert.equal(String(joinTypes(new Int32(), new Int64())), "Int64");
    assert.equal(String(joinTypes(new Int64(), new Float32())), "Float64");
    assert.ok(DataType.isTimestamp(joinTypes(new DateDay(), new TimestampMicrosecond("UTC"))!));
    assert.equal(String(joinTypes(new Dictionary(new Utf8(), new Int32()), new Utf8())), "Utf8");
    assert.equal(joinTypes(new Bool(), new Int32()), undefined);
    assert.equal(joinTypes(new Utf8(), new Int32()), undefined);
  });
});
