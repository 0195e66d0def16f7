// How an output folder is replaced so that a complete report is there at every instant,
// even if the build is killed: `output` is a symbolic link to a finished build in a sibling
// folder (`.output-v-…`), and a new build is swapped in by renaming a new link over it, one
// rename(2), which the system does atomically. Everything else the swap needs lives beside
// it under the same prefix, so the next build can finish or clean what a killed one left.
import { randomUUID } from "node:crypto";
import { lstat, readdir, readlink, rename, rm, symlink, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/**
 * The sibling kinds, named `.<output>-<kind>-<id>`: finished builds (`v`), builds being
 * written (`tmp`), new links before the swap (`link`), a real folder moved aside (`old`),
 * older versions' staging folders (`new`) and broken locks (`lock`).
 */
export const SIBLING_KINDS = ["v", "tmp", "link", "old", "new", "lock"] as const;

export type SiblingKind = (typeof SIBLING_KINDS)[number];

/** The output folder and the names of everything kept beside it. */
export interface OutputPaths {
  /** Absolute path of the output (a link to the current build). */
  out: string;
  parent: string;
  /** `.output-`: every sibling's name starts with it (watchers ignore them). */
  prefix: string;
  /** The lock file: `.output-lock`. */
  lock: string;
}

/** Prefix of the sibling names for `outDir`; watchers ignore them. */
export function siblingPrefix(outDir: string): string {
  return `.${basename(resolve(outDir))}-`;
}

/** The paths of `outDir` and its siblings. */
export function outputPaths(outDir: string): OutputPaths {
  const out = resolve(outDir);
  const prefix = siblingPrefix(out);
  return { out, parent: dirname(out), prefix, lock: join(dirname(out), `${prefix}lock`) };
}

/** A new, unused sibling path of `kind`; versions sort by the time they were made. */
export function freshSibling(paths: OutputPaths, kind: SiblingKind): string {
  const stamp = Date.now().toString(36).padStart(10, "0");
  return join(paths.parent, `${paths.prefix}${kind}-${stamp}-${randomUUID().slice(0, 8)}`);
}

/** The kind of a sibling by its name, or undefined for anything else. */
export function siblingKind(paths: OutputPaths, name: string): SiblingKind | undefined {
  if (!name.startsWith(paths.prefix)) return undefined;
  const rest = name.slice(paths.prefix.length);
  return SIBLING_KINDS.find((kind) => rest.startsWith(`${kind}-`));
}

/** What is at the output path now. */
export type OutputState =
  | { kind: "missing" }
  | { kind: "version"; name: string }
  | { kind: "folder" }
  | { kind: "file" }
  | { kind: "foreign-link"; target: string };

/** Look at the output path without following a link. */
export async function outputState(paths: OutputPaths): Promise<OutputState> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(paths.out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw error;
  }
  if (stats.isSymbolicLink()) {
    const target = resolve(paths.parent, await readlink(paths.out));
    const name = basename(target);
    return dirname(target) === paths.parent && siblingKind(paths, name) === "v"
      ? { kind: "version", name }
      : { kind: "foreign-link", target };
  }
  return stats.isDirectory() ? { kind: "folder" } : { kind: "file" };
}

/** Errors of rename(2) when the destination cannot simply be replaced (a real folder; Windows). */
const NOT_REPLACEABLE = new Set(["EISDIR", "ENOTEMPTY", "EEXIST", "EPERM", "EACCES"]);

/**
 * Point the output at the finished build `version` (a sibling path). Over a link or
 * nothing this is one atomic rename. A real folder there (an output from before links)
 * is moved aside first, and so is a link where the system cannot rename over one
 * (Windows); if killed in that moment, the next build's `tidyOutput` finishes the swap.
 */
export async function pointOutputAt(paths: OutputPaths, version: string): Promise<void> {
  const link = freshSibling(paths, "link");
  if (process.platform === "win32") await symlink(version, link, "junction");
  else await symlink(basename(version), link, "dir");
  try {
    await rename(link, paths.out);
    return;
  } catch (error) {
    if (!NOT_REPLACEABLE.has((error as NodeJS.ErrnoException).code ?? "")) {
      await unlink(link).catch(() => {});
      throw error;
    }
  }
  const state = await outputState(paths);
  if (state.kind === "folder") await rename(paths.out, freshSibling(paths, "old"));
  else if (state.kind !== "missing") await unlink(paths.out);
  await rename(link, paths.out);
}

/**
 * Finish or clean up after killed builds: an output left missing in the middle of a swap
 * is pointed at the newest finished build, and every sibling but the current build is
 * removed. Call only while holding the output lock.
 */
export async function tidyOutput(paths: OutputPaths): Promise<void> {
  let names: string[];
  try {
    names = await readdir(paths.parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const ours = names.filter((name) => siblingKind(paths, name) !== undefined);
  if (ours.length === 0) return;
  let state = await outputState(paths);
  if (state.kind === "missing") {
    const newest = ours
      .filter((name) => siblingKind(paths, name) === "v")
      .sort()
      .at(-1);
    if (newest) {
      await pointOutputAt(paths, join(paths.parent, newest));
      state = { kind: "version", name: newest };
    }
  }
  const current = state.kind === "version" ? state.name : undefined;
  for (const name of ours) {
    if (name !== current) await rm(join(paths.parent, name), { recursive: true, force: true });
  }
}
