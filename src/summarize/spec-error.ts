// ReportErrors about the report definition, raised while running it against the data:
// "file:line:column: queries.by_region.group_by[0]: column 'regoin' not found; ...".

import { didYouMean } from "../config/closest.ts";
import { hideEnvValues } from "../config/env.ts";
import type { FieldPath, ReportSpec } from "../config/spec.ts";
import { formatPath } from "../config/yaml-tree.ts";
import { ReportError } from "../errors.ts";
import { type LimitName, limitExceeded } from "../limits.ts";
import type { Column } from "./columns.ts";

/** How many column names a "not found" message lists before "and N more". */
const LISTED_COLUMNS = 30;

/**
 * A ReportError prefixed with where `path` sits in the definition (when known) and the path.
 * Values the environment put into that field read as `${NAME}` (they may be secrets).
 */
export function specError(
  spec: ReportSpec,
  path: FieldPath,
  problem: string,
  hint?: string,
): ReportError {
  const fromEnv = spec.locate(path)?.fromEnv ?? [];
  return new ReportError(
    `${where(spec, path)}: ${hideEnvValues(problem, fromEnv)}`,
    hint === undefined ? {} : { hint: hideEnvValues(hint, fromEnv) },
  );
}

/** The error for data that takes the definition's field at `path` past the limit `name`. */
export function specLimitError(spec: ReportSpec, path: FieldPath, name: LimitName): ReportError {
  return limitExceeded(name, spec.limits[name], where(spec, path));
}

/** "r.yml:12:5: queries.by_region": where `path` sits (when known), then the path. */
function where(spec: ReportSpec, path: FieldPath): string {
  const location = spec.locate(path);
  const at = location === undefined ? "" : `${location.file}:${location.line}:${location.column}: `;
  return `${at}${formatPath(path)}`;
}

/** The column named `name`, or a ReportError suggesting the closest name and listing all. */
export function findColumn(
  columns: readonly Column[],
  name: string,
  spec: ReportSpec,
  path: FieldPath,
): Column {
  const column = columns.find((c) => c.name === name);
  if (column !== undefined) return column;
  const names = columns.map((c) => c.name);
  throw specError(spec, path, notFound("column", name, names));
}

/** "column 'regoin' not found; did you mean 'region'? Available columns: region, revenue." */
export function notFound(what: string, name: string, candidates: readonly string[]): string {
  const listed = candidates.slice(0, LISTED_COLUMNS).map((c) => `'${c}'`);
  if (candidates.length > LISTED_COLUMNS)
    listed.push(`and ${candidates.length - LISTED_COLUMNS} more`);
  const available =
    candidates.length === 0
      ? `There are no ${what}s.`
      : `Available ${what}s: ${listed.join(", ")}.`;
  return `${what} '${name}' not found${didYouMean(name, candidates) || "."} ${available}`;
}
