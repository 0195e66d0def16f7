/// <reference lib="dom" />
// The built report in a real headless Chromium (Debian's): no console errors, no network
// requests, charts drawn, no sideways scrolling on a phone. Screenshots go to
// test-artifacts/ for review.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { build } from "../src/build.ts";
import { ROOT } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts");

describe("the report in Chromium", {
  skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`,
}, () => {
  let browser: Browser;
  let url: string;

  before(async () => {
    const out = join(await mkdtemp(join(tmpdir(), "csr-browser-")), "output");
    await build({ definition: join(ROOT, "report/report.yml"), outDir: out }, recordingEffects());
    url = pathToFileURL(join(out, "index.html")).href;
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
  });

  after(async () => {
    await browser?.close();
  });

  it("loads with no console errors and no network requests, and shows every chart", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("data:") && r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: "load" });
    await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);

    const charts = await page.locator('svg[role="img"]').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = svg.querySelectorAll("path, rect, line").length;
        const label = svg.getAttribute("aria-labelledby") ?? "";
        const titled = label.split(" ").every((id) => id && document.getElementById(id));
        return { width: box.width, height: box.height, marks, titled };
      }),
    );
    assert.ok(charts.length >= 4, `expected the example's charts, found ${charts.length}`);
    for (const c of charts) {
      assert.ok(c.width > 20 && c.height > 20, `chart drawn at ${c.width}×${c.height}`);
      assert.ok(c.marks > 0, "chart has marks");
      assert.ok(c.titled, "aria-labelledby points at existing title/desc");
    }
    const fontsOk = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].some((f) => f.status === "loaded");
    });
    assert.ok(fontsOk, "the embedded font loaded");
    await page.close();
  });

  it("fits a phone screen without sideways scrolling, in dark mode too", async () => {
    const page = await browser.newPage({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
    });
    await page.goto(url, { waitUntil: "load" });
    const { scrollWidth, innerWidth, background } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      background: getComputedStyle(document.body).backgroundColor,
    }));
    await page.screenshot({ path: join(ARTIFACTS, "report-phone-dark.png"), fullPage: false });
    assert.ok(
      scrollWidth <= innerWidth,
      `page is ${scrollWidth}px wide in a ${innerWidth}px screen`,
    );
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    assert.ok(r + g + b < 200, `dark background in dark mode, got ${background}`);
    await page.close();
  });
});
