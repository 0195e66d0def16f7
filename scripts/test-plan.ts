// How `npm test` (scripts/test.ts) lays the suite out on the machine's cores: which files run
// in a process of their own, which share one, and in what order the processes start. The
// plan comes from measured CPU seconds per file (scripts/test-costs.json, written by
// scripts/measure-test-costs.ts), because the cost of a file is not its size: one short file
// packs and installs the npm package, another starts Chromium.
//
// node --test starts the files in the order given, as many at once as --test-concurrency
// allows, and starts the next when one ends. Given longest first, that is the classic
// longest-processing-time schedule, whose last process to end is a short one, so the lanes
// finish close together.
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** CPU seconds of a test file run alone, by its name without `.test.ts`. */
export type Costs = Readonly<Record<string, number>>;

/** Where the measured costs are kept. */
export const COSTS_FILE = join(import.meta.dirname, "test-costs.json");

/** A file that costs this much (CPU seconds, alone) or more runs in a process of its own. */
export const SOLO_SECONDS = 20;

/**
 * What one more process costs, in CPU seconds: node, tsx and the modules most tests import
 * (Arrow, vega, the AWS SDK). Files in one process pay it once.
 */
export const STARTUP_SECONDS = 2.5;

/** One process of the run: its files (a group when more than one) and their cost. */
export interface Job {
  files: string[];
  cost: number;
}

/** The measured costs, or none when the table is missing or unreadable. */
export function readCosts(path = COSTS_FILE): Costs {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Costs;
  } catch {
    return {};
  }
}

/** The name a test file has in the cost table: `test/foo.test.ts` → `foo`. */
export function costKey(file: string): string {
  return basename(file).replace(/\.test\.[mc]?[jt]s$/, "");
}

/** A file's cost; a file not measured yet counts as the median of those that were. */
export function costOf(file: string, costs: Costs): number {
  const known = costs[costKey(file)];
  if (known !== undefined) return known;
  const all = Object.values(costs).sort((a, b) => a - b);
  return all.length === 0 ? 1 : all[Math.floor(all.length / 2)];
}

/** When the last of `lanes` lanes ends, running `jobs` in this order as lanes come free. */
export function makespan(jobs: readonly Job[], lanes: number): number {
  const ends = Array.from({ length: lanes }, () => 0);
  for (const job of jobs) {
    const free = ends.indexOf(Math.min(...ends));
    ends[free] += job.cost;
  }
  return Math.max(...ends);
}

/**
 * Test helpers that hold something costly for the whole process (test/helpers/chromium.ts: one
 * Chromium, about 3 CPU s to launch): the files that import one run in the same process.
 */
export const PROCESS_HELPERS = ["helpers/chromium.ts"];

/** Which of `files` import each of PROCESS_HELPERS, judged by `read`ing their source. */
export function sharingFiles(
  files: readonly string[],
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): string[][] {
  const sources = new Map(files.map((file) => [file, read(file)]));
  return PROCESS_HELPERS.map((helper) =>
    files.filter((file) => sources.get(file)?.includes(`/${helper}"`)),
  ).filter((set) => set.length > 1);
}

/** A file, or files that must share a process, with their cost grouped. */
interface Unit {
  files: string[];
  cost: number;
}

/** `files` as units: each set of `together` is one, every other file its own. */
function unitsOf(files: string[], together: readonly string[][], costs: Costs): Unit[] {
  const units: Unit[] = [];
  const placed = new Set<string>();
  for (const set of together) {
    const members = set.filter((file) => files.includes(file) && !placed.has(file));
    if (members.length === 0) continue;
    for (const file of members) placed.add(file);
    // One process start-up for all of them: the others' are saved.
    const cost = members.reduce((sum, file) => sum + costOf(file, costs), 0);
    units.push({ files: members, cost: cost - (members.length - 1) * STARTUP_SECONDS });
  }
  for (const file of files) {
    if (!placed.has(file)) units.push({ files: [file], cost: costOf(file, costs) });
  }
  return units;
}

/** `units` split into `count` groups of about equal cost (each unit to the cheapest so far). */
function groupsOf(units: readonly Unit[], count: number): Job[] {
  const groups: Job[] = Array.from({ length: count }, () => ({ files: [], cost: STARTUP_SECONDS }));
  const sorted = [...units].sort((a, b) => b.cost - a.cost);
  for (const unit of sorted) {
    const cheapest = groups.reduce((a, b) => (b.cost < a.cost ? b : a));
    cheapest.files.push(...unit.files);
    // A grouped file does not pay its own start-up.
    cheapest.cost += Math.max(unit.cost - STARTUP_SECONDS, 0.1);
  }
  return groups.filter((g) => g.files.length > 0).map((g) => ({ ...g, files: g.files.sort() }));
}

/**
 * The processes to run `files` in, longest first: files costing SOLO_SECONDS or more alone
 * (unless they share a process with others, `together`), the rest in as many groups as give
 * the earliest end on `lanes` lanes (more groups balance the lanes better, each costs a
 * start-up).
 */
export function planJobs(
  files: string[],
  lanes: number,
  costs: Costs,
  together: readonly string[][] = [],
): Job[] {
  const bound = new Set(together.flat());
  const solo = files.filter((file) => costOf(file, costs) >= SOLO_SECONDS && !bound.has(file));
  const rest = unitsOf(
    files.filter((file) => !solo.includes(file)),
    together,
    costs,
  );
  const alone: Job[] = solo.map((file) => ({ files: [file], cost: costOf(file, costs) }));
  let best: Job[] = [];
  let bestEnd = Number.POSITIVE_INFINITY;
  const most = Math.max(1, Math.min(rest.length, 4 * lanes));
  for (let count = Math.min(lanes, most); count <= most; count++) {
    const jobs = [...alone, ...groupsOf(rest, count)].sort((a, b) => b.cost - a.cost);
    const end = makespan(jobs, lanes);
    if (end < bestEnd - 0.5) {
      best = jobs;
      bestEnd = end;
    }
  }
  return best;
}
