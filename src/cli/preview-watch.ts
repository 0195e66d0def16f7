// What `preview` watches, and when a change means "build again". The output folder may lie
// inside the watched project folder (it does by default: `output/` beside report.yml), so
// everything a build writes — the output link, its `.output-…` siblings, the run history,
// the S3 cache — is ignored by path, wherever it is. Editors save in bursts (write a swap
// file, rename, touch), and recursive watches report one save as several events, so events
// are gathered until the folder has been quiet for a moment: one save, one build.
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { DEFAULT_HISTORY_FOLDER } from "../history/index.ts";
import { siblingPrefix } from "../site/output-folders.ts";

/** How long the watched folders must be quiet before a burst of events counts as one edit. */
export const QUIET_MS = 150;

/** Folders and files no report reads: version control, dependencies, editor leftovers. */
const NEVER_INPUTS = [".git", "node_modules", ".DS_Store"] as const;
const EDITOR_LEFTOVER = /(?:^\.#|~$|\.sw[a-p]$|^4913$|\.tmp$)/;

/** Paths a build writes (under `outDir`, beside it, `extra`) and files that are never inputs. */
export function isBuildOutput(path: string, outDir: string, extra: string[] = []): boolean {
  const out = resolve(outDir);
  const under = (root: string) => path === root || path.startsWith(`${root}${sep}`);
  if (under(out)) return true;
  if (dirname(path) === dirname(out) && basename(path).startsWith(siblingPrefix(out))) return true;
  // A sibling's contents: `.output-v-…/index.html` sits one level further down.
  const parentSibling = path.slice(dirname(out).length + 1).split(sep)[0] ?? "";
  if (under(dirname(out)) && parentSibling.startsWith(siblingPrefix(out))) return true;
  if (under(resolve(dirname(out), DEFAULT_HISTORY_FOLDER))) return true;
  if (extra.some((root) => under(resolve(root)))) return true;
  const parts = path.split(sep);
  if (parts.some((part) => (NEVER_INPUTS as readonly string[]).includes(part))) return true;
  return EDITOR_LEFTOVER.test(basename(path));
}

/** A running watch; `close` stops it. */
export interface InputWatch {
  close(): void;
}

/**
 * Watch `dirs` (recursively) and call `onEdit` once per burst of changes to inputs, after
 * `quietMs` without further events; `ignore` says which paths are the build's own.
 */
export function watchInputs(
  dirs: string[],
  ignore: (path: string) => boolean,
  onEdit: (paths: string[]) => void,
  quietMs = QUIET_MS,
): InputWatch {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = dirs.map((dir) =>
    watch(dir, { recursive: true }, (_event, file) => {
      if (!file) return;
      const path = resolve(dir, file.toString());
      if (ignore(path)) return;
      pending.add(path);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const paths = [...pending];
        pending = new Set();
        onEdit(paths);
      }, quietMs);
    }),
  );
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
