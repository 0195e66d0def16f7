// `node --import tsx scripts/vega-lite-schema.ts`: writes src/chart/vega-lite-schema.json,
// Vega-Lite's JSON schema (from the installed vega-lite) without its prose descriptions. The
// `vega_lite` section validates specs against it (src/chart/vl-schema.ts); pruned it is a
// fifth of the size, which matters because the Deno bundle carries it. Run it again after
// upgrading vega-lite: test/chart-vega-lite.test.ts fails until the two agree.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The schema without `description`/`markdownDescription` annotations (texts only). */
export function prunedSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(prunedSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const annotation =
      (key === "description" || key === "markdownDescription") && typeof value === "string";
    if (!annotation) out[key] = prunedSchema(value);
  }
  return out;
}

/** The installed vega-lite's schema, pruned, as the text written to the repository. */
export async function prunedSchemaText(): Promise<string> {
  const url = new URL(import.meta.resolve("vega-lite/vega-lite-schema.json"));
  return `${JSON.stringify(prunedSchema(JSON.parse(await readFile(url, "utf8"))))}\n`;
}

export const SCHEMA_FILE = fileURLToPath(
  new URL("../src/chart/vega-lite-schema.json", import.meta.url),
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_FILE, await prunedSchemaText());
  process.stderr.write(`wrote ${SCHEMA_FILE}\n`);
}
