// Child process for bench/parquet.ts: DuckDB (native, @duckdb/node-api) reads a Parquet file
// into a table and SUMMARIZEs it, the reference for a full build's read + profile. Plain
// JavaScript, so the child pays no TypeScript loader. Prints {rows, peakMiB, cpuMs} as JSON.
// Usage: node bench/duckdb-parquet.mjs file.parquet
import { DuckDBInstance } from "@duckdb/node-api";

const path = process.argv[2];
const db = await DuckDBInstance.create(":memory:");
const connection = await db.connect();
const quoted = path.replaceAll("'", "''");
await connection.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${quoted}')`);
const summary = await connection.runAndReadAll("SUMMARIZE t");
const rows = summary.getRowObjectsJson().map((row) => Number(row.count));
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    rows: Math.max(...rows),
    peakMiB: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
  })}\n`,
);
