// Build outputs kept on disk between processes (node_modules/.cache/…), each beside a manifest
// of the files it was made from and their hash: a later process whose inputs hash the same
// reuses the output instead of building it again. Used by the Deno script of `publish
// --rendered` run from the sources (src/rendered/bundle-script.ts) and by the tests' bundles
// (test/helpers/bundle.ts). Nothing runs at import: test bundles include this module.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** What a kept output was made from: files (relative to a root, or absolute) and their hash. */
export interface Manifest {
  inputs: string[];
  hash: string;
}

/**
 * The folder `name` in `root`'s node_modules/.cache. node_modules may be a link to a shared
 * install: its real path, so every checkout sharing it finds the same folder.
 */
export function keptDir(root: string, name: string): string {
  return join(realpathSync(join(root, "node_modules")), ".cache", name);
}

/**
 * Hash of `inputs` (resolved against `root`), of `root`'s installed packages and of `extra`;
 * undefined when an input is gone.
 */
export function hashFiles(
  root: string,
  inputs: readonly string[],
  extra: readonly string[] = [],
): string | undefined {
  const hash = createHash("sha256").update(root);
  for (const input of inputs) {
    const file = resolve(root, input);
    if (!existsSync(file)) return undefined;
    hash.update(input).update(readFileSync(file));
  }
  const lock = join(root, "node_modules", ".package-lock.json");
  if (existsSync(lock)) hash.update(readFileSync(lock));
  for (const text of extra) hash.update(text);
  return hash.digest("hex");
}

/** Whether `manifestFile` exists and its inputs still hash as they did. */
export function isCurrent(root: string, manifestFile: string, extra?: readonly string[]): boolean {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    return hashFiles(root, manifest.inputs, extra) === manifest.hash;
  } catch {
    // Not made yet, or unreadable.
    return false;
  }
}

/** Write `data` to `file` whole or not at all (a reader never sees half of it). */
export function writeWhole(file: string, data: string | Uint8Array): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}
