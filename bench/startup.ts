// Start-up of the installed CLI: `connect-s3-report --help` and `--version` from dist/ (run
// `npm run build:dist` first) beside `node -e ""`, the floor any Node CLI pays. Runs are
// interleaved so load changes on a shared machine hit both alike; the figure is the median.
// `tsx bench/startup.ts`, or through `npm run bench` (bench/run.ts).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/connect-s3-report.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/bundle/main.js", import.meta.url));
const RUNS = 15;

export interface StartupFigures {
  helpMs: number;
  versionMs: number;
  nodeMs: number;
}

/** Wall time of one child process, in milliseconds. */
function timeChild(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}`);
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Median start-up times, or why they could not be measured. */
export function runStartupBench(): StartupFigures | { skipped: string } {
  if (!existsSync(DIST)) return { skipped: "no dist/: run npm run build:dist" };
  const help: number[] = [];
  const version: number[] = [];
  const node: number[] = [];
  timeChild([BIN, "--help"]); // Warm the file cache.
  for (let i = 0; i < RUNS; i++) {
    node.push(timeChild(["-e", ""]));
    help.push(timeChild([BIN, "--help"]));
    version.push(timeChild([BIN, "--version"]));
  }
  return { helpMs: median(help), versionMs: median(version), nodeMs: median(node) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = runStartupBench();
  if ("skipped" in figures) {
    console.log(`startup: skipped (${figures.skipped})`);
  } else {
    const { helpMs, versionMs, nodeMs } = figures;
    console.log(
      `startup (median of ${RUNS}): --help ${helpMs.toFixed(0)} ms, --version ${versionMs.toFixed(0)} ms, node -e "" ${nodeMs.toFixed(0)} ms; ratio --help / node ${(helpMs / nodeMs).toFixed(2)}`,
    );
  }
}
