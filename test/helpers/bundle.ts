// Test scripts that run in a child process (the CLI, a site writer, a reader under a memory
// ceiling) as one plain-JavaScript file each. Started through tsx, every such child spends
// about 3 CPU seconds on the loader and on resolving and compiling a few hundred modules
// before it does anything; started from an esbuild bundle of the same sources, about half
// a second.
//
// Each bundled source file keeps its own `import.meta.url`, so paths found next to a module
// (templates, fonts, package.json) resolve as they do under tsx; the packages that load a
// .wasm or a binary next to themselves stay external, found from node_modules as usual.
// Bundles are kept in node_modules/.cache/csr-test-bundles, each with the list of this
// checkout's files it was made from and a hash of them (and of the installed packages), so
// the processes of a test run, and later runs with none of those files changed, reuse it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { hashFiles, isCurrent, keptDir, writeWhole } from "../../src/kept-files.ts";
import { NODE_EXTERNAL, REQUIRE_SHIM } from "../../src/rendered/bundle-script.ts";

// (Not ./cli.ts's ROOT: that module imports the whole CLI, and read-child.ts bundles this one;
// nothing here runs at import, since in that bundle import.meta.url is the bundle's.)
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SOURCES = join(ROOT, "src");

/**
 * Where bundles are kept. node_modules may be a link to a shared install: its real path,
 * which a bundle run as a script sees as its own (`import.meta.filename === process.argv[1]`).
 */
export function cacheDir(): string {
  return keptDir(ROOT, "csr-test-bundles");
}

/** `import.meta.url` in code (not inside a string literal on the same line) → `url`. */
function withOwnUrl(source: string, url: string): string {
  return source
    .split("\n")
    .map((line) =>
      line.replace(/\bimport\.meta\.url\b/g, (match, at: number) =>
        line.slice(0, at).split('"').length % 2 === 1 ? JSON.stringify(url) : match,
      ),
    )
    .join("\n");
}

/** Gives each bundled file of src/ its own `import.meta.url`. */
const ownUrls: Plugin = {
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(`${SOURCES}/`)) return undefined;
      return {
        contents: withOwnUrl(readFileSync(args.path, "utf8"), pathToFileURL(args.path).href),
        loader: "ts",
        resolveDir: dirname(args.path),
      };
    });
  },
};

const made = new Map<string, Promise<string>>();

/**
 * Path of a bundle of `entry` (a file of this checkout) with everything it imports, up to
 * date with the sources: `node <it> args...` runs it as `node --import tsx <entry>` would.
 */
export function bundled(entry: string): Promise<string> {
  let path = made.get(entry);
  if (path === undefined) {
    path = makeBundle(entry);
    made.set(entry, path);
  }
  return path;
}

async function makeBundle(entry: string): Promise<string> {
  const key = createHash("sha256").update(ROOT).update(entry).digest("hex").slice(0, 16);
  const name = relative(ROOT, entry).replace(/[^\w.-]+/g, "_");
  const cache = cacheDir();
  const file = join(cache, `${name}-${key}.mjs`);
  const manifestFile = `${file}.json`;
  if (existsSync(file) && isCurrent(ROOT, manifestFile)) return file;
  mkdirSync(cache, { recursive: true });
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    outfile: file,
    metafile: true,
    external: [...NODE_EXTERNAL],
    banner: { js: REQUIRE_SHIM },
    plugins: [ownUrls],
    logLevel: "error",
  });
  // The checkout's own files (paths in the metafile are relative to the working directory).
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => relative(ROOT, join(process.cwd(), input)))
    .filter((input) => !input.startsWith("..") && !input.includes("node_modules"))
    .sort();
  const hash = hashFiles(ROOT, inputs);
  writeWhole(file, result.outputFiles[0].contents);
  if (hash !== undefined) writeWhole(manifestFile, JSON.stringify({ inputs, hash }));
  return file;
}
