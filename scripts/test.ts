// `npm test`: runs node:test over test/*.test.ts (or the files given) in an environment that
// nothing on a developer's machine can change: no AWS_*, CONNECT_* or Posit settings, and a
// fresh empty HOME, so no ~/.aws, ~/.config or caches of the person running it take part.
//
// The whole suite runs in a few processes rather than one per file: each process pays about
// a second for tsx and up to three more for importing Arrow, vega and the AWS SDK. Which
// files share a process, which run alone and in what order is planned from each file's
// measured CPU time (scripts/test-plan.ts, scripts/test-costs.json): a file that costs 20 s
// or more runs alone (none does on a quiet machine), the rest in groups of about equal cost,
// as many as give the earliest end, and every process starts longest first, so the two lanes
// of a two-core machine end close together. After adding or changing a slow test,
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
// in-process (test/helpers/cli.ts); fixtures are built once per file or per run. On a quiet
// 2-core machine the whole suite takes about 85 s (`npx tsx scripts/cpu-time.ts npm test`);
// why it is laid out this way, and its times before and after, are in
// docs/design/decisions.md ("The test suite runs in a few planned processes").
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hermeticEnv } from "../test/helpers/hermetic-env.ts";
import { SHARED_ENV } from "../test/helpers/shared-folder.ts";
import { costKey, makespan, planJobs, readCosts, sharingFiles } from "./test-plan.ts";

const ROOT = join(import.meta.dirname, "..");

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

const env = hermeticEnv();
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
