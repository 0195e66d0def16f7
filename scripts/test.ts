// `npm test`: runs node:test over test/*.test.ts (or the files given) in an environment that
// nothing on a developer's machine can change: no AWS_*, CONNECT_* or Posit settings, and a
// fresh empty HOME, so no ~/.aws, ~/.config or caches of the person running it take part.
//
// The whole suite runs in a few processes rather than one per file: each process pays about
// a second for tsx and up to three more for importing Arrow, vega and the AWS SDK. Which
// files share a process, which run alone and in what order is planned from each file's
// measured CPU time (scripts/test-plan.ts, scripts/test-costs.json): files that cost 20 s
// or more (the npm pack and install, the Deno renders) run alone, the rest in groups of
// about equal cost, and every process starts longest first, so the two lanes of a two-core
// machine end close together. After adding or changing a slow test,
// `npx tsx scripts/measure-test-costs.ts [files]` measures again; an unmeasured file counts
// as a median one. `npm test -- --plan` prints the plan.
//
// Files in a group share a process (their top-level before/after hooks run at the group's
// start and end), so a test file must restore any process-wide state it changes.
// `npm test -- --isolate` (or naming files) runs one process per file instead. The run's
// processes share one scratch folder (CSR_TEST_SHARED, test/helpers/shared-folder.ts) for
// fixtures built once per run, such as the sample report the Chromium tests look at.
//
// What keeps it short: child processes run esbuild bundles of their scripts
// (test/helpers/bundle.ts), not tsx, which cost about 3 CPU s per child; error cases run
// in-process (test/helpers/cli.ts); fixtures are built once per file or per run.
//
// Measured on Node 20 on the 2-core development machine (`/usr/bin/time -v npx tsx
// scripts/test.ts`; the load average is other people's work on the same machine):
// - issue 8's first plan: 197 s wall, 301 CPU s, 808 tests (load 0.2-4.4);
// - the same code on 2 Dec 2026, 09:32: 387 s wall, 336 CPU s, 817 tests (load 0.5-7.6);
// - with bundled children and shared fixtures, 10:36: 195 s wall, 273 CPU s, 835 tests
//   (load 1.2-5.4);
// - the same with three processes at once on the two cores: 207 s wall, 313 CPU s
//   (load 0.9-5.5): more groups import Arrow, vega and the AWS SDK more often;
// - the plan's four processes (two groups, the npm pack and the Deno renders) two at a
//   time, 10:52: 194 s wall, 267 CPU s, 836 tests (load 1.0-4.6); three at a time 175 s,
//   255 CPU s; all four at once 165 s, 240 CPU s (load 2.9-5.7); seven processes planned
//   for three lanes, all at once: 199 s, 310 CPU s. This layout, 11:15: 169 s, 242 CPU s.
// So the plan splits the work into groups for as many lanes as there are cores, and then
// starts every process at once: the processes wait on npm, Chromium, Deno and their
// servers, and one process's wait is another's turn on a core. On two cores the wall time
// is still at least half the CPU time, so only cheaper tests make it much shorter.
//
// Those CPU figures miss Chromium's renderers, which outlive their parent. Counted in a
// cgroup of their own (every process the run starts), on a fresh 2-core machine, 2 Dec 2026:
// - before the shared Chromium, the cached bundles and the cheaper files, 12:53 and 12:55:
//   185 and 154 s wall, the second 276 CPU s by process accounting (`accton`), 836 tests;
// - after, 14:37: 140 s wall, 232 CPU s, 837 tests (load 1.5-4.3);
// - the same planned for three lanes (11 processes): 176 s, 337 CPU s; as two processes
//   (no file alone): 141 s, 243 CPU s. Each test process costs CPU of its own (about 15 s
//   a process from four to eleven: start-up, imports, fixtures, a heap grown afresh), so more
//   of them cost more than their overlap saves.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SHARED_ENV } from "../test/helpers/shared-folder.ts";
import { costKey, makespan, planJobs, readCosts, sharingFiles } from "./test-plan.ts";

const ROOT = join(import.meta.dirname, "..");

/** Settings that select credentials, a bucket or a Connect server, or switch to Connect mode. */
const WORLDLY = /^(AWS_|CONNECT_|POSIT_|RSTUDIO_)/;

const args = process.argv.slice(2);
const isolate = args.includes("--isolate");
const planOnly = args.includes("--plan");
const given = args.filter((arg) => arg !== "--isolate" && arg !== "--plan");
const named = given.some((arg) => arg.endsWith(".ts"));
const concurrency = Math.max(2, availableParallelism());
const scratch = mkdtempSync(join(tmpdir(), "csr-test-"));
const home = join(scratch, "home");
mkdirSync(home);
// Fixtures the run's processes build once and share (test/helpers/sample-site.ts).
const shared = join(scratch, "shared");
mkdirSync(shared);
let files: string[] = [];
/** How many test processes run at a time: the cores, or every planned process at once. */
let lanes = concurrency;
if (!named) {
  files = readdirSync(join(ROOT, "test"))
    .filter((name) => name.endsWith(".test.ts"))
    .sort()
    .map((name) => join(ROOT, "test", name));
  if (!isolate) {
    const costs = readCosts();
    const jobs = planJobs(files, concurrency, costs, sharingFiles(files));
    if (planOnly) {
      for (const job of jobs) {
        console.log(`${job.cost.toFixed(1).padStart(6)} s  ${job.files.map(costKey).join(" ")}`);
      }
      const total = jobs.reduce((sum, job) => sum + job.cost, 0);
      console.log(
        `${jobs.length} processes, all started at once, ${total.toFixed(0)} CPU s; planned for ${concurrency} lanes, the last would end at ${makespan(jobs, concurrency).toFixed(0)} s`,
      );
      rmSync(scratch, { recursive: true, force: true });
      process.exit(0);
    }
    files = jobs.map((job, i) => {
      if (job.files.length === 1) return job.files[0];
      const entry = join(scratch, `group-${i + 1}.test.mjs`);
      writeFileSync(
        entry,
        job.files.map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};\n`).join(""),
      );
      return entry;
    });
    lanes = files.length;
  }
}

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !WORLDLY.test(name)));
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${lanes}`, ...given, ...files],
  { cwd: ROOT, env: { ...env, HOME: home, [SHARED_ENV]: shared }, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("close", (code, signal) => {
  rmSync(scratch, { recursive: true, force: true });
  process.exitCode = code ?? (signal ? 1 : 0);
});
