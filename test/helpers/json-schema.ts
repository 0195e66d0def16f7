// A JSON Schema (draft 2020-12) validator for the keywords schema/summary.schema.json uses:
// type, const, enum, required, properties, additionalProperties, items, minimum, pattern,
// format "date-time" and local $ref. A keyword it does not know is an error, not ignored, so
// the schema cannot say more than this checks. Written here instead of adding ajv, which the
// shared install does not carry.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type Schema = { [keyword: string]: unknown };

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description"]);
const KEYWORDS = new Set([
  "type",
  "const",
  "enum",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "minimum",
  "pattern",
  "format",
  "$ref",
]);

/** The JSON type name of a value, with "integer" for whole numbers. */
function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  if (type === "integer") return typeof value === "number" && Number.isInteger(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return typeOf(value) === type;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every violation of `schema` by `value`, as "path: problem" lines (none when valid). */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const target = match && (root.$defs as Record<string, Schema> | undefined)?.[match[1]];
    if (!target) throw new Error(`unresolvable $ref ${ref}`);
    return target;
  };
  const check = (schema: Schema, v: unknown, path: string): void => {
    for (const keyword of Object.keys(schema)) {
      if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword))
        throw new Error(`the validator does not implement "${keyword}" (at ${path})`);
    }
    if (typeof schema.$ref === "string") check(resolve(schema.$ref), v, path);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type)
        ? (schema.type as string[])
        : [schema.type as string];
      if (!types.some((t) => hasType(v, t))) {
        errors.push(`${path}: expected ${types.join(" or ")}, found ${typeOf(v)}`);
        return;
      }
    }
    if ("const" in schema && JSON.stringify(v) !== JSON.stringify(schema.const))
      errors.push(`${path}: expected ${JSON.stringify(schema.const)}, found ${JSON.stringify(v)}`);
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === v))
      errors.push(`${path}: ${JSON.stringify(v)} is not one of ${schema.enum.join(", ")}`);
    if (typeof schema.minimum === "number" && typeof v === "number" && v < schema.minimum)
      errors.push(`${path}: ${v} is below the minimum ${schema.minimum}`);
    if (
      typeof schema.pattern === "string" &&
      typeof v === "string" &&
      !new RegExp(schema.pattern, "u").test(v)
    )
      errors.push(`${path}: "${v}" does not match ${schema.pattern}`);
    if (
      schema.format === "date-time" &&
      typeof v === "string" &&
      !(ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)))
    )
      errors.push(`${path}: "${v}" is not an ISO 8601 date-time`);
    if (Array.isArray(v) && schema.items !== undefined) {
      for (const [i, item] of v.entries()) check(schema.items as Schema, item, `${path}[${i}]`);
    }
    if (typeOf(v) === "object") {
      const record = v as Record<string, unknown>;
      for (const name of (schema.required as string[] | undefined) ?? []) {
        if (!(name in record)) errors.push(`${path}: required field "${name}" is missing`);
      }
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [name, item] of Object.entries(record)) {
        if (properties[name] !== undefined) check(properties[name], item, `${path}.${name}`);
        else if (schema.additionalProperties === false)
          errors.push(`${path}: field "${name}" is not in the schema`);
        else if (typeof schema.additionalProperties === "object")
          check(schema.additionalProperties as Schema, item, `${path}.${name}`);
      }
    }
  };
  check(root, value, "$");
  return errors;
}

/** The shipped schema/summary.schema.json. */
export const SUMMARY_SCHEMA_FILE = fileURLToPath(
  new URL("../../schema/summary.schema.json", import.meta.url),
);

let summarySchema: Schema | undefined;

/** Violations of the shipped summary schema by a parsed summary.json (none when valid). */
export function summaryErrors(document: unknown): string[] {
  summarySchema ??= JSON.parse(readFileSync(SUMMARY_SCHEMA_FILE, "utf8")) as Schema;
  return validate(summarySchema, document);
}

/** Throws, listing every violation, when a summary.json does not follow the schema. */
export function assertValidSummary(document: unknown, what = "summary.json"): void {
  const errors = summaryErrors(document);
  if (errors.length > 0)
    throw new Error(`${what} does not follow the schema:\n${errors.join("\n")}`);
}
