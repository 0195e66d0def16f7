// Start-up loads only what a command needs (src/cli/main.ts imports each command lazily):
// `--help` (of every command) and `--version` must not load the build (src/build.ts), the AWS
// SDK, vega, parquet-wasm or esbuild. The modules are those Node actually resolved, recorded
// by test/helpers/record-modules.mjs, from the CLI bundle the package runs
// (scripts/build-dist.ts) in a package laid out as installed: code splitting keeps each lazy
// import a chunk of its own, and esbuild's metafile names the src/ files in each chunk. A
// chunk holds every source it was made from, so "not loaded" is checked at least as strictly
// as on the sources themselves, and each run starts in about a sixth of the CPU time of
// `node --import tsx src/cli/main.ts`. The bundle is of src/ alone (dependencies left in
// node_modules, where the recorder sees each one load; kept between runs by
// test/helpers/cli-bundle.ts until its sources change); test/package.test.ts checks the full
// bundle of the packed tarball. `--version` from src/ (package.json found from there) runs
// in-process.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Metafile } from "esbuild";
import { ROOT, runCli } from "./helpers/cli.ts";
import { cliBundleOfSources } from "./helpers/cli-bundle.ts";
import { heavyLoaded, loadedPackages, recordModules } from "./helpers/modules.ts";

const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

let pkg = "";
let meta: Metafile;
before(async () => {
  pkg = mkdtempSync(join(tmpdir(), "startup-bundle-"));
  mkdirSync(join(pkg, "bin"));
  copyFileSync(join(ROOT, "bin/connect-s3-report.js"), join(pkg, "bin/connect-s3-report.js"));
  copyFileSync(join(ROOT, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(ROOT, "templates"), join(pkg, "templates"));
  symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
  meta = await cliBundleOfSources(join(pkg, "dist/bundle"));
});
after(() => rmSync(pkg, { recursive: true, force: true }));

/** Run the installed bin with `args`, recording the modules it loads. */
const runBundle = (args: string[]) =>
  recordModules(join(pkg, "bin/connect-s3-report.js"), args, { cwd: pkg });

/** The src/ files of the bundle's chunks that a run loaded. */
const sourcesLoaded = (urls: string[]): string[] =>
  urls
    .filter((url) => url.startsWith(`file://${pkg}/dist/bundle/`))
    .flatMap((url) => {
      const output = Object.entries(meta.outputs).find(
        ([path]) => join(pkg, "dist/bundle", path.split("/").at(-1) ?? "") === fileURLToPath(url),
      );
      assert.ok(output, `${url} is an output of the bundle`);
      return Object.keys(output[1].inputs);
    });

// Every command's --help (check shares build's module, src/cli/build.ts).
const HELP_RUNS = [
  ["--help"],
  ["--version"],
  ["build", "--help"],
  ["preview", "--help"],
  ["publish", "--help"],
  ["notify", "--help"],
];

for (const args of HELP_RUNS) {
  test(`${args.join(" ")} loads neither the build nor the AWS SDK, vega, parquet-wasm or esbuild`, () => {
    const run = runBundle(args);
    assert.equal(run.status, 0);
    const sources = sourcesLoaded(run.urls);
    // The recorder works: it saw the CLI itself, and the command's own module.
    assert.ok(sources.includes("src/cli/main.ts"), sources.join("\n"));
    if (args[0] !== "--help" && args[0] !== "--version") {
      assert.ok(sources.includes(`src/cli/${args[0]}.ts`), sources.join("\n"));
    }
    assert.deepEqual(heavyLoaded(run.urls), []);
    // src/build.ts wires every stage (Arrow, vega, Handlebars): help never needs it.
    assert.deepEqual(
      sources.filter((path) => path === "src/build.ts"),
      [],
    );
    if (args[0] === "--help") {
      assert.match(run.stdout, /Usage: connect-s3-report/);
      assert.deepEqual(
        sources.filter((path) => /^src\/(build|chart\/|read\/|aws\/)/.test(path)),
        [],
      );
      assert.deepEqual(
        [...new Set(run.urls.filter((url) => url.includes("/node_modules/")))],
        [],
        "no dependency at all",
      );
    }
    if (args[0] === "--version") {
      assert.equal(run.stdout.trim(), VERSION, "package.json found from dist/bundle/");
    }
  });
}

test("a build of a CSV loads the build's chunks, vega and Arrow, but neither the AWS SDK nor parquet-wasm", () => {
  const run = runBundle(["check", "--source", join(ROOT, "test/input/build/small.csv")]);
  assert.equal(run.status, 0);
  const sources = sourcesLoaded(run.urls);
  for (const path of ["src/build.ts", "src/chart/index.ts", "src/read/index.ts"]) {
    assert.ok(sources.includes(path), path);
  }
  const heavy = heavyLoaded(run.urls);
  assert.ok(heavy.includes("vega"), heavy.join(", "));
  assert.ok(!heavy.includes("parquet-wasm"), heavy.join(", "));
  assert.ok(!heavy.some((name) => name.startsWith("@aws-sdk")), heavy.join(", "));
  assert.ok(loadedPackages(run.urls).has("apache-arrow"));
});

test("--version prints package.json's version, found from src/", async () => {
  const run = await runCli(["--version"]);
  assert.equal(run.code, 0);
  assert.equal(run.stdout.trim(), VERSION);
});
