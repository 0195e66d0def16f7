// The CLI bundle of src/ alone (scripts/build-dist.ts's bundleCli with every dependency left
// in node_modules), as test/startup.test.ts lays it out in a package: made once and kept in
// node_modules/.cache/csr-test-bundles with the list of this checkout's files it was made
// from and their hash (test/helpers/bundle.ts), so later runs with none of them changed copy
// it instead of bundling again (about 2.5 CPU s).
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Metafile } from "esbuild";
import { hashFiles, isCurrent, writeWhole } from "../../src/kept-files.ts";
import { cacheDir } from "./bundle.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The kept bundle is up to date with this checkout's files. */
function upToDate(dir: string): boolean {
  return existsSync(join(dir, "meta.json")) && isCurrent(ROOT, join(dir, "manifest.json"));
}

/**
 * The code-split CLI bundle of src/ (dependencies external) copied into `outdir`; returns
 * esbuild's metafile of it (its output paths name the kept copy: match them by file name).
 */
export async function cliBundleOfSources(outdir: string): Promise<Metafile> {
  const key = createHash("sha256").update(ROOT).digest("hex").slice(0, 16);
  const kept = join(cacheDir(), `cli-sources-${key}`);
  if (!upToDate(kept)) {
    const partial = `${kept}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    // Imported only here: build-dist.ts loads much of src/ to start.
    const { bundleCli } = await import("../../scripts/build-dist.ts");
    const meta = await bundleCli(join(partial, "bundle"), { packagesExternal: true });
    // The checkout's own files (paths in the metafile are relative to the checkout), and the
    // two that set the bundle's options.
    const options = ["scripts/build-dist.ts", "src/rendered/bundle-script.ts"];
    const sources = Object.keys(meta.inputs).filter(
      (input) => !input.startsWith("..") && !input.includes("node_modules"),
    );
    const inputs = [...new Set([...sources, ...options])].sort();
    const hash = hashFiles(ROOT, inputs);
    writeWhole(join(partial, "meta.json"), JSON.stringify(meta));
    if (hash !== undefined)
      writeWhole(join(partial, "manifest.json"), JSON.stringify({ inputs, hash }));
    rmSync(kept, { recursive: true, force: true });
    try {
      renameSync(partial, kept);
    } catch {
      // Another process kept its bundle first; use this one.
      mkdirSync(outdir, { recursive: true });
      cpSync(join(partial, "bundle"), outdir, { recursive: true });
      const meta = JSON.parse(readFileSync(join(partial, "meta.json"), "utf8")) as Metafile;
      rmSync(partial, { recursive: true, force: true });
      return meta;
    }
  }
  mkdirSync(outdir, { recursive: true });
  cpSync(join(kept, "bundle"), outdir, { recursive: true });
  return JSON.parse(readFileSync(join(kept, "meta.json"), "utf8")) as Metafile;
}
