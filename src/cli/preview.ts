// `connect-s3-report preview`: build once, serve the output on 127.0.0.1 and rebuild once per
// edit of the definition, its folder or the templates (never for the build's own writes: see
// preview-watch.ts). A failed build shows its located message over the last good report in
// the browser, and the next good build clears it.
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BuildOptions } from "../build.ts";
import { CACHE_DIR_ENV } from "../cache/cache-dir.ts";
import type { Effects } from "../effects.ts";
import { isReportError, ReportError } from "../errors.ts";
import { osErrorToReportError } from "../os-errors.ts";
import { startPreviewServer } from "../site/preview-server.ts";
import { BUILD_FLAGS, withCacheFlags } from "./build.ts";
import type { CommandIo } from "./io.ts";
import { isBuildOutput, watchInputs } from "./preview-watch.ts";

export const PREVIEW_HELP = `Usage: connect-s3-report preview [report.yml] [options]

Build the report, serve it on http://127.0.0.1:<port>/ and rebuild once per edit of the
definition, its folder (data, templates) or the default templates; the page reloads itself.
What the build writes (the output folder, wherever it is) is never watched. A failed build
shows its error over the last good report until the next build succeeds.

Options:
  --source <path|url>   data file or s3://bucket/key (as for build)
  --out <dir>           output folder (default: output)
  --port <n>            port (default: 4321; 0 picks a free one)
  --cache-dir <dir>     where downloaded S3 objects are kept (as for build)
  --no-cache            download from S3 without the cache
  -q, --quiet           only warnings and errors
  -h, --help            show this help
`;

/** `connect-s3-report preview`: serves until interrupted; returns the exit code. */
export async function runPreview(
  args: string[],
  worldEffects: Effects,
  io: CommandIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...BUILD_FLAGS, port: { type: "string", default: "4321" } },
  });
  if (values.help) {
    io.stdout(PREVIEW_HELP);
    return 0;
  }
  // The build (vega, Arrow) loads only after --help is answered.
  const { build, defaultTemplatesDir } = await import("../build.ts");
  const effects = withCacheFlags(worldEffects, values);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ReportError(`--port ${values.port} is not a port number`, {
      hint: "Pass a number from 1 to 65535, or 0 for any free port.",
    });
  }
  const options: BuildOptions = {
    definition: positionals[0],
    source: values.source,
    outDir: values.out,
    // Edits are not runs: the preview compares with the last real build and records nothing.
    recordRun: false,
  };
  const outDir = resolve(values.out);
  const server = await startPreviewServer(outDir, port);
  // Each build's outcome: a good one clears the overlay, a failed one shows it (the last good
  // report stays underneath); either way open pages reload to show it.
  const buildOnce = async (): Promise<boolean> => {
    try {
      await build(options, effects);
      server.showFailure(undefined);
      return true;
    } catch (caught) {
      const error = osErrorToReportError(caught) ?? caught;
      if (!isReportError(error)) throw error;
      effects.log.warn(`${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
      server.showFailure({ message: error.message, hint: error.hint });
      return false;
    } finally {
      server.reload();
    }
  };
  const firstOk = await buildOnce().catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  effects.log.info(
    `preview   ${server.url} (Ctrl-C to stop)${firstOk ? "" : "; the page shows the error until a build succeeds"}`,
  );

  let queued = false;
  let running: Promise<void> | undefined;
  const rebuild = (changed: string[] = []) => {
    if (running) {
      queued = true;
      return;
    }
    if (changed.length > 0) {
      const names = changed.map((path) => relative(process.cwd(), path) || path);
      effects.log.info(`changed   ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`);
    }
    running = buildOnce()
      .then(() => undefined)
      .finally(() => {
        running = undefined;
        if (queued) {
          queued = false;
          rebuild();
        }
      });
  };
  const watched = [defaultTemplatesDir()];
  if (options.definition) watched.push(dirname(resolve(options.definition)));
  const cacheDir = effects.env[CACHE_DIR_ENV];
  const inputs = watchInputs(
    watched,
    (path) => isBuildOutput(path, outDir, cacheDir ? [cacheDir] : []),
    rebuild,
  );
  const stop = io.signal ?? sigint();
  await new Promise<void>((done) => {
    if (stop.aborted) done();
    else stop.addEventListener("abort", () => done(), { once: true });
  });
  inputs.close();
  await running;
  await server.close();
  return 0;
}

/** A signal aborted by the first Ctrl-C. */
function sigint(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  return controller.signal;
}
