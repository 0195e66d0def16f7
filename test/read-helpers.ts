// Shared by the read-*.test.ts files: sources from memory or fixtures, a recording log, and
// reads in a child process with a time and memory ceiling (for input that once hung).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Table } from "apache-arrow";
import { type Limits, limitsFromEnv } from "../src/limits.ts";
import { readTable } from "../src/read/index.ts";
import type { DataSource } from "../src/source/data-source.ts";
import { openLocalFile } from "../src/source/open.ts";
import { bundled } from "./helpers/bundle.ts";
import { recordingLog } from "./helpers/effects.ts";

export { recordingLog };

/** Every limit at its default (src/limits.ts), as a build without overrides has them. */
export const defaultLimits: Limits = limitsFromEnv({});

export const FIXTURES = join(import.meta.dirname, "input", "read", "generated");

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** An in-memory source whose body arrives in chunks of `chunkSize` bytes. */
export function memorySource(
  name: string,
  bytes: Uint8Array | string,
  options: { chunkSize?: number; contentType?: string } = {},
): DataSource {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const size = options.chunkSize ?? (data.length || 1);
  return {
    label: name,
    name,
    size: data.length,
    contentType: options.contentType,
    async *body() {
      for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
    },
  };
}

/** Reads a fixture file with default options. */
export async function readFixture(
  name: string,
  log = recordingLog(),
): Promise<{ table: Table; log: ReturnType<typeof recordingLog> }> {
  const table = await readTable(await openLocalFile(fixture(name)), {
    csv: {},
    limits: defaultLimits,
    log,
  });
  return { table, log };
}

/** Column values through Arrow's accessor, as an array. */
export function column(table: Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  return Array.from({ length: vector.length }, (_, i) => vector.get(i));
}

/** One input for readInChild. */
export interface ChildCase {
  name: string;
  bytes: Uint8Array;
  /** Bytes per chunk of the source's body (default 64 KiB). */
  chunkSize?: number;
  /** Limits other than the defaults. */
  limits?: Partial<Limits>;
  /** Report the table's column names (so a wide table need not be read again here). */
  names?: boolean;
}

/** What the child saw for one case: a table's shape, a ReportError, or anything else. */
export interface ChildOutcome {
  name: string;
  rows?: number;
  columns?: number;
  /** The column names, when the case asked for them. */
  names?: string[];
  message?: string;
  hint?: string;
  /** Another exception's stack, or why the child died or was stopped (time or memory). */
  crash?: string;
  /** CPU time the case took in the child. */
  cpuSeconds?: number;
  /** The child's peak RSS so far, in MiB. */
  peakMiB?: number;
}

/**
 * Reads the cases one after another in a child process (test/read-child.ts) whose V8 heap
 * is capped at `heapMiB`. A case over `caseSeconds` of CPU time is a crash, and so is one
 * that gives no outcome within a wall-clock backstop several times longer (a hang: the
 * child is killed), so a loaded machine slows the run down without failing it. Returns one
 * outcome per case; those after a crash are not run.
 */
export async function readInChild(
  cases: ChildCase[],
  ceilings: { caseSeconds: number; heapMiB: number },
): Promise<ChildOutcome[]> {
  const backstop = Math.max(60, ceilings.caseSeconds * 6);
  const dir = mkdtempSync(join(tmpdir(), "read-child-"));
  try {
    const list = cases.map((item, k) => {
      const path = join(dir, `case-${k}`);
      writeFileSync(path, item.bytes);
      return {
        name: item.name,
        path,
        chunkSize: item.chunkSize ?? 65_536,
        limits: item.limits ?? {},
        names: item.names ?? false,
      };
    });
    const listPath = join(dir, "cases.json");
    writeFileSync(listPath, JSON.stringify(list));
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${ceilings.heapMiB}`,
        await bundled(join(import.meta.dirname, "read-child.ts")),
        listPath,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const outcomes: ChildOutcome[] = [];
    let stderr = "";
    let pending = "";
    let stopped: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    // The first case also waits for the child to start, so it gets a start-up allowance.
    const arm = (extra: number) => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          stopped = `no outcome within ${backstop} s (a hang?)`;
          child.kill("SIGKILL");
        },
        (backstop + extra) * 1000,
      );
    };
    arm(60);
    child.stderr.on("data", (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-4000);
    });
    child.stdout.on("data", (data: Buffer) => {
      pending += data.toString();
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const line = JSON.parse(pending.slice(0, end)) as ChildOutcome & { index: number };
        pending = pending.slice(end + 1);
        const { index, ...outcome } = line;
        if ((outcome.cpuSeconds ?? 0) > ceilings.caseSeconds && !outcome.crash) {
          outcome.crash = `took ${outcome.cpuSeconds} s of CPU, over the ${ceilings.caseSeconds} s ceiling`;
        }
        outcomes.push({ ...outcome, name: cases[index].name });
        arm(0);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    if (outcomes.length < cases.length) {
      const why =
        stopped ??
        `the child exited with ${code}: ${stderr.trim().split("\n").slice(-5).join(" | ")}`;
      outcomes.push({ name: cases[outcomes.length].name, crash: why });
    }
    return outcomes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
