// The Quarto post-render script of a rendered deploy, bundled by bundleForDeno into
// _report/lib/deno/render.js (SCRIPT_PATH) and run by Quarto's own Deno on every render on Connect. Quarto has just
// rendered index.qmd (a placeholder page); this builds the report from S3 (credentials from
// the content session token exchange, chosen by the build's credential chain), copies it over
// the output, and writes .output_metadata.json for Connect's email (src/email/). On Connect, an
// unconfigured S3 source fails the render (source-check.ts) instead of using sample data.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../build.ts";
import { loadReportSpec } from "../config/index.ts";
import { defaultEffects } from "../effects.ts";
import { composeEmail } from "../email/compose.ts";
import { emailVersion, outputMetadata } from "../email/connect-metadata.ts";
import { isReportError } from "../errors.ts";
import { DEFAULT_HISTORY_FOLDER } from "../history/index.ts";
import { installReport, writeOutputMetadata } from "./install.ts";
import { CONFIG_PATH, type RenderConfig, SCRIPT_PATH } from "./project.ts";
import { requireConfiguredSource } from "./source-check.ts";

/** The project folder: this script sits at <project>/SCRIPT_PATH. */
function projectDir(): string {
  const up = SCRIPT_PATH.split("/")
    .slice(1)
    .map(() => "..");
  return resolve(dirname(fileURLToPath(import.meta.url)), ...up);
}

async function main(): Promise<void> {
  const root = projectDir();
  const config = JSON.parse(await readFile(join(root, CONFIG_PATH), "utf8")) as RenderConfig;
  const effects = defaultEffects({ verbose: process.env.REPORT_VERBOSE === "1" });
  const outputDir = resolve(root, process.env.QUARTO_PROJECT_OUTPUT_DIR ?? ".");
  const definition = resolve(root, config.definition);
  const spec = await loadReportSpec(definition, effects.env);
  requireConfiguredSource(
    spec,
    await readFile(definition, "utf8"),
    effects.env,
    config.fallbackBundled === true,
  );
  const work = await mkdtemp(join(tmpdir(), "connect-s3-report-"));
  try {
    const builtDir = join(work, "site");
    const result = await build(
      {
        definition,
        outDir: builtDir,
        defaultTemplates: resolve(root, config.defaultTemplates),
        // The build's own folder is temporary; the history stays beside the project.
        historyFolder: join(root, DEFAULT_HISTORY_FOLDER),
      },
      effects,
    );
    const installed = await installReport(builtDir, outputDir);
    effects.log.info(`report   ${installed.length} files → ${outputDir}`);
    const env = effects.env;
    const message = composeEmail({
      spec: result.spec,
      summary: result.summary,
      now: effects.now(),
      images: result.emailImages,
      link: env.RSC_REPORT_RENDERING_URL || env.RSC_REPORT_URL,
      latest: env.RSC_REPORT_URL,
      unsubscribe: env.RSC_REPORT_SUBSCRIPTION_URL,
      source: result.source.label,
      ...(result.changes === undefined ? {} : { changes: result.changes }),
    });
    const version = emailVersion(env);
    await writeOutputMetadata(outputDir, outputMetadata(message, version));
    effects.log.info(
      `email    .output_metadata.json v${version}: "${message.subject}" ${message.decision.send ? "sent" : "suppressed"}: ${message.decision.reason}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  if (isReportError(error)) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
  } else {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  // A failed post-render fails the render, so Connect keeps the previous rendering and sends no email.
  process.exit(1);
});
