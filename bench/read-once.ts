// Child process for the benchmark: reads the CSV once and reports time and peak memory.
// bench/run.ts bundles this file with esbuild and runs it with plain node, so the figure is
// what a build process pays, without the tsx loader. The file is read as a build reads a local
// file (src/source/open.ts: recycled chunks). Usage: node read-once.mjs file.csv
import { statSync } from "node:fs";
import { readFileChunks } from "../src/file-chunks.ts";
import { readCsv } from "../src/read/csv/read-csv.ts";

const path = process.argv[2];
const baselineMiB = process.memoryUsage().rss / 1_048_576;
const started = performance.now();
const cpu = process.cpuUsage();
const table = await readCsv(readFileChunks(path), {
  name: path,
  expectedBytes: statSync(path).size,
});
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    ms,
    cpuMs: (used.user + used.system) / 1000,
    rows: table.numRows,
    baselineMiB,
    // resourceUsage().maxRSS is in KiB.
    peakMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
