// `npm run bench`: every benchmark in one run, ending in one table of ratios (bench/results.json).
//  - The full `build --source` of the 1M-row, 8-column CSV with the compiled dist/ binary
//    beside pandas read_csv + describe + value_counts, each in a child process, alternately
//    (bench/build-vs-pandas.ts; `npm run bench -- --build-only` runs just this part and
//    updates its entry and rows in bench/results.json).
//  - CSV → Arrow on the 1M-row, 8-column file (~63 MB) against pandas read_csv: each side in
//    its own process, run alternately so load changes on this shared 2-core VM hit both alike;
//    our child is the bundled reader, as a build runs it. `npm run bench -- --csv-only` runs
//    just this part (and writes nothing).
//  - A full build of flights-3m.parquet (dist/) against DuckDB reading and SUMMARIZEing it:
//    bench/parquet.ts.
//  - A 10M-row CSV (~640 MB, generated under bench/data/ on first use) through a full
//    profile-only build in a child process: time and peak RSS (must stay under 2 GiB).
//  - The S3 download, summarize and chart benchmarks (bench/s3-download.ts, summarize.ts,
//    charts.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import {
  BUILD_RUNS,
  type BuildVsPandas,
  buildVsPandasRows,
  pandasMissing,
  runBuildVsPandas,
} from "./build-vs-pandas.ts";
import { ensureBenchCsv } from "./generate.ts";
import { runS3DownloadBench } from "./s3-download.ts";
import { runStartupBench } from "./startup.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CSV_1M = here("data/bench-1m.csv");
const CSV_10M = here("data/bench-10m.csv");
const RUNS = 3;
const PYTHON = "/usr/bin/python3";
const BUILD_LIMIT_MIB = 2048;

interface PandasRun {
  seconds: number;
  cpuSeconds: number;
  rows: number;
  baselineMiB: number;
  peakMiB: number;
  version: string;
}

interface ChildRead {
  ms: number;
  cpuMs: number;
  rows: number;
  baselineMiB: number;
  peakMiB: number;
}

/** One line of the closing table: what was compared, and ours / theirs where there is one. */
interface Row {
  bench: string;
  ours: string;
  baseline: string;
  ratio: string;
  /** Whether the figure meets its target, when it has one. */
  target?: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const log = (message: string) => process.stderr.write(`${message}\n`);

function runPandas(): PandasRun {
  const out = execFileSync(PYTHON, [here("pandas_read.py"), CSV_1M], { encoding: "utf8" });
  return JSON.parse(out) as PandasRun;
}

/** Bundles the one-read child, as plain node runs it. */
async function bundleReader(): Promise<string> {
  const outdir = here("data");
  await esbuild({
    entryPoints: { "read-once": here("read-once.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    outdir,
    outExtension: { ".js": ".mjs" },
    logLevel: "error",
  });
  return `${outdir}/read-once.mjs`;
}

function readOursInChild(bundle: string): ChildRead {
  return JSON.parse(
    execFileSync(process.execPath, [bundle, CSV_1M], { encoding: "utf8" }),
  ) as ChildRead;
}

/** A full profile-only build in a child process, or the reason it could not run. */
function timeBuild(csv: string): { ms: number; peakMiB: number } | { todo: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", here("build-once.ts"), csv], {
    encoding: "utf8",
    cwd: here(".."),
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) {
    const reason = result.stderr.trim().split("\n").slice(-3).join(" | ");
    return { todo: `the build failed (exit ${result.status ?? result.signal}): ${reason}` };
  }
  const last = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as
    | { ms: number; peakMiB: number }
    | { todo: string };
  return "todo" in last ? last : { ms: last.ms, peakMiB: last.peakMiB };
}

/** Runs a bench script under tsx and returns its output, or why it could not run. */
function runScript(script: string, args: string[] = []): { out: string } | { skipped: string } {
  if (!existsSync(here(script))) return { skipped: `bench/${script} does not exist yet` };
  const result = spawnSync(process.execPath, ["--import", "tsx", here(script), ...args], {
    encoding: "utf8",
    cwd: here(".."),
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) {
    return {
      skipped: `bench/${script} failed: ${result.stderr.trim().split("\n").slice(-2).join(" | ")}`,
    };
  }
  return { out: result.stdout };
}

async function csvVsPandas(rows: Row[]): Promise<Record<string, unknown>> {
  log(`CSV → Arrow vs pandas: ${RUNS} alternating runs of each …`);
  ensureBenchCsv(CSV_1M);
  const bytes = statSync(CSV_1M).size;
  const megabytes = bytes / 1e6;
  const noPandas = pandasMissing();
  if (noPandas) log(`notice: ${noPandas}; skipping pandas.`);
  const bundle = await bundleReader();
  const ours: ChildRead[] = [];
  const pandas: PandasRun[] = [];
  for (let run = 0; run < RUNS; run++) {
    ours.push(readOursInChild(bundle));
    if (!noPandas) pandas.push(runPandas());
  }
  const oursMs = median(ours.map((r) => r.ms));
  const oursPeak = median(ours.map((r) => r.peakMiB));
  const oursMBps = megabytes / (oursMs / 1000);
  const pandasMs = pandas.length ? median(pandas.map((p) => p.seconds * 1000)) : undefined;
  const pandasPeak = pandas.length ? median(pandas.map((p) => p.peakMiB)) : undefined;
  const pandasMBps = pandasMs === undefined ? undefined : megabytes / (pandasMs / 1000);
  const speed = pandasMBps === undefined ? undefined : oursMBps / pandasMBps;
  const memory = pandasPeak === undefined ? undefined : oursPeak / pandasPeak;
  rows.push(
    {
      bench: "CSV→Arrow 1M×8 throughput (vs pandas read_csv)",
      ours: `${oursMBps.toFixed(1)} MB/s`,
      baseline: pandasMBps === undefined ? "skipped" : `${pandasMBps.toFixed(1)} MB/s`,
      ratio: speed === undefined ? "-" : `${speed.toFixed(2)}×`,
      target: speed === undefined ? undefined : speed >= 1.5 ? "≥1.5× met" : "≥1.5× NOT met",
    },
    {
      bench: "CSV→Arrow 1M×8 peak RSS (vs pandas)",
      ours: `${oursPeak.toFixed(0)} MiB`,
      baseline: pandasPeak === undefined ? "skipped" : `${pandasPeak.toFixed(0)} MiB`,
      ratio: memory === undefined ? "-" : `${memory.toFixed(2)}×`,
      target: memory === undefined ? undefined : memory <= 1 ? "≤1× met" : "≤1× NOT met",
    },
  );
  return {
    file: { path: "bench/data/bench-1m.csv", bytes, rows: ours[0].rows },
    ours: {
      runsMs: ours.map((r) => round(r.ms)),
      medianMs: round(oursMs),
      mbPerSecond: round(oursMBps),
      cpuMs: round(median(ours.map((r) => r.cpuMs))),
      peakMiB: round(oursPeak),
      baselineMiB: round(ours[0].baselineMiB),
    },
    pandas: noPandas
      ? { skipped: noPandas }
      : {
          version: pandas[0].version,
          runsMs: pandas.map((p) => round(p.seconds * 1000)),
          medianMs: round(pandasMs!),
          mbPerSecond: round(pandasMBps!),
          cpuMs: round(median(pandas.map((p) => p.cpuSeconds * 1000))),
          baselineMiB: round(pandas[0].baselineMiB),
          peakMiB: round(pandasPeak!),
        },
    ratios:
      speed === undefined
        ? undefined
        : { throughput: round(speed, 2), peakMemory: round(memory!, 2) },
  };
}

function parquetBench(rows: Row[]): Record<string, unknown> {
  log("Parquet: flights-3m build vs DuckDB read + SUMMARIZE …");
  const result = runScript("parquet.ts");
  const bench = "build flights-3m.parquet (vs DuckDB read + SUMMARIZE)";
  if ("skipped" in result) {
    rows.push({ bench, ours: "-", baseline: "-", ratio: result.skipped });
    return result;
  }
  // bench/parquet.ts ends with a line of JSON (see there); a skip is {skipped}.
  const lines = result.out.trim().split("\n");
  const figure = JSON.parse(lines.at(-1)!) as {
    skipped?: string;
    buildMs: number;
    buildPeakMiB?: number;
    duckdbMs: number;
    duckdbPeakMiB?: number;
    ratio: number;
    cpuRatio?: number;
  };
  if (figure.skipped) {
    rows.push({ bench, ours: "-", baseline: "-", ratio: figure.skipped });
    return figure;
  }
  const mib = (value?: number) => (value === undefined ? "?" : `${value.toFixed(0)} MiB`);
  const met = figure.ratio <= 3 && (figure.buildPeakMiB ?? 0) < 500;
  rows.push({
    bench,
    ours: `${(figure.buildMs / 1000).toFixed(2)} s, ${mib(figure.buildPeakMiB)}`,
    baseline: `${(figure.duckdbMs / 1000).toFixed(2)} s, ${mib(figure.duckdbPeakMiB)}`,
    ratio: `${figure.ratio.toFixed(2)}× the time (CPU ${figure.cpuRatio?.toFixed(2) ?? "?"}×)`,
    target: met ? "≤3×, <500 MiB met" : "≤3×, <500 MiB NOT met",
  });
  return figure;
}

/** The 1M-row build against pandas (bench/build-vs-pandas.ts). */
function buildVsPandas(rows: Row[]): BuildVsPandas | { skipped: string } {
  log(
    `build --source 1M×8 (dist/) vs pandas read_csv+describe+value_counts: ${BUILD_RUNS} alternating runs of each …`,
  );
  const missing = pandasMissing();
  if (missing) log(`notice: ${missing}; the build is measured alone.`);
  let figures: BuildVsPandas;
  try {
    figures = runBuildVsPandas();
  } catch (error) {
    const skipped = (error as Error).message;
    rows.push({
      bench: "build --source 1M×8 CSV (vs pandas)",
      ours: "-",
      baseline: "-",
      ratio: skipped,
    });
    return { skipped };
  }
  rows.push(...buildVsPandasRows(figures));
  return figures;
}

function builds(rows: Row[]): Record<string, unknown> {
  log("full build of the 10M-row CSV (generated on first use) …");
  if (!existsSync(CSV_10M)) log(`generating ${CSV_10M} (10M rows, ~640 MB) …`);
  ensureBenchCsv(CSV_10M, 10_000_000);
  const bytes10 = statSync(CSV_10M).size;
  const large = timeBuild(CSV_10M);
  for (const [label, figure, bytes] of [["10M", large, bytes10]] as const) {
    if ("todo" in figure) {
      rows.push({
        bench: `full build, ${label}-row CSV`,
        ours: "failed",
        baseline: "",
        ratio: figure.todo,
      });
      continue;
    }
    rows.push({
      bench: `full build, ${label}-row CSV (${(bytes / 1e6).toFixed(0)} MB): peak RSS vs 2 GiB`,
      ours: `${(figure.ms / 1000).toFixed(1)} s, ${figure.peakMiB.toFixed(0)} MiB`,
      baseline: `${BUILD_LIMIT_MIB} MiB`,
      ratio: `${(figure.peakMiB / BUILD_LIMIT_MIB).toFixed(2)}×`,
      target: figure.peakMiB < BUILD_LIMIT_MIB ? "<2 GiB met" : "<2 GiB NOT met",
    });
  }
  const shape = (f: typeof large) =>
    "todo" in f ? f : { ms: round(f.ms), peakMiB: round(f.peakMiB) };
  return { build10m: { bytes: bytes10, ...shape(large) } };
}

async function s3Download(rows: Row[]): Promise<unknown> {
  log("S3 download (local S3 server) …");
  const figures = await runS3DownloadBench();
  for (const scenario of new Set(figures.map((f) => f.scenario))) {
    const [single, ranged] = ["single GET", "8 MiB × 4 ranges"].map((mode) =>
      figures.find((f) => f.scenario === scenario && f.mode === mode),
    );
    if (!single || !ranged) continue;
    rows.push({
      bench: `S3 download 64 MiB, ${scenario} (ranged vs one GET)`,
      ours: `${ranged.mibPerSecond.toFixed(0)} MiB/s`,
      baseline: `${single.mibPerSecond.toFixed(0)} MiB/s`,
      ratio: `${(ranged.mibPerSecond / single.mibPerSecond).toFixed(2)}×`,
    });
  }
  return figures.map((f) => ({
    ...f,
    medianMs: round(f.medianMs),
    mibPerSecond: round(f.mibPerSecond),
  }));
}

function summarizeBench(rows: Row[]): unknown {
  log("summarize (1M rows) …");
  const result = runScript("summarize.ts");
  if ("skipped" in result) {
    rows.push({ bench: "summarize 1M×8", ours: "-", baseline: "-", ratio: result.skipped });
    return result;
  }
  const ours = /summarize .*median (\d+) ms/.exec(result.out)?.[1];
  const naive = /naive JS reference.*median (\d+) ms/.exec(result.out)?.[1];
  const ratio = /ratio summarize \/ naive: ([\d.]+)/.exec(result.out)?.[1];
  rows.push({
    bench: "summarize 1M×8 (vs naive JS reference)",
    ours: ours ? `${ours} ms` : "?",
    baseline: naive ? `${naive} ms` : "?",
    ratio: ratio ? `${ratio}× the time` : "?",
  });
  return { output: result.out.trim().split("\n") };
}

function chartsBench(rows: Row[]): unknown {
  log("charts and render …");
  const result = runScript("charts.ts");
  if ("skipped" in result) {
    rows.push({ bench: "charts + render", ours: "-", baseline: "-", ratio: result.skipped });
    return result;
  }
  const charts = /renderCharts (\d+) ms/.exec(result.out)?.[1];
  const render = /renderReport (\d+) ms/.exec(result.out)?.[1];
  rows.push({
    bench: "charts (20 charts + sparklines) + page render",
    ours: `${charts ?? "?"} ms + ${render ?? "?"} ms`,
    baseline: "(no baseline)",
    ratio: "-",
  });
  return { output: result.out.trim().split("\n") };
}

function printTable(rows: Row[]): void {
  const cells = [["bench", "ours", "baseline", "ours / baseline", "target"]].concat(
    rows.map((r) => [r.bench, r.ours, r.baseline, r.ratio, r.target ?? ""]),
  );
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  for (const row of cells)
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    );
}

function startupBench(rows: Row[]): unknown {
  log("start-up of --help from dist/ …");
  const figures = runStartupBench();
  if ("skipped" in figures) {
    rows.push({
      bench: "start-up --help (dist/)",
      ours: "-",
      baseline: "-",
      ratio: figures.skipped,
    });
    return figures;
  }
  rows.push({
    bench: 'start-up --help from dist/ (vs node -e "")',
    ours: `${figures.helpMs.toFixed(0)} ms`,
    baseline: `${figures.nodeMs.toFixed(0)} ms`,
    ratio: `${(figures.helpMs / figures.nodeMs).toFixed(2)}×`,
    target: figures.helpMs < 300 ? "yes (< 300 ms)" : "no (≥ 300 ms)",
  });
  return {
    ...figures,
    helpMs: round(figures.helpMs),
    versionMs: round(figures.versionMs),
    nodeMs: round(figures.nodeMs),
  };
}

/** Puts a --build-only run's figures and rows into bench/results.json, keeping the rest. */
function updateResults(figures: unknown, rows: Row[]): void {
  const path = here("results.json");
  const results = (
    existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : { table: [] }
  ) as Record<string, unknown> & { table: Row[] };
  results.buildVsPandas = { date: new Date().toISOString(), ...(figures as object) };
  const mine = new Set(rows.map((row) => row.bench));
  results.table = [...rows, ...results.table.filter((row) => !mine.has(row.bench))];
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log("updated: bench/results.json (buildVsPandas and its rows)");
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  if (process.argv.includes("--build-only")) {
    const figures = buildVsPandas(rows);
    console.log(JSON.stringify(figures, null, 2));
    printTable(rows);
    updateResults(figures, rows);
    return;
  }
  if (process.argv.includes("--csv-only")) {
    console.log(JSON.stringify(await csvVsPandas(rows), null, 2));
    printTable(rows);
    return;
  }
  const started = loadavg().map((l) => round(l, 2));
  const startup = startupBench(rows);
  const buildVsPandasFigures = buildVsPandas(rows);
  const csv = await csvVsPandas(rows);
  const parquet = parquetBench(rows);
  const build = builds(rows);
  const s3 = await s3Download(rows);
  const summarize = summarizeBench(rows);
  const charts = chartsBench(rows);
  const results = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      loadAverageAtStart: started,
      loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    },
    startup,
    buildVsPandas: buildVsPandasFigures,
    csv,
    parquet,
    build,
    s3Download: s3,
    summarize,
    charts,
    table: rows,
  };
  writeFileSync(here("results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log("");
  console.log(
    `load average ${started.join(" ")} at start, ${results.machine.loadAverageAtEnd.join(" ")} at end, on ${results.machine.cpus} CPUs`,
  );
  printTable(rows);
  console.log("written: bench/results.json");
}

await main();
