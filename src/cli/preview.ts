// `connect-s3-report preview`: build once, serve the output on 127.0.0.1 and rebuild when the
// definition or templates change, keeping the last good report on a failed rebuild.
import { watch } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { type BuildOptions, build, DEFAULT_TEMPLATES } from "../build.ts";
import type { Effects } from "../effects.ts";
import { isReportError, ReportError } from "../errors.ts";
import { osErrorToReportError } from "../os-errors.ts";
import { startPreviewServer } from "../site/preview-server.ts";
import { stagingPrefix } from "../site/write.ts";
import { BUILD_FLAGS, withCacheFlags } from "./build.ts";
import type { CommandIo } from "./io.ts";

export const PREVIEW_HELP = `Usage: connect-s3-report preview [report.yml] [options]

Build the report, serve it on http://127.0.0.1:<port>/ and rebuild when the definition,
its folder (data, templates) or the default templates change; the page reloads itself.

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
  // The first build must succeed: there is nothing to show otherwise.
  await build(options, effects);
  const server = await startPreviewServer(resolve(values.out), port);
  effects.log.info(`preview   ${server.url} (Ctrl-C to stop)`);

  let queued = false;
  let running: Promise<void> | undefined;
  const rebuild = () => {
    if (running) {
      queued = true;
      return;
    }
    running = build(options, effects)
      .then(() => server.reload())
      .catch((caught: unknown) => {
        // Keep serving the last good report; say what broke.
        const error = osErrorToReportError(caught) ?? caught;
        if (!isReportError(error)) throw error;
        effects.log.warn(`${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
      })
      .finally(() => {
        running = undefined;
        if (queued) {
          queued = false;
          rebuild();
        }
      });
  };
  const watched = [DEFAULT_TEMPLATES];
  if (options.definition) watched.push(dirname(resolve(options.definition)));
  const outDir = resolve(values.out);
  // The build's own writes (the output folder and its staging siblings) must not
  // trigger another build, or preview rebuilds forever.
  const ownWrite = (path: string) =>
    path === outDir ||
    path.startsWith(`${outDir}${sep}`) ||
    (dirname(path) === dirname(outDir) && basename(path).startsWith(stagingPrefix(outDir)));
  for (const dir of watched) {
    watch(dir, { recursive: true }, (_event, file) => {
      if (file && (ownWrite(resolve(dir, file)) || file.split(sep).includes("node_modules")))
        return;
      rebuild();
    });
  }
  await new Promise<void>((done) => process.once("SIGINT", done));
  await server.close();
  return 0;
}
