// The example report (report/report.yml on its 45,000-row sample) built once for the tests
// that only look at the page it makes (in Chromium: browser, print, accessibility), rather
// than once by each: a build of the sample costs 2 to 4 CPU seconds.
//
// Within one `npm test` run (test/helpers/shared-folder.ts), the first process to ask builds
// it in the run's shared folder and the others wait for it, so every process looks at the
// page this run's code made. A file run on its own builds it in a temporary folder, once.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "../../src/build.ts";
import { ROOT } from "./cli.ts";
import { recordingEffects } from "./effects.ts";
import { assertValidSummary } from "./json-schema.ts";
import { sharedFolder } from "./shared-folder.ts";

/** How long a process waits for another's build before building on its own. */
const PATIENCE_MS = 180_000;

let built: Promise<string> | undefined;

/** Build the sample into `out` and check its summary against the shipped schema. */
async function buildInto(out: string): Promise<void> {
  await build({ definition: join(ROOT, "report/report.yml"), outDir: out }, recordingEffects());
  assertValidSummary(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
}

async function shared(folder: string): Promise<string> {
  // The claimant builds into sample/output (a build's output folder may be a link to the
  // folder beside it that holds the files), then writes `done`; a failed build, `failed`.
  const claim = join(folder, "sample");
  const out = join(claim, "output");
  const done = join(claim, "done");
  const failed = join(claim, "failed");
  let mine = false;
  try {
    mkdirSync(claim);
    mine = true;
  } catch {
    // Another process of this run is building it.
  }
  if (mine) {
    try {
      await buildInto(out);
    } catch (error) {
      writeFileSync(failed, String(error));
      throw error;
    }
    writeFileSync(done, "");
    return out;
  }
  for (const start = Date.now(); Date.now() - start < PATIENCE_MS; await sleep(100)) {
    if (existsSync(done)) return out;
    if (existsSync(failed)) {
      assert.fail(`the sample site's build failed: ${readFileSync(failed, "utf8")}`);
    }
  }
  assert.fail(`no sample site in ${out} after ${PATIENCE_MS / 1000} s`);
}

/** The folder holding the example report's site (index.html, summary.json, …): do not change it. */
export function sampleSite(): Promise<string> {
  built ??= (async () => {
    const folder = sharedFolder();
    if (folder !== undefined) return shared(folder);
    const out = join(mkdtempSync(join(tmpdir(), "csr-sample-")), "output");
    await buildInto(out);
    return out;
  })();
  return built;
}
