// Start-up loads only what a command needs (src/cli/main.ts imports each command lazily):
// `--help` (of every command) and `--version` must not load the build (src/build.ts), the AWS
// SDK, vega, parquet-wasm or esbuild. The modules are those Node actually resolved, recorded
// by test/helpers/record-modules.mjs. The same holds for the CLI bundle the package runs
// (scripts/build-dist.ts): code splitting must keep each lazy import a chunk of its own. That
// is checked here on a bundle of src/ alone (dependencies left in node_modules, so it bundles
// in about a second); test/package.test.ts checks the full bundle of the packed tarball.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Metafile } from "esbuild";
import { bundleCli } from "../scripts/build-dist.ts";
import { ROOT } from "./helpers/cli.ts";
import { heavyLoaded, loadedPackages, recordModules } from "./helpers/modules.ts";

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
    const run = recordModules(join(ROOT, "src/cli/main.ts"), args, { tsx: true });
    assert.equal(run.status, 0);
    // The recorder works: it saw the CLI itself, and the command's own module.
    assert.ok(
      run.urls.some((url) => url.endsWith("/src/cli/main.ts")),
      run.urls.join("\n"),
    );
    if (args[0] !== "--help" && args[0] !== "--version") {
      assert.ok(
        run.urls.some((url) => url.endsWith(`/src/cli/${args[0]}.ts`)),
        run.urls.join("\n"),
      );
    }
    assert.deepEqual(heavyLoaded(run.urls), []);
    // src/build.ts wires every stage (Arrow, vega, Handlebars): help never needs it.
    assert.deepEqual(
      run.urls.filter((url) => url.endsWith("/src/build.ts")),
      [],
    );
  });
}

test("a build of a CSV loads vega (charts) but neither the AWS SDK nor parquet-wasm", () => {
  const run = recordModules(
    join(ROOT, "src/cli/main.ts"),
    ["check", "--source", join(ROOT, "test/input/build/small.csv")],
    { tsx: true },
  );
  assert.equal(run.status, 0);
  const heavy = heavyLoaded(run.urls);
  assert.ok(heavy.includes("vega"), heavy.join(", "));
  assert.ok(!heavy.includes("parquet-wasm"), heavy.join(", "));
  assert.ok(!heavy.some((name) => name.startsWith("@aws-sdk")), heavy.join(", "));
});

test("--version prints package.json's version", () => {
  const run = recordModules(join(ROOT, "src/cli/main.ts"), ["--version"], { tsx: true });
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(run.stdout.trim(), version);
});

describeBundle();

/** The CLI bundle in a package laid out as installed: bin/, dist/bundle/, templates/, package.json. */
function describeBundle(): void {
  let pkg = "";
  let meta: Metafile;
  before(async () => {
    pkg = mkdtempSync(join(tmpdir(), "startup-bundle-"));
    mkdirSync(join(pkg, "bin"));
    copyFileSync(join(ROOT, "bin/connect-s3-report.js"), join(pkg, "bin/connect-s3-report.js"));
    copyFileSync(join(ROOT, "package.json"), join(pkg, "package.json"));
    symlinkSync(join(ROOT, "templates"), join(pkg, "templates"));
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    meta = await bundleCli(join(pkg, "dist/bundle"), { packagesExternal: true });
  });
  after(() => rmSync(pkg, { recursive: true, force: true }));

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

  test("from the bundle, --help loads neither the build's chunks nor vega, Arrow or the AWS SDK", () => {
    const run = recordModules(join(pkg, "bin/connect-s3-report.js"), ["--help"], { cwd: pkg });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /Usage: connect-s3-report/);
    const sources = sourcesLoaded(run.urls);
    assert.ok(sources.includes("src/cli/main.ts"), sources.join("\n"));
    assert.deepEqual(
      sources.filter((path) => /^src\/(build|chart\/|read\/|aws\/)/.test(path)),
      [],
    );
    assert.deepEqual(heavyLoaded(run.urls), []);
    assert.deepEqual(
      [...new Set(run.urls.filter((url) => url.includes("/node_modules/")))],
      [],
      "no dependency at all",
    );
  });

  test("from the bundle, a build loads the build's chunks, vega and Arrow, and --version works", () => {
    const csv = join(ROOT, "test/input/build/small.csv");
    const run = recordModules(join(pkg, "bin/connect-s3-report.js"), ["check", "--source", csv], {
      cwd: pkg,
    });
    assert.equal(run.status, 0);
    const sources = sourcesLoaded(run.urls);
    for (const path of ["src/build.ts", "src/chart/index.ts", "src/read/index.ts"]) {
      assert.ok(sources.includes(path), path);
    }
    const heavy = heavyLoaded(run.urls);
    assert.ok(heavy.includes("vega"), heavy.join(", "));
    assert.ok(!heavy.some((name) => name.startsWith("@aws-sdk")), heavy.join(", "));
    assert.ok(loadedPackages(run.urls).has("apache-arrow"));
    const version = recordModules(join(pkg, "bin/connect-s3-report.js"), ["--version"], {
      cwd: pkg,
    });
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.equal(version.stdout.trim(), expected, "package.json found from dist/bundle/");
  });
}
