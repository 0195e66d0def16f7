// The Deno bundle: one ES module that Quarto's Deno (1.46, 2.2, 2.7) runs with no npm install.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { bundleForDeno } from "../src/rendered/bundle-script.ts";
import { DENO_VERSIONS, runLikeQuarto, stableFolder } from "./deno-run.ts";

let script: string;
let code: string;
before(async () => {
  code = (await bundleForDeno(join(import.meta.dirname, "input/publish/deno-probe.ts"))).code;
  // A path of its own in every run, so Deno's code cache keeps one entry (test/deno-run.ts).
  script = join(stableFolder("deno-probe"), "render.js");
  writeFileSync(script, code);
});

test("every Node built-in in the bundle carries the node: prefix", () => {
  const specifiers = [...code.matchAll(/(?:from |require\()\s*"([^"./][^"]*)"/g)].map((m) => m[1]);
  assert.ok(specifiers.length > 10);
  // Non-built-ins left unbundled (an optional CRT signer in a try/catch) are not our concern.
  const bare = specifiers.filter((s) => builtinModules.includes(s.split("/")[0]));
  assert.deepEqual(bare, []);
  // The shims come before any bundled code.
  assert.match(code, /^import __shimProcess from "node:process";/);
});

for (const version of DENO_VERSIONS) {
  test(`the bundled script runs under Deno ${version} and writes the page and email metadata`, async () => {
    const out = mkdtempSync(join(tmpdir(), "deno-out-"));
    const run = await runLikeQuarto(version, script, {
      cwd: out,
      env: {
        QUARTO_PROJECT_OUTPUT_DIR: out,
        RSC_REPORT_URL: "https://connect.example/content/abc/",
        RSC_REPORT_RENDERING_URL: "https://connect.example/content/abc/_rev42/",
      },
    });
    assert.equal(run.code, 0, run.stderr);
    // "probe" in base64, computed by hand: cHJvYmU= (the "=" is escaped by Handlebars).
    assert.equal(
      readFileSync(join(out, "index.html"), "utf8"),
      "<title>Probe report</title><p>us-east-1 cHJvYmU&#x3D;</p>",
    );
    const meta = JSON.parse(readFileSync(join(out, ".output_metadata.json"), "utf8"));
    assert.match(meta.rsc_email_subject, /^Probe report \(\d{4}-\d\d-\d\d\)$/);
    assert.match(
      meta.rsc_email_body_html,
      /href="https:\/\/connect.example\/content\/abc\/_rev42\/"/,
    );
    assert.match(
      meta.rsc_email_body_text,
      /Latest version: https:\/\/connect.example\/content\/abc\//,
    );
  });
}
