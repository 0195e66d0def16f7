// The last step of a render on Connect: the built report becomes the project's output, and
// .output_metadata.json tells Connect what to email. Runs under Deno (Quarto's post-render).
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { OutputMetadata } from "../email/connect-metadata.ts";
import { listFiles } from "../list-files.ts";

/**
 * Copy the built report over the project's output folder: its index.html replaces the
 * placeholder page Quarto rendered, and its other files land beside it. Returns the paths.
 */
export async function installReport(builtDir: string, outputDir: string): Promise<string[]> {
  const files = await listFiles(builtDir);
  for (const path of files) {
    const target = join(outputDir, path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(builtDir, path), target);
  }
  return files;
}

/** Write `.output_metadata.json` where Connect reads it: the project's output folder. */
export async function writeOutputMetadata(
  outputDir: string,
  metadata: OutputMetadata,
): Promise<string> {
  const path = join(outputDir, ".output_metadata.json");
  await writeFile(path, JSON.stringify(metadata, null, 2));
  return path;
}
