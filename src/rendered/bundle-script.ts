// Bundle a TypeScript entry into one ES module that the Deno shipped with Quarto runs as a
// project script, with no npm install on the server (docs/design/js-stack.md §9).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { hashFiles, type Manifest, writeWhole } from "../kept-files.ts";

/**
 * CommonJS dependencies inside an ES module bundle call `require` for built-ins: this gives
 * them one. Node needs only this (scripts/build-dist.ts puts it atop every file of the CLI
 * bundle).
 */
export const REQUIRE_SHIM = [
  'import { createRequire as __shimCreateRequire } from "node:module";',
  "const require = __shimCreateRequire(import.meta.url);",
].join("\n");

/**
 * Not bundled for Node, imported from node_modules at run time: the two WebAssembly packages
 * read their .wasm next to their own module (`import.meta.resolve`,
 * src/read/arrow/read-parquet.ts, src/chart/png.ts), which a bundle's chunk is not; esbuild is
 * a native binary with a platform package per OS, loaded only by `publish --rendered`. Used
 * by the CLI bundle (scripts/build-dist.ts) and the tests' child-process bundles.
 */
export const NODE_EXTERNAL = ["parquet-wasm", "@resvg/resvg-wasm", "esbuild"] as const;

/**
 * Runs before any bundled module: Deno 1.46 has no global `process`, Deno 2.2 no global
 * `Buffer` outside npm packages, and CommonJS dependencies call `require` for built-ins.
 * (Not for Node: importing node:process costs it about 8 ms per process.)
 */
const SHIMS = [
  'import __shimProcess from "node:process";',
  'import { Buffer as __shimBuffer } from "node:buffer";',
  "globalThis.process ??= __shimProcess;",
  "globalThis.Buffer ??= __shimBuffer;",
  "globalThis.global ??= globalThis;",
  REQUIRE_SHIM,
].join("\n");

const builtins = new Set(builtinModules.filter((name) => !name.startsWith("_")));

/**
 * Deno accepts Node built-ins only as `node:x`; esbuild keeps them bare. (Folder walks go
 * through src/list-files.ts, because Deno 1.46 ignores readdir's `recursive`.)
 */
const nodePrefix: Plugin = {
  name: "node-prefix",
  setup(build) {
    build.onResolve({ filter: /^[a-z_/]+$/ }, (args) => {
      const root = args.path.split("/")[0];
      if (!builtins.has(root) && !builtins.has(args.path)) return undefined;
      return { path: `node:${args.path}`, external: true };
    });
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true }));
  },
};

export interface DenoBundle {
  code: string;
  /** Input files by size, for the log. */
  inputs: number;
  /** Absolute paths of the input files. */
  files: string[];
}

/** Bundle `entry` (and everything it imports) into one Deno-runnable ES module. */
export async function bundleForDeno(entry: string): Promise<DenoBundle> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "es2022",
    write: false,
    minify: false,
    legalComments: "none",
    banner: { js: SHIMS },
    plugins: [nodePrefix],
    metafile: true,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  // Absolute paths of the files read (the metafile's are relative to the working directory).
  const files = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  return { code: output.text, inputs: files.length, files };
}

/** A Deno bundle kept on disk by keptBundleForDeno: its code and what it was made from. */
interface KeptBundle extends Manifest {
  code: string;
}

/**
 * bundleForDeno's code for `entry`, kept in the folder `dir` between processes: reused while
 * the files it was made from (outside node_modules), this module (the bundle's options), the
 * packages installed in `root` and esbuild's version are unchanged, else bundled again (about
 * 2.8 CPU s for the post-render script). `kept` says whether it was reused.
 */
export async function keptBundleForDeno(
  entry: string,
  options: { root: string; dir: string },
): Promise<{ code: string; kept: boolean }> {
  const { version } = await import("esbuild");
  const extra = [version];
  const key = createHash("sha256").update(resolve(entry)).digest("hex").slice(0, 16);
  const file = join(options.dir, `deno-${key}.json`);
  try {
    const kept = JSON.parse(readFileSync(file, "utf8")) as KeptBundle;
    if (hashFiles(options.root, kept.inputs, extra) === kept.hash) {
      return { code: kept.code, kept: true };
    }
  } catch {
    // Not made yet, or unreadable: make it.
  }
  const bundle = await bundleForDeno(entry);
  // Files of installed packages are covered by the install's lock file (hashFiles).
  const inputs = [
    ...bundle.files.filter((path) => !path.includes("/node_modules/")),
    fileURLToPath(import.meta.url),
  ].sort();
  const hash = hashFiles(options.root, inputs, extra);
  if (hash !== undefined) {
    mkdirSync(options.dir, { recursive: true });
    // Code and manifest in one file, written whole: a reader never pairs one with the other's
    // older version.
    writeWhole(file, JSON.stringify({ inputs, hash, code: bundle.code } satisfies KeptBundle));
  }
  return { code: bundle.code, kept: false };
}
