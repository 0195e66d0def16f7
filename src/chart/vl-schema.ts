// Validation of a Vega-Lite spec against Vega-Lite's own JSON schema (vega-lite-schema.json,
// shipped in the vega-lite package; ./vega-lite-schema.json is it without descriptions), so a mistake is reported at its path in the spec
// ("encoding.x.type: 'nominl' is not one of …") instead of vega-lite's compile errors, which
// name no place ("Invalid field type") or only warn and draw nothing. The validator covers the
// keywords that schema uses ($ref, anyOf, type, const, enum, properties, required,
// additionalProperties, items, minimum/maximum, min/maxItems, min/maxLength, minProperties);
// `format` is an annotation there. Among the alternatives of an `anyOf`, the one the value
// got furthest into is the one reported, as people mean the branch they nearly wrote.
import { didYouMean } from "../config/closest.ts";

type Schema = { [keyword: string]: unknown };
/** A path into the spec, as keys and list indexes. */
export type SpecPath = (string | number)[];

/** One violation: where in the spec, and what is wrong, in words. */
export interface SpecProblem {
  path: SpecPath;
  message: string;
}

/** A problem found while checking, with what the value could have been when it is a mismatch. */
interface Found extends SpecProblem {
  /** The value's type or constant did not match: this alternative does not apply at all. */
  mismatch?: { types: string[]; values: unknown[] };
  /** A field its map may not have: a problem of the map, so as deep as the map's path. */
  unknown?: boolean;
}

/** How far into the value a problem lies: an unknown field counts as its map's. */
function depth(problem: Found): number {
  return problem.path.length - (problem.unknown ? 1 : 0);
}

let schemaPromise: Promise<Schema> | undefined;

/**
 * Vega-Lite's schema without its prose (generated from the installed vega-lite by
 * scripts/vega-lite-schema.ts), loaded once, on first use: only definitions with a
 * `vega_lite` section pay for it. A bundle (Deno on Connect) carries it inside.
 */
export function vegaLiteSchema(): Promise<Schema> {
  schemaPromise ??= import("./vega-lite-schema.json", { with: { type: "json" } }).then(
    (module) => module.default as Schema,
  );
  return schemaPromise;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  if (type === "integer") return typeof value === "number" && Number.isInteger(value);
  return typeOf(value) === type;
}

function shown(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  null: "null",
};

/** The message for a value none of whose alternatives' types or constants it matched. */
function mismatchMessage(value: unknown, types: string[], values: unknown[]): string {
  const strings = values.filter((v): v is string => typeof v === "string");
  if (
    typeof value === "string" &&
    !types.includes("string") &&
    (types.length === 0 || strings.length >= 3)
  ) {
    const listed =
      strings.length > 30 ? `${strings.slice(0, 30).join(", ")}, …` : strings.join(", ");
    return `${shown(value)} is not one of ${listed}${didYouMean(value, strings)}`;
  }
  const expected = [...new Set(types.map((t) => TYPE_WORDS[t] ?? t))];
  for (const v of values) expected.push(typeof v === "string" ? `'${v}'` : String(v));
  return `expected ${expected.join(" or ")}, found ${shown(value)}`;
}

function resolve(root: Schema, ref: string): Schema {
  const name = ref.replace(/^#\/definitions\//, "");
  const found = (root.definitions as Record<string, Schema> | undefined)?.[name];
  if (found === undefined) throw new Error(`vega-lite schema: no definition ${ref}`);
  return found;
}

function check(root: Schema, schema: Schema, value: unknown, path: SpecPath): Found[] {
  if (typeof schema.$ref === "string") return check(root, resolve(root, schema.$ref), value, path);
  if (Array.isArray(schema.anyOf)) return checkAnyOf(root, schema.anyOf as Schema[], value, path);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t)))
      return [
        {
          path,
          message: mismatchMessage(value, types, []),
          mismatch: { types, values: [] },
        },
      ];
  }
  if ("const" in schema && value !== schema.const)
    return [
      {
        path,
        message: mismatchMessage(value, [], [schema.const]),
        mismatch: { types: [], values: [schema.const] },
      },
    ];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [
      {
        path,
        message: mismatchMessage(value, [], schema.enum),
        mismatch: { types: [], values: schema.enum },
      },
    ];
  const problems: Found[] = [];
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum)
      problems.push({ path, message: `${value} is below the least allowed, ${schema.minimum}` });
    if (typeof schema.maximum === "number" && value > schema.maximum)
      problems.push({ path, message: `${value} is above the most allowed, ${schema.maximum}` });
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength)
      problems.push({ path, message: `text must have at least ${schema.minLength} characters` });
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
      problems.push({ path, message: `text must have at most ${schema.maxLength} characters` });
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      problems.push({
        path,
        message: `expected at least ${schema.minItems} items, found ${value.length}`,
      });
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
      problems.push({
        path,
        message: `expected at most ${schema.maxItems} items, found ${value.length}`,
      });
    const items = schema.items;
    if (items !== undefined && typeof items === "object" && !Array.isArray(items))
      value.forEach((item, i) => {
        problems.push(...check(root, items as Schema, item, [...path, i]));
      });
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[])
      if (!(key in object)) problems.push({ path, message: `required field '${key}' is missing` });
    if (
      typeof schema.minProperties === "number" &&
      Object.keys(object).length < schema.minProperties
    )
      problems.push({ path, message: `expected at least ${schema.minProperties} fields` });
    for (const [key, item] of Object.entries(object)) {
      const own = properties[key];
      if (own !== undefined) {
        problems.push(...check(root, own, item, [...path, key]));
      } else if (schema.additionalProperties === false) {
        problems.push({
          path: [...path, key],
          message: `unknown field '${key}'${didYouMean(key, Object.keys(properties))}`,
          unknown: true,
        });
      } else if (typeof schema.additionalProperties === "object") {
        problems.push(...check(root, schema.additionalProperties as Schema, item, [...path, key]));
      }
    }
  }
  return problems;
}

/**
 * The problems of the alternative the value came closest to: one whose type it has, whose
 * deepest problem lies furthest in, with the fewest problems. When its type matches none, one
 * problem saying what it could have been.
 */
function checkAnyOf(root: Schema, branches: Schema[], value: unknown, path: SpecPath): Found[] {
  let best: Found[] | undefined;
  let bestDepth = -1;
  const types: string[] = [];
  const values: unknown[] = [];
  for (const branch of branches) {
    const problems = check(root, branch, value, path);
    if (problems.length === 0) return [];
    const mismatch =
      problems.length === 1 && problems[0].path.length === path.length
        ? problems[0].mismatch
        : undefined;
    if (mismatch !== undefined) {
      types.push(...mismatch.types);
      values.push(...mismatch.values);
      continue;
    }
    const deepest = Math.max(...problems.map(depth));
    if (
      deepest > bestDepth ||
      (deepest === bestDepth && best !== undefined && problems.length < best.length)
    ) {
      best = problems;
      bestDepth = deepest;
    }
  }
  if (best !== undefined) return best;
  const uniqueTypes = [...new Set(types)];
  const uniqueValues = [...new Set(values)];
  return [
    {
      path,
      message: mismatchMessage(value, uniqueTypes, uniqueValues),
      mismatch: { types: uniqueTypes, values: uniqueValues },
    },
  ];
}

/**
 * The spec's problems against Vega-Lite's schema, the most telling first (the deepest, then
 * unknown fields, which come with a suggestion); none when valid.
 */
export function specProblems(schema: Schema, spec: unknown): SpecProblem[] {
  return check(schema, schema, spec, [])
    .sort((a, b) => depth(b) - depth(a) || Number(b.unknown ?? false) - Number(a.unknown ?? false))
    .map(({ path, message }) => ({ path, message }));
}
