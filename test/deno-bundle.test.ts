// The Deno bundle: one ES module that Quarto's Deno (1.46, 2.2, 2.7) runs with no npm install,
// and its copy kept between processes (keptBundleForDeno), which the probe's bundle uses too.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { keptDir } from "../src/kept-files.ts";
import { keptBundleForDeno } from "../src/rendered/bundle-script.ts";
import { DENO_VERSIONS, runLikeQuarto, stableFolder } from "./deno-run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

let script: string;
let code: string;
before(async () => {
  const probe = join(import.meta.dirname, "input/publish/deno-probe.ts");
  // Kept where src/rendered/prepare.ts keeps the post-render script: bundled again only when
  // a file it is made from changes (the test below), about 1.2 CPU s otherwise.
  code = (await keptBundleForDeno(probe, { root: ROOT, dir: keptDir(ROOT, "csr-deno-script") }))
    .code;
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

test("a kept bundle is reused while its inputs are unchanged, made again when one changes", async () => {
  // A small entry of its own in a temporary folder, so changing it touches nothing shared.
  const dir = mkdtempSync(join(tmpdir(), "deno-kept-"));
  const entry = join(dir, "entry.ts");
  const imported = join(dir, "value.ts");
  writeFileSync(entry, 'import { value } from "./value.ts";\nconsole.log(value);\n');
  writeFileSync(imported, 'export const value = "first";\n');
  const options = { root: ROOT, dir: join(dir, "kept") };
  const made = await keptBundleForDeno(entry, options);
  assert.equal(made.kept, false);
  assert.match(made.code, /"first"/);
  const again = await keptBundleForDeno(entry, options);
  assert.equal(again.kept, true);
  assert.equal(again.code, made.code);
  // An imported file (not the entry) changes: the kept copy is stale.
  writeFileSync(imported, 'export const value = "second";\n');
  const changed = await keptBundleForDeno(entry, options);
  assert.equal(changed.kept, false);
  assert.match(changed.code, /"second"/);
  assert.doesNotMatch(changed.code, /"first"/);
  assert.equal((await keptBundleForDeno(entry, options)).code, changed.code);
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
