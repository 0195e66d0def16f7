// The bundle format: ustar + gzip readable by GNU tar, manifest MD5s, content names.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { collectFiles, createBundle } from "../src/connect/bundle.ts";
import {
  contentNameFromTitle,
  isValidContentName,
  quartoManifest,
  staticManifest,
} from "../src/connect/manifest.ts";
import { tarGz } from "../src/connect/tar.ts";
import { readTarGz } from "./servers/connect-deploy.ts";

const site = join(import.meta.dirname, "input/publish/site");

test("GNU tar lists and extracts what the writer wrote, long paths included", () => {
  const dir = mkdtempSync(join(tmpdir(), "tar-"));
  const longDir = `${"d".repeat(80)}/${"e".repeat(60)}`;
  const longName = `${"f".repeat(90)}.txt`;
  const big = new Uint8Array(1500).map((_, i) => i % 251);
  const archive = tarGz([
    { path: "a.txt", data: new TextEncoder().encode("hello\n") },
    { path: "empty", data: new Uint8Array(0) },
    { path: `${longDir}/${longName}`, data: big },
  ]);
  writeFileSync(join(dir, "x.tar.gz"), archive);
  const listing = execFileSync("tar", ["-tzf", join(dir, "x.tar.gz")], { encoding: "utf8" });
  assert.deepEqual(listing.trim().split("\n"), ["a.txt", "empty", `${longDir}/${longName}`]);
  mkdirSync(join(dir, "out"));
  execFileSync("tar", ["-xzf", join(dir, "x.tar.gz"), "-C", join(dir, "out")]);
  assert.equal(readFileSync(join(dir, "out/a.txt"), "utf8"), "hello\n");
  assert.equal(readFileSync(join(dir, "out/empty")).length, 0);
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, "out", longDir, longName))), big);
});

test("the archive is gzipped at zlib's default level, not level 9", () => {
  const archive = tarGz([{ path: "a.txt", data: new TextEncoder().encode("a".repeat(4096)) }]);
  // RFC 1952's XFL byte (offset 8): 2 marks the slowest level (9), 4 the fastest, 0 the rest.
  assert.equal(archive[8], 0);
});

test("a path that cannot be split for ustar is refused", () => {
  assert.throws(() => tarGz([{ path: "x".repeat(120), data: new Uint8Array(1) }]), /too long/);
});

test("static bundle: manifest at the root with an MD5 per file (checked against md5sum)", async () => {
  const files = await collectFiles(site);
  assert.deepEqual(
    files.map((f) => f.path),
    ["assets/hello.txt", "assets/report.css", "index.html"],
  );
  const manifest = staticManifest(files);
  const bundle = createBundle(files, manifest);
  const entries = readTarGz(Buffer.from(bundle));
  assert.deepEqual(
    [...entries.keys()],
    ["manifest.json", "assets/hello.txt", "assets/report.css", "index.html"],
  );
  const written = JSON.parse(entries.get("manifest.json")!.toString("utf8"));
  assert.deepEqual(written.metadata, {
    appmode: "static",
    primary_html: "index.html",
    entrypoint: "index.html",
  });
  const sums = execFileSync("md5sum", ["index.html", "assets/hello.txt", "assets/report.css"], {
    cwd: site,
    encoding: "utf8",
  });
  for (const line of sums.trim().split("\n")) {
    const [sum, path] = line.split(/\s+/);
    assert.equal(written.files[path].checksum, sum, path);
  }
  assert.equal(written.files["assets/hello.txt"].checksum, "b1946ac92492d2347c6235b4d2611184");
  assert.equal(written.files["manifest.json"], undefined);
});

test("quarto manifest names the markdown engine only", () => {
  const m = quartoManifest([{ path: "index.qmd", data: new Uint8Array(1) }], {
    quartoVersion: "1.6.43",
  });
  assert.equal(m.metadata.appmode, "quarto-static");
  assert.deepEqual(m.quarto, { version: "1.6.43", engines: ["markdown"] });
});

test("content names from titles follow Connect's rule", () => {
  assert.equal(contentNameFromTitle("Sales overview & trends"), "sales_overview_trends");
  assert.equal(contentNameFromTitle("Q3"), "_q3");
  assert.equal(contentNameFromTitle("Ünïcode   — report!"), "ncode_report");
  assert.equal(contentNameFromTitle("x".repeat(80)).length, 64);
  assert.ok(isValidContentName("sales-report_2"));
  assert.ok(!isValidContentName("ab"));
  assert.ok(!isValidContentName("has space"));
});
