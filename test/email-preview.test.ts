// `preview` shows the mail beside the report: every build writes output/email.html and
// email.txt, and the preview server serves them with their types.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "../src/build.ts";
import { startPreviewServer } from "../src/site/preview-server.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

test("the build writes email.html and email.txt, and preview serves both", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "email-preview-")), "output");
  const effects = recordingEffects();
  await build({ definition: "test/input/email/report.yml", outDir: out }, effects);
  assertValidSummary(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
  assert.ok(
    effects.lines.some((l) => /^email\s+1 chart PNGs/.test(l)),
    effects.lines.join("\n"),
  );
  const server = await startPreviewServer(out, 0);
  try {
    const text = await fetch(new URL("email.txt", server.url));
    assert.equal(text.status, 200);
    assert.equal(text.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await text.text(), readFileSync(join(out, "email.txt"), "utf8"));
    const html = await fetch(new URL("email.html", server.url));
    assert.equal(html.status, 200);
    const body = await html.text();
    assert.match(body, /<img src="data:image\/png;base64,[A-Za-z0-9+/=]+" width="\d+"/);
    // The link goes to the report beside it.
    assert.match(body, /<a href="index\.html"[^>]*>Open the full report<\/a>/);
  } finally {
    await server.close();
  }
});
