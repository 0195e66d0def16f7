// A Connect bundle: the files plus manifest.json at the root, as one .tar.gz.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReportError } from "../errors.ts";
import { listFiles } from "../list-files.ts";
import type { BundleFile, Manifest } from "./manifest.ts";
import { tarGz } from "./tar.ts";

/** Read every regular file under `dir`, with POSIX paths relative to it, sorted. */
export async function collectFiles(dir: string): Promise<BundleFile[]> {
  let paths: string[];
  try {
    paths = await listFiles(dir);
  } catch (error) {
    throw new ReportError(`Cannot read the folder to publish: ${dir}`, {
      hint: "Build the report first (npm run build), or pass --dir with the built output.",
      cause: error,
    });
  }
  const files: BundleFile[] = [];
  // A root manifest.json is replaced by the bundle's own.
  for (const path of paths) {
    if (path !== "manifest.json") files.push({ path, data: await readFile(join(dir, path)) });
  }
  return files;
}

/**
 * The archive bytes: manifest.json first, then the files in order. Entries carry `mtime`
 * (default now): a rendered report shows its fallback data's modification time.
 */
export function createBundle(
  files: readonly BundleFile[],
  manifest: Manifest,
  mtime: Date = new Date(),
): Uint8Array {
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  return tarGz([{ path: "manifest.json", data: manifestBytes }, ...files], mtime);
}
