/// <reference lib="dom" />
// `preview` as an analyst uses it, in a real headless Chromium: run from a project folder whose
// output lies inside it (the default layout), one edit gives exactly one rebuild and the open
// page reloads to show it; a broken edit shows the located error over the last good report;
// fixing it clears the overlay.
import assert from "node:assert/strict";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Page } from "playwright-core";
import { runPreview } from "../src/cli/preview.ts";
import { QUIET_MS } from "../src/cli/preview-watch.ts";
import { OVERLAY_ID } from "../src/site/preview-server.ts";
import { sharedBrowser } from "./helpers/chromium.ts";
import { recordingEffects } from "./helpers/effects.ts";

const definition = (title: string, section = "profile") =>
  `title: ${title}\nsource: weather.csv\nsections:\n  - ${section}: all\n`;

/** Resolves when `lines` has a line matching `pattern`, checking as the preview logs. */
async function logged(lines: string[], pattern: RegExp): Promise<string> {
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await sleep(20);
  }
}

/** `preview` of `file` into `project`/output on a free port, stopped by aborting `stop`. */
function startPreview(file: string, project: string) {
  const effects = recordingEffects();
  const stop = new AbortController();
  const ended = runPreview([file, "--out", join(project, "output"), "--port", "0"], effects, {
    stdout: () => {},
    stderr: () => {},
    signal: stop.signal,
  });
  return { effects, stop, ended };
}

describe("preview in Chromium", () => {
  /** One page for both previews; the browser is this process's (test/helpers/chromium.ts). */
  let page: Page;

  before(async () => {
    page = await (await sharedBrowser()).newPage();
  });

  after(async () => {
    await page?.close();
  });

  test("preview in a folder holding its own output: one rebuild per edit, an overlay for a broken edit, cleared by the fix", async () => {
    const project = await mkdtemp(join(tmpdir(), "csr-preview-project-"));
    await writeFile(
      join(project, "weather.csv"),
      "date,temp_max,temp_min\n2024-01-01,5.5,1.0\n2024-01-02,7.0,2.5\n2024-01-03,3.0,-1.5\n",
    );
    const file = join(project, "report.yml");
    await writeFile(file, definition("Weather one"));
    const { effects, stop, ended } = startPreview(file, project);
    try {
      const url = (await logged(effects.lines, /^preview\s+http/)).split(/\s+/)[1];
      const builds = () => effects.lines.filter((l) => /^built in /.test(l)).length;
      const failures = () => effects.lines.filter((l) => /^warning: .*report\.yml:/.test(l)).length;
      await page.goto(url);
      assert.equal(await page.title(), "Weather one");
      assert.equal(builds(), 1);

      // One edit: one rebuild, the page reloads by itself, and no build follows from the
      // build's own writes into output/ (a loop would keep adding builds while we wait).
      await writeFile(file, definition("Weather two"));
      await page.waitForFunction(() => document.title === "Weather two");
      await sleep(QUIET_MS * 6);
      assert.equal(builds(), 2, effects.lines.join("\n"));
      assert.ok(
        (await readdir(project)).includes("output"),
        "the output folder lies inside the watched folder",
      );

      // A broken edit: the overlay names the file, line and column over the last good report.
      await writeFile(file, definition("Weather three", "profle"));
      const overlay = await page.waitForSelector(`#${OVERLAY_ID}`);
      const text = (await overlay.textContent()) ?? "";
      assert.match(text, /report\.yml:4:5: sections\[0\]\.profle: unknown section 'profle'/);
      assert.match(text, /hint: Sections are /);
      assert.equal(await overlay.getAttribute("role"), "alert");
      assert.equal(await page.title(), "Weather two", "the last good report stays underneath");
      assert.equal(failures(), 1);

      // The fix: the overlay goes and the new report shows.
      await writeFile(file, definition("Weather four"));
      await page.waitForFunction(() => document.title === "Weather four");
      assert.equal(await page.$(`#${OVERLAY_ID}`), null);
      await sleep(QUIET_MS * 6);
      assert.equal(builds(), 3, effects.lines.join("\n"));
      assert.equal(failures(), 1);
    } finally {
      stop.abort();
      await ended;
    }
  });

  test("preview whose first build fails serves the error page and recovers on the fix", async () => {
    const project = await mkdtemp(join(tmpdir(), "csr-preview-broken-"));
    await writeFile(join(project, "weather.csv"), "date,temp_max\n2024-01-01,5.5\n");
    const file = join(project, "report.yml");
    await writeFile(file, definition("Weather", "profle"));
    const { effects, stop, ended } = startPreview(file, project);
    try {
      const url = (await logged(effects.lines, /^preview\s+http/)).split(/\s+/)[1];
      await page.goto(url);
      const overlay = await page.waitForSelector(`#${OVERLAY_ID}`);
      assert.match((await overlay.textContent()) ?? "", /no report yet[\s\S]*report\.yml:4:5/);
      await writeFile(file, definition("Weather fixed"));
      await page.waitForFunction(() => document.title === "Weather fixed");
      assert.equal(await page.$(`#${OVERLAY_ID}`), null);
    } finally {
      stop.abort();
      await ended;
    }
  });
});
