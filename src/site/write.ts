// Writing the built site: the output folder is replaced whole, atomically (see
// output-folders.ts), by one build at a time (output-lock.ts), and only when that loses
// nothing of the user's. Operating-system errors come out as ReportErrors naming the folder.
import { access, mkdir, open, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ReportError } from "../errors.ts";
import { osErrorToReportError } from "../os-errors.ts";
import {
  freshSibling,
  type OutputPaths,
  outputPaths,
  outputState,
  pointOutputAt,
  siblingPrefix,
  tidyOutput,
} from "./output-folders.ts";
import { acquireOutputLock, type LockOptions } from "./output-lock.ts";

/** One file of the built site, by its path relative to the output folder. */
export interface SiteFile {
  path: string;
  content: string | Uint8Array;
}

/** Written into every output folder: proof that replacing the folder loses nothing of the user's. */
export const OUTPUT_MARKER = ".connect-s3-report";

/** Prefix of the sibling folders a write keeps beside the output; watchers ignore them. */
export const stagingPrefix = siblingPrefix;

/** The tag templates/layout.hbs puts in every page this tool renders. */
const GENERATOR_TAG = /<meta\s+name="generator"\s+content="connect-s3-report"/;

/** True when the page at `path` carries our generator tag (in its first 64 KiB, its head). */
async function isOurPage(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return GENERATOR_TAG.test(head.subarray(0, bytesRead).toString("utf8"));
  } finally {
    await file.close();
  }
}

/**
 * `mkdir -p`, but with the real cause when it fails: Node's recursive mkdir reports ENOENT
 * when a missing folder cannot be made on a read-only disk or without permission, so the
 * missing folders are then made one at a time, which raises the system's own error.
 */
async function makeFolders(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const missing: string[] = [];
    for (let p = path; p !== dirname(p); p = dirname(p)) {
      if (
        await access(p).then(
          () => true,
          () => false,
        )
      )
        break;
      missing.unshift(p);
    }
    for (const folder of missing) await mkdir(folder);
    throw error;
  }
}

/** Refuse the file-system root and the folder the user is in (or one holding it). */
function assertNotAround(paths: OutputPaths): void {
  const cwd = process.cwd();
  if (paths.out === paths.parent || cwd === paths.out || cwd.startsWith(`${paths.out}/`)) {
    throw new ReportError(
      `Refusing to write the report over ${paths.out}: it holds the current folder.`,
      { hint: "Pass --out a folder of its own, e.g. --out output." },
    );
  }
}

/**
 * Refuse to replace what this tool did not write: `--out docs` must not delete the user's
 * docs. Missing or empty folders, our own links, folders with the marker, and outputs from
 * before the marker (only index.html, carrying our generator tag, and summary.json) are fine.
 */
async function assertReplaceable(paths: OutputPaths): Promise<void> {
  const state = await outputState(paths);
  if (state.kind === "missing" || state.kind === "version") return;
  if (state.kind === "file") {
    throw new ReportError(`Refusing to replace ${paths.out}: it is a file, not a folder.`, {
      hint: "Pass --out a folder (new or empty), or move that file away.",
    });
  }
  if (state.kind === "foreign-link") {
    throw new ReportError(
      `Refusing to replace ${paths.out}: it is a link to ${state.target}, which this tool did not make.`,
      { hint: "Pass --out a folder of its own (not a link), or remove the link." },
    );
  }
  const entries = await readdir(paths.out);
  if (entries.length === 0 || entries.includes(OUTPUT_MARKER)) return;
  const legacy =
    entries.includes("index.html") &&
    entries.every((e) => e === "index.html" || e === "summary.json") &&
    (await isOurPage(join(paths.out, "index.html")));
  if (legacy) return;
  const foreign = entries.filter((e) => e !== "summary.json");
  throw new ReportError(
    `Refusing to replace ${paths.out}: it holds files this tool did not write (${foreign
      .slice(0, 3)
      .join(", ")}${foreign.length > 3 ? ", …" : ""}).`,
    {
      hint: "The output folder is replaced whole on every build; pass --out an empty or new folder.",
    },
  );
}

/** Write `files` (and the marker) into a new sibling folder; returns it, finished. */
async function writeVersion(paths: OutputPaths, files: readonly SiteFile[]): Promise<string> {
  // mkdir, unlike mkdtemp (0700), gives folders the user's usual permissions (umask).
  const staging = freshSibling(paths, "tmp");
  await mkdir(staging);
  try {
    for (const file of [...files, { path: OUTPUT_MARKER, content: "" }]) {
      const target = join(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    // Renamed only once whole: a `v-` folder is always a complete build.
    const version = freshSibling(paths, "v");
    await rename(staging, version);
    return version;
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

export interface WriteOptions {
  /** Waiting for another build that is writing the same output. */
  lock?: LockOptions;
}

/**
 * Replace `outDir` with exactly `files` (plus the marker). At every instant, even if the
 * build is killed, `outDir` holds either the whole previous report or the whole new one;
 * a failed build leaves the previous one. Concurrent builds take turns.
 */
export async function writeSite(
  outDir: string,
  files: readonly SiteFile[],
  options: WriteOptions = {},
): Promise<void> {
  const paths = outputPaths(outDir);
  assertNotAround(paths);
  try {
    await makeFolders(paths.parent);
    const lock = await acquireOutputLock(paths.lock, outDir, options.lock);
    try {
      await tidyOutput(paths);
      await assertReplaceable(paths);
      const version = await writeVersion(paths, files);
      try {
        await pointOutputAt(paths, version);
      } finally {
        // The previous build, or on failure this one: whatever the output does not point at.
        // The report is in place either way; what is left is removed by the next build.
        await tidyOutput(paths).catch(() => {});
      }
    } finally {
      await lock.release().catch(() => {});
    }
  } catch (error) {
    throw (
      osErrorToReportError(error, {
        task: `write the report to ${outDir}`,
        alternative: "Or pass --out a folder elsewhere.",
      }) ?? error
    );
  }
}
