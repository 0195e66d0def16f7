// The output folder is replaced whole: only when that loses nothing of the user's.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ReportError } from "../src/errors.ts";
import { OUTPUT_MARKER, writeSite } from "../src/site/write.ts";

const files = [{ path: "index.html", content: "<p>new</p>" }];

describe("writeSite", () => {
  it("creates a missing folder and replaces its own earlier output, leaving no staging folders", async () => {
    const parent = await mkdtemp(join(tmpdir(), "csr-write-"));
    const out = join(parent, "output");
    await writeSite(out, [
      { path: "index.html", content: "<p>old</p>" },
      { path: "a/b.txt", content: "x" },
    ]);
    await writeSite(out, files);
    assert.deepEqual((await readdir(out)).sort(), [OUTPUT_MARKER, "index.html"].sort());
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>new</p>");
    assert.deepEqual(await readdir(parent), ["output"]);
  });

  it("refuses to replace a folder holding files it did not write, and leaves them", async () => {
    const parent = await mkdtemp(join(tmpdir(), "csr-write-"));
    const docs = join(parent, "docs");
    await mkdir(docs);
    await writeFile(join(docs, "notes.txt"), "mine");
    await assert.rejects(
      writeSite(docs, files),
      (error: unknown) =>
        error instanceof ReportError && /Refusing to replace .*notes\.txt/.test(error.message),
    );
    assert.equal(await readFile(join(docs, "notes.txt"), "utf8"), "mine");
    assert.deepEqual(await readdir(parent), ["docs"]);
  });

  it("refuses the current folder", async () => {
    await assert.rejects(writeSite(".", files), /holds the current folder/);
  });
});

describe("writeSite and outputs from before the marker", () => {
  it("replaces a folder holding only index.html and summary.json", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "csr-write-")), "output");
    await mkdir(out);
    await writeFile(join(out, "index.html"), "old");
    await writeFile(join(out, "summary.json"), "{}");
    await writeSite(out, files);
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>new</p>");
  });
});
