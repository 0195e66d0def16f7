// The plan `npm test` runs the suite by (scripts/test-plan.ts): every file in exactly one
// process, expensive files alone, processes longest first, and an end no later than two
// plain groups would give. Costs here are made up; the expected figures are worked by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Costs,
  costOf,
  makespan,
  planJobs,
  SOLO_SECONDS,
  STARTUP_SECONDS,
  sharingFiles,
} from "../scripts/test-plan.ts";

const file = (name: string) => `/repo/test/${name}.test.ts`;

test("longest-first on free lanes: 5, 4, 3, 3, 3 on two lanes ends at 10", () => {
  // Lane A takes 5, lane B 4; then 3 to B (7), 3 to A (8), 3 to B (10).
  const jobs = [5, 4, 3, 3, 3].map((cost) => ({ files: [], cost }));
  assert.equal(makespan(jobs, 2), 10);
  assert.equal(makespan(jobs, 1), 18);
});

test("an unmeasured file costs the median of the measured ones", () => {
  const costs: Costs = { a: 1, b: 7, c: 3 };
  assert.equal(costOf(file("b"), costs), 7);
  assert.equal(costOf(file("new"), costs), 3);
  assert.equal(costOf(file("new"), {}), 1);
});

test("each file runs once; expensive ones alone; processes start longest first", () => {
  const costs: Costs = {
    pack: SOLO_SECONDS + 20,
    fuzz: SOLO_SECONDS + 5,
    chromium: SOLO_SECONDS,
    ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`small${i}`, 1 + (i % 7)])),
  };
  const files = [...Object.keys(costs), "unmeasured"].map(file);
  const jobs = planJobs(files, 2, costs);

  assert.deepEqual(jobs.flatMap((job) => job.files).sort(), [...files].sort());
  for (const name of ["pack", "fuzz", "chromium"]) {
    const job = jobs.find((j) => j.files.includes(file(name)));
    assert.deepEqual(job?.files, [file(name)], `${name} runs alone`);
  }
  for (const job of jobs.filter((j) => j.files.length > 1)) {
    assert.ok(job.files.every((f) => costOf(f, costs) < SOLO_SECONDS));
  }
  const order = jobs.map((job) => job.cost);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => b - a),
  );

  // No later than the solo files beside just two groups (the layout before the plan).
  const small = files.filter((f) => costOf(f, costs) < SOLO_SECONDS);
  const half = (part: string[]) => ({
    files: part,
    cost:
      STARTUP_SECONDS +
      part.reduce((sum, f) => sum + Math.max(costOf(f, costs) - STARTUP_SECONDS, 0.1), 0),
  });
  const twoGroups = [
    ...jobs.filter((job) => job.files.length === 1 && costOf(job.files[0], costs) >= SOLO_SECONDS),
    half(small.filter((_, i) => i % 2 === 0)),
    half(small.filter((_, i) => i % 2 === 1)),
  ].sort((a, b) => b.cost - a.cost);
  assert.ok(makespan(jobs, 2) <= makespan(twoGroups, 2));
});

test("files that import a process-wide helper share one process, even an expensive one", () => {
  const sources: Record<string, string> = {
    [file("axe")]: 'import { sharedBrowser } from "./helpers/chromium.ts";',
    [file("page")]: 'import { artifactPath, sharedBrowser } from "./helpers/chromium.ts";',
    [file("phone")]: 'import { sharedBrowser } from "./helpers/chromium.ts";\n',
    [file("csv")]: 'import { readCsv } from "../src/read/csv/read.ts";',
  };
  const names = [
    "axe",
    "page",
    "phone",
    "csv",
    "pack",
    ...Array.from({ length: 12 }, (_, i) => `s${i}`),
  ];
  const files = names.map(file);
  const together = sharingFiles(files, (f) => sources[f] ?? "");
  assert.deepEqual(together, [[file("axe"), file("page"), file("phone")]]);

  const costs: Costs = {
    axe: SOLO_SECONDS + 10,
    page: 12,
    phone: 9,
    csv: 3,
    pack: SOLO_SECONDS + 4,
  };
  const jobs = planJobs(files, 2, costs, together);
  assert.deepEqual(jobs.flatMap((job) => job.files).sort(), [...files].sort());
  const browser = jobs.filter((job) => job.files.some((f) => together[0].includes(f)));
  assert.equal(browser.length, 1, "one process holds every file of the shared Chromium");
  for (const f of together[0]) assert.ok(browser[0].files.includes(f));
  assert.deepEqual(jobs.find((job) => job.files.includes(file("pack")))?.files, [file("pack")]);
});
