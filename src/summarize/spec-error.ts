// ReportErrors about the report definition, raised while running it against the data:
// "file:line:column: queries.by_region.group_by[0]: column 'regoin' not found; ...".

import type { FieldPath, ReportSpec } from "../config/spec.ts";
import { ReportError } from "../errors.ts";
import type { Column } from "./columns.ts";

/** How many column names a "not found" message lists before "and N more". */
const LISTED_COLUMNS = 30;

/** "queries.by_region.group_by[0]" */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

/** A ReportError prefixed with where `path` sits in the definition (when known) and the path. */
export function specError(
  spec: ReportSpec,
  path: FieldPath,
  problem: string,
  hint?: string,
): ReportError {
  const location = spec.locate(path);
  const where =
    location === undefined ? "" : `${location.file}:${location.line}:${location.column}: `;
  return new ReportError(
    `${where}${formatPath(path)}: ${problem}`,
    hint === undefined ? {} : { hint },
  );
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
  const suggestion = closest(name, candidates);
  const listed = candidates.slice(0, LISTED_COLUMNS).map((c) => `'${c}'`);
  if (candidates.length > LISTED_COLUMNS)
    listed.push(`and ${candidates.length - LISTED_COLUMNS} more`);
  const available =
    candidates.length === 0
      ? `There are no ${what}s.`
      : `Available ${what}s: ${listed.join(", ")}.`;
  return `${what} '${name}' not found${suggestion === undefined ? "." : `; did you mean '${suggestion}'?`} ${available}`;
}

/**
 * The candidate closest to `name` by edit distance (case-insensitive), when close enough to
 * be a likely typo. Local stand-in until src/config provides a shared `closest`.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(target, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance, with an adjacent swap counting as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}
