// The 1M-row × 8-column CSV through a full `build --source`, as a user runs it (the compiled
// dist/ binary, a child process), beside pandas doing the same work in its own child:
// read_csv, describe(include='all') and value_counts of the text columns (pandas_read.py
// --summarize). Both children are measured alike by measure_child.py (wall time, and CPU
// time and peak RSS from the child's own resource usage), run alternately so load changes on
// a shared machine hit both sides, and compared by their medians. Targets (issue 9): our time
// at most 0.7× pandas', our peak memory at most pandas'.
// `tsx bench/build-vs-pandas.ts`, or through `npm run bench` (bench/run.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBenchCsv } from "./generate.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here("..");
const BIN = here("../bin/connect-s3-report.js");
const DIST = here("../dist/bundle/main.js");
const CSV = here("data/bench-1m.csv");
const PYTHON = "/usr/bin/python3";
export const BUILD_RUNS = 5;
const TIME_TARGET = 0.7;

/** One child's figures, from measure_child.py. */
interface ChildFigures {
  seconds: number;
  cpuSeconds: number;
  peakMiB: number;
}

export interface BuildVsPandas {
  runs: number;
  ours: ChildFigures & { runsSeconds: number[] };
  pandas: (ChildFigures & { runsSeconds: number[]; version: string }) | { skipped: string };
  /** ours / pandas, by medians. */
  ratios?: { time: number; cpu: number; peakMemory: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Why pandas cannot run here, with how to install it; undefined when it can. */
export function pandasMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install -y python3-pandas)`;
  const probe = spawnSync(PYTHON, ["-c", "import pandas"], { encoding: "utf8" });
  return probe.status === 0
    ? undefined
    : `python3-pandas is not installed: apt-get install -y python3-pandas`;
}

function measure(command: string[]): ChildFigures {
  const out = execFileSync(PYTHON, [here("measure_child.py"), ...command], {
    encoding: "utf8",
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out) as ChildFigures;
}

function medians(runs: ChildFigures[]): ChildFigures {
  return {
    seconds: round(median(runs.map((r) => r.seconds))),
    cpuSeconds: round(median(runs.map((r) => r.cpuSeconds))),
    peakMiB: round(median(runs.map((r) => r.peakMiB)), 1),
  };
}

/** Alternating runs of both sides; throws when dist/ or python3 is missing. */
export function runBuildVsPandas(runs = BUILD_RUNS): BuildVsPandas {
  if (!existsSync(DIST)) throw new Error("no dist/: run npm run build:dist first");
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is needed to measure the children`);
  ensureBenchCsv(CSV);
  const missing = pandasMissing();
  const scratch = mkdtempSync(join(tmpdir(), "bench-build-"));
  const build = [process.execPath, BIN, "build", "-q", "--source", CSV];
  const ours: ChildFigures[] = [];
  const pandas: ChildFigures[] = [];
  try {
    // One build first, unmeasured: it warms the file cache and writes the run history the
    // measured builds compare against, as a repeated build would find it.
    measure([...build, "--out", join(scratch, "output")]);
    for (let run = 0; run < runs; run++) {
      ours.push(measure([...build, "--out", join(scratch, "output")]));
      if (!missing) pandas.push(measure([PYTHON, here("pandas_read.py"), CSV, "--summarize"]));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const oursFigures = { ...medians(ours), runsSeconds: ours.map((r) => round(r.seconds)) };
  if (missing) return { runs, ours: oursFigures, pandas: { skipped: missing } };
  const version = execFileSync(PYTHON, ["-c", "import pandas; print(pandas.__version__)"], {
    encoding: "utf8",
  }).trim();
  const theirs = { ...medians(pandas), runsSeconds: pandas.map((r) => round(r.seconds)), version };
  return {
    runs,
    ours: oursFigures,
    pandas: theirs,
    ratios: {
      time: round(oursFigures.seconds / theirs.seconds),
      cpu: round(oursFigures.cpuSeconds / theirs.cpuSeconds),
      peakMemory: round(oursFigures.peakMiB / theirs.peakMiB),
    },
  };
}

/** The closing table's rows for these figures. */
export function buildVsPandasRows(figures: BuildVsPandas): {
  bench: string;
  ours: string;
  baseline: string;
  ratio: string;
  target?: string;
}[] {
  const { ours, pandas, ratios } = figures;
  const skipped = "skipped" in pandas ? pandas.skipped : undefined;
  return [
    {
      bench: "build --source 1M×8 CSV, wall (vs pandas read_csv+describe+value_counts)",
      ours: `${ours.seconds.toFixed(2)} s`,
      baseline: skipped
        ? `skipped: ${skipped}`
        : `${(pandas as ChildFigures).seconds.toFixed(2)} s`,
      ratio: ratios ? `${ratios.time.toFixed(2)}×` : "-",
      target: ratios
        ? `≤${TIME_TARGET}× ${ratios.time <= TIME_TARGET ? "met" : "NOT met"}`
        : undefined,
    },
    {
      bench: "build --source 1M×8 CSV, CPU time (vs pandas)",
      ours: `${ours.cpuSeconds.toFixed(2)} s`,
      baseline: skipped ? "skipped" : `${(pandas as ChildFigures).cpuSeconds.toFixed(2)} s`,
      ratio: ratios ? `${ratios.cpu.toFixed(2)}×` : "-",
    },
    {
      bench: "build --source 1M×8 CSV, peak RSS (vs pandas)",
      ours: `${ours.peakMiB.toFixed(0)} MiB`,
      baseline: skipped ? "skipped" : `${(pandas as ChildFigures).peakMiB.toFixed(0)} MiB`,
      ratio: ratios ? `${ratios.peakMemory.toFixed(2)}×` : "-",
      target: ratios ? `≤1× ${ratios.peakMemory <= 1 ? "met" : "NOT met"}` : undefined,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = runBuildVsPandas(Number(process.argv[2] ?? BUILD_RUNS));
  console.log(JSON.stringify(figures, null, 2));
  for (const row of buildVsPandasRows(figures))
    console.log(`${row.bench}: ${row.ours} vs ${row.baseline} = ${row.ratio} ${row.target ?? ""}`);
}
