// `npm run bench`: CSV → Arrow throughput and peak memory of our reader against pandas
// read_csv on the same 1M-row, 8-column file (~64 MB), in one run, plus the time of a full
// profile-only build. Writes bench/results.json. Timings on a shared 2-core VM are noisy:
// ours and pandas are run alternately so that load changes hit both alike.
import { execFileSync, spawnSync } from "node:child_process";
import { createReadStream, existsSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import { readCsv } from "../src/read/csv.ts";
import { ensureBenchCsv } from "./generate.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CSV = here("data/bench-1m.csv");
const RUNS = 3;
const PYTHON = "/usr/bin/python3";

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
  rows: number;
  baselineMiB: number;
  peakMiB: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function pandasAvailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ["-c", "import pandas"], { encoding: "utf8" });
  return probe.status === 0 ? undefined : "python3-pandas is not installed";
}

function runPandas(): PandasRun {
  const out = execFileSync(PYTHON, [here("pandas_read.py"), CSV], { encoding: "utf8" });
  return JSON.parse(out) as PandasRun;
}

/** One in-process read of the file, streamed in 1 MiB chunks as a build reads it. */
async function readOurs(bytes: number): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const table = await readCsv(createReadStream(CSV, { highWaterMark: 1 << 20 }), {
    name: CSV,
    expectedBytes: bytes,
  });
  const used = process.cpuUsage(cpu);
  return {
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    rows: table.numRows,
  };
}

/** Our reader's peak RSS: a bundled child under plain node that reads the file once. */
async function readOursInChild(): Promise<ChildRead> {
  const bundle = here("data/read-once.mjs");
  await esbuild({
    entryPoints: [here("read-once.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: bundle,
    logLevel: "error",
  });
  const out = execFileSync(process.execPath, [bundle, CSV], { encoding: "utf8" });
  return JSON.parse(out) as ChildRead;
}

/** A full profile-only build in a child process, or the reason it could not run. */
function timeBuild(): { ms: number; peakMiB: number } | { todo: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", here("build-once.ts"), CSV], {
    encoding: "utf8",
    cwd: here(".."),
  });
  if (result.status !== 0) {
    const reason = result.stderr.trim().split("\n").slice(-3).join(" | ");
    return { todo: `the build failed: ${reason}` };
  }
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as
    | { ms: number; peakMiB: number }
    | { todo: string };
}

async function main(): Promise<void> {
  if (!existsSync(CSV)) process.stderr.write(`generating ${CSV} …\n`);
  ensureBenchCsv(CSV);
  const bytes = statSync(CSV).size;
  const megabytes = bytes / 1e6;
  const noPandas = pandasAvailable();
  if (noPandas) {
    process.stderr.write(
      `notice: ${noPandas}; skipping pandas (apt-get install -y python3-pandas).\n`,
    );
  }

  const ours: number[] = [];
  const oursCpu: number[] = [];
  const pandas: PandasRun[] = [];
  let rows = 0;
  for (let run = 0; run < RUNS; run++) {
    const read = await readOurs(bytes);
    ours.push(read.ms);
    oursCpu.push(read.cpuMs);
    rows = read.rows;
    if (!noPandas) pandas.push(runPandas());
  }
  const child = await readOursInChild();
  const buildTime = timeBuild();

  const oursMs = median(ours);
  const oursMBps = megabytes / (oursMs / 1000);
  const pandasMs = pandas.length ? median(pandas.map((p) => p.seconds * 1000)) : undefined;
  const pandasMBps = pandasMs === undefined ? undefined : megabytes / (pandasMs / 1000);
  const oursCpuMs = median(oursCpu);
  const pandasCpuMs = pandas.length ? median(pandas.map((p) => p.cpuSeconds * 1000)) : undefined;
  const pandasPeak = pandas.length ? median(pandas.map((p) => p.peakMiB)) : undefined;

  const results = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      loadAverage: loadavg().map((l) => round(l, 2)),
    },
    file: { path: "bench/data/bench-1m.csv", bytes, rows },
    ours: {
      runsMs: ours.map((ms) => round(ms)),
      medianMs: round(oursMs),
      mbPerSecond: round(oursMBps),
      cpuMs: round(oursCpuMs),
      child: {
        ms: round(child.ms),
        baselineMiB: round(child.baselineMiB),
        peakMiB: round(child.peakMiB),
      },
    },
    pandas: noPandas
      ? { skipped: noPandas }
      : {
          version: pandas[0].version,
          runsMs: pandas.map((p) => round(p.seconds * 1000)),
          medianMs: round(pandasMs!),
          mbPerSecond: round(pandasMBps!),
          cpuMs: round(pandasCpuMs!),
          baselineMiB: round(pandas[0].baselineMiB),
          peakMiB: round(pandasPeak!),
        },
    ratios: noPandas
      ? undefined
      : {
          throughput: round(oursMBps / pandasMBps!, 2),
          cpuTime: round(oursCpuMs / pandasCpuMs!, 2),
          peakMemory: round(child.peakMiB / pandasPeak!, 2),
        },
    build:
      "todo" in buildTime
        ? buildTime
        : { ms: round(buildTime.ms), peakMiB: round(buildTime.peakMiB) },
  };
  writeFileSync(here("results.json"), `${JSON.stringify(results, null, 2)}\n`);

  const table: [string, string, string, string][] = [
    [
      "",
      "ours (CSV → Arrow)",
      noPandas ? "pandas (skipped)" : `pandas ${pandas[0].version}`,
      "ours / pandas",
    ],
    [
      "time, median of 3 (in-process)",
      `${oursMs.toFixed(0)} ms`,
      pandasMs === undefined ? "-" : `${pandasMs.toFixed(0)} ms`,
      "",
    ],
    [
      "throughput",
      `${oursMBps.toFixed(1)} MB/s`,
      pandasMBps === undefined ? "-" : `${pandasMBps.toFixed(1)} MB/s`,
      results.ratios ? `${results.ratios.throughput.toFixed(2)}×` : "-",
    ],
    [
      "CPU time, median of 3 (all threads)",
      `${oursCpuMs.toFixed(0)} ms`,
      pandasCpuMs === undefined ? "-" : `${pandasCpuMs.toFixed(0)} ms`,
      results.ratios ? `${results.ratios.cpuTime.toFixed(2)}×` : "-",
    ],
    [
      "peak RSS (one read, own process)",
      `${child.peakMiB.toFixed(0)} MiB`,
      pandasPeak === undefined ? "-" : `${pandasPeak.toFixed(0)} MiB`,
      results.ratios ? `${results.ratios.peakMemory.toFixed(2)}×` : "-",
    ],
    [
      "  of which runtime + imports",
      `${child.baselineMiB.toFixed(0)} MiB`,
      pandas.length ? `${pandas[0].baselineMiB.toFixed(0)} MiB` : "-",
      "",
    ],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join("  ");
  console.log(
    `${results.file.path}: ${rows.toLocaleString("en-US")} rows, ${megabytes.toFixed(1)} MB; load average ${results.machine.loadAverage.join(" ")} on ${results.machine.cpus} CPUs`,
  );
  console.log(`our runs: ${results.ours.runsMs.join(", ")} ms`);
  if (pandas.length) {
    console.log(`pandas runs: ${pandas.map((p) => (p.seconds * 1000).toFixed(1)).join(", ")} ms`);
  }
  console.log("");
  for (const row of table) console.log(line(row));
  console.log("");
  if ("todo" in buildTime) console.log(`full build: TODO (${buildTime.todo})`);
  else {
    console.log(
      `full build, profile-only report of the same file: ${(buildTime.ms / 1000).toFixed(2)} s, peak RSS ${buildTime.peakMiB.toFixed(0)} MiB`,
    );
  }
  console.log("written: bench/results.json");
}

await main();
