// Child process for the reader tests that must survive a hang or a blow-up: reads each case
// of a JSON case list (bytes from a file, limits, chunk size) with readTable, one after the
// other, and prints one JSON line per case: its outcome (with the column names when the case
// asks), the CPU time it took (which a busy machine barely changes, unlike the wall clock) and
// the process's peak RSS so far.
// test/read-helpers.ts (readInChild) starts it with a heap ceiling and watches the clock.
import { readFileSync } from "node:fs";
import { ReportError } from "../src/errors.ts";
import { type Limits, limitsFromEnv } from "../src/limits.ts";
import { readTable } from "../src/read/index.ts";
import { memorySource, recordingLog } from "./read-helpers.ts";

interface ChildCase {
  name: string;
  path: string;
  chunkSize: number;
  limits: Partial<Limits>;
  names: boolean;
}

/**
 * This process's peak RSS in MiB. On Linux from /proc (VmHWM), because getrusage's maxRSS
 * starts from the parent's size at the fork that made this process: a test process that has
 * grown to 400 MiB would see every child "peak" above that before it reads a byte.
 */
function peakMiB(): number {
  try {
    const kB = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kB !== undefined) return Number(kB) / 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS / 1024;
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as ChildCase[];
for (const [index, item] of cases.entries()) {
  const bytes = new Uint8Array(readFileSync(item.path));
  const line: Record<string, unknown> = { index };
  const cpu = process.cpuUsage();
  try {
    const table = await readTable(memorySource(item.name, bytes, { chunkSize: item.chunkSize }), {
      csv: {},
      log: recordingLog(),
      limits: { ...limitsFromEnv({}), ...item.limits },
    });
    line.rows = table.numRows;
    line.columns = table.numCols;
    if (item.names) line.names = table.schema.fields.map((field) => field.name);
  } catch (error) {
    if (error instanceof ReportError) {
      line.message = error.message;
      line.hint = error.hint;
    } else {
      line.crash = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
  }
  const used = process.cpuUsage(cpu);
  line.cpuSeconds = (used.user + used.system) / 1e6;
  line.peakMiB = peakMiB();
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
