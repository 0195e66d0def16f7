// The functions of the expression language: how many arguments each takes, and the lookup of
// a name as written (any case, aliases such as `mean` for `avg`) with did-you-mean.
import { didYouMean } from "../closest.ts";
import {
  AGGREGATE_FUNCTIONS,
  FUNCTION_ALIASES,
  type FunctionName,
  SCALAR_FUNCTIONS,
  type Span,
} from "./ast.ts";
import { ExprError } from "./error.ts";

/** Fewest and most arguments of each function. */
export const ARITY: Readonly<Record<FunctionName, readonly [number, number]>> = {
  count: [0, 1],
  count_distinct: [1, 1],
  sum: [1, 1],
  avg: [1, 1],
  min: [1, 1],
  max: [1, 1],
  median: [1, 1],
  stddev: [1, 1],
  coalesce: [1, Number.POSITIVE_INFINITY],
  nullif: [2, 2],
  lower: [1, 1],
  upper: [1, 1],
  length: [1, 1],
  trim: [1, 1],
  substr: [2, 3],
  concat: [1, Number.POSITIVE_INFINITY],
  replace: [2, 3],
  starts_with: [2, 2],
  abs: [1, 1],
  round: [1, 2],
  floor: [1, 1],
  ceil: [1, 1],
  sqrt: [1, 1],
  ln: [1, 1],
  exp: [1, 1],
  power: [2, 2],
  greatest: [1, Number.POSITIVE_INFINITY],
  least: [1, Number.POSITIVE_INFINITY],
  year: [1, 1],
  quarter: [1, 1],
  month: [1, 1],
  week: [1, 1],
  day: [1, 1],
  day_of_week: [1, 1],
  date_trunc: [2, 2],
  date_diff: [3, 3],
};

const ALL_NAMES: readonly string[] = [
  ...AGGREGATE_FUNCTIONS,
  ...SCALAR_FUNCTIONS,
  ...Object.keys(FUNCTION_ALIASES),
];

/** The canonical function for a name as written, or an ExprError at `span`. */
export function functionNamed(written: string, span: Span): FunctionName {
  const name = written.toLowerCase();
  if (Object.hasOwn(FUNCTION_ALIASES, name)) return FUNCTION_ALIASES[name];
  const found = [...AGGREGATE_FUNCTIONS, ...SCALAR_FUNCTIONS].find((f) => f === name);
  if (found !== undefined) return found;
  throw new ExprError(
    `unknown function '${written}'${didYouMean(name, ALL_NAMES)}`,
    span,
    "See the functions table under Expressions in docs/report-definition.md.",
  );
}

/** Checks the argument count of a call, or throws an ExprError at `span`. */
export function checkArity(name: FunctionName, count: number, span: Span): void {
  const [min, max] = ARITY[name];
  if (count >= min && count <= max) return;
  const wanted =
    min === max
      ? `${min} argument${min === 1 ? "" : "s"}`
      : max === Number.POSITIVE_INFINITY
        ? `at least ${min} argument${min === 1 ? "" : "s"}`
        : `${min} to ${max} arguments`;
  throw new ExprError(`${name}() takes ${wanted}, not ${count}`, span);
}
