// How the report names its data source. A published report is read on other machines, so a
// local file is named by its path below the report definition's folder (or the working
// folder), else by its name alone,
// never by the building machine's absolute path; S3 objects keep their s3:// name.

import { basename, dirname, isAbsolute, relative, sep } from "node:path";

/** `label` as the report shows it: an absolute local path made relative to `baseDir`. */
export function displayLabel(label: string, baseDir: string): string {
  if (!isAbsolute(label)) return label;
  const rel = relative(baseDir, label);
  // Outside the base folder (or on another drive), the file's own name is all that is safe:
  // "../../tmp/x/data.csv" would still spell out the machine's folders.
  if (rel === "" || isAbsolute(rel) || rel.split(sep)[0] === "..") return basename(label);
  return rel.split(sep).join("/");
}

/** The folder a report's local paths are named against: the definition's, else the working folder. */
export function labelBase(definition: string, cwd: string): string {
  return definition === "" ? cwd : dirname(definition);
}
