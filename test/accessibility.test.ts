/// <reference lib="dom" />
// WCAG 2.2 AA as axe-core checks it, in Debian's Chromium: the sample report (light and dark)
// and a 300-column report have no serious or critical violation. With CSR_TEST_ARTIFACTS=1,
// full-page screenshots of each go to test-artifacts/ for review (test/helpers/chromium.ts).
// The page is CSS only (no script), so the dark check switches the color scheme of the page
// loaded for the light one instead of loading it again in a new page.
//
// The 300-column report gets every rule but two on its own page. Colour contrast and target
// size cost 9 of axe's 12 s there: each builds a grid of the boxes of all 27,000 elements
// (most of them inside the folded cards), whatever part of the page it checks. Both depend
// only on an element's own colours and box and those of its neighbours, and every line of
// the overview table and every folded card of a wide profile comes from the same template
// with the same styles (theme.css styles no line by its position), so they are checked on
// a 30-column report, which has the same wide layout (more than src/render/model.ts's
// WIDE_PROFILE_COLUMNS: the overview table, the cards folded; the test checks it) with the
// same kinds of column and names.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { build } from "../src/build.ts";
import { artifactPath, sharedBrowser } from "./helpers/chromium.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { sampleSite } from "./helpers/sample-site.ts";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** The rule sets of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Colour contrast and target size: checked on the 30-column report (see the header). */
const BOX_RULES = ["color-contrast", "target-size"];

/** A CSV of `columns` columns of mixed types, with long and Unicode names. */
function wideCsv(columns: number, rows: number): string {
  const names = Array.from({ length: columns }, (_, c) =>
    c % 7 === 6 ? `größe_${c} ✓` : `col_${c}`,
  );
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
  /** One page for every check: a new page costs a renderer process. */
  let page: Page;
  let sample: string;
  let wide: string;
  let few: string;

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-a11y-"));
    sample = pathToFileURL(join(await sampleSite(), "index.html")).href;
    /** The report of a `columns`-column CSV, built in `dir`/`name`; its URL. */
    const report = async (name: string, columns: number): Promise<string> => {
      await writeFile(join(dir, `${name}.csv`), wideCsv(columns, 300));
      const outDir = join(dir, name);
      await build({ source: join(dir, `${name}.csv`), outDir }, recordingEffects());
      assertValidSummary(JSON.parse(await readFile(join(outDir, "summary.json"), "utf8")));
      return pathToFileURL(join(outDir, "index.html")).href;
    };
    wide = await report("wide", 300);
    few = await report("few", 30);
    page = await (await sharedBrowser()).newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await page?.close();
  });

  /** The page shows `url` in `scheme`, loaded only if it does not show it already. */
  async function show(url: string, scheme: "light" | "dark"): Promise<void> {
    await page.emulateMedia({ colorScheme: scheme });
    if (page.url() !== url) await page.goto(url, { waitUntil: "load" });
    const dark = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
    assert.equal(dark, scheme === "dark", `the page is shown in ${scheme}`);
  }

  /**
   * What axe finds in the page as it is shown now, with every WCAG rule or only `rules` or all
   * but `rules`; a screenshot `shot` when one is asked for.
   */
  async function violations(
    shot: string,
    rules: { only: string[] } | { except: string[] } | "all" = "all",
  ): Promise<Violation[]> {
    const path = artifactPath(shot);
    if (path !== undefined) await page.screenshot({ path, fullPage: true });
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
    const options =
      rules === "all"
        ? { runOnly: { type: "tag", values: WCAG_TAGS } }
        : "only" in rules
          ? { runOnly: { type: "rule", values: rules.only } }
          : {
              runOnly: { type: "tag", values: WCAG_TAGS },
              rules: Object.fromEntries(rules.except.map((id) => [id, { enabled: false }])),
            };
    // The page was checked, not skipped: a rule that applies to it passed.
    const witness = rules !== "all" && "except" in rules ? "duplicate-id-aria" : "color-contrast";
    const result = await page.evaluate(
      async ([options, witness]) => {
        // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global script.
        const axe = (window as any).axe;
        const run = await axe.run(document, options);
        if (!run.passes.some((p: { id: string }) => p.id === witness))
          throw new Error(`axe passed only ${run.passes.length} rules, not ${witness}`);
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
      },
      [options, witness] as const,
    );
    return result as Violation[];
  }

  const serious = (list: Violation[]) =>
    list.filter((v) => v.impact === "serious" || v.impact === "critical");

  it("the sample report, light: no serious or critical violation", async () => {
    await show(sample, "light");
    assert.deepEqual(serious(await violations("a11y-sample-light.png")), []);
  });

  it("the sample report, dark: no serious or critical violation (contrast included)", async () => {
    await show(sample, "dark");
    assert.deepEqual(serious(await violations("a11y-sample-dark.png")), []);
  });

  it("a 300-column report: no serious or critical violation", async () => {
    await show(wide, "light");
    assert.deepEqual(serious(await violations("a11y-wide-300.png", { except: BOX_RULES })), []);
    // Contrast and target size on the same wide layout at 30 columns (see the header).
    await show(few, "light");
    const layout = await page.evaluate(() => ({
      overview: document.querySelectorAll("table.overview tbody tr").length,
      folded: document.querySelectorAll("details.card-details").length,
    }));
    assert.deepEqual(layout, { overview: 30, folded: 30 }, "the 30-column report is wide");
    assert.deepEqual(serious(await violations("a11y-wide-30.png", { only: BOX_RULES })), []);
  });
});
