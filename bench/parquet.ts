// A full build of a real Parquet file, vega-datasets' flights-3m.parquet (13.5 MB, ZSTD,
// dictionary-encoded, 3M rows × 5, written by polars), beside DuckDB reading and
// SUMMARIZEing the same file. Both run as child processes from a cold start: ours is the
// compiled CLI (`bin/connect-s3-report.js build --source … ` on dist/; run
// `npm run build:dist` first), DuckDB is bench/duckdb-parquet.mjs. Runs alternate so load
// changes on this shared machine hit both alike; the figures are medians. Wall time is
// measured here; peak RSS comes from GNU time (/usr/bin/time) for the build and from the
// child itself for DuckDB. The last line is JSON for bench/run.ts.
// Usage: npx tsx bench/parquet.ts [runs]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const FLIGHTS = here("../node_modules/vega-datasets/data/flights-3m.parquet");
const BIN = here("../bin/connect-s3-report.js");
const DIST = here("../dist/cli/main.js");
const GNU_TIME = "/usr/bin/time";
const RUNS = Number(process.argv[2] ?? 3);

interface Run {
  ms: number;
  peakMiB?: number;
  /** User + system CPU time: steadier than wall time when other work shares the machine. */
  cpuMs?: number;
}

/** The target: a build within this many times DuckDB's read + SUMMARIZE. */
export const TARGET_RATIO = 3;
/** The target for the build's peak memory. */
export const TARGET_PEAK_MIB = 500;

function buildOnce(out: string): Run {
  const timed = existsSync(GNU_TIME);
  const command = timed ? GNU_TIME : process.execPath;
  const args = [
    ...(timed ? ["-f", "peak-kb %M cpu-s %U %S", process.execPath] : []),
    BIN,
    "build",
    "--source",
    FLIGHTS,
    "--out",
    out,
    "--quiet",
  ];
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: "utf8" });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`the build failed: ${result.stderr.trim().slice(-500)}`);
  const usage = /peak-kb (\d+) cpu-s ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (!usage) return { ms };
  return {
    ms,
    peakMiB: Number(usage[1]) / 1024,
    cpuMs: (Number(usage[2]) + Number(usage[3])) * 1000,
  };
}

function duckdbOnce(): Run {
  const started = performance.now();
  const result = spawnSync(process.execPath, [here("duckdb-parquet.mjs"), FLIGHTS], {
    encoding: "utf8",
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`DuckDB failed: ${result.stderr.trim().slice(-500)}`);
  const figures = JSON.parse(result.stdout.trim()) as Run & { rows: number };
  if (figures.rows !== 3_000_000) throw new Error(`DuckDB counted ${figures.rows} rows`);
  return { ms, peakMiB: figures.peakMiB, cpuMs: figures.cpuMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

if (!existsSync(DIST)) {
  console.log(JSON.stringify({ skipped: "no dist/: run npm run build:dist" }));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "bench-parquet-"));
const ours: Run[] = [];
const duckdb: Run[] = [];
try {
  buildOnce(join(dir, "warm")); // Warm the file cache.
  for (let run = 0; run < RUNS; run++) {
    ours.push(buildOnce(join(dir, `out-${run}`)));
    duckdb.push(duckdbOnce());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const medianOf = (runs: Run[], key: "peakMiB" | "cpuMs") =>
  runs.every((r) => r[key] !== undefined) ? median(runs.map((r) => r[key]!)) : undefined;
const figures = {
  file: "node_modules/vega-datasets/data/flights-3m.parquet",
  runs: RUNS,
  buildMs: median(ours.map((r) => r.ms)),
  buildRunsMs: ours.map((r) => Math.round(r.ms)),
  buildPeakMiB: medianOf(ours, "peakMiB"),
  buildCpuMs: medianOf(ours, "cpuMs"),
  duckdbMs: median(duckdb.map((r) => r.ms)),
  duckdbRunsMs: duckdb.map((r) => Math.round(r.ms)),
  duckdbPeakMiB: medianOf(duckdb, "peakMiB"),
  duckdbCpuMs: medianOf(duckdb, "cpuMs"),
  ratio: 0,
  cpuRatio: undefined as number | undefined,
};
figures.ratio = figures.buildMs / figures.duckdbMs;
if (figures.buildCpuMs !== undefined && figures.duckdbCpuMs !== undefined)
  figures.cpuRatio = figures.buildCpuMs / figures.duckdbCpuMs;
console.log(
  `flights-3m.parquet: build --source ${(figures.buildMs / 1000).toFixed(2)} s, ` +
    `${figures.buildPeakMiB?.toFixed(0) ?? "?"} MiB peak; DuckDB read + SUMMARIZE ` +
    `${(figures.duckdbMs / 1000).toFixed(2)} s, ${figures.duckdbPeakMiB?.toFixed(0) ?? "?"} MiB; ` +
    `ratio ${figures.ratio.toFixed(2)} (CPU time ${figures.cpuRatio?.toFixed(2) ?? "?"}; ` +
    `target ≤ ${TARGET_RATIO}, peak < ${TARGET_PEAK_MIB} MiB; medians of ${RUNS}, alternating)`,
);
console.log(JSON.stringify(figures));
