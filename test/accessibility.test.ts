/// <reference lib="dom" />
// WCAG 2.2 AA as axe-core checks it, in Debian's Chromium: the sample report (light and dark)
// and a 300-column report have no serious or critical violation. Screenshots of each go to
// test-artifacts/ for review.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { build } from "../src/build.ts";
import { ROOT } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { sampleSite } from "./helpers/sample-site.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** The rule sets of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** A CSV of 300 columns of mixed types, with long and Unicode names. */
function wideCsv(rows: number): string {
  const names = Array.from({ length: 300 }, (_, c) => (c % 7 === 6 ? `größe_${c} ✓` : `col_${c}`));
  const lines = [names.join(",")];
  for (let r = 0; r < rows; r++) {
    lines.push(
      names
        .map((_, c) => (c % 3 === 2 ? `v${(r * 7 + c) % 13}` : String((r * 31 + c) % 997)))
        .join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("accessibility (axe-core, WCAG 2.2 AA)", () => {
  let browser: Browser;
  let sample: string;
  let wide: string;

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const dir = await mkdtemp(join(tmpdir(), "csr-a11y-"));
    sample = join(await sampleSite(), "index.html");
    await writeFile(join(dir, "wide.csv"), wideCsv(300));
    await build({ source: join(dir, "wide.csv"), outDir: join(dir, "wide") }, recordingEffects());
    assertValidSummary(JSON.parse(await readFile(join(dir, "wide", "summary.json"), "utf8")));
    wide = join(dir, "wide", "index.html");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
  });

  after(async () => {
    await browser?.close();
  });

  async function violations(
    file: string,
    scheme: "light" | "dark",
    shot: string,
  ): Promise<Violation[]> {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      colorScheme: scheme,
    });
    try {
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
      await page.addScriptTag({ path: AXE });
      const result = await page.evaluate(async (tags) => {
        // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global script.
        const axe = (window as any).axe;
        const run = await axe.run(document, { runOnly: { type: "tag", values: tags } });
        // The page was checked, not skipped: rules such as color-contrast passed on it.
        if (!run.passes.some((p: { id: string }) => p.id === "color-contrast"))
          throw new Error(`axe passed only ${run.passes.length} rules`);
        return run.violations.map(
          (v: {
            id: string;
            impact: string | null;
            help: string;
            nodes: { target: string[] }[];
          }) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
          }),
        );
      }, WCAG_TAGS);
      return result as Violation[];
    } finally {
      await page.close();
    }
  }

  const serious = (list: Violation[]) =>
    list.filter((v) => v.impact === "serious" || v.impact === "critical");

  it("the sample report, light: no serious or critical violation", async () => {
    const found = await violations(sample, "light", "a11y-sample-light.png");
    assert.deepEqual(serious(found), []);
  });

  it("the sample report, dark: no serious or critical violation (contrast included)", async () => {
    const found = await violations(sample, "dark", "a11y-sample-dark.png");
    assert.deepEqual(serious(found), []);
  });

  it("a 300-column report: no serious or critical violation", async () => {
    const found = await violations(wide, "light", "a11y-wide-300.png");
    assert.deepEqual(serious(found), []);
  });
});
