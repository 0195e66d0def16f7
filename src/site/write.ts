import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** One file of the built site, by its path relative to the output folder. */
export interface SiteFile {
  path: string;
  content: string | Uint8Array;
}

/**
 * Replace `outDir` with exactly `files`, atomically: everything is written to a sibling
 * folder first and swapped in with renames, so a failed build never leaves a half-written
 * report where a good one was.
 */
export async function writeSite(outDir: string, files: readonly SiteFile[]): Promise<void> {
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(outDir)}-new-`));
  try {
    for (const file of files) {
      const target = join(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = join(parent, `.${basename(outDir)}-old-${process.pid}-${Date.now()}`);
  let hadPrevious = true;
  try {
    await rename(outDir, previous);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    hadPrevious = false;
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
