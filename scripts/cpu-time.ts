// `npx tsx scripts/cpu-time.ts COMMAND [ARG ...]`: runs a command and prints its wall and CPU
// seconds, counting every process it started. That is how the suite's times in
// docs/design/decisions.md were taken (`npx tsx scripts/cpu-time.ts npm test`), and how
// scripts/measure-test-costs.ts measures each test file.
//
// Where it may (as root on Linux with cgroup v1's cpuacct, as on the development machine), the
// command runs in a cgroup of its own, which counts every process in it, even those whose
// parent exited first: Chromium's renderers, about half of a browser test's cost. Elsewhere
// the shell's `times` counts the children it waited for, which misses those; the printed line
// says which was used.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** What a command cost: seconds of wall clock and of CPU, how the CPU was counted, its exit code. */
export interface CpuTime {
  wall: number;
  cpu: number;
  countedBy: "cgroup" | "times";
  code: number;
}

/** Where a command's output goes: shown, or dropped (as when measuring test files). */
type Output = "inherit" | "ignore";

const CPUACCT = "/sys/fs/cgroup/cpuacct";

/** A fresh cpuacct cgroup, or undefined where this process may not make one. */
function makeCgroup(): string | undefined {
  const group = join(CPUACCT, `csr-cpu-time-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(group);
    return group;
  } catch {
    return undefined;
  }
}

/** Move what is still running in `group` to the root group, so that `group` can be removed. */
function removeCgroup(group: string): void {
  try {
    for (const pid of readFileSync(join(group, "cgroup.procs"), "utf8").split("\n")) {
      if (pid !== "") writeFileSync(join(CPUACCT, "cgroup.procs"), pid);
    }
    rmdirSync(group);
  } catch {
    // A process that ends meanwhile cannot be moved; the empty group then stays behind.
  }
}

/** Seconds in bash's `times` line for children: "0m1.234s 0m0.567s" (user, system). */
function secondsOfTimes(line: string): number {
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, seconds]) => sum + Number(minutes) * 60 + Number(seconds),
    0,
  );
}

/** Run `command` with `args` to its end and say what it cost. */
export function cpuTime(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; output?: Output } = {},
): CpuTime {
  const spawnOptions = { cwd: options.cwd, env: options.env, stdio: options.output ?? "inherit" };
  const group = makeCgroup();
  const start = performance.now();
  if (group !== undefined) {
    // The shell joins the group, then becomes the command: everything it starts is counted.
    const run = spawnSync(
      "bash",
      ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', group, command, ...args],
      spawnOptions,
    );
    const wall = (performance.now() - start) / 1000;
    const cpu = Number(readFileSync(join(group, "cpuacct.usage"), "utf8")) / 1e9;
    removeCgroup(group);
    return { wall, cpu, countedBy: "cgroup", code: run.status ?? 1 };
  }
  const scratch = mkdtempSync(join(tmpdir(), "csr-cpu-time-"));
  const timesFile = join(scratch, "times");
  try {
    // `times` prints the shell's own CPU on its first line and its children's on the second.
    const run = spawnSync(
      "bash",
      [
        "-c",
        't=$1; shift; "$@"; code=$?; times > "$t"; exit $code',
        "x",
        timesFile,
        command,
        ...args,
      ],
      spawnOptions,
    );
    const wall = (performance.now() - start) / 1000;
    const children = readFileSync(timesFile, "utf8").trim().split("\n").at(-1) ?? "";
    return { wall, cpu: secondsOfTimes(children), countedBy: "times", code: run.status ?? 1 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    console.error("usage: npx tsx scripts/cpu-time.ts COMMAND [ARG ...]");
    process.exit(2);
  }
  const time = cpuTime(command, args);
  console.error(
    `cpu-time: wall ${time.wall.toFixed(1)} s, cpu ${time.cpu.toFixed(1)} s ` +
      `(counted by ${time.countedBy === "cgroup" ? "a cgroup of its own" : "bash's times, which misses orphaned processes"}), exit code ${time.code}`,
  );
  process.exitCode = time.code;
}
