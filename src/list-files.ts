import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Names never listed: OS and VCS litter, installed packages, our output folder's marker. */
const SKIP = new Set([".DS_Store", "Thumbs.db", ".git", "node_modules", ".connect-s3-report"]);

/**
 * Every regular file under `dir`, as sorted POSIX paths relative to it. A plain walk rather
 * than readdir's `recursive` option, which the Deno of Quarto 1.6 silently ignores.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) out.push(`${prefix}${entry.name}`);
    }
  };
  await walk(dir, "");
  return out.sort();
}

/** Spark and Hadoop markers (_SUCCESS, _metadata, .crc files) are not data. */
export function isHidden(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_");
}
