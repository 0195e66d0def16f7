// ReportErrors about the report definition, raised while running it against the data:
// "file:line:column: queries.by_region.group_by[0]: column 'regoin' not found; ...".

import { didYouMean } from "../config/closest.ts";
import { hideEnvValues } from "../config/env.ts";
import type { DefinitionProblem } from "../config/fields.ts";
import type { FieldPath, ReportSpec } from "../config/spec.ts";
import { formatPath, type Position } from "../config/yaml-tree.ts";
import { ReportError } from "../errors.ts";
import type { ColumnInfo } from "../expr/check.ts";
import { caretLines, type ExprError } from "../expr/error.ts";
import { type LimitName, limitExceeded } from "../limits.ts";
import type { Column } from "./columns.ts";

/** Errors made here, with where in the definition they point (for sorting a combined report). */
const DEFINITION_ERRORS = new WeakMap<ReportError, Position>();

/** `error` with its position, when it is a located definition error made here. */
export function definitionProblem(error: unknown): DefinitionProblem | undefined {
  if (!(error instanceof ReportError)) return undefined;
  const pos = DEFINITION_ERRORS.get(error);
  return pos === undefined ? undefined : { pos, error };
}

function remember(error: ReportError, pos: Position | undefined): ReportError {
  DEFINITION_ERRORS.set(error, pos ?? { line: 0, column: 0 });
  return error;
}

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
  const location = spec.locate(path);
  const fromEnv = location?.fromEnv ?? [];
  return remember(
    new ReportError(
      `${where(spec, path)}: ${hideEnvValues(problem, fromEnv)}`,
      hint === undefined ? {} : { hint: hideEnvValues(hint, fromEnv) },
    ),
    location,
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

/**
 * The ReportError for a problem in the expression `text` at `path`: located at the offending
 * token when the text's position in the file is known, with the text and a caret under it.
 */
export function exprError(
  spec: ReportSpec,
  path: FieldPath,
  text: string,
  error: ExprError,
): ReportError {
  const location = spec.locate(path);
  const fromEnv = location?.fromEnv ?? [];
  if (fromEnv.length > 0) return specError(spec, path, error.message, error.hint);
  const pos: Position | undefined =
    location === undefined
      ? undefined
      : location.textPos === undefined
        ? { line: location.line, column: location.column }
        : { line: location.textPos.line, column: location.textPos.column + error.span.start };
  const at = location === undefined ? "" : `${location.file}:${pos!.line}:${pos!.column}: `;
  return remember(
    new ReportError(
      `${at}${formatPath(path)}: ${error.message}\n${caretLines(text, error.span)}`,
      error.hint === undefined ? {} : { hint: error.hint },
    ),
    pos,
  );
}

/** The columns as the expression checker sees them (64-bit ids kept as text are text). */
export function columnInfos(columns: readonly Column[]): ColumnInfo[] {
  return columns.map((c) => ({ name: c.name, type: c.kind === "category" ? "string" : c.type }));
}
