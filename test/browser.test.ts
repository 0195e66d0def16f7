/// <reference lib="dom" />
// The built report in a real headless Chromium (Debian's): no console errors, no network
// requests, charts drawn, no sideways scrolling on a phone, one rendering of each chart per
// viewport (the column's width on a desktop, legible text on a phone, the wide one in print).
// With CSR_TEST_ARTIFACTS=1, screenshots go to test-artifacts/ for review
// (test/helpers/chromium.ts). One page serves every check, loaded once: a new page costs a
// renderer process, and the report is CSS only (no script), so a new viewport, media or color
// scheme restyles the loaded page as a fresh load at that size would show it.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { ConsoleMessage, Page, Request } from "playwright-core";
import { artifactPath, CHROMIUM, sharedBrowser } from "./helpers/chromium.ts";
import { sampleSite } from "./helpers/sample-site.ts";

/** What a chart section shows, measured in the page: its visible renderings and their text. */
interface ChartLayout {
  section: number;
  /** ids of the section's svg[role=img] elements that are rendered (not display: none). */
  visible: string[];
  width: number;
  height: number;
  /** Smallest text in the visible chart, in CSS px: font-size × the SVG's scale. */
  minFontPx: number;
  /** Text boxes sticking out of the chart's own box, as "label: px". */
  overflowing: string[];
}

/** Runs in the page: one ChartLayout per chart section. */
function chartLayouts(): ChartLayout[] {
  return [...document.querySelectorAll("section.chart")].map((section) => {
    const svgs = [...section.querySelectorAll<SVGSVGElement>('svg[role="img"]')];
    const visible = svgs.filter((svg) => svg.checkVisibility());
    const svg = visible[0];
    const box = svg?.getBoundingClientRect();
    const scale = svg === undefined ? 0 : box.width / svg.viewBox.baseVal.width;
    const texts = svg === undefined ? [] : [...svg.querySelectorAll("text")];
    const overflowing: string[] = [];
    for (const text of texts) {
      const r = text.getBoundingClientRect();
      const out = Math.max(
        box.left - r.left,
        r.right - box.right,
        box.top - r.top,
        r.bottom - box.bottom,
      );
      if (r.width > 0 && out > 1) overflowing.push(`${text.textContent}: ${out.toFixed(1)}`);
    }
    return {
      section: section.getBoundingClientRect().width,
      visible: visible.map((v) => v.id),
      width: box?.width ?? 0,
      height: box?.height ?? 0,
      minFontPx: Math.min(
        ...texts.map((t) => Number.parseFloat(getComputedStyle(t).fontSize) * scale),
      ),
      overflowing,
    };
  });
}

describe("the report in Chromium", {
  skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`,
}, () => {
  let page: Page;
  let url: string;

  /** The report at this viewport and media, light screen by default; loaded if not yet or asked. */
  async function open(
    viewport: { width: number; height: number },
    emulate: { media?: "screen" | "print"; colorScheme?: "light" | "dark"; reload?: boolean } = {},
  ): Promise<Page> {
    await page.setViewportSize(viewport);
    await page.emulateMedia({
      media: emulate.media ?? "screen",
      colorScheme: emulate.colorScheme ?? "light",
    });
    if (emulate.reload || page.url() !== url) await page.goto(url, { waitUntil: "load" });
    return page;
  }

  /** Saves a screenshot of `target` as test-artifacts/`name` when CSR_TEST_ARTIFACTS=1 asks. */
  async function shot(
    target: Pick<Page, "screenshot">,
    name: string,
    fullPage = false,
  ): Promise<void> {
    const path = artifactPath(name);
    if (path !== undefined) await target.screenshot({ path, fullPage });
  }

  before(async () => {
    url = pathToFileURL(join(await sampleSite(), "index.html")).href;
    page = await (await sharedBrowser()).newPage();
  });

  after(async () => {
    await page?.close();
  });

  it("loads with no console errors and no network requests, and shows every chart", async () => {
    const problems: string[] = [];
    const requests: string[] = [];
    const onConsole = (m: ConsoleMessage) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    };
    const onPageError = (e: Error) => problems.push(`pageerror: ${e.message}`);
    const onRequest = (r: Request) => {
      if (!r.url().startsWith("data:") && r.url() !== url) requests.push(r.url());
    };
    page.on("console", onConsole);
    page.on("pageerror", onPageError);
    page.on("request", onRequest);
    await open({ width: 1280, height: 900 }, { reload: true });
    page.off("console", onConsole);
    page.off("pageerror", onPageError);
    page.off("request", onRequest);
    await shot(page, "report.png", true);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);

    const charts = await page.locator('svg[role="img"]').evaluateAll((svgs) =>
      svgs
        .filter((svg) => svg.checkVisibility())
        .map((svg) => {
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
  });

  it("on a desktop, shows each chart's wide rendering across the column", async () => {
    await open({ width: 1280, height: 900 });
    const layouts = await page.evaluate(chartLayouts);
    assert.ok(
      layouts.length >= 4,
      `expected the example's chart sections, found ${layouts.length}`,
    );
    for (const chart of layouts) {
      assert.equal(chart.visible.length, 1, `one rendering shows: ${chart.visible.join(", ")}`);
      assert.doesNotMatch(chart.visible[0], /-narrow$/);
      assert.ok(
        chart.width >= 0.8 * chart.section,
        `${chart.visible[0]} is ${chart.width}px wide in a ${chart.section}px section`,
      );
      assert.ok(chart.minFontPx >= 11, `${chart.visible[0]}: text at ${chart.minFontPx}px`);
      assert.deepEqual(chart.overflowing, [], `${chart.visible[0]}: text outside the chart`);
    }
    // Each chart is one image to assistive technology (the hidden rendering is not exposed).
    assert.equal(await page.getByRole("img", { name: "Revenue by region" }).count(), 1);
  });

  it("on a phone, shows each chart's narrow rendering with text of 9 px or more", async () => {
    for (const width of [390, 320]) {
      await open({ width, height: 844 });
      const layouts = await page.evaluate(chartLayouts);
      assert.ok(layouts.length >= 4);
      for (const chart of layouts) {
        assert.equal(chart.visible.length, 1, `one rendering shows: ${chart.visible.join(", ")}`);
        assert.match(chart.visible[0], /-narrow$/);
        assert.ok(chart.width > 20 && chart.height > 20, `drawn at ${chart.width}×${chart.height}`);
        assert.ok(
          chart.minFontPx >= 9,
          `${width}px: ${chart.visible[0]}'s smallest text is ${chart.minFontPx.toFixed(1)}px`,
        );
        assert.deepEqual(chart.overflowing, [], `${chart.visible[0]}: text outside the chart`);
      }
      assert.equal(await page.getByRole("img", { name: "Revenue by region" }).count(), 1);
      if (width === 390) {
        const first = page.locator("section.chart").first();
        await shot(first, "chart-phone.png");
      }
    }
  });

  it("prints the wide rendering within the page", async () => {
    // A4 at 96 dpi is 794 px wide: below the phone breakpoint, which applies to screens only.
    await open({ width: 794, height: 1123 }, { media: "print" });
    const layouts = await page.evaluate(chartLayouts);
    const body = await page.evaluate(() => document.body.getBoundingClientRect().width);
    for (const chart of layouts) {
      assert.equal(chart.visible.length, 1, `one rendering prints: ${chart.visible.join(", ")}`);
      assert.doesNotMatch(chart.visible[0], /-narrow$/);
      assert.ok(chart.width > 20 && chart.width <= body, `${chart.width}px in a ${body}px page`);
    }
  });

  it("fits a phone screen without sideways scrolling, in dark mode too", async () => {
    await open({ width: 390, height: 844 }, { colorScheme: "dark" });
    const { scrollWidth, innerWidth, background } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      background: getComputedStyle(document.body).backgroundColor,
    }));
    await shot(page, "report-phone-dark.png");
    assert.ok(
      scrollWidth <= innerWidth,
      `page is ${scrollWidth}px wide in a ${innerWidth}px screen`,
    );
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    assert.ok(r + g + b < 200, `dark background in dark mode, got ${background}`);
  });
});
