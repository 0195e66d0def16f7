// The npm package as a user gets it: `npm pack` (which compiles dist/ in prepack), install
// the tarball with --omit=dev, and build a report from a CSV with the installed
// `connect-s3-report`. Nothing of TypeScript may be installed or executed: no tsx in the
// tree, no .ts file (other than .d.ts) in the package, and every module Node resolved
// (test/helpers/record-modules.mjs) is JavaScript. The bin runs the CLI bundle
// (scripts/build-dist.ts): vega, Arrow and the rest come from its chunks, not node_modules,
// and `--help` loads no chunk holding their code (each chunk's source map lists its sources).
// Slow (pack ≈ 35 s, install ≈ 25–45 s): one test. Dependencies come from npm's cache
// (--offline), else the registry.
//
// The install is a real `npm install --omit=dev <tarball>`, but its folder starts with the
// dependencies an earlier run installed for the same package.json dependencies (hard links
// kept in node_modules/.cache/package-test-install/, without connect-s3-report): npm checks
// that tree against the tarball's, removes what does not belong (a dev dependency would go),
// adds what is missing and extracts connect-s3-report from the tarball, in about 5 CPU s
// instead of 12 for extracting every dependency again. The first run, the first after the
// dependencies change, and runs where the temporary folder cannot hard-link to
// node_modules (another file system) install into an empty folder.
//
// The pack runs in a copy of the checkout (its node_modules linked), so that its prepack
// writes dist/ there: other test processes of the same run start bin/connect-s3-report.js,
// which runs the checkout's dist/bundle/ when there is one, and must never meet one half
// written.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { keptDir } from "../src/kept-files.ts";
import { listFiles } from "../src/list-files.ts";
// The packages the CLI bundle leaves in node_modules (scripts/build-dist.ts bundles with them).
import { NODE_EXTERNAL } from "../src/rendered/bundle-script.ts";
import { ROOT } from "./helpers/cli.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { heavyLoaded, loadedPackages, recordModules } from "./helpers/modules.ts";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** The sources of the bundle's chunks among `urls`, from each chunk's source map. */
function bundledSources(urls: string[]): string[] {
  return urls
    .filter((url) => url.includes("/connect-s3-report/dist/bundle/"))
    .flatMap((url) => {
      const map = JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, "utf8"));
      return map.sources as string[];
    });
}

/** Run npm; throws with its output when it fails. */
function npm(args: string[], cwd: string): string {
  const result = spawnSync(NPM, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Where the dependencies of the last install are kept: one folder per set of package.json
 * dependencies (node_modules may be a link to an install other checkouts share).
 */
function keptInstall(): string {
  const { dependencies } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const key = createHash("sha256").update(JSON.stringify(dependencies)).digest("hex");
  return join(keptDir(ROOT, "package-test-install"), key.slice(0, 16));
}

/** Hard-link `from` (a folder) as `to`; false when that fails (then `to` does not exist). */
function linkTree(from: string, to: string): boolean {
  const copied = spawnSync("cp", ["-al", from, to]);
  if (copied.status !== 0) rmSync(to, { recursive: true, force: true });
  return copied.status === 0;
}

/** Start `app`/node_modules from the kept dependencies, if any. */
function seedInstall(app: string): void {
  const kept = keptInstall();
  if (!existsSync(kept)) return;
  const modules = join(app, "node_modules");
  // npm rewrites its record of the tree (.package-lock.json) in place: drop the link, and
  // npm reads the tree from the folders themselves.
  if (linkTree(kept, modules)) rmSync(join(modules, ".package-lock.json"), { force: true });
}

/** Keep `app`'s installed dependencies for the next run, without the package under test. */
function keepInstall(app: string): void {
  const kept = keptInstall();
  if (existsSync(kept)) return;
  const partial = `${kept}.${process.pid}.partial`;
  mkdirSync(dirname(kept), { recursive: true });
  if (!linkTree(join(app, "node_modules"), partial)) return;
  rmSync(join(partial, "connect-s3-report"), { recursive: true, force: true });
  rmSync(join(partial, ".bin/connect-s3-report"), { force: true });
  rmSync(join(partial, ".package-lock.json"), { force: true });
  try {
    renameSync(partial, kept);
  } catch {
    // Another run kept its install first.
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Copy the checkout into `to` as npm pack sees it, without what builds or runs leave. */
function copyCheckout(to: string): void {
  const left = new Set(["node_modules", "dist", "test-artifacts", ".git", "output"]);
  cpSync(ROOT, to, {
    recursive: true,
    filter: (from) => {
      const path = relative(ROOT, from);
      return !left.has(path) && !/^\.?output-/.test(path) && path !== join("bench", "data");
    },
  });
  symlinkSync(join(ROOT, "node_modules"), join(to, "node_modules"));
}

test("the packed tarball installs without dev dependencies and builds a report from a CSV", async () => {
  const work = mkdtempSync(join(tmpdir(), "package-test-"));
  try {
    const checkout = join(work, "checkout");
    copyCheckout(checkout);
    const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], checkout)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed[0].files.map((file) => file.path);
    assert.ok(paths.includes("dist/index.js"), "the library is in the tarball");
    assert.ok(paths.includes("dist/bundle/main.js"), "the CLI bundle is in the tarball");
    assert.ok(paths.includes("dist/rendered/render-script.js"), "the Deno script is prebuilt");
    assert.ok(paths.includes("templates/layout.hbs"));
    assert.deepEqual(
      paths.filter((path) => /^(test|bench|src|report|scripts)\//.test(path)),
      [],
      "no tests, fixtures, benchmarks or sources in the tarball",
    );

    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "name": "app", "private": true }\n');
    seedInstall(app);
    const install = ["install", "--omit=dev", "--no-audit", "--no-fund"];
    const tarball = join(work, packed[0].filename);
    try {
      npm([...install, "--offline", tarball], app);
    } catch {
      npm([...install, "--prefer-offline", tarball], app);
    }
    const installed = join(app, "node_modules/connect-s3-report");
    for (const dev of ["tsx", "typescript", "esbuild", "@biomejs/biome"]) {
      assert.ok(!existsSync(join(app, "node_modules", dev)), `${dev} is not installed`);
    }
    const sources = (await listFiles(installed)).filter(
      (file) => /\.[mc]?tsx?$/.test(file) && !/\.d\.[mc]?ts$/.test(file),
    );
    assert.deepEqual(sources, [], "no TypeScript sources in the installed package");

    // The bin link, as a shell runs it.
    const bin = join(app, "node_modules/.bin/connect-s3-report");
    const version = spawnSync(bin, ["--version"], { cwd: app, encoding: "utf8" });
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.equal(version.stdout.trim(), expected);

    // A CSV whose row count and column names the report must show.
    const rows = 257;
    const lines = ["city,visits,score"];
    for (let i = 0; i < rows; i++) lines.push(`${["Oslo", "Lima", "Pune"][i % 3]},${i},${i / 4}`);
    writeFileSync(join(app, "visits.csv"), `${lines.join("\n")}\n`);
    const entry = join(installed, "bin/connect-s3-report.js");
    const run = recordModules(entry, ["build", "--source", "visits.csv", "--out", "report"], {
      cwd: app,
    });
    assert.equal(run.status, 0);
    const summary = JSON.parse(readFileSync(join(app, "report/summary.json"), "utf8"));
    assertValidSummary(summary);
    assert.equal(summary.rows, rows);
    const html = readFileSync(join(app, "report/index.html"), "utf8");
    for (const column of ["city", "visits", "score"]) assert.ok(html.includes(column), column);
    assert.ok(
      run.urls.some((url) => url.endsWith("/connect-s3-report/dist/bundle/main.js")),
      "the build ran from the bundle",
    );
    // Only what the bundle leaves external is imported from node_modules (none for a CSV).
    const fromNodeModules = [...loadedPackages(run.urls)].filter(
      (name) =>
        name !== "connect-s3-report" && !(NODE_EXTERNAL as readonly string[]).includes(name),
    );
    assert.deepEqual(fromNodeModules, [], "dependencies come from the bundle");
    const built = bundledSources(run.urls);
    for (const name of ["vega-lite", "vega-scenegraph", "apache-arrow", "handlebars"]) {
      assert.ok(
        built.some((source) => source.includes(`/node_modules/${name}/`)),
        `the build's chunks hold ${name}`,
      );
    }
    assert.deepEqual(
      run.urls.filter((url) => /\.[mc]?tsx?$/.test(url)),
      [],
      "no .ts module executed",
    );

    const help = recordModules(entry, ["--help"], { cwd: app });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: connect-s3-report/);
    assert.deepEqual(heavyLoaded(help.urls), []);
    const helpSources = bundledSources(help.urls);
    assert.ok(
      helpSources.some((source) => source.endsWith("src/cli/main.ts")),
      "help ran the bundle",
    );
    assert.deepEqual(
      helpSources.filter((source) => /\/node_modules\/(vega|apache-arrow)/.test(source)),
      [],
      "--help loads no chunk with vega or Arrow code",
    );
    keepInstall(app);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// npm runs a script named after one of its lifecycle events when that event happens: a
// script called `publish` runs on `npm publish` (even `--dry-run`, which skips the private
// check), so a deploy under that name would reach Connect by accident.
test("no npm lifecycle script runs the CLI (npm publish must never deploy)", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const lifecycle = ["publish", "prepublish", "prepublishOnly", "postpublish", "preinstall"];
  lifecycle.push("install", "postinstall", "prepare", "postpack", "version", "postversion");
  const hooked = lifecycle.filter((name) =>
    /src\/cli\/main|connect-s3-report/.test(pkg.scripts[name] ?? ""),
  );
  assert.deepEqual(hooked, [], `lifecycle scripts that run the CLI: ${hooked.join(", ")}`);
  assert.match(pkg.scripts.deploy, /src\/cli\/main\.ts publish$/, "npm run deploy runs `publish`");
});
