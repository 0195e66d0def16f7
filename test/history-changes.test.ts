// A sequence of builds over generated data with known changes between them (nothing at all,
// new data from the same distribution, a new column, a retyped column, a new category, a
// shifted distribution, a halved row count). The expected notable changes are the ones each
// step put into the data, nothing more; every summary.json and every stored run is checked
// against the shipped schema.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mulberry32 } from "../scripts/seeded-random.ts";
import { type BuildResult, build } from "../src/build.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

/** What the generated data looks like; each step of the sequence changes one thing. */
interface Shape {
  seed: number;
  rows: number;
  /** Mean and standard deviation of `amount`. */
  amount: [mean: number, sd: number];
  regions: string[];
  /** A `channel` column (string) exists. */
  channel: boolean;
  /** `quantity` as decimals (float) instead of whole numbers (integer). */
  quantityFloat: boolean;
}

const REGIONS = ["North", "South", "East", "West", "Central"];

/**
 * A CSV of `shape`: id (numbered from 100000, so fewer rows mean other ids), region, amount
 * (normal), quantity (1–9), and maybe channel.
 */
function csv(shape: Shape): string {
  const random = mulberry32(shape.seed);
  const normal = () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const header = ["id", "region", "amount", "quantity", ...(shape.channel ? ["channel"] : [])];
  const lines = [header.join(",")];
  for (let i = 0; i < shape.rows; i++) {
    const region = shape.regions[i % shape.regions.length];
    const amount = (shape.amount[0] + shape.amount[1] * normal()).toFixed(2);
    const whole = 1 + Math.floor(random() * 9);
    const quantity = shape.quantityFloat ? `${whole}.5` : String(whole);
    const row = [String(100_000 + i), region, amount, quantity];
    if (shape.channel) row.push(random() < 0.6 ? "web" : "store");
    lines.push(row.join(","));
  }
  return `${lines.join("\n")}\n`;
}

const DEFINITION = `title: History test
source:
  file: data.csv
history:
  location: history
  trend: 4
sections:
  - kpis:
      - { label: Revenue, value: sum(amount), format: currency }
      - { label: Orders, value: count() }
  - profile: all
`;

let dir = "";
let clock = Date.parse("2026-03-01T06:00:00Z");
const results: BuildResult[] = [];

/** Write the data of `shape`, build once (a day after the last build), check summary.json. */
async function buildWith(shape: Shape): Promise<{ result: BuildResult; html: string }> {
  await writeFile(join(dir, "data.csv"), csv(shape));
  clock += 86_400_000;
  const now = new Date(clock);
  const result = await build(
    { definition: join(dir, "report.yml"), outDir: join(dir, "output") },
    recordingEffects({ now: () => now }),
  );
  results.push(result);
  assertValidSummary(JSON.parse(await readFile(join(dir, "output/summary.json"), "utf8")));
  return { result, html: await readFile(join(dir, "output/index.html"), "utf8") };
}

/** How often `text` occurs in `html` (no regex: the page is too long to print on failure). */
function count(html: string, text: string): number {
  return html.split(text).length - 1;
}

/** The notable changes as "kind column-or-kpi[ detail]" lines, in the order reported. */
function notable(result: BuildResult): string[] {
  assert.ok(result.changes, "a change summary (there is a previous run)");
  return result.changes.notable.map((c) =>
    // The category is part of what was asked for; which quantile moved most is not.
    [c.kind, c.column ?? c.kpi, c.kind === "quantiles" ? undefined : c.detail]
      .filter((part) => part !== undefined)
      .join(" "),
  );
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "history-changes-"));
  await writeFile(join(dir, "report.yml"), DEFINITION);
});
after(() => rm(dir, { recursive: true, force: true }));

describe("a sequence of runs with known changes", { concurrency: 1 }, () => {
  const shape: Shape = {
    seed: 1,
    rows: 2000,
    amount: [100, 20],
    regions: REGIONS,
    channel: false,
    quantityFloat: false,
  };

  it("the first run has nothing to compare with", async () => {
    const { result, html } = await buildWith(shape);
    assert.equal(result.changes, undefined);
    assert.ok(result.historyRun, "the run was recorded");
    // Not placed and no previous run: no section, and no sparkline from a single run.
    assert.equal(count(html, 'class="section changes'), 0);
    assert.equal(count(html, '<svg class="sparkline"'), 0);
  });

  it("the same data again: nothing changed, and the page says so in one line", async () => {
    const { result, html } = await buildWith(shape);
    assert.deepEqual(notable(result), []);
    assert.equal(result.changes?.sameData, true);
    assert.equal(count(html, "Nothing changed since the last run: the data is the same."), 1);
    assert.equal(count(html, 'class="changes-list"'), 0);
    // Two runs: each KPI tile has its sparkline.
    assert.equal(count(html, '<svg class="sparkline"'), 2);
  });

  it("new data from the same distribution: nothing notable", async () => {
    shape.seed = 2;
    const { result, html } = await buildWith(shape);
    assert.deepEqual(notable(result), []);
    assert.equal(result.changes?.sameData, false);
    assert.equal(count(html, "Nothing notable changed since the last run."), 1);
  });

  it("a new column", async () => {
    shape.channel = true;
    const { result, html } = await buildWith(shape);
    assert.deepEqual(notable(result), ["column_added channel"]);
    assert.equal(count(html, "1 notable change since the last run."), 1);
    assert.equal(
      count(html, '<li class="change change-column_added">New column “channel” (string).</li>'),
      1,
    );
  });

  it("a retyped column", async () => {
    shape.quantityFloat = true;
    const { result } = await buildWith(shape);
    assert.deepEqual(notable(result), ["column_retyped quantity"]);
    assert.deepEqual(
      [result.changes?.notable[0].before, result.changes?.notable[0].after],
      ["integer", "float"],
    );
  });

  it("a new category", async () => {
    shape.regions = [...REGIONS, "Antarctica"];
    const { result } = await buildWith(shape);
    assert.deepEqual(notable(result), ["new_category region Antarctica"]);
  });

  it("a shifted distribution", async () => {
    // The mean moves by 1.5 standard deviations: the column's shape and the revenue KPI move.
    shape.amount = [130, 20];
    const { result, html } = await buildWith(shape);
    assert.deepEqual(notable(result), [
      "kpi Revenue",
      "shift amount",
      "mean amount",
      "quantiles amount",
    ]);
    const shift = result.changes?.notable.find((c) => c.kind === "shift");
    // Two normals 1.5 SD apart: KS distance 2Φ(0.75) − 1 ≈ 0.547, give or take sampling.
    assert.ok(Math.abs((shift?.size ?? 0) - 0.547) < 0.05, `KS ${shift?.size}`);
    // The section leads the page (it was not placed), above the KPI tiles.
    assert.ok(html.indexOf('id="since-last-run"') < html.indexOf('class="section kpis"'));
  });

  it("a halved row count", async () => {
    shape.rows = 1000;
    shape.seed = 3;
    const { result } = await buildWith(shape);
    assert.deepEqual(notable(result), ["rows", "kpi Revenue", "kpi Orders"]);
    const rows = result.changes?.notable[0];
    assert.deepEqual([rows?.before, rows?.after], [2000, 1000]);
  });

  it("kept one run per build, each valid against the schema", async () => {
    const folder = join(dir, "history");
    const names = (await readdir(folder)).filter((name) => name.endsWith(".json")).sort();
    assert.deepEqual(names, results.map((r) => r.historyRun).sort());
    for (const name of names)
      assertValidSummary(JSON.parse(await readFile(join(folder, name), "utf8")), name);
  });
});

describe("where the section goes", { concurrency: 1 }, () => {
  const shape: Shape = {
    seed: 5,
    rows: 300,
    amount: [50, 10],
    regions: REGIONS,
    channel: false,
    quantityFloat: false,
  };

  /** Build `definition` twice (the second time with a new column) and return the second page. */
  async function twice(name: string, definition: string): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder);
    await writeFile(join(folder, "report.yml"), definition);
    let html = "";
    for (const channel of [false, true]) {
      await writeFile(join(folder, "data.csv"), csv({ ...shape, channel }));
      clock += 86_400_000;
      const now = new Date(clock);
      await build(
        { definition: join(folder, "report.yml"), outDir: join(folder, "output") },
        recordingEffects({ now: () => now }),
      );
      assertValidSummary(JSON.parse(await readFile(join(folder, "output/summary.json"), "utf8")));
      html = await readFile(join(folder, "output/index.html"), "utf8");
    }
    return html;
  }

  it("placed: only there, with its own title", async () => {
    const html = await twice(
      "placed",
      DEFINITION.replace(
        "  - profile: all",
        "  - changes: { title: Since yesterday }\n  - profile: all",
      ),
    );
    assert.equal(count(html, 'class="section changes'), 1);
    assert.equal(count(html, ">Since yesterday</h2>"), 1);
    const at = html.indexOf('class="section changes');
    assert.ok(html.indexOf('class="section kpis"') < at, "after the KPI tiles");
    assert.ok(at < html.indexOf('class="section profile"'), "before the profile");
  });

  it("section: off and not placed: none", async () => {
    const html = await twice("off", DEFINITION.replace("  trend: 4", "  trend: 4\n  section: off"));
    assert.equal(count(html, 'class="section changes'), 0);
    // The history is still kept and read: the KPI tiles have their sparklines.
    assert.equal(count(html, '<svg class="sparkline"'), 2);
  });

  it("history: false: no section and no sparklines", async () => {
    const html = await twice(
      "none",
      DEFINITION.replace("history:\n  location: history\n  trend: 4\n", "history: false\n"),
    );
    assert.equal(count(html, 'class="section changes'), 0);
    assert.equal(count(html, '<svg class="sparkline"'), 0);
  });
});
