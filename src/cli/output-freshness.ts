// `publish --no-build` uploads output/ as it is; this refuses it when it is older than what
// it was built from (the definition, its local data file and its templates), so a report
// edited but not rebuilt is not published by mistake.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { loadReportSpec } from "../config/index.ts";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { listFiles } from "../list-files.ts";

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The build's inputs that exist on this machine: definition, local data, templates. */
async function buildInputs(definition: string, env: Effects["env"]): Promise<string[]> {
  const spec = await loadReportSpec(definition, env);
  const inputs = [definition];
  const data = spec.source.file ?? (spec.source.s3 ? undefined : spec.source.fallback);
  if (data) {
    const info = await stat(data).catch(() => undefined);
    if (info?.isDirectory()) inputs.push(...(await listFiles(data)).map((p) => join(data, p)));
    else if (info) inputs.push(data);
  }
  if (spec.templates) {
    const files = await listFiles(spec.templates).catch(() => []);
    inputs.push(...files.map((p) => join(spec.templates as string, p)));
  }
  return inputs;
}

/**
 * Throws when `dir`/index.html is older than any input of the build of `definition`. A
 * missing definition skips the check (a hand-made site has none).
 */
export async function assertFreshOutput(
  dir: string,
  definition: string,
  env: Effects["env"],
): Promise<void> {
  const built = await mtime(join(dir, "index.html"));
  if (built === undefined || (await mtime(definition)) === undefined) return;
  let newest: { path: string; time: number } | undefined;
  for (const path of await buildInputs(definition, env)) {
    const time = await mtime(path);
    if (time !== undefined && time > built && (!newest || time > newest.time))
      newest = { path, time };
  }
  if (newest) {
    throw new ReportError(
      `${dir} is out of date: ${newest.path} changed after it was built (${new Date(newest.time).toISOString()} > ${new Date(built).toISOString()})`,
      {
        hint: "Publish without --no-build to rebuild it first, or run the build (npm run build) and publish again.",
      },
    );
  }
}
