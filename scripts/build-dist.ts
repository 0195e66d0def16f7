// `npm run build:dist` (and `prepack`): what the installed package runs, with no TypeScript
// tooling. Three outputs:
//  - dist/ from tsc (tsconfig.dist.json): ES modules, source maps and .d.ts mirroring src/.
//    The library API (`exports` → dist/index.js) stays unbundled, so a user's own apache-arrow
//    or AWS SDK is shared with it rather than duplicated.
//  - dist/bundle/: the CLI bundled by esbuild, which bin/connect-s3-report.js runs. Importing
//    hundreds of files from node_modules costs more than the work of a small build (vega and
//    vega-lite: 283 ms from node_modules, 140 ms from one bundle); code splitting keeps each
//    lazy `import()` of src/cli/ a separate chunk, so `--help` loads no build, vega, Arrow or
//    AWS SDK.
//  - dist/rendered/render-script.js: the Deno script of `publish --rendered`, bundled now
//    because esbuild is a devDependency (src/rendered/prepare.ts).
// Files of the package (templates/, package.json, the Deno script) are found at run time
// through src/package-root.ts, which works from src/, dist/ and dist/bundle/ alike.
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Metafile } from "esbuild";
import { PRECOMPILED_FILE, precompiledModule } from "../src/render/precompiled.ts";
import { bundleForDeno, NODE_EXTERNAL, REQUIRE_SHIM } from "../src/rendered/bundle-script.ts";
import { PREBUILT_SCRIPT, RENDER_ENTRY } from "../src/rendered/script-paths.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the CLI bundle goes; bin/connect-s3-report.js runs `${CLI_BUNDLE_DIR}/main.js`. */
export const CLI_BUNDLE_DIR = join(root, "dist/bundle");

/**
 * Every entry of the CLI bundle: output name (dist/bundle/<name>.js) → source. The CLI is one;
 * a module that Node starts by file name rather than imports (a worker thread's script) must
 * be added here too, and located at run time from the package root (src/package-root.ts:
 * `packagePath("dist/bundle/<name>.js")` when running compiled).
 */
export const CLI_ENTRIES: Record<string, string> = {
  main: "src/cli/main.ts",
};

/**
 * Minified chunks load slightly faster (vega + vega-lite: 125 vs 140 ms) but turn stack traces
 * of bugs into one-letter names. Measured on the CLI: see the commit that set this.
 */
const MINIFY = false;

/**
 * Bundle the CLI into `outdir` (code-split ESM with source maps); returns esbuild's metafile.
 * `packagesExternal` leaves every dependency in node_modules (a bundle of src/ only, in a
 * fraction of the time: test/startup.test.ts checks the splitting with it).
 */
export async function bundleCli(
  outdir: string,
  options: { minify?: boolean; packagesExternal?: boolean } = {},
): Promise<Metafile> {
  const esbuild = await import("esbuild");
  const entryPoints = Object.fromEntries(
    Object.entries(CLI_ENTRIES).map(([name, source]) => [name, join(root, source)]),
  );
  const result = await esbuild.build({
    entryPoints,
    outdir,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: options.minify ?? MINIFY,
    // Mappings only: a stack trace needs file and line, not the sources (half the size).
    sourcemap: "linked",
    sourcesContent: false,
    // The bundled packages' license comments, kept at the end of each chunk.
    legalComments: "eof",
    banner: { js: REQUIRE_SHIM },
    external: [...NODE_EXTERNAL],
    packages: options.packagesExternal ? "external" : undefined,
    metafile: true,
    logLevel: "warning",
  });
  return result.metafile;
}

async function buildDist(): Promise<void> {
  const dist = join(root, "dist");
  const started = performance.now();
  await rm(dist, { recursive: true, force: true });
  // --noCheck: emit without type-checking, which `npm run typecheck` (tsc -p tsconfig.json,
  // src/ with the same options) does in CI (.ci/run) and before each commit; here it would
  // cost every pack (and test/package.test.ts) about 2 CPU seconds more for no new fact.
  execFileSync(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.dist.json", "--noCheck"],
    { cwd: root, stdio: "inherit" },
  );
  // The default templates compiled ahead, so a build does not compile them (src/render/precompiled.ts).
  await writeFile(
    join(dist, "render", PRECOMPILED_FILE),
    await precompiledModule(join(root, "templates")),
  );
  const meta = await bundleCli(CLI_BUNDLE_DIR);
  const script = await bundleForDeno(RENDER_ENTRY);
  await mkdir(dirname(PREBUILT_SCRIPT), { recursive: true });
  await writeFile(PREBUILT_SCRIPT, script.code);
  const chunks = Object.keys(meta.outputs).filter((path) => path.endsWith(".js")).length;
  process.stderr.write(
    `dist/: compiled src/, bundled the CLI (${chunks} files in bundle/) and the Deno script (${script.inputs} modules) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildDist();
}
