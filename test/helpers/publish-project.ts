// A throwaway project for publish tests: the rendered-mode definition and its data copied
// into a temporary folder (so deployment records land there, never in the repository), and
// optionally a built site in <root>/output that is newer than every input.
import { cpSync, mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INPUT = join(import.meta.dirname, "../input/publish");

export interface PublishProject {
  root: string;
  definition: string;
  /** The built site to publish (a copy of test/input/publish/site). */
  dir: string;
  /** Static-mode arguments that publish `dir` as it is, with this definition. */
  args: string[];
}

/** A fresh project; its definition and data are dated an hour back, the site now. */
export function publishProject(): PublishProject {
  const root = mkdtempSync(join(tmpdir(), "publish-project-"));
  // Not a deployment record that another test, running in this process, left beside the
  // shared input definition for the moment.
  cpSync(join(INPUT, "rendered"), root, {
    recursive: true,
    filter: (path) => !path.split(/[\\/]/).includes(".connect"),
  });
  const definition = join(root, "report.yml");
  const past = new Date(Date.now() - 3600_000);
  for (const path of [definition, join(root, "data/orders.csv")]) utimesSync(path, past, past);
  const dir = join(root, "output");
  cpSync(join(INPUT, "site"), dir, { recursive: true });
  return { root, definition, dir, args: ["--no-build", "--dir", dir, "--definition", definition] };
}
