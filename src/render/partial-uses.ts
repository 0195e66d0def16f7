// Which partials a Handlebars template calls, read from its parsed tree: the render stage
// checks every `{{> name}}` against the partials that exist before rendering, so a typo is a
// located error, not a blank section. Shared by the runtime compile and the precompile.

/** A static `{{> name}}` call and where it stands in its template (1-based). */
export interface PartialUse {
  name: string;
  line: number;
  column: number;
}

/** The partials a template calls, and the inline partials (`{{#*inline}}`) it defines. */
export interface PartialCalls {
  uses: PartialUse[];
  inline: Set<string>;
}

/** Static `{{> name}}` uses in a template's AST (dynamic `{{> (expr)}}` ones are skipped). */
export function partialUses(
  node: unknown,
  uses: PartialUse[] = [],
  inline: Set<string> = new Set(),
): PartialCalls {
  if (Array.isArray(node)) {
    for (const child of node) partialUses(child, uses, inline);
    return { uses, inline };
  }
  if (typeof node !== "object" || node === null) return { uses, inline };
  const record = node as Record<string, unknown>;
  const name = record.name as { type?: string; original?: unknown } | undefined;
  if (record.type === "PartialStatement" || record.type === "PartialBlockStatement") {
    if (name?.type === "PathExpression" || name?.type === "StringLiteral") {
      const loc = record.loc as { start?: { line: number; column: number } } | undefined;
      uses.push({
        name: String(name.original),
        line: loc?.start?.line ?? 0,
        column: (loc?.start?.column ?? 0) + 1,
      });
    }
  }
  if (record.type === "DecoratorBlock") {
    const params = record.params as { original?: unknown }[] | undefined;
    if (params?.[0]?.original !== undefined) inline.add(String(params[0].original));
  }
  for (const key of ["body", "program", "inverse"]) partialUses(record[key], uses, inline);
  return { uses, inline };
}
