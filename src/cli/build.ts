// `build` and `check`: parse the options and run the pipeline (src/build.ts, imported only
// once there is something to build, so `build --help` stays instant).
import { isAbsolute, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CACHE_DIR_ENV, CACHE_SWITCH_ENV } from "../cache/cache-dir.ts";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { isOneOf } from "../vocabulary.ts";
import type { CommandIo } from "./io.ts";
import { PAPER_SIZES, printPdf } from "./print-pdf.ts";

export const BUILD_HELP = `Usage: connect-s3-report build [report.yml] [options]

Build the report into a self-contained output/index.html and output/summary.json.

Arguments:
  report.yml            report definition (see docs/report-definition.md)

Options:
  --source <path|url>   data file or s3://bucket/key; without a definition, builds a
                        profile of every column of that file
  --out <dir>           output folder (default: output)
  --cache-dir <dir>     where downloaded S3 objects are kept (default: the platform's
                        cache folder, or ${CACHE_DIR_ENV}); safe to delete
  --no-cache            download from S3 without the cache

  --pdf                 also print the page to <out>/report.pdf with Chromium
  --paper <a4|letter>   paper size of the PDF (default: a4)
  --verbose             more detail in the log, and stack traces on errors
  -q, --quiet           only warnings and errors (no stage lines, no progress line)
  -h, --help            show this help
`;

export const CHECK_HELP = `Usage: connect-s3-report check [report.yml] [options]

Run the whole build (definition, credentials, data, summaries, charts, templates) and
report problems, writing nothing: for CI before a publish, or after editing a definition.

Options:
  --source <path|url>   data file or s3://bucket/key
  --cache-dir <dir>     where downloaded S3 objects are kept
  --no-cache            download from S3 without the cache
  --verbose             more detail in the log, and stack traces on errors
  -h, --help            show this help
`;

/** `connect-s3-report build`: returns the exit code. */
export function runBuild(args: string[], effects: Effects, io: CommandIo): Promise<number> {
  return buildCommand(args, effects, io, false);
}

/** `connect-s3-report check`: the build without writing; returns the exit code. */
export function runCheck(args: string[], effects: Effects, io: CommandIo): Promise<number> {
  return buildCommand(args, effects, io, true);
}

/** The options `build`, `check` and `preview` share (parseArgs form). */
export const BUILD_FLAGS = {
  source: { type: "string" },
  out: { type: "string", default: "output" },
  "cache-dir": { type: "string" },
  "no-cache": { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
  quiet: { type: "boolean", short: "q", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** `build` only: print a PDF too. */
const PDF_FLAGS = {
  pdf: { type: "boolean", default: false },
  paper: { type: "string", default: "a4" },
} as const;

/**
 * The effects with --cache-dir / --no-cache applied to the environment the cache reads. A
 * cache folder inside the output folder is refused: every build replaces that folder.
 */
export function withCacheFlags(
  effects: Effects,
  values: { "cache-dir"?: string; "no-cache"?: boolean; out?: string },
): Effects {
  const env = { ...effects.env };
  if (values["cache-dir"]) env[CACHE_DIR_ENV] = values["cache-dir"];
  const cacheDir = env[CACHE_DIR_ENV];
  if (cacheDir && values.out) {
    const inside = relative(resolve(values.out), resolve(cacheDir));
    if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
      throw new ReportError(
        `The cache folder ${cacheDir} is inside the output folder ${values.out}, which every build replaces`,
        {
          hint: `Choose a --cache-dir (or ${CACHE_DIR_ENV}) outside ${values.out}, or leave it out.`,
        },
      );
    }
  }
  if (values["no-cache"]) env[CACHE_SWITCH_ENV] = "off";
  return { ...effects, env };
}

async function buildCommand(
  args: string[],
  effects: Effects,
  io: CommandIo,
  check: boolean,
): Promise<number> {
  const help = check ? CHECK_HELP : BUILD_HELP;
  const options = check ? BUILD_FLAGS : { ...BUILD_FLAGS, ...PDF_FLAGS };
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`expected one report definition, got ${positionals.length}\n\n${help}`);
    return 2;
  }
  const { build } = await import("../build.ts");
  const pdf = "pdf" in values && values.pdf === true;
  const paper = "paper" in values ? values.paper : undefined;
  if (pdf && !isOneOf(PAPER_SIZES, paper)) {
    io.stderr(`--paper must be ${PAPER_SIZES.join(" or ")}, got ${String(paper)}\n`);
    return 2;
  }
  const result = await build(
    { definition: positionals[0], source: values.source, outDir: values.out, check, forPrint: pdf },
    withCacheFlags(effects, values),
  );
  if (pdf && isOneOf(PAPER_SIZES, paper)) {
    const file = await printPdf(values.out, paper, effects.env, result.printHtml);
    effects.log.info(`pdf       ${file} (${paper})`);
  }
  return 0;
}
