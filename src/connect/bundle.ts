// A Connect bundle: the files plus manifest.json at the root, as one .tar.gz.
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { ReportError } from "../errors.ts";
import type { BundleFile, Manifest } from "./manifest.ts";
import { tarGz } from "./tar.ts";

/** Names never bundled: OS and VCS litter. A root manifest.json is replaced by the bundle's own. */
const SKIP = new Set([".DS_Store", "Thumbs.db", ".git"]);

/** Read every regular file under `dir`, with POSIX paths relative to it, sorted. */
export async function collectFiles(dir: string): Promise<BundleFile[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new ReportError(`Cannot read the folder to publish: ${dir}`, {
      hint: "Build the report first (npm run build), or pass --dir with the built output.",
      cause: error,
    });
  }
  const files: BundleFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(dir, full).split(sep).join("/");
    if (path === "manifest.json" || path.split("/").some((part) => SKIP.has(part))) continue;
    files.push({ path, data: await readFile(full) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
