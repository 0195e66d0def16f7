// Assemble the files of a rendered deploy: the Quarto project, the bundled script, and what
// the build reads at render time (definition, templates, fonts; the fallback data only
// when asked for).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { installedResvgWasmPath, RESVG_WASM_FILE } from "../chart/png.ts";
import { loadReportSpec } from "../config/index.ts";
import type { BundleFile } from "../connect/manifest.ts";
import { keptDir } from "../kept-files.ts";
import { packagePath } from "../package-root.ts";
import { installedWasmPath, WASM_FILE } from "../read/arrow/read-parquet.ts";
import { keptBundleForDeno } from "./bundle-script.ts";
import {
  CARRIED_DEFAULTS,
  carryFiles,
  insideRoot,
  projectFiles,
  type RenderConfig,
  SCRIPT_PATH,
} from "./project.ts";
import { PREBUILT_SCRIPT, RENDER_ENTRY } from "./script-paths.ts";

/** Whether this process runs the TypeScript sources (tsx), whose dist/ may be stale. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");

export interface RenderedProject {
  title: string;
  /** The definition as written, for the `${VAR}` names it reads. */
  definitionText: string;
  files: BundleFile[];
  /** Size of the bundled script, for the log. */
  scriptBytes: number;
}

/** The script bundled from source by this process, if it has bundled it. */
let bundled: Promise<{ code: string }> | undefined;

/**
 * The bundled post-render script: prebuilt in an installed package (dist/), else bundled from
 * the sources once per process (they do not change while it runs; a bundle costs seconds) and
 * kept in node_modules/.cache/csr-deno-script for later processes until a source changes.
 */
async function renderScript(): Promise<{ code: string }> {
  if (!FROM_SOURCES && existsSync(PREBUILT_SCRIPT)) {
    return { code: await readFile(PREBUILT_SCRIPT, "utf8") };
  }
  const root = packagePath();
  bundled ??= keptBundleForDeno(RENDER_ENTRY, { root, dir: keptDir(root, "csr-deno-script") });
  bundled.catch(() => {
    bundled = undefined;
  });
  return bundled;
}

/** Everything `publish --rendered` uploads for the definition at `definition`. */
export async function prepareRenderedProject(options: {
  /** The folder published as the project root; every carried file must be inside it. */
  root: string;
  definition: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Upload the definition's fallback data too; by default it stays on this machine. */
  includeFallback?: boolean;
}): Promise<RenderedProject> {
  const root = resolve(options.root);
  const definition = resolve(root, options.definition);
  const spec = await loadReportSpec(definition, options.env);
  const carried = [definition];
  // The fallback is sample data for local builds: not uploaded unless asked for, so a
  // render on Connect cannot quietly report its numbers (source-check.ts).
  const fallback = options.includeFallback ? spec.source.fallback : undefined;
  for (const path of [fallback, spec.source.file, spec.templates]) {
    if (path && existsSync(path)) carried.push(path);
  }
  const files = await carryFiles(root, carried);
  const templates = packagePath("templates");
  const defaults = await carryFiles(templates, [templates]);
  for (const file of defaults) files.push({ ...file, path: `${CARRIED_DEFAULTS}/${file.path}` });

  const config: RenderConfig = {
    definition: insideRoot(root, definition, "The report definition"),
    defaultTemplates: CARRIED_DEFAULTS,
    title: spec.title,
    fallbackBundled: Boolean(fallback && existsSync(fallback)),
  };
  const script = await renderScript();
  files.push(...projectFiles(config, script.code));
  // Parquet is decoded by WebAssembly, which the bundled script loads from beside itself.
  files.push({
    path: `${dirname(SCRIPT_PATH)}/${WASM_FILE}`,
    data: await readFile(installedWasmPath()),
  });
  // So is resvg, which draws the email's charts as PNG.
  files.push({
    path: `${dirname(SCRIPT_PATH)}/${RESVG_WASM_FILE}`,
    data: await readFile(installedResvgWasmPath()),
  });
  const unique = new Map(files.map((file) => [file.path, file]));
  return {
    title: spec.title,
    definitionText: await readFile(definition, "utf8"),
    files: [...unique.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    scriptBytes: script.code.length,
  };
}
