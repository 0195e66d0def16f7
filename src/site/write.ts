import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ReportError } from "../errors.ts";

/** One file of the built site, by its path relative to the output folder. */
export interface SiteFile {
  path: string;
  content: string | Uint8Array;
}

/** Written into every output folder: proof that replacing the folder loses nothing of the user's. */
export const OUTPUT_MARKER = ".connect-s3-report";

/** Prefix of the sibling folders a write stages in; watchers ignore them. */
export function stagingPrefix(outDir: string): string {
  return `.${basename(resolve(outDir))}-`;
}

/**
 * Refuse to replace a folder this tool did not write: `--out docs` must not delete the
 * user's docs. Empty or missing folders and earlier outputs (with the marker, or holding
 * only index.html and summary.json) are fine.
 */
async function assertReplaceable(outDir: string): Promise<void> {
  const target = resolve(outDir);
  if (
    target === dirname(target) ||
    process.cwd().startsWith(`${target}/`) ||
    process.cwd() === target
  ) {
    throw new ReportError(
      `Refusing to write the report over ${target}: it holds the current folder.`,
      {
        hint: "Pass --out a folder of its own, e.g. --out output.",
      },
    );
  }
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  // Outputs from before the marker existed hold just these two files.
  const ours = (entry: string) => entry === "index.html" || entry === "summary.json";
  if (!entries.includes(OUTPUT_MARKER) && !entries.every(ours)) {
    throw new ReportError(
      `Refusing to replace ${target}: it holds files this tool did not write (${entries
        .filter((e) => !ours(e))
        .slice(0, 3)
        .join(", ")}${entries.length > 3 ? ", …" : ""}).`,
      {
        hint: "The output folder is replaced whole on every build; pass --out an empty or new folder.",
      },
    );
  }
}

/**
 * Replace `outDir` with exactly `files` (plus the marker), atomically: everything is written
 * to a sibling folder first and swapped in with renames, so a failed build never leaves a
 * half-written report where a good one was.
 */
export async function writeSite(outDir: string, files: readonly SiteFile[]): Promise<void> {
  await assertReplaceable(outDir);
  const parent = dirname(resolve(outDir));
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `${stagingPrefix(outDir)}new-`));
  let hadPrevious = true;
  const previous = join(parent, `${stagingPrefix(outDir)}old-${process.pid}-${Date.now()}`);
  try {
    for (const file of [...files, { path: OUTPUT_MARKER, content: "" }]) {
      const target = join(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    try {
      await rename(outDir, previous);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      hadPrevious = false;
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(staging, outDir);
  } catch (error) {
    // Put the good report back before giving up.
    if (hadPrevious) await rename(previous, outDir);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}
