// `npx tsx scripts/measure-test-costs.ts [test/foo.test.ts ...]`: runs each test file alone,
// one after another, and records its CPU seconds (user + system, child processes included:
// Chromium, Deno, npm) in scripts/test-costs.json, which `npm test` plans its processes from
// (scripts/test-plan.ts). CPU time rather than wall time, because the machine is shared and
// wall time says more about the neighbours than about the test. With files named, only their
// entries change; files that no longer exist leave the table.
//
// Each file's CPU is counted by scripts/cpu-time.ts: in a cgroup of its own where it may (as
// root with cgroup v1, as on the development machine), which counts Chromium's renderers too.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hermeticEnv } from "../test/helpers/hermetic-env.ts";
import { cpuTime } from "./cpu-time.ts";
import { COSTS_FILE, costKey, readCosts } from "./test-plan.ts";

const ROOT = join(import.meta.dirname, "..");

const named = process.argv.slice(2).map((file) => resolve(file));
const all = readdirSync(join(ROOT, "test"))
  .filter((name) => name.endsWith(".test.ts"))
  .sort()
  .map((name) => join(ROOT, "test", name));
const costs: Record<string, number> = { ...readCosts() };
for (const key of Object.keys(costs)) {
  if (!existsSync(join(ROOT, "test", `${key}.test.ts`))) delete costs[key];
}

const env = hermeticEnv();
for (const file of named.length > 0 ? named : all) {
  const home = mkdtempSync(join(tmpdir(), "csr-cost-"));
  const time = cpuTime("node", ["--import", "tsx", "--test", "--test-concurrency=1", file], {
    cwd: ROOT,
    env: { ...env, HOME: home },
    output: "ignore",
  });
  rmSync(home, { recursive: true, force: true });
  costs[costKey(file)] = Math.round(time.cpu * 10) / 10;
  const failed = time.code === 0 ? "" : " (failed)";
  console.log(`${costKey(file)}: ${time.cpu.toFixed(1)} CPU s by ${time.countedBy}${failed}`);
}
const sorted = Object.fromEntries(Object.entries(costs).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(COSTS_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
