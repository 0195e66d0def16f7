// `npx tsx scripts/measure-test-costs.ts [test/foo.test.ts ...]`: runs each test file alone,
// one after another, and records its CPU seconds (user + system, child processes included:
// Chromium, Deno, npm) in scripts/test-costs.json, which `npm test` plans its processes from
// (scripts/test-plan.ts). CPU time rather than wall time, because the machine is shared and
// wall time says more about the neighbours than about the test. With files named, only their
// entries change; files that no longer exist leave the table.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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
for (const file of named.length > 0 ? named : all) {
  const home = mkdtempSync(join(tmpdir(), "csr-cost-"));
  // bash's `times` prints the CPU time of the shell's finished children on its second line.
  const run = spawnSync(
    "bash",
    [
      "-c",
      'node --import tsx --test --test-concurrency=1 "$1" >/dev/null 2>&1; code=$?; times; exit $code',
      "measure",
      file,
    ],
    { cwd: ROOT, env: { ...env, HOME: home }, encoding: "utf8" },
  );
  rmSync(home, { recursive: true, force: true });
  const children = run.stdout.trim().split("\n").at(-1) ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs),
    0,
  );
  costs[costKey(file)] = Math.round(seconds * 10) / 10;
  console.log(
    `${costKey(file)}: ${seconds.toFixed(1)} CPU s${run.status === 0 ? "" : " (failed)"}`,
  );
}
const sorted = Object.fromEntries(Object.entries(costs).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(COSTS_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
