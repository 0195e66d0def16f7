// `npx tsx scripts/measure-test-costs.ts [test/foo.test.ts ...]`: runs each test file alone,
// one after another, and records its CPU seconds (user + system, child processes included:
// Chromium, Deno, npm) in scripts/test-costs.json, which `npm test` plans its processes from
// (scripts/test-plan.ts). CPU time rather than wall time, because the machine is shared and
// wall time says more about the neighbours than about the test. With files named, only their
// entries change; files that no longer exist leave the table.
//
// Where it may (as root on Linux with cgroup v1's cpuacct, as on the development machine),
// each file runs in a cgroup of its own, which counts every process the file started.
// Elsewhere the shell's `times` counts the children it waited for, which misses processes
// whose parent exited first: Chromium's renderers, about half of a browser test's cost.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { COSTS_FILE, costKey, readCosts } from "./test-plan.ts";

const ROOT = join(import.meta.dirname, "..");
const WORLDLY = /^(AWS_|CONNECT_|POSIT_|RSTUDIO_)/;

const named = process.argv.slice(2).map((file) => resolve(file));
const all = readdirSync(join(ROOT, "test"))
  .filter((name) => name.endsWith(".test.ts"))
  .sort()
  .map((name) => join(ROOT, "test", name));
const costs: Record<string, number> = { ...readCosts() };
for (const key of Object.keys(costs)) {
  if (!existsSync(join(ROOT, "test", `${key}.test.ts`))) delete costs[key];
}

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !WORLDLY.test(name)));
const CPUACCT = "/sys/fs/cgroup/cpuacct";

/** A fresh cpuacct cgroup, or undefined where this process may not make one. */
function makeCgroup(): string | undefined {
  const group = join(CPUACCT, `csr-test-cost-${process.pid}`);
  try {
    mkdirSync(group);
    return group;
  } catch {
    return undefined;
  }
}

/** CPU seconds of `file` run alone, and whether it passed. */
function measure(file: string, home: string): { seconds: number; ok: boolean } {
  const node = 'node --import tsx --test --test-concurrency=1 "$1" >/dev/null 2>&1';
  const group = makeCgroup();
  if (group !== undefined) {
    try {
      const run = spawnSync(
        "bash",
        ["-c", `echo $$ > "$2/cgroup.procs" && ${node}`, "x", file, group],
        {
          cwd: ROOT,
          env: { ...env, HOME: home },
        },
      );
      // Nanoseconds of CPU of every process that was in the group.
      const seconds = Number(readFileSync(join(group, "cpuacct.usage"), "utf8")) / 1e9;
      return { seconds, ok: run.status === 0 };
    } finally {
      // Processes a test left behind keep the group; it goes when they do.
      try {
        rmdirSync(group);
      } catch {}
    }
  }
  // bash's `times` prints the CPU time of the shell's finished children on its second line.
  const run = spawnSync("bash", ["-c", `${node}; code=$?; times; exit $code`, "x", file], {
    cwd: ROOT,
    env: { ...env, HOME: home },
    encoding: "utf8",
  });
  const children = run.stdout.trim().split("\n").at(-1) ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs),
    0,
  );
  return { seconds, ok: run.status === 0 };
}

for (const file of named.length > 0 ? named : all) {
  const home = mkdtempSync(join(tmpdir(), "csr-cost-"));
  const { seconds, ok } = measure(file, home);
  rmSync(home, { recursive: true, force: true });
  costs[costKey(file)] = Math.round(seconds * 10) / 10;
  console.log(`${costKey(file)}: ${seconds.toFixed(1)} CPU s${ok ? "" : " (failed)"}`);
}
const sorted = Object.fromEntries(Object.entries(costs).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(COSTS_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
