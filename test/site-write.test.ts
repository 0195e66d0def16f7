// The output folder is replaced whole: only when that loses nothing of the user's, one
// build at a time, with the user's usual permissions, cleaning what killed builds left.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ReportError } from "../src/errors.ts";
import { outputPaths, tidyOutput } from "../src/site/output-folders.ts";
import { acquireOutputLock } from "../src/site/output-lock.ts";
import { OUTPUT_MARKER, writeSite } from "../src/site/write.ts";

const files = [{ path: "index.html", content: "<p>new</p>" }];

async function tempParent(): Promise<string> {
  return mkdtemp(join(tmpdir(), "csr-write-"));
}

/** The names beside `output` in `parent`, other than the one finished build it points to. */
async function leftovers(parent: string): Promise<string[]> {
  const current = await readlink(join(parent, "output")).catch(() => undefined);
  return (await readdir(parent)).filter((name) => name !== "output" && name !== current);
}

/** The pid of a process that has just exited, so certainly not running. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    child.on("exit", () => resolve(child.pid!));
  });
}

describe("writeSite", () => {
  it("creates a missing folder and replaces its own earlier output, leaving no staging folders", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    await writeSite(out, [
      { path: "index.html", content: "<p>old</p>" },
      { path: "a/b.txt", content: "x" },
    ]);
    await writeSite(out, files);
    assert.deepEqual((await readdir(out)).sort(), [OUTPUT_MARKER, "index.html"].sort());
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>new</p>");
    assert.deepEqual(await leftovers(parent), []);
  });

  it("refuses to replace a folder holding files it did not write, and leaves them", async () => {
    const parent = await tempParent();
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

  it("refuses a link it did not make, and a file, leaving both", async () => {
    const parent = await tempParent();
    await mkdir(join(parent, "site"));
    await symlink("site", join(parent, "output"));
    await assert.rejects(
      writeSite(join(parent, "output"), files),
      (error: unknown) => error instanceof ReportError && /is a link to .*site/.test(error.message),
    );
    assert.equal(await readlink(join(parent, "output")), "site");
    await writeFile(join(parent, "report"), "mine");
    await assert.rejects(writeSite(join(parent, "report"), files), /it is a file, not a folder/);
    assert.equal(await readFile(join(parent, "report"), "utf8"), "mine");
  });

  it("creates files and folders with the permissions mkdir and writeFile give (the umask), not 0700", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    await writeSite(out, [...files, { path: "charts/a.svg", content: "<svg/>" }]);
    await mkdir(join(parent, "reference"));
    await writeFile(join(parent, "reference", "file"), "");
    const folderMode = (await stat(join(parent, "reference"))).mode & 0o777;
    const fileMode = (await stat(join(parent, "reference", "file"))).mode & 0o777;
    assert.equal((await stat(out)).mode & 0o777, folderMode);
    assert.equal((await stat(join(out, "charts"))).mode & 0o777, folderMode);
    assert.equal((await stat(join(out, "index.html"))).mode & 0o777, fileMode);
  });
});

describe("writeSite and outputs from before the marker", () => {
  it("replaces a folder holding only our index.html (generator tag) and summary.json", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    await mkdir(out);
    const layout = await readFile(new URL("../templates/layout.hbs", import.meta.url), "utf8");
    const tag = layout.match(/<meta name="generator"[^>]*>/)?.[0];
    assert.ok(tag, "templates/layout.hbs carries a generator meta tag");
    await writeFile(join(out, "index.html"), `<!DOCTYPE html><html><head>${tag}</head></html>`);
    await writeFile(join(out, "summary.json"), "{}");
    await writeSite(out, files);
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>new</p>");
    assert.deepEqual(await leftovers(parent), []);
  });

  it("refuses a folder holding only a hand-written index.html, and leaves it", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    await mkdir(out);
    const page = "<!DOCTYPE html><html><head><title>My page</title></head></html>";
    await writeFile(join(out, "index.html"), page);
    await assert.rejects(
      writeSite(out, files),
      (error: unknown) =>
        error instanceof ReportError && /did not write \(index\.html\)/.test(error.message),
    );
    assert.equal(await readFile(join(out, "index.html"), "utf8"), page);
    assert.equal((await lstat(out)).isDirectory(), true);
  });
});

describe("writeSite after killed builds", () => {
  it("removes the staging folders, links and stale lock that killed builds left", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    await writeSite(out, files);
    // What the previous scheme's and this scheme's killed builds leave behind.
    for (const name of [".output-new-Ab12Cd", ".output-old-123-456", ".output-tmp-x-1"]) {
      await mkdir(join(parent, name));
      await writeFile(join(parent, name, "index.html"), "half");
    }
    await symlink(".output-tmp-x-1", join(parent, ".output-link-x-2"));
    const pid = await deadPid();
    await writeFile(join(parent, ".output-lock"), JSON.stringify({ pid, host: hostname() }));
    await writeSite(out, [{ path: "index.html", content: "<p>newer</p>" }]);
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>newer</p>");
    assert.deepEqual(await leftovers(parent), []);
  });

  it("restores an output left missing in the middle of a swap from the newest finished build", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    for (const [name, text] of [
      [".output-v-0000000001-aaaa", "older"],
      [".output-v-0000000002-bbbb", "newest"],
    ]) {
      await mkdir(join(parent, name));
      await writeFile(join(parent, name, "index.html"), text);
    }
    await tidyOutput(outputPaths(out));
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "newest");
    assert.deepEqual(await leftovers(parent), []);
  });
});

describe("writeSite, concurrent builds", () => {
  it("lets concurrent writes take turns: all succeed and the output is one write's whole", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    const tags = ["a", "b", "c", "d", "e", "f"];
    await Promise.all(
      tags.map((tag) =>
        writeSite(out, [
          { path: "index.html", content: tag },
          { path: "summary.json", content: JSON.stringify({ tag }) },
        ]),
      ),
    );
    const tag = await readFile(join(out, "index.html"), "utf8");
    assert.ok(tags.includes(tag));
    assert.deepEqual(JSON.parse(await readFile(join(out, "summary.json"), "utf8")), { tag });
    assert.deepEqual(await leftovers(parent), []);
  });

  it("waits while a running build holds the lock, then writes", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    const lock = await acquireOutputLock(outputPaths(out).lock, out);
    let written = false;
    const writing = writeSite(out, files).then(() => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(written, false);
    await lock.release();
    await writing;
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>new</p>");
    assert.deepEqual(await leftovers(parent), []);
  });

  it("gives up with a ReportError naming the other build and the lock when it never finishes", async () => {
    const parent = await tempParent();
    const out = join(parent, "output");
    await writeSite(out, [{ path: "index.html", content: "<p>old</p>" }]);
    // Process 1 is always running: a live holder.
    const lockFile = join(parent, ".output-lock");
    await writeFile(lockFile, JSON.stringify({ pid: 1, host: hostname(), token: "t" }));
    await assert.rejects(
      writeSite(out, files, { lock: { timeoutMs: 300 } }),
      (error: unknown) =>
        error instanceof ReportError &&
        /Another build \(process 1\) is writing/.test(error.message) &&
        error.hint!.includes(lockFile),
    );
    assert.equal(await readFile(join(out, "index.html"), "utf8"), "<p>old</p>");
    assert.equal(JSON.parse(await readFile(lockFile, "utf8")).pid, 1);
  });
});
